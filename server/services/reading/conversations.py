"""Direct conversations (Mastodon's Conversation entity), read by the client API, the `direct` stream and
the web's /messages page alike.

A conversation is the thread of a direct post, named by the id of the thread's first post (as far up as
stored). Each local participant has a row (server.db.models.ConversationState) holding what cannot be
derived cheaply: the newest direct post of the thread they take part in (ordering and paging), and
whether it is unread. New direct posts write the rows: local ones when published (services.posts),
remote ones when the inbox stores them (services.inbox.posts). A member hiding a conversation deletes
their row; the next direct post in the thread writes it again.

Only participants ever see a conversation: rows are written for them alone, and every read checks again
that the viewer is the last post's author or mentioned by it, and applies blocks, mutes and moderation
(services.moderation.hidden_from_viewers), as the rest of the API does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.ids import MAX_ID
from server.db.models import Actor, ConversationState, Mention, Post
from server.services.moderation.hidden_from_viewers import visible_posts
from server.services.reading.page_views import render_accounts, render_statuses
from server.services.reading.threads import MAX_THREAD_DEPTH, thread_root
from server.services.reading.timelines import Page
from server.urls import LocalUrls


@dataclass(frozen=True)
class Conversation:
    id: int  # the thread's first post
    unread: bool
    last_status: Post
    accounts: list[Actor]  # the other participants; the viewer alone for a note to themselves


def _upsert(dialect):
    stmt = dialect.insert(ConversationState)
    table, new = ConversationState.__table__.c, stmt.excluded
    # A remote post's id follows its publication time, so a late delivery may be older than the newest
    # post: it can mark the conversation unread, never move it back.
    newer = or_(table.last_status_id.is_(None), new.last_status_id > table.last_status_id)
    return stmt.on_conflict_do_update(index_elements=["owner_id", "root_id"], set_={
        "last_status_id": case((newer, new.last_status_id), else_=table.last_status_id),
        "unread": case((newer, new.unread), else_=or_(table.unread, new.unread)),
    })


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


async def record(session: AsyncSession, post: Post, mentioned_ids: Iterable[int]) -> None:
    """A new direct post (the caller has stored it and its mentions): the conversation of each local
    participant moves to it — the local author's as read, the mentioned members' (`mentioned_ids`, local
    actors only) as unread. A member who blocks or mutes the author, or whom moderation keeps from the
    author's posts, is left as they were."""
    if post.visibility != "direct" or post.boost_of_id is not None:
        return
    owners = set(mentioned_ids) | ({post.author_id} if post.local else set())
    owners = {o for o in owners if o == post.author_id or await visible_posts(session, [post], o)}
    if not owners:
        return
    root = await thread_root(session, post)
    core = await session.connection()
    await core.execute(_UPSERT[session.bind.dialect.name],
                       [{"owner_id": o, "root_id": root, "last_status_id": post.id, "unread": o != post.author_id}
                        for o in sorted(owners)])


async def post_removed(session: AsyncSession, post: Post) -> None:
    """Before a direct post is deleted: each conversation it is the last post of moves back to the
    nearest earlier direct post up the thread that its owner takes part in, or goes when there is none."""
    if post.visibility != "direct" or post.boost_of_id is not None:
        return
    rows = (await session.execute(select(ConversationState.owner_id, ConversationState.root_id)
                                  .where(ConversationState.last_status_id == post.id))).all()
    if not rows:
        return
    chain, parent_id = [], post.in_reply_to_id
    while parent_id is not None and len(chain) < MAX_THREAD_DEPTH:
        parent = (await session.execute(select(Post.id, Post.in_reply_to_id, Post.author_id, Post.visibility)
                                        .where(Post.id == parent_id))).first()
        if parent is None:
            break
        chain.append(parent)
        parent_id = parent.in_reply_to_id
    direct = [p for p in chain if p.visibility == "direct"]
    mentioned = set((await session.execute(select(Mention.post_id, Mention.actor_id).where(
        Mention.post_id.in_([p.id for p in direct])))).all()) if direct else set()
    for owner, root in rows:
        previous = next((p for p in direct if p.author_id == owner or (p.id, owner) in mentioned), None)
        mine = and_(ConversationState.owner_id == owner, ConversationState.root_id == root)
        if previous is None:
            await session.execute(delete(ConversationState).where(mine))
        else:
            await session.execute(update(ConversationState).where(mine).values(last_status_id=previous.id))


