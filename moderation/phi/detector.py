"""find_phi: run every pattern family once over a text and keep non-overlapping findings."""
from __future__ import annotations

import bisect
import re

from .contacts import find_emails, find_phones
from .dates import find_ages, find_dates
from .finding import KINDS, Finding
from .identifiers import find_device_shapes, find_identifiers, find_ssns
from .label_names import find_label_names
from .names import find_known_names, find_names
from .places import find_addresses, find_facility_locations
from .unique import find_unique_characteristics
from .web import find_ips, find_urls, url_spans

# When two findings overlap, the lower rank wins: a URL swallows the IP or date inside it,
# a cued record number beats the phone shape of the same digits, and names come last.
_RANK = {
    "url": 0, "email": 0,
    "ssn": 1, "record_number": 1, "license_or_device_id": 1, "ip_address": 1,
    "phone": 2, "fax": 2,
    "date": 3, "age_over_89": 3, "address": 3, "facility_location": 3,
    "name": 4, "other_unique": 4,
}
# Adjacent pieces of one address ("2200 Mission St, San Francisco, CA 94110") read as one.
_MERGED_KINDS = frozenset({"address", "facility_location"})
_MAX_GAP = 3
_DIGIT = re.compile(r"\d")


def find_phi(text: str, *, model: bool = False) -> list[Finding]:
    """Find identifiable patient information (HIPAA Safe Harbor identifiers) in `text`; with `model`, add
    what the statistical second signal (model.py) scores over its threshold in kinds the rules did not find,
    where model_gate.py lets it speak.

    Returns findings sorted by start, never overlapping. Raises TypeError for non-text input.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_phi expects str, got {type(text).__name__}")
    urls = url_spans(text)
    candidates: list[Finding] = list(find_urls(text, urls))
    candidates += find_emails(text)
    if _DIGIT.search(text):  # these families all need a digit
        for family in (find_ssns, find_identifiers, find_device_shapes, find_ips, find_phones,
                       find_addresses, find_facility_locations):
            candidates += family(text)
    candidates += find_dates(text)  # may have no digit: "on Boxing Day"
    candidates += find_ages(text)  # may be spelled out: "ninety-four-year-old"
    candidates += find_names(text)
    candidates += find_known_names(text)
    candidates += find_label_names(text)
    candidates += find_unique_characteristics(text)
    found = _merge_adjacent(text, _resolve(candidates, urls))
    if model:
        found = sorted([*found, *_model_findings(text, found)], key=lambda f: f.start)
    return found


def _model_findings(text: str, found: list[Finding]) -> list[Finding]:
    """The model's findings in kinds the rules did not find, where the text shows a candidate of the kind."""
    from .model import load  # numpy and the weights only when asked for
    from .model_gate import MIN_PROBABILITY, MODEL_KINDS, has_candidate

    skip = {f.kind for f in found}
    skip |= {k for k in KINDS if k not in skip and (k not in MODEL_KINDS or not has_candidate(k, text))}
    return load().findings(text, skip, [(f.start, f.end) for f in found], MIN_PROBABILITY)


def _resolve(candidates: list[Finding], urls: list[tuple[int, int]]) -> list[Finding]:
    """Greedy choice by rank then length; nothing may overlap a chosen finding or a URL.

    Every URL span is taken up front, so the digits of a public reference link never turn
    into dates or phone numbers; a patient URL's own finding is let through.
    """
    url_spans = set(urls)
    starts: list[int] = []  # sorted, non-overlapping spans already taken
    ends: list[int] = []
    for start, end in sorted(url_spans):
        starts.append(start)
        ends.append(end)
    chosen: list[Finding] = []
    for f in sorted(candidates, key=lambda f: (_RANK[f.kind], f.start - f.end, f.start)):
        if f.kind == "url" and (f.start, f.end) in url_spans:
            chosen.append(f)
            continue
        i = bisect.bisect_left(ends, f.start + 1)  # first taken span ending after f.start
        if i < len(starts) and starts[i] < f.end:
            continue
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


def _merge_adjacent(text: str, findings: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for f in findings:
        prev = merged[-1] if merged else None
        gap = text[prev.end:f.start] if prev else ""
        if (prev and prev.kind == f.kind and f.kind in _MERGED_KINDS and len(gap) <= _MAX_GAP
                and not gap.strip(" \t,")):
            merged[-1] = Finding(f.kind, prev.start, f.end, text[prev.start:f.end], prev.reason)
        else:
            merged.append(f)
    return merged
