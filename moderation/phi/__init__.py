"""Patient-privacy guard: a rule-based detector of HIPAA Safe Harbor identifiers in short
clinical posts, and the policy that decides what happens to a post that contains them.

Patterns (`re`) find the shapes; context (context.py) decides whose a value is, a patient's or the
public's; a gazetteer of given names and surnames (gazetteer.py, from the `names` package, read from
its installed files) is a signal for names. On request (`find_phi(text, model=True)`), a linear model
per kind trained on the development corpus (model.py) adds findings of kinds the rules missed, where the text
shows a candidate of the kind (model_gate.py). No
network. LABELLING.md defines the kinds; bench/phi.py measures the detector on the development and
held-out corpora.
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
