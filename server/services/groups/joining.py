"""Who may join a group, by its join policy, and local members joining and leaving.

open: anyone; members: members of this instance; verified: local members verified here, and remote actors
whose attestation is valid and issued by a verifier this instance trusts; approval: a moderator decides.
A members-only group takes no one from elsewhere. The instance's domain policies apply on top: a follow
from a limited domain (or a limited account) waits for approval, as follows of members do. Every decision
is logged with its reason."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.ids import snowflake
from server.db.models import Actor, Follow, Group
from server.i18n import N_
from server.runtime import Runtime
from server.services.groups import states
from server.services.moderation import audit
from server.services.moderation.incoming import follow_needs_approval
from server.services.social import interactions
from server.services.social.visibility_to_servers import is_accepted_follower
from server.services.verification.badges import curbside_entities

log = logging.getLogger("curbside.groups")


@dataclass(frozen=True)
class Decision:
    """`reason` is a %-format msgid (marked N_) that `values` fill: a page shows it translated (`as_error`),
    the log and the client API in English (`text`)."""

    state: str  # accepted | pending | rejected
    reason: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.state == "rejected"

    @property
    def text(self) -> str:
        return self.as_error().message

    def as_error(self, kind: Kind = Kind.FORBIDDEN) -> ServiceError:
        return ServiceError(self.reason, kind, values=self.values)


class JoinRefused(Exception):
    def __init__(self, decision: Decision):
        super().__init__(decision.text)
        self.reason, self.decision = decision.text, decision


async def _is_verified(session: AsyncSession, domain: str, candidate: Actor) -> bool:
    return (await curbside_entities(session, [candidate], domain))[candidate.id]["verified"]


async def _by_policy(session: AsyncSession, domain: str, group: Group, candidate: Actor) -> Decision:
    policy = group.join_policy
    if group.members_only and not candidate.local:
        return Decision("rejected", N_("a members-only group takes no one from elsewhere"))
    if policy == "members" and not candidate.local:
        return Decision("rejected", N_("only members of %(domain)s may join"), {"domain": domain})
    if policy == "verified" and not await _is_verified(session, domain, candidate):
        unverified = (N_("only verified clinicians may join, and %(acct)s is not verified here") if candidate.local
                      else N_("only verified clinicians may join, and %(acct)s is not verified by a verifier this "
                              "instance trusts"))
        return Decision("rejected", unverified, {"acct": candidate.acct})
    if policy == "approval":
        return Decision("pending", N_("a moderator approves each member"))
    return Decision("accepted", N_("the group's join policy is %(policy)s"), {"policy": policy})


async def _barred(runtime: Runtime, session: AsyncSession, group: Group, candidate: Actor) -> Decision | None:
    """Refusals before any join policy: a ban from the group, and the instance's domain policies (a suspended
    domain neither joins nor posts, whatever the group's policy; the inbox refuses it first, this holds for
    activities queued before the suspension too)."""
    if await states.is_banned(session, group.actor_id, candidate.id):
        return Decision("rejected", N_("%(acct)s is banned from the group"), {"acct": candidate.acct})
    if not candidate.local and (await runtime.policies.get()).effective(candidate.domain).suspended:
        return Decision("rejected", N_("%(domain)s is suspended on this instance"), {"domain": candidate.domain})
    return None


async def decide(runtime: Runtime, session: AsyncSession, group: Group, candidate: Actor) -> Decision:
    """Whether `candidate` may join `group` now, later (a moderator decides) or not at all; logged."""
    decision = (await _barred(runtime, session, group, candidate)
                or await _by_policy(session, runtime.settings.domain, group, candidate))
    if (decision.state == "accepted" and not candidate.local
            and await follow_needs_approval(runtime, session, candidate)):
        decision = Decision("pending", N_("follows from %(domain)s wait for approval (domain policy)"),
                            {"domain": candidate.domain})
    log.info("group %s: %s %s: %s", group.actor.username, decision.state, candidate.uri, decision.text)
    return decision


async def join(runtime: Runtime, session: AsyncSession, group: Group, member: Actor) -> Decision:
    """A local member joins (or asks to join) a group hosted here; JoinRefused says why not."""
    decision = await decide(runtime, session, group, member)
    if decision.refused:
        raise JoinRefused(decision)
    existing = await interactions.find_follow(session, member.id, group.actor_id)
    if existing is not None:
        return Decision(existing.state, N_("already asked"))
    session.add(Follow(follower_id=member.id, followed_id=group.actor_id, state=decision.state,
                       uri=runtime.urls.activity(member.uri, "follows", snowflake())))
    await session.flush()
    return decision


async def leave(session: AsyncSession, group: Group, member: Actor) -> None:
    await session.execute(delete(Follow).where(Follow.follower_id == member.id, Follow.followed_id == group.actor_id))


async def may_post(runtime: Runtime, session: AsyncSession, group: Group, author: Actor) -> Decision:
    """Members post; so does anyone the join policy would take at once (an open group needs no joining first)."""
    if await is_accepted_follower(session, author.id, group.actor_id):
        return Decision("accepted", N_("a member of the group"))
    decision = await decide(runtime, session, group, author)
    if decision.state != "accepted":
        return Decision("rejected", N_("not a member, and %(reason)s"), {"reason": decision.as_error()})
    return decision


async def pending(session: AsyncSession, group: Group) -> list[Actor]:
    """Who waits for a moderator's answer, oldest request first."""
    query = (select(Actor).join(Follow, Follow.follower_id == Actor.id)
             .where(Follow.followed_id == group.actor_id, Follow.state == "pending").order_by(Follow.id))
    return list((await session.execute(query)).scalars())


async def answer(runtime: Runtime, session: AsyncSession, group: Group, candidate: Actor, *, accept: bool,
                 by: Actor) -> None:
    """A moderator takes or turns away a pending member (an Accept or Reject signed by the group goes to one from
    elsewhere); audited. a ServiceError (not found) when there is no such request."""
    await interactions.answer_follow_request(runtime, session, group.actor, candidate, accept=accept)
    await audit.record(session, by, "group_member_approved" if accept else "group_member_rejected", "group",
                       group.actor.acct, details={"member": candidate.acct})
