"""Cases by state (open, resolved, unanswered: open with no reply yet), by specialty and by group, newest first and
paged as timelines are, each one the viewer may see as any post (a visitor: public and unlisted ones; a member:
members-only ones too, so a members-only group's cases are for members only), without what moderation hides."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Text, and_, cast, select

from moderation.errors import ServiceError
from server.db.models import Actor, Case, Post
from server.i18n import N_
from server.services.moderation.hidden_from_viewers import visible_posts
from server.services.posts.search import seen_by
from server.services.reading.timelines import Page
from server.services.social.visibility_to_servers import OPEN

STATES = ("open", "resolved", "unanswered")


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    specialty: str | None = None
    group_id: int | None = None  # the group's actor


def _check(wanted: CaseFilter) -> None:
    if wanted.state is not None and wanted.state not in STATES:
        raise ServiceError(N_("state must be one of %(choices)s"), values={"choices": ", ".join(STATES)})
    if wanted.specialty is not None and not (wanted.specialty.isalnum() and len(wanted.specialty) <= 16):
        raise ServiceError(N_("specialty must be a specialty code such as 207RC0000X"))


def _query(wanted: CaseFilter, viewer: Actor | None):
    shown = seen_by(viewer.id) if viewer is not None else and_(Post.visibility.in_(OPEN),
                                                                Post.local_only.is_(False))
    query = select(Post).join(Case, Case.post_id == Post.id).where(shown)
    if wanted.state == "unanswered":
        query = query.where(Case.state == "open", Post.replies_count == 0)
    elif wanted.state is not None:
        query = query.where(Case.state == wanted.state)
    if wanted.specialty is not None:  # codes are letters and digits: no LIKE wildcard can hide in one
        query = query.where(cast(Case.specialties, Text).like(f'%"{wanted.specialty.upper()}"%'))
    if wanted.group_id is not None:
        query = query.where(Case.group_id == wanted.group_id)
    return query


async def list_cases(session, viewer: Actor | None, wanted: CaseFilter, page: Page) -> tuple[list[int], list[Post]]:
    """The ids of a page of the cases' first posts (to page on) and those of them moderation lets the viewer see;
    ServiceError (422) for a filter that is not one."""
    _check(wanted)
    posts = page.arrange(list((await session.execute(page.apply(_query(wanted, viewer), Post.id))).scalars()))
    return [p.id for p in posts], await visible_posts(session, posts, viewer)
