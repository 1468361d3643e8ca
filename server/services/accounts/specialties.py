"""The specialties a member can declare: NUCC Health Care Provider Taxonomy codes by profession.

Data: `server/data/nucc_specialties.csv` (code,name,profession), taken from the NUCC Health Care
Provider Taxonomy code set version 25.1 (effective 2025-07-01, www.nucc.org), active codes only:
every code of the grouping "Allopathic & Osteopathic Physicians" (physician); Registered Nurse,
Licensed Practical/Vocational Nurse, Clinical Nurse Specialist, Certified Registered Nurse
Anesthetist and Advanced Practice Midwife (nurse); Nurse Practitioner; Physician Assistant;
Pharmacist; and 390200000X "Student in an Organized Health Care Education/Training Program",
listed for both resident and medical_student since NUCC has no separate resident code. Names are
NUCC's display names without the trailing "Physician", with the classification appended where
two codes would otherwise read the same (e.g. "Diabetology (Family Medicine)").
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NUCC_VERSION = "25.1"
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "nucc_specialties.csv"
PROFESSIONS = (
    "physician",
    "resident",
    "medical_student",
    "nurse",
    "nurse_practitioner",
    "physician_assistant",
    "pharmacist",
    "other",
)


@dataclass(frozen=True)
class Specialty:
    code: str
    name: str
    profession: str


@lru_cache(maxsize=1)
def _load() -> tuple[Specialty, ...]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(Specialty(row["code"], row["name"], row["profession"]) for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {s.code: s.name for s in _load()}


def all_specialties() -> list[Specialty]:
    """Every offered specialty, in file order (grouped by profession, then NUCC order)."""
    return list(_load())


def specialty_name(code: str) -> str | None:
    """The display name of a NUCC code Curbside offers, or None if it does not offer it."""
    return _names().get(code.strip().upper()) if isinstance(code, str) else None


def specialties_for(profession: str) -> list[Specialty]:
    """The specialties a member of `profession` may pick; residents may also pick physician ones."""
    wanted = {profession, "physician"} if profession == "resident" else {profession}
    return [s for s in _load() if s.profession in wanted]
