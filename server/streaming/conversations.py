"""The `direct` stream: a `conversation` event (a Mastodon Conversation entity) for each new direct post,
to its local participants only (the author and the members it mentions), and `delete` when one goes.

Curbside keeps no conversation rows: a conversation is named by the id of its thread's first post, and
its `accounts` are the post's other participants. A participant who blocks or mutes the author, or
whom moderation keeps from the author's posts, gets nothing (server.services.moderation.filters).
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Mention, Post
from server.runtime import Runtime
from server.services.access import may_see
from server.services.moderation.filters import visible_posts
from server.services.views import render_accounts, render_statuses
from server.streaming.hub import Message, Stream, Subscriber

MAX_THREAD_DEPTH = 100


def _listening(subscribers: list[Subscriber], viewer_ids: set[int]) -> list[tuple[Subscriber, Stream]]:
    return [(s, st) for s in subscribers if s.viewer_id in viewer_ids for st in s.streams if st.name == "direct"]


async def thread_root(session: AsyncSession, post: Post) -> int:
    """The id of the first post of `post`'s thread (as far up as stored, at most MAX_THREAD_DEPTH)."""
    root, parent_id = post.id, post.in_reply_to_id
    for _ in range(MAX_THREAD_DEPTH):
        if parent_id is None:
            break
        row = (await session.execute(select(Post.id, Post.in_reply_to_id).where(Post.id == parent_id))).first()
        if row is None:
            break
        root, parent_id = row
    return root


async def conversation_deliveries(session: AsyncSession, post: Post, subscribers: list[Subscriber],
                                  runtime: Runtime) -> list[tuple[Subscriber, Message]]:
    """`conversation` messages for a new direct post, one rendering per participant listening."""
    if post.visibility != "direct" or post.boost_of_id is not None:
        return []
    mentioned = set((await session.execute(select(Mention.actor_id).where(Mention.post_id == post.id))).scalars())
    participants = mentioned | {post.author_id}
    wanted = _listening(subscribers, participants)
    if not wanted:
        return []
    actors = {a.id: a for a in (await session.execute(select(Actor).where(Actor.id.in_(participants)))).scalars()}
    root = str(await thread_root(session, post))
    out = []
    for viewer_id in {s.viewer_id for s, _ in wanted}:
        viewer = actors.get(viewer_id)
        if viewer is None or not await may_see(session, post, viewer):
            continue
        if not await visible_posts(session, [post], viewer):  # blocks, mutes, moderation
            continue
        others = [actors[i] for i in sorted(participants - {viewer_id}) if i in actors]
        entity = {"id": root, "unread": viewer_id != post.author_id,
                  "accounts": await render_accounts(session, others, runtime.urls, runtime.settings.domain),
                  "last_status": (await render_statuses(session, [post], viewer, runtime.urls,
                                                        runtime.settings.domain))[0]}
        payload = json.dumps(entity, ensure_ascii=False, separators=(",", ":"))
        out += [(s, Message(st, "conversation", payload)) for s, st in wanted if s.viewer_id == viewer_id]
    return out


def delete_deliveries(data: dict, subscribers: list[Subscriber]) -> list[tuple[Subscriber, Message]]:
    """`delete` on the direct stream to those who had the direct post in their home timeline."""
    if data.get("visibility") != "direct" or data.get("boost"):
        return []
    payload = str(data["post_id"])
    return [(s, Message(st, "delete", payload)) for s, st in _listening(subscribers, set(data.get("owners") or ()))]
