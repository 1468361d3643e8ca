"""Everything a page of statuses or accounts needs, loaded in a few batched queries, then converted."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.actor_to_mastodon import AccountCounts, acct_of, actor_to_mastodon, iso
from server.convert.post_to_mastodon import ViewerState, post_to_mastodon
from server.db.models import Actor, Bookmark, Follow, Like, Mention, Pin, Post
from server.services.badges import curbside_entities
from server.services.polls import own_votes
from server.urls import LocalUrls


async def account_counts(session: AsyncSession, actor_ids: set[int]) -> dict[int, AccountCounts]:
    if not actor_ids:
        return {}
    ids = list(actor_ids)
    followers = dict((await session.execute(
        select(Follow.followed_id, func.count()).where(Follow.followed_id.in_(ids), Follow.state == "accepted")
        .group_by(Follow.followed_id))).all())
    following = dict((await session.execute(
        select(Follow.follower_id, func.count()).where(Follow.follower_id.in_(ids), Follow.state == "accepted")
        .group_by(Follow.follower_id))).all())
    statuses = {row[0]: (row[1], row[2]) for row in (await session.execute(
        select(Post.author_id, func.count(), func.max(Post.published)).where(Post.author_id.in_(ids))
        .group_by(Post.author_id))).all()}
    return {i: AccountCounts(followers.get(i, 0), following.get(i, 0), statuses.get(i, (0, None))[0],
                             iso(statuses.get(i, (0, None))[1])[:10] if statuses.get(i, (0, None))[1] else None)
            for i in ids}


async def render_accounts(session: AsyncSession, actors: list[Actor], urls: LocalUrls, domain: str) -> list[dict]:
    counts = await account_counts(session, {a.id for a in actors})
    curbside = await curbside_entities(session, actors, domain)
    return [actor_to_mastodon(a, counts[a.id], base_url=urls.base, local_domain=domain, curbside=curbside[a.id])
            for a in actors]


async def render_account(session: AsyncSession, actor: Actor, urls: LocalUrls, domain: str) -> dict:
    return (await render_accounts(session, [actor], urls, domain))[0]


async def _viewer_state(session: AsyncSession, viewer: Actor | None, posts: list[Post]) -> ViewerState:
    ids = [p.id for p in posts]
    if viewer is None or not ids:
        return ViewerState()

    async def mine(column, *where) -> frozenset[int]:
        return frozenset((await session.execute(select(column).where(*where))).scalars())
    # Pins and votes are asked for only when the page could hold any: timelines stay at three queries.
    own = [p.id for p in posts if p.author_id == viewer.id]
    polls = [p.id for p in posts if p.poll]
    return ViewerState(
        favourited=await mine(Like.post_id, Like.actor_id == viewer.id, Like.post_id.in_(ids)),
        reblogged=await mine(Post.boost_of_id, Post.author_id == viewer.id, Post.boost_of_id.in_(ids)),
        bookmarked=await mine(Bookmark.post_id, Bookmark.actor_id == viewer.id, Bookmark.post_id.in_(ids)),
        pinned=await mine(Pin.post_id, Pin.actor_id == viewer.id, Pin.post_id.in_(own)) if own else frozenset(),
        voted=await own_votes(session, viewer.id, polls))


async def render_statuses(session: AsyncSession, posts: list[Post], viewer: Actor | None, urls: LocalUrls,
                          domain: str) -> list[dict]:
    """Status entities for `posts` (boosts carry their original), as `viewer` sees them."""
    originals_ids = {p.boost_of_id for p in posts if p.boost_of_id}
    originals = {p.id: p for p in (await session.execute(select(Post).where(Post.id.in_(originals_ids)))).scalars()} \
        if originals_ids else {}
    everything = list(posts) + list(originals.values())
    ids = [p.id for p in everything]
    mentions: dict[int, list[dict]] = defaultdict(list)
    if ids:
        rows = await session.execute(select(Mention.post_id, Actor).join(Actor, Actor.id == Mention.actor_id)
                                     .where(Mention.post_id.in_(ids)))
        for post_id, actor in rows.all():
            mentions[post_id].append({"id": str(actor.id), "username": actor.username,
                                      "url": actor.url or actor.uri, "acct": acct_of(actor, domain)})
    parent_ids = {p.in_reply_to_id for p in everything if p.in_reply_to_id}
    parent_authors = dict((await session.execute(select(Post.id, Post.author_id).where(Post.id.in_(parent_ids)))).all()) \
        if parent_ids else {}
    authors = {p.author_id: p.author for p in everything}
    accounts = {a["id"]: a for a in await render_accounts(session, list(authors.values()), urls, domain)}
    viewer_state = await _viewer_state(session, viewer, everything)

    def one(post: Post, reblog: dict | None = None) -> dict:
        parent_author = parent_authors.get(post.in_reply_to_id)
        return post_to_mastodon(post, account=accounts[str(post.author_id)], mentions=mentions[post.id],
                                viewer=viewer_state, reblog=reblog,
                                in_reply_to_account_id=str(parent_author) if parent_author else None,
                                tag_url=urls.tag)

    out = []
    for post in posts:
        original = originals.get(post.boost_of_id) if post.boost_of_id else None
        if post.boost_of_id and original is None:
            continue
        out.append(one(post, one(original) if original else None))
    return out
