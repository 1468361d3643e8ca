"""Everything a page of statuses or accounts needs, loaded in a few batched queries, then converted."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from server.caches import Bounded, caches_of
from server.convert.actor_to_mastodon import AccountCounts, acct_of, actor_to_mastodon, iso
from server.convert.case_to_mastodon import case_to_mastodon
from server.convert.post_to_mastodon import ViewerState, post_to_mastodon
from server.db.models import Actor, Bookmark, Follow, HeldPost, Like, Mention, Notification, Pin, Post
from server.db.models.posts import HELD
from server.services.cases.lookup import cases_of
from server.services.posts.polls import own_votes
from server.services.reading.filter_matching import action_in, post_text, viewer_filters
from server.services.reading.notification_groups import key_of
from server.services.social.conversation_mutes import muted_posts, muted_roots
from server.services.verification.badges import curbside_entities
from server.urls import LocalUrls

COUNTS_SECONDS = 15.0  # an account's counts on a timeline may lag this long (its own profile is always fresh)
MAX_COUNTS = 50_000


def _counts_cache(session: AsyncSession) -> Bounded:
    return caches_of(session).use("account_counts", lambda: Bounded(MAX_COUNTS, COUNTS_SECONDS))


def _day_of(post_id: int | None) -> str | None:
    """Post ids are milliseconds since the epoch shifted left 16 bits (server.db.ids): the newest id dates
    the newest post without reading the table."""
    if not post_id:
        return None
    return datetime.fromtimestamp((post_id >> 16) / 1000, timezone.utc).strftime("%Y-%m-%d")


async def account_counts(session: AsyncSession, actor_ids: set[int], fresh: bool = False) -> dict[int, AccountCounts]:
    """Followers, following, statuses and the last status's day of each actor: counted over indexes only,
    remembered COUNTS_SECONDS per database unless `fresh`."""
    if not actor_ids:
        return {}
    cache = _counts_cache(session)
    known = {} if fresh else {i: hit for i in actor_ids if (hit := cache.get(i)) is not None}
    counted = await _count(session, [i for i in actor_ids if i not in known])
    for actor_id, counts in counted.items():
        cache.put(actor_id, counts)
    return {**known, **counted}


async def _count(session: AsyncSession, ids: list[int]) -> dict[int, AccountCounts]:
    if not ids:
        return {}
    followers = dict((await session.execute(
        select(Follow.followed_id, func.count()).where(Follow.followed_id.in_(ids), Follow.state == "accepted")
        .group_by(Follow.followed_id))).all())
    following = dict((await session.execute(
        select(Follow.follower_id, func.count()).where(Follow.follower_id.in_(ids), Follow.state == "accepted")
        .group_by(Follow.follower_id))).all())
    statuses = {row[0]: (row[1], row[2]) for row in (await session.execute(
        select(Post.author_id, func.count(), func.max(Post.id)).where(Post.author_id.in_(ids))
        .group_by(Post.author_id))).all()}
    return {i: AccountCounts(followers.get(i, 0), following.get(i, 0), statuses.get(i, (0, None))[0],
                             _day_of(statuses.get(i, (0, None))[1])) for i in ids}


async def render_accounts(session: AsyncSession, actors: list[Actor], urls: LocalUrls, domain: str,
                          fresh: bool = False, *, nested: bool = False) -> list[dict]:
    counts = await account_counts(session, {a.id for a in actors}, fresh)
    curbside = await curbside_entities(session, actors, domain)
    moved = {} if nested else await _moved_to(session, actors, urls, domain)
    return [actor_to_mastodon(a, counts[a.id], base_url=urls.base, local_domain=domain, curbside=curbside[a.id],
                              moved=moved.get(a.moved_to_uri or ""), local_copy=urls.remote_media) for a in actors]


async def _moved_to(session: AsyncSession, actors: list[Actor], urls: LocalUrls, domain: str) -> dict[str, dict]:
    """The Account entities of the accounts these moved to (Mastodon's `moved`, one level deep), by uri."""
    uris = {a.moved_to_uri for a in actors if a.moved_to_uri}
    if not uris:
        return {}
    targets = list((await session.execute(select(Actor).where(Actor.uri.in_(uris)))).scalars())
    return {t.uri: entity for t, entity in zip(targets, await render_accounts(session, targets, urls, domain,
                                                                               nested=True))}


async def render_account(session: AsyncSession, actor: Actor, urls: LocalUrls, domain: str,
                         fresh: bool = True) -> dict:
    return (await render_accounts(session, [actor], urls, domain, fresh))[0]


async def _viewer_state(session: AsyncSession, viewer_id: int | None, posts: list[Post]) -> ViewerState:
    """The viewer's favourites, boosts and bookmarks among `posts` in one query; pins and poll votes only
    when the page could hold any."""
    ids = [p.id for p in posts]
    if viewer_id is None or not ids:
        return ViewerState(viewer_id=viewer_id)
    liked = select(Like.post_id.label("post_id"), literal("f").label("kind")).where(
        Like.actor_id == viewer_id, Like.post_id.in_(ids))
    boosted = select(Post.boost_of_id.label("post_id"), literal("b").label("kind")).where(
        Post.author_id == viewer_id, Post.boost_of_id.in_(ids))
    marked = select(Bookmark.post_id.label("post_id"), literal("m").label("kind")).where(
        Bookmark.actor_id == viewer_id, Bookmark.post_id.in_(ids))
    rows = (await session.execute(union_all(liked, boosted, marked))).all()
    own = [p.id for p in posts if p.author_id == viewer_id]
    pinned = frozenset((await session.execute(select(Pin.post_id).where(
        Pin.actor_id == viewer_id, Pin.post_id.in_(own)))).scalars()) if own else frozenset()
    return ViewerState(viewer_id=viewer_id, favourited=frozenset(p for p, kind in rows if kind == "f"),
                       reblogged=frozenset(p for p, kind in rows if kind == "b"),
                       bookmarked=frozenset(p for p, kind in rows if kind == "m"), pinned=pinned,
                       muted=await muted_posts(session, await muted_roots(session, viewer_id), ids),
                       voted=await own_votes(session, viewer_id, [p.id for p in posts if p.poll]))


async def render_statuses(session: AsyncSession, posts: list[Post], viewer: Actor | int | None, urls: LocalUrls,
                          domain: str, context: str | None = None) -> list[dict]:
    """Status entities for `posts` (boosts carry their original), as `viewer` (an actor or its id) sees them:
    with the viewer's matching keyword filters (`filtered`), and without the posts those hide in `context`
    (home, notifications, public, thread, account; None: hide nothing, as for a post asked for by id)."""
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
    parent_authors = dict((await session.execute(
        select(Post.id, Post.author_id).where(Post.id.in_(parent_ids)))).all()) if parent_ids else {}
    authors = {p.author_id: p.author for p in everything}
    accounts = {a["id"]: a for a in await render_accounts(session, list(authors.values()), urls, domain)}
    viewer_id = viewer if isinstance(viewer, int) or viewer is None else viewer.id
    viewer_state = await _viewer_state(session, viewer_id, everything)
    filters = await viewer_filters(session, viewer_id)

    held = await _held(session, everything, viewer)
    cases = await cases_of(session, [p.id for p in everything if p.object_type == "Page"])

    def one(post: Post, reblog: dict | None = None) -> dict:
        parent_author = parent_authors.get(post.in_reply_to_id)
        entity = post_to_mastodon(post, account=accounts[str(post.author_id)], mentions=mentions[post.id],
                                  viewer=viewer_state, reblog=reblog,
                                  in_reply_to_account_id=str(parent_author) if parent_author else None,
                                  tag_url=urls.tag, local_copy=urls.remote_media,
                                  case=case_to_mastodon(cases[post.id]) if post.id in cases else None)
        return _with_hold(entity, held[post.id]) if post.id in held else entity

    out = []
    for post in posts:
        original = originals.get(post.boost_of_id) if post.boost_of_id else None
        if post.boost_of_id and original is None:
            continue
        entity = one(post, one(original) if original else None)
        if filters:
            shown = original or post
            entity["filtered"] = filters.results((post.id, post.boost_of_id), post_text(
                shown.summary, shown.content_html, shown.poll, shown.attachments))
            if entity["reblog"] is not None:
                entity["reblog"]["filtered"] = entity["filtered"]
            if action_in(entity["filtered"], context) == "hide":
                continue
        out.append(entity)
    return out


async def _held(session: AsyncSession, posts: list[Post], viewer: Actor | int | None) -> dict[int, HeldPost]:
    """Queue items of held posts, and of the viewer's own posts (an edit of theirs may wait for review)."""
    viewer_id = viewer if isinstance(viewer, int) or viewer is None else viewer.id
    ids = [p.id for p in posts if p.visibility == HELD or (viewer_id is not None and p.author_id == viewer_id)]
    if not ids:
        return {}
    return {h.post_id: h for h in (await session.execute(select(HeldPost).where(HeldPost.post_id.in_(ids)))).scalars()}


def _with_hold(entity: dict, held: HeldPost) -> dict:
    """Apps ignore fields they do not know: a held post shows as the visibility it will have, and
    `curbside.held` (or `curbside.pending_edit`) with the findings tells ours why it waits."""
    extra = {"held_id": str(held.id), "phi_findings": held.findings or []}
    if held.kind == "post":
        entity["visibility"] = held.visibility
        extra["held"] = True
    else:
        extra["pending_edit"] = True
    entity["curbside"] = {**(entity.get("curbside") or {}), **extra}
    return entity


STATUS_TYPES = frozenset({"favourite", "reblog", "status", "mention", "poll", "update"})  # Mastodon's status_type?


async def render_notifications(session: AsyncSession, items: list[Notification], viewer: Actor, urls: LocalUrls,
                               domain: str) -> list[dict]:
    """Notification entities; those whose status is gone (or hidden: by moderation, or by the viewer's
    keyword filters for notifications) are left out."""
    actor_ids = {n.from_actor_id for n in items}
    actors = list((await session.execute(select(Actor).where(Actor.id.in_(actor_ids)))).scalars()) if actor_ids else []
    accounts = {a["id"]: a for a in await render_accounts(session, actors, urls, domain)}
    post_ids = {n.post_id for n in items if n.post_id}
    posts = list((await session.execute(select(Post).where(Post.id.in_(post_ids)))).scalars()) if post_ids else []
    statuses = {s["id"]: s for s in await render_statuses(session, posts, viewer, urls, domain, "notifications")}
    out = []
    for n in items:
        status = statuses.get(str(n.post_id)) if n.post_id else None
        account = accounts.get(str(n.from_actor_id))
        if (n.post_id and status is None) or account is None:
            continue
        out.append({"id": str(n.id), "type": n.type, "created_at": iso(n.created_at), "account": account,
                    "group_key": key_of(n),
                    **({"status": status} if n.type in STATUS_TYPES else {})})
    return out
