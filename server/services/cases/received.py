"""Cases from other Curbsides: a Page carrying `curbside:case` is kept as a case here too (its Status then carries
`curbside_case` as ours do), and a later Update of it changes our copy's state, taken only from the case's author
or its group. The accepted answer is kept by id once we hold it, else by its URI."""
from __future__ import annotations

import logging

from sqlalchemy import select

from server.convert.as_to_case import ReceivedCase, as_to_case
from server.db.models import Actor, Case, Post
from server.db.types import utcnow

log = logging.getLogger("curbside.cases")


async def _group_of(session, doc: dict) -> int | None:
    """The Group the Page is posted in, among the actors we know (FEP-1b12 `audience`, else its addressees)."""
    named = [doc.get("audience")] + [a for key in ("to", "cc") for a in (doc.get(key) or []) if isinstance(a, str)]
    uris = [u for u in named if isinstance(u, str)]
    if not uris:
        return None
    return await session.scalar(select(Actor.id).where(Actor.uri.in_(uris), Actor.actor_type == "Group").limit(1))


async def _answer_id(session, uri: str | None) -> int | None:
    return await session.scalar(select(Post.id).where(Post.uri == uri)) if uri else None


async def _apply(session, case: Case, received: ReceivedCase) -> None:
    if received.state == "resolved" and (case.state != "resolved" or case.accepted_answer_uri
                                         != received.accepted_uri):
        case.resolved_at = utcnow()
    case.state = received.state
    case.accepted_answer_uri = received.accepted_uri
    case.accepted_answer_id = await _answer_id(session, received.accepted_uri)
    if received.state == "open":
        case.resolved_at = None


async def keep_case(session, post_id: int, title: str | None, doc: dict) -> None:
    """Keep the case a new remote Page carries (nothing for a Page without one)."""
    received = as_to_case(doc)
    if received is None or await session.get(Case, post_id) is not None:
        return
    case = Case(post_id=post_id, group_id=await _group_of(session, doc), title=(title or "")[:200],
                question=received.question, presentation=received.presentation,
                specialties=received.specialties, age_band=received.age_band, sex=received.sex)
    await _apply(session, case, received)
    session.add(case)
    await session.flush()


async def take_state(session, post: Post, doc: dict, actor_uri: str) -> bool:
    """Update our copy's state from an Update of the case by its author or its group (and from its author's, its
    question, presentation and title too); False when the post is no case
    of ours or the Update is not theirs (nothing changed)."""
    case = await session.get(Case, post.id)
    received = as_to_case(doc)
    if case is None or received is None:
        return False
    group_uri = await session.scalar(select(Actor.uri).where(Actor.id == case.group_id)) if case.group_id else None
    if actor_uri not in (post.author.uri, group_uri):
        log.info("case %s: not taking its state from %s (neither its author nor its group)", post.uri, actor_uri)
        return False
    await _apply(session, case, received)
    if actor_uri == post.author.uri:  # the author's edit: what they took out of the case goes from ours too
        case.question, case.presentation = received.question, received.presentation
        if isinstance(doc.get("name"), str) and doc["name"].strip():
            case.title = doc["name"].strip()[:200]
    await session.flush()
    return True


async def group_case_update(session, post: Post, actor_uri: str) -> bool:
    """Whether `actor_uri` is the group of the case `post` (so that its Update of the case is taken)."""
    case = await session.get(Case, post.id)
    if case is None or case.group_id is None:
        return False
    return await session.scalar(select(Actor.uri).where(Actor.id == case.group_id)) == actor_uri
