"""Given names and surnames from the `names` package (MIT licence; US Census 1990 lists), read from the
installed package's data files once, never downloaded. A known given name is a signal that a capitalised
word is a person; it is never enough alone (see names.find_known_names for the context it needs)."""
from __future__ import annotations

from functools import cache
from importlib import resources

from .allowlist import CLINICAL_NOUNS, EPONYMS, NOT_NAMES

# Given names that are far more often ordinary words in a clinical post ("Will start", "Grace score").
_WORDS_TOO = frozenset("""
will grace may mark hope faith rose echo ward april june young king long rich chase sunny joy dawn
page bill art pat sue don guy major sterling ray max lane dale glen wood case sage ruby amber iris holly
ivy jade pearl crystal summer autumn angel christian precious miracle royal august early tory carol
miss master madam sister
""".split())
# Surnames that are also everyday English words, capitalised in titles and at the start of sentences.
_SURNAMES_TOO = frozenset("""
rounds grand league premier royal free heart young king long hill street road day night bay case read
price rich short stone wood white black brown green gray grey bell hall bishop cross church page lane mark
sugar pain mass lung bone blood lamb field ford park north south east west new little strong good best
love hope major minor general chief mayor judge care home house still gentle wise early late may june april
august march christmas easter cook baker mason miller porter hunter fisher walker turner carter parker
cooper rose ward small large lord noble golden silver summer winter spring fall rock sharp swift fair
bright moon star sun rain snow frost gill bush hay hood key lock bill will joy grace faith ring rounds
block beat more less most best worst first last over under bond banks bridges castle tower chamber
""".split())
_MAX_SURNAME_RANK = 30000  # the long tail of the census list is mostly rare spellings and English words


@cache
def given_names() -> frozenset[str]:
    """Lower-case given names, less those that are common words in clinical writing."""
    found = set()
    for name in ("dist.female.first", "dist.male.first"):
        found.update(_first_column(name))
    return frozenset(found - _WORDS_TOO - NOT_NAMES - CLINICAL_NOUNS - EPONYMS)


@cache
def surnames() -> frozenset[str]:
    """Lower-case surnames (the most frequent ones), less clinical words and eponyms."""
    top = frozenset(_first_column("dist.all.last")[:_MAX_SURNAME_RANK])
    return top - _SURNAMES_TOO - NOT_NAMES - CLINICAL_NOUNS - EPONYMS


def _first_column(name: str) -> list[str]:
    text = resources.files("names").joinpath(name).read_text(encoding="ascii")
    return [line.split(None, 1)[0].lower() for line in text.splitlines() if line.strip()]


@cache
def known_names() -> frozenset[str]:
    """Given names and surnames together."""
    return given_names() | surnames()
