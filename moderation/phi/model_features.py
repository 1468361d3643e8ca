"""Token features for the guard's statistical model (model.py): what a linear model can weigh that the
rules can't express well — the shape of a token (Xxxx, dd/dd/dddd), its context words on each side, its
affixes when it has digits or capitals, and whether the gazetteer knows it as a name.

Each feature is hashed (crc32, stable across runs and machines) into one of DIM buckets and remembered
with the index of the token it came from, so a score can be traced back to a place in the text.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from .gazetteer import given_names, surnames

DIM = 1 << 16  # hash buckets: small enough to ship, collisions are rare at a few thousand posts
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'()[]{},;:!?.*"  # stripped from both ends so "Smith," and "(DOB" read as their word


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Whitespace tokens without edge punctuation, as (token, start, end) in `text`."""
    found = []
    for m in _TOKEN.finditer(text):
        raw = m.group()
        left = len(raw) - len(raw.lstrip(_EDGE))
        word = raw.strip(_EDGE)
        if word:
            found.append((word, m.start() + left, m.start() + left + len(word)))
    return found


def shape(word: str, keep: int = 1) -> str:
    """Letters as X/x, digits as d, runs longer than `keep` cut to `keep` ("03/14/1961" -> "d/d/d")."""
    out: list[str] = []
    run = 0
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        run = run + 1 if out and out[-1] == c else 1
        if run <= keep:
            out.append(c)
    return "".join(out)


def _word(word: str) -> str:
    return word.lower() if len(word) <= 20 else shape(word, 4)


def _token_features(words: list[str], i: int) -> Iterator[str]:
    w = words[i]
    low = _word(w)
    short, long_ = shape(w), shape(w, 4)
    prev = _word(words[i - 1]) if i else "<s>"
    prev2 = _word(words[i - 2]) if i > 1 else "<s>"
    nxt = _word(words[i + 1]) if i + 1 < len(words) else "</s>"
    yield "w:" + low
    yield "s:" + short
    yield "S:" + long_
    yield "b:" + prev + "_" + low
    yield "ps:" + prev + "|" + short
    yield "p2s:" + prev2 + "|" + short
    yield "sn:" + short + "|" + nxt
    if any(c.isdigit() for c in w) or w[:1].isupper():
        yield "pre:" + low[:3]
        yield "suf:" + low[-3:]
        yield "Ssn:" + long_ + "|" + nxt
        yield "pS:" + prev + "|" + long_
    if w.isdigit() and 90 <= int(w) <= 130:  # an age past 89, or just a number: the words around decide
        yield "old:" + prev
        yield "old|" + nxt
    if w[:1].isupper() and w[1:].islower():
        if low in given_names():
            yield "gz:given"
            yield "gz:given|" + prev
        if low in surnames():
            yield "gz:sur"
            yield "gz:sur|" + prev
        if i == 0 or words[i - 1][-1:] in ".!?:":
            yield "init:" + low  # sentence-initial capitals are weak evidence of a name


def features(text: str) -> tuple[list[int], list[int], list[tuple[int, int]]]:
    """Hashed feature ids, the token index each came from, and each token's span in `text`.

    A post with no tokens gives empty lists; the bias is the model's, not a feature."""
    toks = tokens(text)
    words = [t[0] for t in toks]
    ids: list[int] = []
    where: list[int] = []
    for i in range(len(words)):
        for name in _token_features(words, i):
            ids.append(zlib.crc32(name.encode("utf-8")) % DIM)
            where.append(i)
    return ids, where, [(s, e) for _, s, e in toks]
