"""The `direct` stream: a `conversation` event (a Mastodon Conversation entity) for each new direct post,
to its local participants only (the author and the members it mentions), and `delete` when one goes.

The conversation is the one the client API lists (server.services.reading.conversations): same id, same unread
state. A participant who blocks or mutes the author, or whom moderation keeps from the author's posts,
gets nothing: their conversation did not move to the post.
"""
from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Post
from server.runtime import Runtime
from server.services.reading import conversations
from server.streaming.subscribers import Message, Stream, Subscriber


def _listening(subscribers: list[Subscriber], viewer_ids: set[int]) -> list[tuple[Subscriber, Stream]]:
    return [(s, st) for s in subscribers if s.viewer_id in viewer_ids for st in s.streams if st.name == "direct"]


async def conversation_deliveries(session: AsyncSession, post: Post, subscribers: list[Subscriber],
                                  runtime: Runtime) -> list[tuple[Subscriber, Message]]:
    """`conversation` messages for a new direct post, one rendering per participant listening."""
    if post.visibility != "direct" or post.boost_of_id is not None:
        return []
    listening = {s.viewer_id for s in subscribers if any(st.name == "direct" for st in s.streams)}
    found = await conversations.latest_of(session, post, listening)
    out = []
    for viewer_id, conversation in found.items():
        [entity] = await conversations.render(session, [conversation], viewer_id, runtime.urls,
                                              runtime.settings.domain)
        payload = json.dumps(entity, ensure_ascii=False, separators=(",", ":"))
        out += [(s, Message(st, "conversation", payload)) for s, st in _listening(subscribers, {viewer_id})]
    return out


def delete_deliveries(data: dict, subscribers: list[Subscriber]) -> list[tuple[Subscriber, Message]]:
    """`delete` on the direct stream to those who had the direct post in their home timeline."""
    if data.get("visibility") != "direct" or data.get("boost"):
        return []
    payload = str(data["post_id"])
    return [(s, Message(st, "delete", payload)) for s, st in _listening(subscribers, set(data.get("owners") or ()))]
