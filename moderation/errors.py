"""How the services (and moderation's rules) refuse: one exception, `ServiceError`, of a few kinds.

Each surface maps it once (`server.errors` for the client API, the web pages and ActivityPub; the command
line's runner): the kind chooses the status, the message is shown as it is. It lives here, below `server/`,
so that moderation's own refusals (the roles rule, a malformed domain or list) are of the same type.

A refusal that carries values is raised as a %-format msgid with them (`values=`): the client API and the CLI
show `message`, the English text filled in; the web pages translate `msgid` first, then fill in `values`."""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

__all__ = ["N_", "Kind", "ServiceError"]


def N_(message: str) -> str:
    """Marks a refusal's msgid for extraction where moderation writes it (babel.cfg lists those modules); the
    web pages translate it where they show it. moderation may not import `server.i18n`, hence its own."""
    return message


class Kind(Enum):
    """Why a request was refused."""

    INVALID = "invalid"  # the request is wrong as given (422)
    NOT_FOUND = "not found"  # no such thing, or not one the asker may see (404)
    FORBIDDEN = "forbidden"  # the asker may not do this (403)
    CONFLICT = "conflict"  # not in the state this needs: approved already, a request pending (409)
    RATE_LIMITED = "rate limited"  # too many attempts; `retry_after` seconds to wait (429)
    EXPIRED = "expired"  # a mailed token unknown, used or expired (400)


class ServiceError(Exception):
    """A refusal: `kind` says why, `message` is one line fit to show, `details` anything a surface may add
    (`retry_after` seconds, the privacy guard's `findings`, ...).

    With `values`, `message` is a %-format msgid (`"a post is at most %(limit)s characters"`, marked N_ where
    it is written) and `values` fill it: `self.message` is then the filled English text, `self.msgid` the
    msgid a translating surface looks up before filling in `self.values` itself."""

    def __init__(self, message: str, kind: Kind = Kind.INVALID, *, values: Mapping[str, object] | None = None,
                 **details: object):
        self.msgid, self.values = message, dict(values or {})
        self.message = message % self.values if self.values else message
        super().__init__(self.message)
        self.kind, self.details = kind, details
