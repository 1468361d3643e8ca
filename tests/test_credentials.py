"""Credential-number validation: formats and check digits, one clear line per failure."""
import pytest

from moderation.errors import ServiceError
from server.services.verification.credentials import lanr_check_digit, validate_credential


@pytest.mark.parametrize(
    ("credential_type", "number", "jurisdiction", "expected"),
    [
        ("npi", "1234567893", None, "1234567893"),  # CMS's worked example, check digit 3
        ("npi", " 123 456 7893 ", None, "1234567893"),
        ("lanr", "754236701", None, "754236701"),
        ("lanr", "123456601", None, "123456601"),
        ("lanr", "000000099", None, "000000099"),
        ("gmc", "1234567", None, "1234567"),
        ("gmc", " 123 4567", "GB", "1234567"),
        ("ahpra", "MED0001234567", None, "MED0001234567"),
        ("ahpra", "nmw 0001234567", None, "NMW0001234567"),
        ("us_state_license", "a-12345", "CA", "A-12345"),
        ("us_state_license", "MD123", "us-pr", "MD123"),
        ("other", "  Ordre 12345/B  ", "FR", "Ordre 12345/B"),
    ],
)
def test_validate_credential_accepts_and_normalises(credential_type, number, jurisdiction, expected):
    assert validate_credential(credential_type, number, jurisdiction) == expected


@pytest.mark.parametrize(
    ("credential_type", "number", "jurisdiction", "fragment"),
    [
        ("npi", "1234567890", None, "check digit"),
        ("npi", "1234567894", None, "check digit"),
        ("npi", "2234567893", None, "check digit"),
        ("npi", "123456789", None, "exactly 10 digits"),
        ("npi", "12345678930", None, "exactly 10 digits"),
        ("npi", "12345678a3", None, "exactly 10 digits"),
        ("npi", "１２３４５６７８９３", None, "exactly 10 digits"),  # full-width digits
        ("lanr", "754236801", None, "check digit"),
        ("lanr", "111136701", None, "check digit"),
        ("lanr", "75423670", None, "exactly 9 digits"),
        ("gmc", "123456", None, "exactly 7 digits"),
        ("gmc", "12345678", None, "exactly 7 digits"),
        ("gmc", "GMC1234", None, "exactly 7 digits"),
        ("ahpra", "MED000123456", None, "3 letters and 10 digits"),
        ("ahpra", "ME00012345678", None, "3 letters and 10 digits"),
        ("ahpra", "0001234567MED", None, "3 letters and 10 digits"),
        ("us_state_license", "A12345", None, "state or territory"),
        ("us_state_license", "A12345", "XX", "state or territory"),
        ("us_state_license", "A12345", "GB", "state or territory"),
        ("us_state_license", "AB", "CA", "3 to 20"),
        ("us_state_license", "A" * 21, "CA", "3 to 20"),
        ("us_state_license", "A_123", "CA", "3 to 20"),
        ("other", "x" * 65, None, "at most 64"),
        ("other", "abc\x00def", None, "control characters"),
        ("npi", "   ", None, "enter the credential number"),
        ("passport", "X1234567", None, "Unknown credential type"),
    ],
)
def test_validate_credential_refuses_with_one_clear_line(credential_type, number, jurisdiction, fragment):
    with pytest.raises(ServiceError) as err:
        validate_credential(credential_type, number, jurisdiction)
    assert fragment in err.value.message
    assert "\n" not in err.value.message


def test_validate_credential_refuses_non_string_number():
    with pytest.raises(ServiceError):
        validate_credential("npi", 1234567893, None)


def test_lanr_check_digit_follows_alternating_4_9_weights():
    # 7*4 + 5*9 + 4*4 + 2*9 + 3*4 + 6*9 = 173 -> 10 - 3 = 7
    assert lanr_check_digit("754236") == 7
    # a sum ending in 0 gives check digit 0, not 10
    assert lanr_check_digit("000000") == 0
    assert lanr_check_digit("500000") == 0


def test_lanr_every_wrong_check_digit_is_refused():
    for digit in "0123456789":
        number = f"754236{digit}01"
        if digit == "7":
            assert validate_credential("lanr", number, None) == number
        else:
            with pytest.raises(ServiceError):
                validate_credential("lanr", number, None)
