"""Names as labels print them and OCR reads them: in capitals, surname first ("SMITH, JOHN  DOB 04/11/1957",
"DOE JANE  MRN 0048291"). A run of capitalised words is a name only when its line carries a label cue (DOB,
MRN, NAME:, PATIENT:, a wristband or sticker) and the gazetteer knows it as a name or it has the label's own
"SURNAME, GIVEN" shape; headers, report titles and brand names ("CHEST PA", "SMITH AND NEPHEW") have neither."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .allowlist import CLINICAL_NOUNS, NOT_NAMES
from .finding import Finding, make
from .gazetteer import known_names

_CAPS_WORD = r"[A-ZÀ-ÖØ-Þ](?:['’][A-ZÀ-ÖØ-Þ])?[A-ZÀ-ÖØ-Þ]+(?:-[A-ZÀ-ÖØ-Þ]+)?"
_CAPS_RUN = re.compile(rf"(?<![\w@.])({_CAPS_WORD}(?:(?:,[ \t]*|[ \t]+){_CAPS_WORD}){{1,4}})(?![\w@])")
_CAPS_WORD_RX = re.compile(_CAPS_WORD)
# The words a label prints around a name: they are cues, never part of the name.
_LABEL_CUE = re.compile(
    r"(?i)\b(?:dob|d\.o\.b\.?|mrn|mr[ \t]*\#|ur|urn|nhs|chi|hosp(?:ital)?[ \t]*no|medicare|acct|fallnummer|geb\.?|"
    r"geburtsdatum|born|id)\b"
    r"|(?i:\b(?:label|sticker|wristband|band|header)\b[^.\n]{0,40}\b(?:says|reads|shows|printed)\b)"
)
# A field that holds the name itself: "NAME: OKAFOR CHIDI", "Patient: KOWALSKI, ANNA".
_NAME_FIELD = re.compile(r"(?i)\b(?:name|patient|pt|surname|nachname)[ \t]*:[ \t]*$")
_NOT_NAME_WORDS = frozenset("""
dob mrn ur urn nhs chi id name patient pt sex male female and of the for to with in on at no ward bed room
dept department study report template alert safety scale fig lead erect left right lower upper lobe
royal trust foundation hospital clinic university college annual st saint general county memorial centre center
institute infirmary
""".split())


# A personal title before a capitalised surname is a person whatever the line: "Mr HENDERSON".
_TITLED_CAPS = re.compile(rf"\b(?:Mr|Mrs|Ms|Mx|Miss|Herr|Frau|MR|MRS|MS|MISS)\.?[ \t]+(?P<caps>{_CAPS_WORD})(?![\w@])")


def find_label_names(text: str) -> Iterator[Finding]:
    """Yield capitalised names on a line that reads like a patient label, or after a personal title."""
    for m in _TITLED_CAPS.finditer(text):
        if m.group("caps").lower() not in _NOT_NAME_WORDS:
            yield make("name", text, m.start("caps"), m.end("caps"), "name after a personal title")
    for m in _CAPS_RUN.finditer(text):
        words = _name_words(text, m.start(1), m.end(1))
        if len(words) < 2:
            continue
        start, end = words[0].start(), words[-1].end()
        if _NAME_FIELD.search(text, max(0, start - 16), start) or (
                _known_or_label_shaped(text, words) and _label_line(text, start, end)):
            yield make("name", text, start, end, "name on a patient label")


def _name_words(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The candidate's words after any leading cue ("PATIENT KOWALSKI ANNA"), up to the first non-name."""
    words = list(_CAPS_WORD_RX.finditer(text, start, end))
    while words and words[0].group().lower() in _NOT_NAME_WORDS:
        words.pop(0)
    kept = []
    for w in words:
        lowered = w.group().lower()
        abbreviation = len(lowered) <= 3 and lowered not in known_names()
        if abbreviation or lowered in _NOT_NAME_WORDS or lowered in NOT_NAMES or lowered in CLINICAL_NOUNS:
            break
        kept.append(w)
    return kept


def _known_or_label_shaped(text: str, words: list[re.Match[str]]) -> bool:
    """The label's "SURNAME, GIVEN" shape, or a word the gazetteer knows as a name ("FERNÁNDEZ" as "fernandez")."""
    comma = "," in text[words[0].end():words[1].start()]
    return comma or any(_folded(w.group()) in known_names() for w in words)


def _folded(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


_LINE_REACH = 120  # a label's line is short; looking no farther keeps long texts linear


def _label_line(text: str, start: int, end: int) -> bool:
    floor, ceiling = max(0, start - _LINE_REACH), min(len(text), end + _LINE_REACH)
    line_start = text.rfind("\n", floor, start) + 1 or floor
    line_end = text.find("\n", end, ceiling)
    line = text[line_start:start] + " " + text[end:ceiling if line_end < 0 else line_end]
    return _LABEL_CUE.search(line) is not None
