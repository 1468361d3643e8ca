"""Credential-number validation for member verification: format and check digits, nothing more.

A number that passes is well formed, not proven to exist: registry look-ups and human review
happen elsewhere. Each failure raises ServiceError with one line a member can act on.
"""
from __future__ import annotations

import re
from typing import Callable

from moderation.errors import ServiceError
from server.i18n import N_

CREDENTIAL_TYPES = ("npi", "us_state_license", "gmc", "lanr", "ahpra", "other")

# The 50 states, DC, and the five inhabited territories (AS, GU, MP, PR, VI).
US_JURISDICTIONS = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI".split()
)

_DIGITS = {n: re.compile(f"[0-9]{{{n}}}") for n in (7, 9, 10)}
_STATE_LICENSE = re.compile(r"[A-Z0-9-]{3,20}")
_AHPRA = re.compile(r"[A-Z]{3}[0-9]{10}")


def validate_credential(credential_type: str, number: str, jurisdiction: str | None) -> str:
    """Return the normalised credential number, or raise ServiceError saying what is wrong."""
    validator = _VALIDATORS.get(credential_type)
    if validator is None:
        raise ServiceError(N_("Unknown credential type %(value)s."), values={"value": repr(credential_type)})
    if not isinstance(number, str) or not number.strip():
        raise ServiceError(N_("Please enter the credential number."))
    return validator(number.strip(), jurisdiction)


def _npi(number: str, _: str | None) -> str:
    number = _without_spaces(number)
    if not _DIGITS[10].fullmatch(number):
        raise ServiceError(N_("An NPI is exactly 10 digits."))
    # CMS, "Requirements for the NPI check digit": Luhn over the NPI prefixed with 80840, the
    # ISO 7812 issuer prefix for US health applications (80 = health, 840 = USA).
    if not _luhn_valid("80840" + number):
        raise ServiceError(N_("This NPI's check digit does not match; please check the number."))
    return number


def _us_state_license(number: str, jurisdiction: str | None) -> str:
    state = (jurisdiction or "").strip().upper().removeprefix("US-")
    if state not in US_JURISDICTIONS:
        raise ServiceError(N_("A state licence needs a US state or territory code, such as CA or PR."))
    number = number.upper()
    if not _STATE_LICENSE.fullmatch(number):
        raise ServiceError(N_("A state licence number is 3 to 20 letters, digits or dashes."))
    return number


def _gmc(number: str, _: str | None) -> str:
    number = _without_spaces(number)
    if not _DIGITS[7].fullmatch(number):
        raise ServiceError(N_("A GMC reference number is exactly 7 digits."))
    return number


def _lanr(number: str, _: str | None) -> str:
    number = _without_spaces(number)
    if not _DIGITS[9].fullmatch(number):
        raise ServiceError(N_("A LANR is exactly 9 digits."))
    if int(number[6]) != lanr_check_digit(number[:6]):
        raise ServiceError(N_("This LANR's check digit (the 7th digit) does not match; please check the number."))
    return number


def lanr_check_digit(first_six: str) -> int:
    """Check digit of a German LANR (lebenslange Arztnummer) from its first six digits.

    Rule (KBV, "Richtlinie nach § 75 Abs. 7 SGB V zur Vergabe der Arzt- und
    Betriebsstättennummern"; restated in de.wikipedia "Lebenslange Arztnummer", Aufbau): digits
    1-6 are multiplied from the left alternately by 4 and 9, the products summed, the sum taken
    mod 10; the check digit is 10 minus that, or 0 when the difference is 10. Weights
    4,9,2,10,5,3 are not the KBV rule: they reject 754236701, a LANR that public e-prescription
    test suites use as their valid example (7*4+5*9+4*4+2*9+3*4+6*9 = 173, check digit 7).
    """
    total = sum(int(d) * (4 if i % 2 == 0 else 9) for i, d in enumerate(first_six))
    return (10 - total % 10) % 10


def _ahpra(number: str, _: str | None) -> str:
    number = _without_spaces(number).upper()
    if not _AHPRA.fullmatch(number):
        raise ServiceError(N_("An AHPRA registration number is 3 letters and 10 digits, such as MED0001234567."))
    return number


def _other(number: str, _: str | None) -> str:
    if len(number) > 64:
        raise ServiceError(N_("A credential number is at most 64 characters."))
    if not number.isprintable():
        raise ServiceError(N_("The credential number contains control characters."))
    return number


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _without_spaces(number: str) -> str:
    return "".join(number.split())


_VALIDATORS: dict[str, Callable[[str, str | None], str]] = {
    "npi": _npi,
    "us_state_license": _us_state_license,
    "gmc": _gmc,
    "lanr": _lanr,
    "ahpra": _ahpra,
    "other": _other,
}
