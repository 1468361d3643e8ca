"""A post named by its URL (search with resolve=true): the stored one, or fetched from its origin and stored.

The fetch follows the inbox's rules (server.services.federation.inbox): the document must come from, and carry an
id on, the URL's origin; its author is fetched as any remote actor (domain policies refuse suspended
domains); it is parsed as if its author had sent it, and stored without fan-out. Whether the caller
may see it is decided afterwards, as for any stored post.
"""
from __future__ import annotations

import logging

from sqlalchemy import and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.urls import origin, same_origin
from server.db.models import Post
from server.runtime import Runtime
from server.services.federation.inbox.context import InboxContext, Refused, Transient
from server.services.federation.inbox.posts import as_author, fetch_post, store_post
from server.services.federation.remote_actors import make_fetcher

log = logging.getLogger("curbside.search")


async def stored_post(session: AsyncSession, url: str) -> Post | None:
    """The post whose ActivityPub id is `url`, or whose web address it is when on the post's own origin
    (any post may claim any `url`: only its origin can say where its page is)."""
    try:
        on_its_origin = Post.uri.startswith(origin(url) + "/", autoescape=True)
    except ValueError:
        on_its_origin = false()
    query = (select(Post).where(or_(Post.uri == url, and_(Post.url == url, on_its_origin)),
                                Post.boost_of_id.is_(None)).order_by(Post.uri != url))
    return (await session.execute(query.limit(1))).scalars().first()


async def resolve_post(runtime: Runtime, session: AsyncSession, url: str) -> Post | None:
    """The post at `url`, fetched and stored if unknown and remote; None when it cannot be had.
    Commits the session (no transaction stays open across the fetch)."""
    post = await stored_post(session, url)
    if post is not None or same_origin(url, runtime.settings.base_url):
        return post

    async def fetcher():
        return await make_fetcher(runtime)

    activity = vocab.Activity(id=url, type="Create", actor="")
    ctx = InboxContext(runtime, session, activity, signer="", fetcher_source=fetcher)
    try:
        parsed, doc, author = await fetch_post(ctx, url)
        post = await stored_post(session, parsed.id)
        if post is not None:
            return post
        post = await store_post(as_author(ctx, author.uri), parsed, author, fan_out=False, doc=doc)
        await session.commit()
        return await stored_post(session, parsed.id) if post is None else await session.get(Post, post.id)
    except (Refused, Transient, vocab.VocabError) as exc:
        log.info("cannot resolve %s: %s", url, getattr(exc, "reason", exc))
        await session.rollback()
        return None
