"""Hypothesis strategies for hostile input: the strings and numbers that break servers (lone surrogates,
NULs, digits that are not ASCII, ids beyond 64 bits, numbers past any bound)."""
from __future__ import annotations

import json

from hypothesis import strategies as st

HUGE = st.sampled_from([2**63, 2**64 + 1, -2**63 - 1, 10**30, 10**400])
NASTY_TEXT = st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\x00y", "9" * 25, "1" * 5000, "²", "١٢", "-1",
                              "1e999", "", " ", "true", "null", "0x10", "@a@b@c", "#" * 300])
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=20), st.text(st.characters(codec=None), max_size=8))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), HUGE, st.floats(), TEXT)


def hostile_json(value) -> bytes:
    """JSON as a hostile client writes it: lone surrogates as \\ud800 escapes, NaN and Infinity bare."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


def nested(depth: int) -> bytes:
    """Arrays `depth` deep, as JSON text (too deep for json.dumps to write)."""
    return b"[" * depth + b"]" * depth
