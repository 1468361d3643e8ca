"""Finding accounts, hashtags and posts by what someone types: `user@domain` (resolved over WebFinger
when asked), a name prefix, a tag prefix, a post's URL. Results leave out what moderation hides."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.webfinger import WebfingerError, parse_acct
from server.db.models import Actor, Post, PostTag
from server.runtime import Runtime
from server.services.access import may_see
from server.services.moderation.filters import visible_actors, visible_posts
from server.services.remote_actors import RemoteActorError, resolve_acct


async def find_acct(runtime: Runtime, session: AsyncSession, acct: str, *, resolve: bool) -> Actor | None:
    """The actor `user` (local) or `user@domain` names; with `resolve`, an unknown remote one is fetched
    over WebFinger and stored (committed). None when unknown or unreachable."""
    local = runtime.settings.domain
    try:
        user, domain = parse_acct(acct if "@" in acct.lstrip("@") else f"{acct.lstrip('@')}@{local}")
    except WebfingerError:
        return None
    actor = (await session.execute(select(Actor).where(Actor.domain == domain,
                                                       func.lower(Actor.username) == user.lower()))).scalars().first()
    if actor is None and resolve and domain != local:
        try:
            actor = await resolve_acct(runtime, session, user, domain)
            await session.commit()
        except RemoteActorError:
            return None
    return actor


async def search_actors(runtime: Runtime, session: AsyncSession, query: str, resolve: bool, limit: int) -> list[Actor]:
    """An exact acct (resolved over WebFinger if asked), else a prefix match on usernames and names."""
    if not query:
        return []
    if "@" in query.lstrip("@"):
        actor = await find_acct(runtime, session, query, resolve=resolve)
        return await visible_actors(session, [actor] if actor else [])
    pattern = query.lstrip("@").replace("%", "").replace("_", "\\_") + "%"
    rows = await session.execute(select(Actor).where(
        Actor.actor_type != "Application",
        or_(Actor.username.ilike(pattern, escape="\\"), Actor.display_name.ilike(pattern, escape="\\")))
        .order_by(Actor.local.desc(), Actor.id).limit(limit))
    return await visible_actors(session, list(rows.scalars()))


async def search_hashtags(session: AsyncSession, query: str, limit: int) -> list[tuple[str, int]]:
    """(tag, number of posts) for tags starting with `query`, the most used first."""
    name = query.strip().lstrip("#").lower()
    if not name:
        return []
    rows = await session.execute(select(PostTag.tag, func.count()).where(PostTag.tag.like(name + "%"))
                                 .group_by(PostTag.tag).order_by(func.count().desc()).limit(limit))
    return [(tag, count) for tag, count in rows.all()]


async def post_by_url(session: AsyncSession, url: str, viewer: Actor | None) -> Post | None:
    """The stored post whose id or page URL is `url`, if the viewer may see it."""
    if not url.startswith(("https://", "http://")):
        return None
    post = (await session.execute(select(Post).where((Post.uri == url) | (Post.url == url)))).scalars().first()
    if post is None or not await may_see(session, post, viewer) or not await visible_posts(session, [post], viewer):
        return None
    return post
