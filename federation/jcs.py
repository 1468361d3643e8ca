"""RFC 8785 JSON Canonicalization Scheme (JCS).

`canonicalize(obj)` turns parsed JSON (dict, list, str, int, float, bool, None) into the one
byte string every JCS implementation produces for it: no whitespace, object members sorted by
the UTF-16 code units of their names, numbers serialised as ECMAScript's Number.prototype.toString
does, strings with the minimal escaping of ECMAScript's JSON.stringify, UTF-8 output.
"""
from __future__ import annotations

import math
from decimal import Decimal

MAX_DEPTH = 128

# JSON.stringify's short escapes; every other control character becomes \u00xx.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class JCSError(ValueError):
    """The value cannot be canonicalised (not I-JSON, or not JSON at all)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonicalize(obj: object) -> bytes:
    """Return the RFC 8785 canonical UTF-8 serialisation of a JSON value.

    Raises JCSError for NaN/Infinity, integers a double cannot hold exactly, lone surrogates,
    non-string object keys, nesting deeper than MAX_DEPTH and non-JSON types.
    """
    parts: list[str] = []
    _write(obj, parts, 0)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JCSError("string contains a lone surrogate") from exc


def _write(value: object, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JCSError("nesting too deep")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (int, float)):
        out.append(serialize_number(value))
    elif isinstance(value, dict):
        _write_object(value, out, depth)
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    else:
        raise JCSError(f"not a JSON value: {type(value).__name__}")


def _write_object(value: dict, out: list[str], depth: int) -> None:
    if not all(isinstance(key, str) for key in value):
        raise JCSError("object key is not a string")
    # UTF-16BE bytes compare exactly like the UTF-16 code units RFC 8785 sorts by.
    keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
    out.append("{")
    for i, key in enumerate(keys):
        if i:
            out.append(",")
        out.append(_string(key))
        out.append(":")
        _write(value[key], out, depth + 1)
    out.append("}")


def _string(text: str) -> str:
    escaped = [_SHORT_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ch < " " else ch) for ch in text]
    return '"' + "".join(escaped) + '"'


def serialize_number(value: int | float) -> str:
    """Serialise a number as ECMAScript's Number.prototype.toString (RFC 8785 §3.2.2.3)."""
    if isinstance(value, int):
        number = float(value) if abs(value) < 2**1024 else math.inf
        if number != value:
            raise JCSError("integer is not exactly representable as an IEEE 754 double")
    else:
        number = value
    if math.isnan(number) or math.isinf(number):
        raise JCSError("NaN and Infinity are not JSON numbers")
    if number == 0:
        return "0"  # both +0 and -0
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digits that round-trip, which is what ECMAScript requires too.
    _, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    # ECMAScript's n: the value is 0.digits × 10^n.
    n = len(digit_tuple) + exponent
    return sign + _layout(digits, n)


def _layout(digits: str, n: int) -> str:
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    exp = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if exp > 0 else '-'}{abs(exp)}"
