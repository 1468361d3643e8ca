"""Work after commit: what a change implies outside the database, declared on its session, done once it commits.

A service declares each effect of its change where it makes the change (`wake` a queue, `forget` cached copies,
`declare` any other kind); the process says how it carries out each kind (`handle`, on its sessionmaker: the
runtime wakes its queues and drops from its caches, the streaming hub takes its events). After the commit every
effect declared runs once, in the order declared; a rollback runs none. Handlers only call the service and commit.
"""
from __future__ import annotations

import logging
from typing import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("curbside.effects")

PENDING = "effects"  # a session's info: the effects declared in its open transaction, in order, each once
HANDLERS = "effect_handlers"  # a session's info (from its sessionmaker): kind -> what carries it out


def declare(session, kind: str, argument: Hashable = None) -> None:
    """After the commit, the process's handler of `kind` is called with `argument` (once however often declared)."""
    session.info.setdefault(PENDING, {})[(kind, argument)] = None


def wake(session, queue: str) -> None:
    """Work was queued: the process's worker of `queue` looks at once (Runtime.wake)."""
    declare(session, "wake", queue)


def forget(session, cache: str, *keys: Hashable) -> None:
    """These entries of the process's cache `cache` are stale (all of it without keys): Caches.forget."""
    declare(session, "forget", (cache, keys))


def handle(sessions, **handlers: Callable[[Hashable], None]) -> None:
    """Have the sessions of `sessions` (an async_sessionmaker) carry out effects of these kinds."""
    info = dict(sessions.kw.get("info") or {})
    info[HANDLERS] = {**info.get(HANDLERS, {}), **handlers}
    sessions.configure(info=info)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    handlers = session.info.get(HANDLERS, {})
    for kind, argument in session.info.pop(PENDING, {}):
        if (run := handlers.get(kind)) is not None:
            try:
                run(argument)
            except Exception:  # the change is committed: the answer stands, the failed effect is logged
                log.exception("after-commit effect %s(%r) failed", kind, argument)


@event.listens_for(Session, "after_transaction_end")
def _drop(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended uncommitted (rolled back, or its session closed) leaves nothing to do. Not
    `after_rollback`: that fires for a savepoint's rollback too, inside a transaction that may still commit."""
    if transaction.parent is None:  # after a commit, _run has emptied it already
        session.info.pop(PENDING, None)