async def _shown(session: AsyncSession, viewer_id: int, rows: list[ConversationState]) -> list[Conversation]:
    """`rows` as the viewer may see them: only those whose last post is direct, theirs or mentioning
    them, and not hidden from them by blocks, mutes or moderation."""
    ids = [r.last_status_id for r in rows if r.last_status_id is not None]
    if not ids:
        return []
    posts = list((await session.execute(select(Post).where(Post.id.in_(ids)))).scalars())
    visible = {p.id: p for p in await visible_posts(session, posts, viewer_id)}
    participants: dict[int, set[int]] = {p.id: {p.author_id} for p in posts}
    for post_id, actor_id in (await session.execute(select(Mention.post_id, Mention.actor_id)
                                                    .where(Mention.post_id.in_(ids)))).all():
        participants[post_id].add(actor_id)
    wanted = set().union(*participants.values()) | {viewer_id}
    actors = {a.id: a for a in (await session.execute(select(Actor).where(Actor.id.in_(wanted)))).scalars()}
    out = []
    for row in rows:
        post = visible.get(row.last_status_id)
        if post is None or post.visibility != "direct" or viewer_id not in participants[post.id]:
            continue
        others = [actors[i] for i in sorted(participants[post.id] - {viewer_id}) if i in actors]
        out.append(Conversation(row.root_id, row.unread, post, others or [actors[viewer_id]]))
    return out


async def listing(session: AsyncSession, viewer_id: int, page: Page
                  ) -> tuple[list[ConversationState], list[Conversation]]:
    """The viewer's conversations, newest last post first, paged by the last post's id (as Mastodon
    pages them): (the page's rows, for the links to the next pages; what the viewer is shown)."""
    query = select(ConversationState).where(ConversationState.owner_id == viewer_id,
                                            ConversationState.last_status_id.is_not(None))
    rows = page.arrange(list((await session.execute(page.apply(query, ConversationState.last_status_id))).scalars()))
    return rows, await _shown(session, viewer_id, rows)


async def _row(session: AsyncSession, viewer_id: int, conversation_id: int) -> ConversationState | None:
    if not 0 < conversation_id <= MAX_ID:
        return None
    return await session.get(ConversationState, (viewer_id, conversation_id))


async def mark_read(session: AsyncSession, viewer_id: int, conversation_id: int) -> Conversation | None:
    """Mark one of the viewer's conversations read; None when they have no such conversation to see.
    The caller commits."""
    row = await _row(session, viewer_id, conversation_id)
    shown = await _shown(session, viewer_id, [row]) if row is not None else []
    if not shown:
        return None
    row.unread = False
    await session.flush()
    return Conversation(shown[0].id, False, shown[0].last_status, shown[0].accounts)


async def hide(session: AsyncSession, viewer_id: int, conversation_id: int) -> bool:
    """Take a conversation off the viewer's list until the next direct post in it; False when they had
    no such conversation. The caller commits."""
    if not 0 < conversation_id <= MAX_ID:
        return False
    result = await session.execute(delete(ConversationState).where(
        ConversationState.owner_id == viewer_id, ConversationState.root_id == conversation_id))
    return bool(result.rowcount)


async def latest_of(session: AsyncSession, post: Post, viewer_ids: Iterable[int]) -> dict[int, Conversation]:
    """The conversations `post` is now the last post of, for those of `viewer_ids` who may see them
    (the `direct` stream tells each of them)."""
    wanted = list(viewer_ids)
    if post.visibility != "direct" or not wanted:
        return {}
    rows = list((await session.execute(select(ConversationState).where(
        ConversationState.owner_id.in_(wanted), ConversationState.last_status_id == post.id))).scalars())
    out = {}
    for row in rows:
        shown = await _shown(session, row.owner_id, [row])
        if shown:
            out[row.owner_id] = shown[0]
    return out


async def render(session: AsyncSession, conversations: list[Conversation], viewer_id: int, urls: LocalUrls,
                 domain: str) -> list[dict]:
    """Mastodon Conversation entities, rendered in batches: {id, unread, accounts, last_status}."""
    if not conversations:
        return []
    statuses = {s["id"]: s for s in await render_statuses(session, [c.last_status for c in conversations],
                                                          viewer_id, urls, domain)}
    people = list({a.id: a for c in conversations for a in c.accounts}.values())
    accounts = {a["id"]: a for a in await render_accounts(session, people, urls, domain)}
    return [{"id": str(c.id), "unread": c.unread, "accounts": [accounts[str(a.id)] for a in c.accounts],
             "last_status": statuses.get(str(c.last_status.id))} for c in conversations]
