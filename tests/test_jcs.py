"""RFC 8785 JSON Canonicalization Scheme: the RFC's own examples and number edge cases."""
import json
import struct

import pytest

from federation.jcs import JCSError, canonicalize, serialize_number

# RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisation.
APPENDIX_B = [
    (0x0000000000000000, "0"),
    (0x8000000000000000, "0"),
    (0x0000000000000001, "5e-324"),
    (0x8000000000000001, "-5e-324"),
    (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308"),
    (0xFFEFFFFFFFFFFFFF, "-1.7976931348623157e+308"),
    (0x4340000000000000, "9007199254740992"),
    (0xC340000000000000, "-9007199254740992"),
    (0x4430000000000000, "295147905179352830000"),
    (0x44B52D02C7E14AF5, "9.999999999999997e+22"),
    (0x44B52D02C7E14AF6, "1e+23"),
    (0x44B52D02C7E14AF7, "1.0000000000000001e+23"),
    (0x444B1AE4D6E2EF4E, "999999999999999700000"),
    (0x444B1AE4D6E2EF4F, "999999999999999900000"),
    (0x444B1AE4D6E2EF50, "1e+21"),
    (0x3EB0C6F7A0B5ED8C, "9.999999999999997e-7"),
    (0x3EB0C6F7A0B5ED8D, "0.000001"),
    (0x41B3DE4355555553, "333333333.3333332"),
    (0x41B3DE4355555554, "333333333.33333325"),
    (0x41B3DE4355555555, "333333333.3333333"),
    (0x41B3DE4355555556, "333333333.3333334"),
    (0x41B3DE4355555557, "333333333.33333343"),
    (0xBECBF647612F3696, "-0.0000033333333333333333"),
    (0x43143FF3C1CB0959, "1424953923781206.2"),
]


def _double(bits: int) -> float:
    return struct.unpack(">d", bits.to_bytes(8, "big"))[0]


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_serialize_number_matches_rfc_appendix_b(bits, expected):
    assert serialize_number(_double(bits)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-6, "0.000001"), (1e-7, "1e-7"),
     (0.1, "0.1"), (-1.5, "-1.5"), (123e-20, "1.23e-18"), (4.5, "4.5"), (2.0, "2"), (56, "56"),
     (2**53, "9007199254740992"), (-0.0, "0"), (10**21, "1e+21")],
)
def test_serialize_number_uses_ecmascript_layout(value, expected):
    assert serialize_number(value) == expected


def test_canonicalize_reproduces_rfc_main_example():
    # RFC 8785 §3.2.2 input and §3.2.3 output.
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(json.loads(source)) == expected.encode("utf-8")


def test_canonicalize_sorts_keys_by_utf16_code_units():
    # RFC 8785 §3.2.3 sorting example: the emoji (surrogate pair D83D) sorts before U+FB33.
    value = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
    keys = list(json.loads(canonicalize(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_canonicalize_nested_example_from_rfc():
    assert canonicalize([56, {"d": True, "10": None, "1": []}]) == b'[56,{"1":[],"10":null,"d":true}]'


def test_canonicalize_escapes_only_what_json_stringify_escapes():
    text = "\x00\x1f\x7f/\u2028\"\\\b\t\n\f\r<é>"
    assert canonicalize(text) == '"\\u0000\\u001f\x7f/\u2028\\"\\\\\\b\\t\\n\\f\\r<é>"'.encode("utf-8")


def test_canonicalize_writes_no_whitespace_and_utf8():
    assert canonicalize({"a": [1, {"b": "ü"}]}) == '{"a":[1,{"b":"ü"}]}'.encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), -float("inf"), 2**53 + 1, 10**400, "\ud800", {"k\udc00": 1},
     {1: "x"}, b"bytes", {1.5}, object()],
)
def test_canonicalize_refuses_non_ijson(value):
    with pytest.raises(JCSError):
        canonicalize(value)


def test_canonicalize_refuses_excessive_nesting():
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(JCSError, match="nesting"):
        canonicalize(deep)
