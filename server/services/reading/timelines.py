"""What a viewer reads: timelines, a thread, an account's posts, notifications. Each answer is already
filtered for the viewer (who may see what: server.services.social.visibility_to_viewers; what moderation hides:
server.services.moderation.hidden_from_viewers), so the client API and the web UI show the same things.

Paged reads return (rows, shown): `rows` is the page as stored (its ids make the links to the next
pages, so that a page emptied by filters still leads on), `shown` what the viewer is given.

A closed community (server.services.instance.settings.open_to_visitors off, the default) keeps its posts in
bulk from visitors: the public and hashtag timelines and an account's posts raise MembersOnly for them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Bookmark, HomeTimelineEntry, Like, List, Notification, Post, PostTag
from server.i18n import N_
from server.services.instance.settings import open_to_visitors
from server.services.moderation.hidden_from_viewers import notification_hidden, viewpoint, visible_posts
from server.services.posts.bookmarks_and_pins import pinned_posts
from server.services.reading.lists import exclusive_authors, timeline_conditions
from server.services.social.visibility_to_viewers import may_see

MAX_CONTEXT = 200


class MembersOnly(Exception):
    """A visitor asked for the posts of a community closed to visitors; str() says so."""


async def admit(session: AsyncSession, viewer: Actor | None) -> None:
    """Raise MembersOnly when `viewer` is a visitor (None) and the community is closed to visitors."""
    if viewer is None and not await open_to_visitors(session):
        raise MembersOnly(N_("This community's posts are for its members"))


@dataclass(frozen=True)
class Page:
    """Id-based paging, as Mastodon pages: max_id / since_id / min_id and a limit."""
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int

    @property
    def ascending(self) -> bool:
        """min_id asks for the page just after min_id (oldest first, then reversed for the response)."""
        return self.min_id is not None and self.max_id is None

    def apply(self, query, column):
        if self.max_id is not None:
            query = query.where(column < self.max_id)
        if self.since_id is not None:
            query = query.where(column > self.since_id)
        if self.min_id is not None:
            query = query.where(column > self.min_id)
        return query.order_by(column.asc() if self.ascending else column.desc()).limit(self.limit)

    def arrange(self, rows: list) -> list:
        return list(reversed(rows)) if self.ascending else rows


async def _rows(session: AsyncSession, page: Page, query, column) -> list:
    return page.arrange(list((await session.execute(page.apply(query, column))).scalars()))


async def home(session: AsyncSession, viewer_id: int, page: Page) -> tuple[list[Post], list[Post]]:
    """The viewer's home timeline (written on arrival, see server.services.posts.fanout), without the
    members of their exclusive lists."""
    query = (select(Post).join(HomeTimelineEntry, HomeTimelineEntry.post_id == Post.id)
             .where(HomeTimelineEntry.owner_id == viewer_id, Post.author_id.not_in(exclusive_authors(viewer_id))))
    # ordered by the timeline's own column: its primary key (owner_id, post_id) walks the page directly
    posts = await _rows(session, page, query, HomeTimelineEntry.post_id)
    return posts, await visible_posts(session, posts, viewer_id)


async def list_timeline(session: AsyncSession, owned: List, page: Page) -> tuple[list[Post], list[Post]]:
    """A list's timeline for its owner: their home timeline narrowed to the list (server.services.reading.lists)."""
    query = (select(Post).join(HomeTimelineEntry, HomeTimelineEntry.post_id == Post.id)
             .where(HomeTimelineEntry.owner_id == owned.owner_id,
                    *timeline_conditions(owned.id, owned.owner_id, owned.replies_policy)))
    posts = await _rows(session, page, query, HomeTimelineEntry.post_id)
    return posts, await visible_posts(session, posts, owned.owner_id)


async def public(session: AsyncSession, viewer: Actor | None, page: Page, *, only_local: bool = False,
                 only_remote: bool = False, only_media: bool = False, tag: str | None = None
                 ) -> tuple[list[Post], list[Post]]:
    """The public timeline (or a hashtag's): public posts, and for members the members-only ones too
    (never among `only_remote`); no boosts; limited accounts only for those who follow them."""
    await admit(session, viewer)
    visibilities = ["public", "local"] if viewer is not None and not only_remote else ["public"]
    query = select(Post).where(Post.visibility.in_(visibilities), Post.boost_of_id.is_(None))
    if tag is not None:
        query = query.join(PostTag, PostTag.post_id == Post.id).where(PostTag.tag == tag.lower().lstrip("#"))
    if only_local:
        query = query.where(Post.local.is_(True))
    elif only_remote:
        query = query.where(Post.local.is_(False))
    if only_media:
        query = query.where(Post.attachments != [])
    posts = await _rows(session, page, query, Post.id)
    return posts, await visible_posts(session, posts, viewer, public=True)


