"""The locale of the moment: set per web request, or around a mail or push built for one recipient."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_current: ContextVar[str | None] = ContextVar("curbside_locale", default=None)
# The instance default, from Settings (CURBSIDE_DEFAULT_LOCALE) when the app is created: the language of
# whatever is built outside a request and for nobody in particular (a process has one instance).
_default = ["en"]


def set_default_locale(locale: str) -> None:
    _default[0] = locale


def default_locale() -> str:
    return _default[0]


def current_locale() -> str:
    return _current.get() or _default[0]


def set_locale(locale: str | None):
    """Set the locale for the rest of this context; returns the token to reset it with."""
    return _current.set(locale)


def reset_locale(token) -> None:
    _current.reset(token)


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    token = _current.set(locale)
    try:
        yield
    finally:
        _current.reset(token)
