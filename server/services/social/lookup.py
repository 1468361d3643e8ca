"""Finding accounts and posts by what someone types: `user@domain` (resolved over WebFinger when asked),
a name prefix, a post's URL. Results leave out what moderation hides. Words and hashtags:
server.services.posts.search."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.webfinger import WebfingerError, parse_acct
from server.db import fulltext
from server.db.models import Actor, Block, Post
from server.runtime import Runtime
from server.services.federation.remote_actors import RemoteActorError, resolve_acct
from server.services.moderation.hidden_from_viewers import viewpoint, visible_actors, visible_posts
from server.services.posts.remote_posts import resolve_post, stored_post
from server.services.social.account_publicity import is_public
from server.services.social.visibility_to_viewers import may_see

CATCH_UP_ROUNDS = 4  # a search indexes at most this many batches of queued posts; the worker does the rest


def is_url(query: str) -> bool:
    return query.startswith(("https://", "http://")) and " " not in query


def lone_tag_or_acct(query: str) -> bool:
    """Mastodon skips full-text search for a single #tag or @acct: those find hashtags and accounts."""
    return " " not in query and (query.startswith("#") or "@" in query)


async def find_acct(runtime: Runtime, session: AsyncSession, acct: str, *, resolve: bool) -> Actor | None:
    """The actor `user` (local) or `user@domain` names; with `resolve`, an unknown remote one is fetched
    over WebFinger and stored (committed). None when unknown, unreachable or a local account the world may
    not see (server.services.social.account_publicity)."""
    local = runtime.settings.domain
    try:
        user, domain = parse_acct(acct if "@" in acct.lstrip("@") else f"{acct.lstrip('@')}@{local}")
    except WebfingerError:
        return None
    actor = (await session.execute(select(Actor).where(Actor.domain == domain,
                                                       func.lower(Actor.username) == user.lower(),
                                                       is_public()))).scalars().first()
    if actor is None and resolve and domain != local:
        try:
            actor = await resolve_acct(runtime, session, user, domain)
            await session.commit()
        except RemoteActorError:
            return None
    return actor


async def _not_blocking(session: AsyncSession, actors: list[Actor], viewer: Actor | None) -> list[Actor]:
    if viewer is None or not actors:
        return actors
    blockers = set((await session.execute(select(Block.actor_id).where(
        Block.target_id == viewer.id, Block.actor_id.in_([a.id for a in actors])))).scalars())
    return [a for a in actors if a.id not in blockers]


async def _unfiltered(session: AsyncSession, actors: list[Actor], viewer: Actor | None) -> list[Actor]:
    """`actors` without those the viewer blocks or mutes, those who block the viewer, and those on domains the
    viewer blocks (as Mastodon's account search leaves them out)."""
    if viewer is None:
        return actors
    view = await viewpoint(session, viewer)
    hidden = view.blocked_ids | view.muted_ids
    return [a for a in actors if a.id not in hidden and (a.local or not view.domain_state(a.domain)[0])]


async def search_actors(runtime: Runtime, session: AsyncSession, query: str, resolve: bool,
                        limit: int, viewer: Actor | None = None) -> list[Actor]:
    """An exact acct (resolved over WebFinger if asked), else a prefix match on usernames and names. An exact
    acct is found unless it blocks the viewer (she may look up whom she blocked); a prefix match also leaves out
    whom she blocks or mutes and the domains she blocks."""
    if not query:
        return []
    if "@" in query.lstrip("@"):
        actor = await find_acct(runtime, session, query, resolve=resolve)
        return await _not_blocking(session, await visible_actors(session, [actor] if actor else []), viewer)
    pattern = query.lstrip("@").replace("%", "").replace("_", "\\_") + "%"
    rows = await session.execute(select(Actor).where(
        Actor.actor_type != "Application",
        or_(Actor.username.ilike(pattern, escape="\\"), Actor.display_name.ilike(pattern, escape="\\")))
        .order_by(Actor.local.desc(), Actor.id).limit(limit))
    return await _unfiltered(session, await visible_actors(session, list(rows.scalars())), viewer)


async def posts_by_url(runtime: Runtime, session: AsyncSession, viewer: Actor | None, url: str, *,
                       resolve: bool) -> list[Post]:
    """The post whose id or page is `url` (fetched from its server when a member asks to `resolve`), if
    the viewer may see it."""
    resolving = resolve and viewer is not None
    post = await (resolve_post(runtime, session, url) if resolving else stored_post(session, url))
    if post is None or not await may_see(session, post, viewer):
        return []
    return await visible_posts(session, [post], viewer, public=True)


async def index_pending(session: AsyncSession, rounds: int = CATCH_UP_ROUNDS) -> None:
    """Index posts still queued for full-text search (SQLite), at most `rounds` batches, each committed."""
    for _ in range(rounds):
        if not await fulltext.catch_up(session):
            break
        await session.commit()
