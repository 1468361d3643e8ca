"""Patient-privacy guard: a rule-based detector of HIPAA Safe Harbor identifiers in short
clinical posts, and the policy that decides what happens to a post that contains them.

Pure standard library (`re`); no models, no network.
"""
from .detector import find_phi
from .finding import KINDS, Finding
from .policy import IMAGE_REMINDER, PhiDecision, PhiPolicy, check_post, decide

__all__ = [
    "IMAGE_REMINDER",
    "KINDS",
    "Finding",
    "PhiDecision",
    "PhiPolicy",
    "check_post",
    "decide",
    "find_phi",
]
