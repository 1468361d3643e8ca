"""What every online credential checker takes and gives."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

OUTCOMES = ("found", "not_found", "mismatch", "error")


class CheckError(ValueError):
    """The registry could not be asked or its answer not understood; str() says why."""


@dataclass(frozen=True)
class Claim:
    """What the member claims, as a checker sees it (the real name only for comparison)."""

    credential_type: str
    number: str
    profession: str
    specialty_code: str
    jurisdiction: str
    real_name: str = ""


@dataclass(frozen=True)
class CheckResult:
    checker: str
    outcome: str  # one of OUTCOMES
    summary: str
    details: dict = field(default_factory=dict)

    def to_json(self, at: datetime) -> dict:
        return {"checker": self.checker, "outcome": self.outcome, "summary": self.summary,
                "checked_at": at.isoformat(timespec="seconds").replace("+00:00", "Z"), "details": self.details}
