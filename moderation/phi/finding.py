"""The unit every PHI detector returns: one identifier, located in the checked text."""
from __future__ import annotations

from dataclasses import dataclass

# The Safe Harbor identifier families Curbside looks for, as short machine names.
KINDS: tuple[str, ...] = (
    "name",
    "date",
    "age_over_89",
    "phone",
    "fax",
    "email",
    "ssn",
    "record_number",
    "license_or_device_id",
    "url",
    "ip_address",
    "address",
    "facility_location",
    "other_unique",
)


@dataclass(frozen=True)
class Finding:
    """An identifier found in a text.

    `start`/`end` index the checked text (`text[start:end] == self.text`) and cover the
    identifying value itself, not its cue word: for "MRN 4482913" the span is "4482913".
    Room/bed findings keep their cue ("room 412") because the number alone means nothing.
    `field` is the index of the text within `check_post`'s iterable (0 for `find_phi`).
    """

    kind: str
    start: int
    end: int
    text: str
    reason: str
    field: int = 0


def make(kind: str, text: str, start: int, end: int, reason: str) -> Finding:
    """Build a Finding for `text[start:end]`."""
    return Finding(kind, start, end, text[start:end], reason)
