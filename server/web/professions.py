"""Professions and NUCC specialties as the forms offer them (sign-up, profile, verification)."""
from __future__ import annotations

from functools import lru_cache

from server.i18n import gettext
from server.services.accounts.specialties import PROFESSIONS, all_specialties

LABELS = {"physician": "Physician", "resident": "Resident physician", "medical_student": "Medical student",
          "nurse": "Nurse", "nurse_practitioner": "Nurse practitioner", "physician_assistant": "Physician assistant",
          "pharmacist": "Pharmacist", "other": "Other clinician"}
GROUPS = {"physician": "Physicians and residents", "resident": "Physicians and residents",
          "medical_student": "Students and trainees", "nurse": "Nurses", "nurse_practitioner": "Nurse practitioners",
          "physician_assistant": "Physician assistants", "pharmacist": "Pharmacists"}
CREDENTIAL_LABELS = {"npi": "US NPI (National Provider Identifier)", "us_state_license": "US state licence",
                     "gmc": "UK General Medical Council number", "lanr": "German LANR",
                     "ahpra": "Australian AHPRA registration", "other": "Other (a reviewer checks it)"}


def profession_choices() -> list[tuple[str, str]]:
    return [(p, LABELS.get(p, p.replace("_", " ").capitalize())) for p in PROFESSIONS]


def label(profession: str | None) -> str:
    return LABELS.get(profession or "", "")


def specialty_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The specialty <select>'s groups in the page's language (names without a translation stay NUCC's)."""
    def named(codes):
        return tuple(sorted(((code, gettext(name)) for code, name in codes), key=lambda item: item[1].lower()))
    return tuple((group, named(codes)) for group, codes in _specialty_groups())


@lru_cache(maxsize=1)
def _specialty_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(group label, ((code, name), ...)) for a <select> with <optgroup>s; each code appears once."""
    groups: dict[str, dict[str, str]] = {}
    for specialty in all_specialties():
        group = GROUPS.get(specialty.profession, "Other")
        groups.setdefault(group, {}).setdefault(specialty.code, specialty.name)
    return tuple((name, tuple(sorted(codes.items(), key=lambda item: item[1].lower())))
                 for name, codes in groups.items())
