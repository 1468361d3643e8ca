"""RFC 8941 Structured Fields: the subset HTTP Message Signatures and Content-Digest use.

Dictionaries whose members are bare items or inner lists, with parameters; items are strings,
tokens, integers, booleans and byte sequences (no decimals, no dates, no display strings).
"""
from __future__ import annotations

import base64
import re
from typing import Union


class Token(str):
    """An sf-token: kept apart from sf-string so it re-serialises without quotes."""


Bare = Union[str, int, bool, bytes]
Params = dict[str, Bare]
InnerList = list[tuple[Bare, Params]]


class _Malformed(Exception):
    pass


KEY = re.compile(r"[a-z*][a-z0-9_.*-]*")
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*")
_INTEGER = re.compile(r"-?[0-9]{1,15}(?![0-9.])")
_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_BYTES = re.compile(r":([A-Za-z0-9+/]*={0,2}):")
_ESCAPE = re.compile(r"\\(.)")


def _bare_item(s: str, i: int) -> tuple[Bare, int]:
    c = s[i:i + 1]
    if c == '"':
        end = s.find('"', i + 1)
        text = s[i + 1:end]
        if end > 0 and "\\" not in text and text.isascii() and text.isprintable():
            return text, end + 1  # the common case, without escapes, skips the regex
        if m := _STRING.match(s, i):
            return _ESCAPE.sub(r"\1", m.group(1)), m.end()
    if c == ":" and (m := _BYTES.match(s, i)):
        try:
            return base64.b64decode(m.group(1), validate=True), m.end()
        except ValueError:
            raise _Malformed from None
    if c == "?" and s[i + 1:i + 2] in ("0", "1"):
        return s[i + 1] == "1", i + 2
    if (m := _INTEGER.match(s, i)) or (m := _TOKEN.match(s, i)):
        return (int(m.group()) if c == "-" or c.isdigit() else Token(m.group())), m.end()
    raise _Malformed


def _params(s: str, i: int) -> tuple[Params, int]:
    params: Params = {}
    while s.startswith(";", i):
        i += 1
        while s.startswith(" ", i):
            i += 1
        if not (m := KEY.match(s, i)):
            raise _Malformed
        value: Bare = True
        i = m.end()
        if s.startswith("=", i):
            value, i = _bare_item(s, i + 1)
        params[m.group()] = value
    return params, i


def _member(s: str, i: int) -> tuple[tuple[Bare | InnerList, Params], int]:
    if not s.startswith("(", i):
        item, i = _bare_item(s, i)
        params, i = _params(s, i)
        return (item, params), i
    items: InnerList = []
    i += 1
    while True:
        while s.startswith(" ", i):
            i += 1
        if s.startswith(")", i):
            params, i = _params(s, i + 1)
            return (items, params), i
        item, i = _bare_item(s, i)
        item_params, i = _params(s, i)
        items.append((item, item_params))
        if not s.startswith((" ", ")"), i):
            raise _Malformed


def parse_dictionary(text: str) -> dict[str, tuple[Bare | InnerList, Params]]:
    """Parse an RFC 8941 Dictionary into {key: (item or inner list, parameters)}.
    Decimals are not supported. Raises ValueError if `text` is not a Dictionary."""
    s, out, i = text.strip(" "), {}, 0
    try:
        while i < len(s):
            if not (m := KEY.match(s, i)):
                raise _Malformed
            i = m.end()
            if s.startswith("=", i):
                out[m.group()], i = _member(s, i + 1)
            else:
                params, i = _params(s, i)
                out[m.group()] = (True, params)
            while s.startswith((" ", "\t"), i):
                i += 1
            if i < len(s):
                if s[i] != ",":
                    raise _Malformed
                i += 1
                while s.startswith((" ", "\t"), i):
                    i += 1
                if i == len(s):
                    raise _Malformed
    except _Malformed:
        raise ValueError("not a structured field dictionary") from None
    return out


def serialize_item(value: Bare) -> str:
    """An RFC 8941 bare item as text (Token unquoted, str quoted)."""
    if type(value) is str and '"' not in value and "\\" not in value:
        return f'"{value}"'
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if isinstance(value, Token):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_params(params: Params) -> str:
    """RFC 8941 parameters as text: ";a=1;b"."""
    if not params:
        return ""
    return "".join(f";{k}" if v is True else f";{k}={serialize_item(v)}" for k, v in params.items())


def serialize_inner_list(items: InnerList, params: Params) -> str:
    """An RFC 8941 inner list with its parameters as text."""
    inner = " ".join(serialize_item(v) + serialize_params(p) for v, p in items)
    return f"({inner}){serialize_params(params)}"
