"""Lists: a member's named groups of accounts they follow, as Mastodon has them. A list's timeline is the
owner's home timeline narrowed to its members (so it shows only what fan-out already let the owner see),
with the list's replies policy applied; an `exclusive` list keeps its members out of the home timeline.

Memberships hang on the owner's follows (a foreign key with ON DELETE CASCADE): unfollowing, blocking or
losing a follow any other way takes the account off the owner's lists, as on Mastodon.
The caller commits.
"""
from __future__ import annotations

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from moderation.errors import Kind, ServiceError
from server.db.models import Actor, Follow, HomeTimelineEntry, List, ListAccount, Post
from server.db.models.lists import REPLIES_POLICIES
from server.i18n import N_

MAX_LISTS = 50  # per member, as Mastodon limits them
MAX_TITLE = 200


def _title(raw: object) -> str:
    title = raw.strip() if isinstance(raw, str) else ""
    if not title:
        raise ServiceError("Validation failed: Title can't be blank", plain=N_("a list needs a title"))
    if len(title) > MAX_TITLE:
        raise ServiceError("Validation failed: Title is too long (maximum is %(limit)s characters)",
                           values={"limit": MAX_TITLE}, plain=N_("a title is at most %(limit)s characters"))
    return title


def _policy(raw: object) -> str:
    if raw not in REPLIES_POLICIES:
        raise ServiceError("'%(value)s' is not a valid replies_policy", values={"value": raw},
                           plain=N_("choose which replies the list shows"))
    return raw


async def owned_lists(session: AsyncSession, owner_id: int) -> list[List]:
    return list((await session.execute(select(List).where(List.owner_id == owner_id).order_by(List.id))).scalars())


async def find_list(session: AsyncSession, owner_id: int, list_id: int) -> List | None:
    """The list `list_id` if `owner_id` owns it: another member's list is as good as absent."""
    found = await session.get(List, list_id)
    return found if found is not None and found.owner_id == owner_id else None


async def create_list(session: AsyncSession, owner_id: int, title: object, replies_policy: object = "list",
                      exclusive: bool = False) -> List:
    count = await session.scalar(select(func.count()).select_from(List).where(List.owner_id == owner_id))
    if count >= MAX_LISTS:
        raise ServiceError("Validation failed: Account has reached the limit of %(limit)s lists",
                           values={"limit": MAX_LISTS}, plain=N_("you may have at most %(limit)s lists"))
    row = List(owner_id=owner_id, title=_title(title), replies_policy=_policy(replies_policy),
               exclusive=bool(exclusive))
    session.add(row)
    await session.flush()
    return row


async def update_list(session: AsyncSession, row: List, *, title: object = None, replies_policy: object = None,
                      exclusive: bool | None = None) -> List:
    """Change what is given (None leaves a field as it is)."""
    if title is not None:
        row.title = _title(title)
    if replies_policy is not None:
        row.replies_policy = _policy(replies_policy)
    if exclusive is not None:
        row.exclusive = bool(exclusive)
    await session.flush()
    return row


async def delete_list(session: AsyncSession, row: List) -> None:
    await session.execute(delete(ListAccount).where(ListAccount.list_id == row.id))
    await session.delete(row)
    await session.flush()


async def add_accounts(session: AsyncSession, row: List, actor_ids: list[int]) -> None:
    """Put these accounts on the list, all or none: each must exist (else ServiceError), be followed by
    the owner, accepted or requested (else ServiceError), and not be on the list yet (else ServiceError)."""
    wanted = list(dict.fromkeys(actor_ids))
    known = set((await session.execute(select(Actor.id).where(Actor.id.in_(wanted)))).scalars())
    if len(known) < len(wanted):
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    follows = dict((await session.execute(select(Follow.followed_id, Follow.id).where(
        Follow.follower_id == row.owner_id, Follow.followed_id.in_(wanted)))).all())
    if len(follows) < len(wanted):
        raise ServiceError("Validation failed: Account follow relationship missing",
                           plain=N_("you can add only accounts you follow"))
    present = await session.scalar(select(func.count()).select_from(ListAccount).where(
        ListAccount.list_id == row.id, ListAccount.actor_id.in_(wanted)))
    if present:
        raise ServiceError("Validation failed: Account has already been taken",
                           plain=N_("that account is on the list already"))
    session.add_all(ListAccount(list_id=row.id, actor_id=actor_id, follow_id=follows[actor_id]) for actor_id in wanted)
    await session.flush()


