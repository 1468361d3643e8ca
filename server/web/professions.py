"""Professions and NUCC specialties as the forms offer them (sign-up, profile, verification)."""
from __future__ import annotations

from functools import lru_cache

from server.i18n import N_, gettext, pgettext, pN_
from server.services.accounts.specialties import PROFESSIONS, all_specialties

LABELS = {"physician": N_("Physician"), "resident": N_("Resident physician"),
          "medical_student": N_("Medical student"), "nurse": N_("Nurse"),
          "nurse_practitioner": N_("Nurse practitioner"), "physician_assistant": N_("Physician assistant"),
          "pharmacist": N_("Pharmacist"), "other": N_("Other clinician")}
# The specialty menu's groups, in a context: the group "Other" is not the sex "Other" (Sonstige, Divers).
GROUPS = {"physician": pN_("profession group", "Physicians and residents"),
          "resident": pN_("profession group", "Physicians and residents"),
          "medical_student": pN_("profession group", "Students and trainees"),
          "nurse": pN_("profession group", "Nurses"),
          "nurse_practitioner": pN_("profession group", "Nurse practitioners"),
          "physician_assistant": pN_("profession group", "Physician assistants"),
          "pharmacist": pN_("profession group", "Pharmacists")}
OTHER_GROUP = pN_("profession group", "Other")
CREDENTIAL_LABELS = {"npi": N_("US NPI (National Provider Identifier)"), "us_state_license": N_("US state licence"),
                     "gmc": N_("UK General Medical Council number"), "lanr": N_("German LANR"),
                     "ahpra": N_("Australian AHPRA registration"), "other": N_("Other (a reviewer checks it)")}


def profession_choices() -> list[tuple[str, str]]:
    return [(p, gettext(LABELS[p]) if p in LABELS else p.replace("_", " ").capitalize()) for p in PROFESSIONS]


def label(profession: str | None) -> str:
    return gettext(LABELS[profession]) if profession in LABELS else ""


def specialty_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The specialty <select>'s groups in the page's language (names without a translation stay NUCC's)."""
    def named(codes):
        return tuple(sorted(((code, gettext(name)) for code, name in codes), key=lambda item: item[1].lower()))
    return tuple((pgettext("profession group", group), named(codes)) for group, codes in _specialty_groups())


@lru_cache(maxsize=1)
def _specialty_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(group label, ((code, name), ...)) for a <select> with <optgroup>s; each code appears once."""
    groups: dict[str, dict[str, str]] = {}
    for specialty in all_specialties():
        group = GROUPS.get(specialty.profession, OTHER_GROUP)
        groups.setdefault(group, {}).setdefault(specialty.code, specialty.name)
    return tuple((name, tuple(sorted(codes.items(), key=lambda item: item[1].lower())))
                 for name, codes in groups.items())
