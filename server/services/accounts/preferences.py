"""A member's preferences that are hers alone: the language of her pages, mails and push notifications."""
from __future__ import annotations

from moderation.errors import ServiceError
from server.db.models import Account
from server.i18n import N_, available_locales, supported
from server.settings import Settings


def valid_locale(raw: str | None) -> str | None:
    """A requested UI language as stored: None for "the instance's", one of the catalogs ("de-AT" is "de"),
    else a ServiceError naming the choices."""
    if raw is None or not raw.strip():
        return None
    found = supported(raw)
    if found is None:
        raise ServiceError(N_("locale must be one of %(choices)s; got %(value)s"),
                           values={"choices": ", ".join(available_locales()), "value": repr(raw.strip()[:40])})
    return found


def set_locale(account: Account, raw: str | None) -> None:
    """The caller commits."""
    account.locale = valid_locale(raw)


def mail_locale(account: Account, settings: Settings) -> str:
    """The language of what is sent to `account`: hers, else the instance's (a stored tag no longer offered
    falls back too)."""
    return supported(account.locale) or settings.default_locale