async def account_posts(session: AsyncSession, actor: Actor, viewer: Actor | None, page: Page, *,
                        exclude_replies: bool = False, exclude_reblogs: bool = False, only_media: bool = False
                        ) -> tuple[list[Post], list[Post]]:
    """An account's posts (and boosts) that the viewer may see."""
    await admit(session, viewer)
    query = select(Post).where(Post.author_id == actor.id)
    if exclude_replies:
        query = query.where(Post.in_reply_to_id.is_(None))
    if exclude_reblogs:
        query = query.where(Post.boost_of_id.is_(None))
    if only_media:
        query = query.where(Post.attachments != [])
    posts = await _rows(session, page, query, Post.id)
    allowed = [p for p in posts if await _may_see_with_original(session, p, viewer)]
    return posts, await visible_posts(session, allowed, viewer)


async def pinned(session: AsyncSession, actor: Actor, viewer: Actor | None) -> list[Post]:
    """An account's pinned posts that the viewer may see, latest pinned first."""
    await admit(session, viewer)
    posts = [p for p in await pinned_posts(session, actor.id) if await may_see(session, p, viewer)]
    return await visible_posts(session, posts, viewer)


async def saved(session: AsyncSession, viewer: Actor, page: Page,
                kept: type[Bookmark] | type[Like]) -> tuple[list[int], list[Post]]:
    """The posts the viewer bookmarked or favourited (`kept`: Bookmark or Like), newest first, paged by the
    bookmark's or favourite's id as Mastodon pages them: (those ids, the posts the viewer may still see)."""
    query = select(kept.id, Post).join(Post, Post.id == kept.post_id).where(kept.actor_id == viewer.id)
    rows = page.arrange(list((await session.execute(page.apply(query, kept.id))).all()))
    return [i for i, _ in rows], [post for _, post in rows if await may_see(session, post, viewer)]


async def _may_see_with_original(session: AsyncSession, post: Post, viewer: Actor | None) -> bool:
    if not await may_see(session, post, viewer):
        return False
    if post.boost_of_id is None:
        return True
    original = await session.get(Post, post.boost_of_id)
    return original is not None and await may_see(session, original, viewer)


async def thread(session: AsyncSession, post: Post, viewer: Actor | None,
                 limit: int = MAX_CONTEXT) -> tuple[list[Post], list[Post]]:
    """(ancestors, oldest first; descendants, in reply order) of a post the viewer may see: only the
    posts the viewer may see themselves, at most `limit` of each."""
    ancestors, parent_id = [], post.in_reply_to_id
    while parent_id and len(ancestors) < limit:
        parent = await session.get(Post, parent_id)
        if parent is None:
            break
        if await may_see(session, parent, viewer):
            ancestors.append(parent)
        parent_id = parent.in_reply_to_id
    descendants, frontier = [], [post.id]
    while frontier and len(descendants) < limit:
        children = list((await session.execute(select(Post).where(Post.in_reply_to_id.in_(frontier))
                                               .order_by(Post.id))).scalars())
        frontier = [c.id for c in children]
        descendants += [c for c in children if await may_see(session, c, viewer)]
    view = await viewpoint(session, viewer)
    ancestors = await visible_posts(session, ancestors, viewer, view=view)
    descendants = await visible_posts(session, descendants, viewer, view=view)
    return list(reversed(ancestors)), descendants[:limit]


async def notifications(session: AsyncSession, viewer: Actor, page: Page, *, types: list[str] | None = None,
                        excluded: list[str] | None = None, account_id: int | None = None,
                        include_filtered: bool = False) -> tuple[list[Notification], list[Notification]]:
    """The viewer's notifications (of `types`, not `excluded`, from `account_id`; those their notification policy
    set aside only with `include_filtered`), without those from accounts they blocked or muted (notifications
    included) or from suspended domains."""
    query = select(Notification).where(Notification.recipient_id == viewer.id)
    if types:
        query = query.where(Notification.type.in_(types))
    if excluded:
        query = query.where(Notification.type.not_in(excluded))
    if account_id is not None:
        query = query.where(Notification.from_actor_id == account_id)
    if not include_filtered:
        query = query.where(Notification.filtered.is_(False))
    rows = await _rows(session, page, query, Notification.id)
    return rows, await visible_notifications(session, rows, viewer)


async def visible_notifications(session: AsyncSession, items: list[Notification], viewer: Actor) -> list[Notification]:
    senders = {n.from_actor_id: await session.get(Actor, n.from_actor_id) for n in items}
    view = await viewpoint(session, viewer)
    return [n for n in items if not notification_hidden(view, senders[n.from_actor_id])]
