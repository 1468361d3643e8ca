"""Another Curbside's `curbside:case` object (server/convert/case_to_as.py) onto the values of our copy's row.
Read leniently: what is not one of our categories is left out, and a case without its question is no case."""
from __future__ import annotations

from dataclasses import dataclass

from server.convert.case_to_as import CASE, TERMS
from server.services.cases.categories import AGE_BANDS, MAX_PRESENTATION, MAX_QUESTION, MAX_SPECIALTIES, SEXES


@dataclass(frozen=True)
class ReceivedCase:
    state: str
    accepted_uri: str | None
    question: str
    presentation: str
    specialties: list[str]
    age_band: str
    sex: str


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def as_to_case(doc: dict) -> ReceivedCase | None:
    """The case a Page carries, or None when it carries none (or not one we can read)."""
    props = doc.get(CASE)
    if not isinstance(props, dict):
        return None
    question = _text(props.get(TERMS["question"]), MAX_QUESTION)
    if not question.strip():
        return None
    state = props.get(TERMS["state"])
    accepted = props.get(TERMS["accepted"])
    specialties = props.get(TERMS["specialties"])
    specialties = [s for s in specialties if isinstance(s, str)][:MAX_SPECIALTIES] if isinstance(
        specialties, list) else []
    age_band, sex = props.get(TERMS["age_band"]), props.get(TERMS["sex"])
    return ReceivedCase(state="resolved" if state == "resolved" else "open",
                        accepted_uri=accepted if isinstance(accepted, str) and accepted.startswith("http") else None,
                        question=question, presentation=_text(props.get(TERMS["presentation"]), MAX_PRESENTATION),
                        specialties=[s[:16] for s in specialties],
                        age_band=age_band if age_band in AGE_BANDS else "unspecified",
                        sex=sex if sex in SEXES else "unspecified")
