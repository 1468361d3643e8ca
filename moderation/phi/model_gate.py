"""Where the statistical second signal (model.py) may speak: only for kinds whose value has a shape the text
must show (a number, a capitalised known name, a date-like token), and only when the text shows one.

The model scores a whole post per kind, so on its own it flags posts that merely sound clinical ("Echo shows
EF 35%" as a name). Asking for a weak candidate first (a shape the rules saw but did not report, for want of a
cue) keeps the model to deciding whose a value is, which is what it adds. Kinds the rules decide by shape and
context well (URLs, e-mail, IP, addresses, rooms) are left to the rules. Chosen on five-fold cross-validation of
the development corpus (moderation/phi/train.py): at the same threshold, about a third of the false alarms for
almost all of the recall.

A candidate the rules' own context already gave away is no candidate (round 5): a titled name after "thanks to" or
in a sentence about a show, a capitalised known name after "Dr" or "by", an age whose sentence makes it an
institution's or the author's own family's. The model decides whose a value is only where the rules could not.
"""
from __future__ import annotations

import re

from .context import colleague, colleague_titled
from .dates import not_a_patients_age
from .gazetteer import known_names
from .names import NAME_SEQ, entertainment

# A capitalised word not at the start of a sentence and not a doctor's: a name candidate if the gazetteer knows it.
_CAPITALISED = re.compile(r"(?<![.!?:]\s)(?<!^)(?<!\n)(?<!Dr\s)(?<!Dr\.\s)(?<!Prof\s)\b[A-Z][a-z'’-]+")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Herr|Frau|Mme|Sr|Sra)\b")
_TITLED_NAME = re.compile(rf"\.?[ \t]+{NAME_SEQ}")
_NUMBER_RUN = re.compile(r"\d[\d .()-]{5,}\d")
_CANDIDATES: dict[str, re.Pattern[str]] = {
    "age_over_89": re.compile(r"(?<![\d.])(?:9\d|1[01]\d)(?![\d.]\d)|(?i:ninet|hundred|centenar)"),
    "date": re.compile(r"\d{1,2}[./-]\d{1,2}|\d(?:st|nd|rd|th)\b"
                       r"|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)"),
    "record_number": re.compile(r"\d{4,}|\d[\d -]{5,}\d"),
    "phone": _NUMBER_RUN,
    "fax": _NUMBER_RUN,
    "ssn": re.compile(r"\d[\d -]{7,}\d"),
    "license_or_device_id": re.compile(r"\b(?=\w*\d)[\w-]{5,}\b"),
}
# The model's kinds, and the probability each needs when it is not the shipped threshold: a one-of-a-kind detail
# has no shape to ask for, so it needs the model to be surer.
MODEL_KINDS = frozenset({"name", "other_unique", *_CANDIDATES})
MIN_PROBABILITY = {"other_unique": 0.5}


def _open_name(text: str, title: re.Match[str]) -> bool:
    """A titled name the rules left open: not one their context made a colleague's, a speaker's or a character's."""
    named = _TITLED_NAME.match(text, title.end())
    end = named.end() if named else title.end()
    return not (colleague_titled(text, title.start()) or colleague(text, title.start(), end)
                or entertainment(text, title.start(), end))


def has_candidate(kind: str, text: str) -> bool:
    """The text shows a value of `kind`'s shape for the model to decide on."""
    if kind == "other_unique":
        return True
    if kind == "name":
        return any(_open_name(text, m) for m in _TITLE.finditer(text)) or any(
            m.group().lower().strip("'’-") in known_names() and not colleague(text, m.start(), m.end())
            for m in _CAPITALISED.finditer(text))
    if kind == "age_over_89":
        return any(not not_a_patients_age(text, m.start()) for m in _CANDIDATES[kind].finditer(text))
    rx = _CANDIDATES.get(kind)
    return rx is not None and rx.search(text) is not None