async def remove_accounts(session: AsyncSession, row: List, actor_ids: list[int]) -> None:
    """Take these accounts off the list (those not on it are ignored)."""
    if actor_ids:
        await session.execute(delete(ListAccount).where(ListAccount.list_id == row.id,
                                                        ListAccount.actor_id.in_(actor_ids)))


async def members(session: AsyncSession, row: List, page=None) -> list[tuple[int, Actor]]:
    """(membership id, account) of the list's members, newest first; `page` pages by membership id."""
    query = select(ListAccount.id, Actor).join(Actor, Actor.id == ListAccount.actor_id).where(
        ListAccount.list_id == row.id)
    if page is None:
        return list((await session.execute(query.order_by(ListAccount.id.desc()))).all())
    return page.arrange(list((await session.execute(page.apply(query, ListAccount.id))).all()))


async def member_counts(session: AsyncSession, owner_id: int) -> dict[int, int]:
    """How many accounts each of the owner's lists holds (lists without any are absent)."""
    query = (select(ListAccount.list_id, func.count()).join(List, List.id == ListAccount.list_id)
             .where(List.owner_id == owner_id).group_by(ListAccount.list_id))
    return dict((await session.execute(query)).all())


async def lists_with(session: AsyncSession, owner_id: int, actor_id: int) -> list[List]:
    """The owner's lists that `actor_id` is on."""
    query = (select(List).join(ListAccount, ListAccount.list_id == List.id)
             .where(List.owner_id == owner_id, ListAccount.actor_id == actor_id).order_by(List.id))
    return list((await session.execute(query)).scalars())


def exclusive_authors(owner_id):
    """The accounts on the owner's exclusive lists, whose posts the home timeline leaves out. `owner_id`
    is a value or a bound parameter: uncorrelated, so each engine reads it once per query."""
    return (select(ListAccount.actor_id).join(List, List.id == ListAccount.list_id)
            .where(List.owner_id == owner_id, List.exclusive.is_(True)))


def timeline_conditions(list_id, owner_id, replies_policy) -> list:
    """What narrows the owner's home timeline (posts joined) to a list's timeline: posts (and boosts) by
    its members, never direct ones, and replies only as the policy says — a member's own threads and
    replies to the owner always; to anyone the owner follows (`followed`) or to members (`list`).
    Each argument is a value or a column (the streaming API checks many lists at once)."""
    parent = aliased(Post, name="parent")

    def parent_is(*where):
        return exists().where(parent.id == Post.in_reply_to_id, *where)

    on_list = exists().where(ListAccount.list_id == list_id, ListAccount.actor_id == Post.author_id)
    reply_shown = or_(
        and_(Post.in_reply_to_id.is_(None), Post.in_reply_to_uri.is_(None)),
        parent_is(or_(parent.author_id == Post.author_id, parent.author_id == owner_id)),
        and_(replies_policy == "followed", parent_is(Follow.follower_id == owner_id,
                                                     Follow.followed_id == parent.author_id,
                                                     Follow.state == "accepted")),
        and_(replies_policy == "list", parent_is(ListAccount.list_id == list_id,
                                                 ListAccount.actor_id == parent.author_id)),
    )
    return [on_list, Post.visibility != "direct", reply_shown]


async def lists_showing(session: AsyncSession, post_id: int, asked: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of the (list id, owner id) pairs `asked` have post `post_id` in their timeline now (for the
    streaming API: the owner must still own the list, and the post be in their home timeline)."""
    if not asked:
        return set()
    query = (select(List.id, List.owner_id)
             .join(HomeTimelineEntry, HomeTimelineEntry.owner_id == List.owner_id)
             .join(Post, Post.id == HomeTimelineEntry.post_id)
             .where(Post.id == post_id, List.id.in_({list_id for list_id, _ in asked}),
                    *timeline_conditions(List.id, List.owner_id, List.replies_policy)))
    return {tuple(row) for row in (await session.execute(query)).all()} & asked


async def excluding_owners(session: AsyncSession, author_id: int, owner_ids: set[int]) -> set[int]:
    """Those of `owner_ids` who keep `author_id` out of their home timeline (an exclusive list)."""
    if not owner_ids:
        return set()
    query = (select(List.owner_id).join(ListAccount, ListAccount.list_id == List.id)
             .where(ListAccount.actor_id == author_id, List.exclusive.is_(True), List.owner_id.in_(owner_ids)))
    return set((await session.execute(query)).scalars())
