"""What to do with a post that contains PHI, per the community's configured policy."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from .detector import find_phi
from .finding import Finding

IMAGE_REMINDER: str = (
    "Before posting, check every image for faces, wristbands, labels and screens that could "
    "identify the patient, and crop or blur them."
)


class PhiPolicy(str, Enum):
    """How strictly a community treats posts with identifiers."""

    OFF = "off"      # no check
    WARN = "warn"    # the author must confirm (or override) before posting
    HOLD = "hold"    # the post waits for a moderator
    BLOCK = "block"  # the post is refused


@dataclass(frozen=True)
class PhiDecision:
    """The verdict on a post: action is "allow", "confirm", "hold" or "reject"."""

    action: str
    findings: list[Finding] = field(default_factory=list)


_ACTION_WITH_FINDINGS = {
    PhiPolicy.WARN: "confirm",
    PhiPolicy.HOLD: "hold",
    PhiPolicy.BLOCK: "reject",
}


def decide(policy: PhiPolicy | str, findings: list[Finding], *, override: bool = False) -> PhiDecision:
    """Turn findings into an action under `policy`.

    off or no findings -> allow; warn -> confirm, or allow once the author overrides;
    hold -> hold; block -> reject (override only lifts a warning). Raises ValueError for an
    unknown policy name.
    """
    policy = _coerce(policy)
    findings = list(findings)
    if policy is PhiPolicy.OFF or not findings:
        return PhiDecision("allow", findings)
    if policy is PhiPolicy.WARN and override:
        return PhiDecision("allow", findings)
    return PhiDecision(_ACTION_WITH_FINDINGS[policy], findings)


def check_post(
    texts: Iterable[str | None], policy: PhiPolicy | str, *, override: bool = False, image_findings: Iterable = (),
    model: bool = False,
) -> PhiDecision:
    """Check every text field of a post (content, content warning, poll options, image
    descriptions) and decide once for the post, with what was found in its images
    (`image_findings`: image_findings.MediaFinding, an image that could not be checked among them).

    Each text finding's `field` is the index of its text in `texts`; None entries (absent fields)
    keep their index and are skipped. Under the off policy nothing is scanned. `model` adds the
    statistical second signal (model.py) to the rules.
    """
    policy = _coerce(policy)
    if policy is PhiPolicy.OFF:
        return PhiDecision("allow", [])
    findings: list[Finding] = []
    for index, text in enumerate(texts):
        if text is None:
            continue
        findings += (dataclasses.replace(f, field=index) for f in find_phi(text, model=model))
    return decide(policy, [*findings, *image_findings], override=override)


def _coerce(policy: PhiPolicy | str) -> PhiPolicy:
    try:
        return PhiPolicy(policy)
    except ValueError:
        allowed = ", ".join(p.value for p in PhiPolicy)
        raise ValueError(f"unknown PHI policy {policy!r}; expected one of {allowed}") from None
