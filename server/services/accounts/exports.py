"""A member's own data to take away: Mastodon's CSV lists (follows, blocks, mutes, blocked domains; the
same columns Mastodon writes, so that any Mastodon-compatible server imports them) and an ActivityPub
outbox of everything they posted, as the Create and Announce activities federation carries."""
from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.convert.post_to_as import POST_CONTEXT, announce_activity, create_activity, post_to_note
from server.db.models import Actor, Block, Follow, Mute, Post
from server.db.models.posts import stays_local
from server.services.social.blocks_and_mutes import blocked_domains
from server.urls import LocalUrls

CSV_EXPORTS = ("following", "blocks", "mutes", "domain_blocks")
FILE_NAMES = {"following": "following_accounts.csv", "blocks": "blocked_accounts.csv",
              "mutes": "muted_accounts.csv", "domain_blocks": "blocked_domains.csv", "outbox": "outbox.json"}


def _csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _flag(value: bool | None) -> str:
    return "true" if value else "false"


async def _others(session: AsyncSession, model, me: Actor, *extra) -> list[tuple]:
    other = aliased(Actor)
    query = (select(other, *extra).join(model, model.target_id == other.id).where(model.actor_id == me.id)
             .order_by(model.id))
    return list((await session.execute(query)).all())


async def export_csv(session: AsyncSession, me: Actor, kind: str) -> str:
    """One of CSV_EXPORTS as Mastodon writes it."""
    if kind == "following":
        query = (select(Actor, Follow.show_boosts, Follow.notify).join(Follow, Follow.followed_id == Actor.id)
                 .where(Follow.follower_id == me.id, Follow.state == "accepted").order_by(Follow.id))
        rows = (await session.execute(query)).all()
        return _csv([[a.acct, _flag(boosts), _flag(notify), ""] for a, boosts, notify in rows],
                    ["Account address", "Show boosts", "Notify on new posts", "Languages"])
    if kind == "blocks":
        return _csv([[row[0].acct] for row in await _others(session, Block, me)])
    if kind == "mutes":
        rows = await _others(session, Mute, me, Mute.notifications)
        return _csv([[actor.acct, _flag(hide)] for actor, hide in rows],
                    ["Account address", "Hide notifications"])
    if kind == "domain_blocks":
        return _csv([[b.domain] for b in reversed(await blocked_domains(session, me))])
    raise ValueError(f"unknown export {kind!r}")


def _members_only_create(post: Post, urls: LocalUrls) -> dict[str, Any]:
    """A members-only post never federates; in the member's own archive it is a Create addressed to nobody
    outside the instance."""
    note = post_to_note(post, urls, context=False, archive=True)
    return {"id": f"{post.uri}/activity", "type": "Create", "actor": post.author.uri, "published": note["published"],
            "to": [], "cc": [], "object": note}


async def export_outbox(session: AsyncSession, me: Actor, urls: LocalUrls) -> dict[str, Any]:
    """Every post and boost of `me`, oldest first, as an OrderedCollection of activities."""
    posts = list((await session.execute(select(Post).where(Post.author_id == me.id, Post.local.is_(True))
                                        .order_by(Post.id))).scalars())
    boosted_ids = {p.boost_of_id for p in posts if p.boost_of_id}
    boosted = {p.id: p for p in (await session.execute(select(Post).where(Post.id.in_(boosted_ids)))).scalars()} \
        if boosted_ids else {}
    items = []
    for post in posts:
        if post.boost_of_id is not None:
            target = boosted.get(post.boost_of_id)
            if target is not None and not stays_local(post) and not stays_local(target):
                items.append(announce_activity(post, target, urls))
        elif stays_local(post):
            items.append(_members_only_create(post, urls))
        else:
            items.append(create_activity(post, urls))
    for item in items:
        item.pop("@context", None)
    return {"@context": POST_CONTEXT, "id": "outbox.json", "type": "OrderedCollection", "totalItems": len(items),
            "orderedItems": items}
