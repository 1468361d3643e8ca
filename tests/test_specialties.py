"""The NUCC specialty list Curbside offers."""
import re

from server.services.accounts.specialties import PROFESSIONS, all_specialties, specialties_for, specialty_name


def test_specialty_name_knows_common_physician_codes():
    assert specialty_name("207RC0000X") == "Cardiovascular Disease"
    assert specialty_name("207Q00000X") == "Family Medicine"
    assert specialty_name("207R00000X") == "Internal Medicine"
    assert specialty_name("208000000X") == "Pediatrics"
    assert specialty_name("2084P0800X") == "Psychiatry"
    assert specialty_name(" 207rc0000x ") == "Cardiovascular Disease"


def test_specialty_name_returns_none_for_unknown_or_non_clinical_codes():
    assert specialty_name("207ZZ9999X") is None
    assert specialty_name("1835G0000X") is None  # deactivated pharmacist code
    assert specialty_name("261QP0905X") is None  # a clinic, not a person
    assert specialty_name(None) is None


def test_all_specialties_are_well_formed_and_cover_every_clinical_profession():
    specialties = all_specialties()
    assert all(re.fullmatch(r"[0-9]{3}[0-9A-Z]{6}X", s.code) for s in specialties)
    assert all(s.profession in PROFESSIONS and s.name for s in specialties)
    assert {s.profession for s in specialties} == set(PROFESSIONS) - {"other"}
    assert len([s for s in specialties if s.profession == "physician"]) >= 60


def test_all_specialties_names_are_unique_per_code():
    by_code: dict[str, set[str]] = {}
    for s in all_specialties():
        by_code.setdefault(s.code, set()).add(s.name)
    assert all(len(names) == 1 for names in by_code.values())
    names = [names.pop() for names in by_code.values()]
    assert len(names) == len(set(names))


def test_specialties_for_profession():
    assert {s.code for s in specialties_for("nurse_practitioner")} >= {"363L00000X", "363LF0000X"}
    assert {s.code for s in specialties_for("physician_assistant")} == {"363A00000X", "363AM0700X", "363AS0400X"}
    assert "183500000X" in {s.code for s in specialties_for("pharmacist")}
    assert "163W00000X" in {s.code for s in specialties_for("nurse")}
    assert [s.code for s in specialties_for("medical_student")] == ["390200000X"]
    resident = {s.code for s in specialties_for("resident")}
    assert {"390200000X", "207RC0000X"} <= resident
    assert specialties_for("other") == []
