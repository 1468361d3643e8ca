"""Moving between instances, as Mastodon does it: a member's aliases (other accounts that are also hers, her
actor's `alsoKnownAs`), moving her account out to one of them (a `Move` to her followers; the account stays,
marked moved, and posts no more), and undoing that within MOVE_UNDO_DAYS. Verification does not travel: the
new instance verifies her itself (or trusts this one's attestation)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from moderation.errors import Kind, ServiceError
from server.db.ids import snowflake
from server.db.models import Account, Actor
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.federation.remote_actors import RemoteActorError, fetch_actor
from server.services.moderation import audit
from server.services.social.lookup import find_acct
from server.services.social.moves import move_local_followers
from server.services.verification.attestations_issued import publish_actor_update

MAX_ALIASES = 10
MOVE_UNDO_DAYS = 30


async def _audit(session: AsyncSession, by: str | None, action: str, me: Actor, other: str) -> None:
    """What an admin did for a member (`by`: the command line) goes in the audit log; her own doing does not."""
    if by is not None:
        await audit.record(session, None, action, "account", me.acct, details={"other": other}, by=by)


async def find_account(runtime: Runtime, session: AsyncSession, acct: str) -> Actor:
    """The account `user@domain` names, resolved over WebFinger if unknown here; refused if none answers."""
    actor = await find_acct(runtime, session, acct.strip(), resolve=True)
    if actor is None:
        if not acct.strip():
            raise ServiceError(N_("no account was named"), Kind.INVALID)
        raise ServiceError(N_("no account %(acct)s could be found"), Kind.INVALID, values={"acct": acct.strip()})
    return actor


async def add_alias(runtime: Runtime, session: AsyncSession, me: Actor, acct: str, *, by: str | None = None) -> Actor:
    """List the account `acct` as also being `me` (published to followers); the caller commits."""
    other = await find_account(runtime, session, acct)
    aliases = list(me.also_known_as or [])
    if other.id == me.id:
        raise ServiceError(N_("an account cannot be an alias of itself"))
    if other.uri not in aliases:
        if len(aliases) >= MAX_ALIASES:
            raise ServiceError(N_("at most %(limit)s aliases"), values={"limit": MAX_ALIASES})
        me.also_known_as = [*aliases, other.uri]
        await _audit(session, by, "account.alias", me, other.uri)
        await publish_actor_update(session, runtime.settings, me)
    return other


async def remove_alias(runtime: Runtime, session: AsyncSession, me: Actor, uri: str, *, by: str | None = None) -> None:
    """No longer list the account `uri` as also being `me`; the caller commits."""
    aliases = list(me.also_known_as or [])
    if uri not in aliases:
        raise ServiceError(N_("that account is not one of the aliases"), Kind.NOT_FOUND)
    me.also_known_as = [a for a in aliases if a != uri] or None
    await _audit(session, by, "account.unalias", me, uri)
    await publish_actor_update(session, runtime.settings, me)


async def _aliases_now(runtime: Runtime, session: AsyncSession, target: Actor) -> list[str]:
    """The target's alsoKnownAs as its origin serves it now (a local one: as stored)."""
    if target.local:
        return list(target.also_known_as or [])
    try:
        return list((await fetch_actor(runtime, session, target.uri, refresh=True, strict=True)).also_known_as or [])
    except RemoteActorError as exc:
        raise ServiceError(N_("%(acct)s could not be checked just now: %(problem)s"), Kind.CONFLICT,
                           values={"acct": target.acct, "problem": str(exc)}) from None


async def move_out(runtime: Runtime, session: AsyncSession, account: Account, acct: str, *,
                   by: str | None = None) -> Actor:
    """Move `account` to `acct`, which must list it in alsoKnownAs: a Move to her remote followers, her local
    followers moved over, her actor marked moved. The caller commits."""
    me = account.actor
    if me.moved_to_uri:
        raise ServiceError(N_("this account has moved to %(uri)s already: undo that first"), Kind.CONFLICT,
                           values={"uri": me.moved_to_uri})
    target = await find_account(runtime, session, acct)
    if target.id == me.id:
        raise ServiceError(N_("an account cannot move to itself"))
    if me.uri not in await _aliases_now(runtime, session, target):
        raise ServiceError(N_("%(acct)s does not list this account (%(me)s) as an alias: add it there first (in "
                              "Mastodon: Preferences, Account, Moving from a different account)"),
                           values={"acct": target.acct, "me": me.acct})
    me.moved_to_uri, me.moved_at = target.uri, utcnow()
    move = activities.move(f"{me.uri}#moves/{snowflake()}", me.uri, target.uri)
    await enqueue_activity(session, move, me, await remote_followers(session, me.id))
    await publish_actor_update(session, runtime.settings, me)
    await move_local_followers(runtime, session, me, target)
    await _audit(session, by, "account.move", me, target.uri)
    return target


async def undo_move(runtime: Runtime, session: AsyncSession, account: Account, *, by: str | None = None) -> None:
    """Take the account back from its move (within MOVE_UNDO_DAYS): it posts again and no longer points
    elsewhere; followers who moved stay with the new account. The caller commits."""
    me = account.actor
    if not me.moved_to_uri:
        raise ServiceError(N_("this account has not moved"), Kind.CONFLICT)
    if me.moved_at is not None and utcnow() - me.moved_at > timedelta(days=MOVE_UNDO_DAYS):
        raise ServiceError(N_("the move was more than %(limit)s days ago: it can no longer be undone"), Kind.CONFLICT,
                           values={"limit": MOVE_UNDO_DAYS})
    target = me.moved_to_uri
    me.moved_to_uri = me.moved_at = None
    await _audit(session, by, "account.unmove", me, target)
    await publish_actor_update(session, runtime.settings, me)


def undo_until(me: Actor):
    """Until when the move of `me` may be undone (None if not moved)."""
    return me.moved_at + timedelta(days=MOVE_UNDO_DAYS) if me.moved_at else None

