"""JSON from outside, and the one rule for the text in it.

A string holding NUL or a lone surrogate (JSON lets a sender write `\\ud800` alone) is refused, wherever
it sits in the document: PostgreSQL stores no NUL, and no UTF-8 encoder (SQLite's, our JSON responses')
takes a lone surrogate, so such text would fail later, half-way through storing or rendering it.
NaN and Infinity are not JSON either (nor jsonb)."""
from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
DOCUMENT_MAX_DEPTH = 64  # arrays and objects in a document from another server: ActivityPub needs a handful
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: a run of plain characters per step
_BRACKET = re.compile(r"[\[\]{}]")


class JsonRefused(ValueError):
    """JSON we do not take; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def valid_text(value: str) -> bool:
    """Whether `value` can be stored and sent: no NUL, no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refusal(value: Any, max_depth: int) -> str | None:
    """Why `value` (parsed JSON, keys included) is refused, or None: text that is not `valid_text`,
    or arrays and objects nested deeper than `max_depth`. Iterative: any depth the parser took is walked."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not valid_text(item):
                return "is not valid text (NUL or a lone surrogate)"
        elif isinstance(item, (list, dict)):
            if depth >= max_depth:
                return "is nested too deeply"
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return None


def parse_json(text: str) -> Any:
    """Parsed JSON text; JsonRefused when it is malformed, nested beyond the parser, or has NaN/Infinity."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise JsonRefused("JSON nested too deeply") from None
    except ValueError:
        raise JsonRefused("not valid JSON") from None


def nested_deeper(text: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` in JSON text, told from the brackets outside strings
    (found in C by the regular expressions, then one step per bracket), before any parser recurses into them."""
    if text.count("[") + text.count("{") <= limit:
        return False  # too few to go too deep: most documents stop here
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_document(text: str) -> dict[str, Any]:
    """A JSON object from another server, its text checked against the rule above and nested at most
    DOCUMENT_MAX_DEPTH deep (what we store is read again by recursive code); JsonRefused otherwise.
    The document is walked only when its text could hold a refused string (a NUL or surrogate escape: a raw
    one cannot survive UTF-8 decoding), so a well-formed document costs a count of its brackets and a parse."""
    if nested_deeper(text, DOCUMENT_MAX_DEPTH):
        raise JsonRefused(f"JSON nested deeper than {DOCUMENT_MAX_DEPTH} levels")
    doc = parse_json(text)
    if not isinstance(doc, dict):
        raise JsonRefused(f"expected a JSON object, got {type(doc).__name__}")
    if ("\\u0000" in text or _SURROGATE_ESCAPE.search(text)) and refusal(doc, max_depth=DOCUMENT_MAX_DEPTH):
        raise JsonRefused("JSON with NUL characters or lone surrogates is not accepted")
    return doc
