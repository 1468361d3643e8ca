"""What moderation hides from a viewer: posts and accounts of suspended domains and accounts, and of local
accounts the world may not see (server.services.social.account_publicity) (everywhere), of limited ones
(from public timelines, unless the viewer follows them), and what a
member blocked or muted, or whose domain they blocked (from that member alone), plus the posts
of those who block them. Applied when reading, so it holds for rows stored before a decision."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.domains import DomainPolicy, PolicySet
from server.db.models import Account, AccountModeration, Actor, Block, Follow, Mute, Post, UserDomainBlock
from server.db.types import utcnow
from server.services.moderation.policies import Policies, policies_for
from server.services.social.account_publicity import hidden_account


@dataclass
class Viewpoint:
    """One viewer's filters, loaded once per request."""

    policies: Policies
    viewer_id: int | None = None
    blocked_ids: set[int] = field(default_factory=set)  # blocked by the viewer, or blocking them
    muted_ids: set[int] = field(default_factory=set)
    muted_notifications: set[int] = field(default_factory=set)
    domains: PolicySet | None = None  # the viewer's own domain blocks
    _cache: dict[str, tuple[bool, bool]] = field(default_factory=dict)

    def domain_state(self, domain: str) -> tuple[bool, bool]:
        """(hidden, limited) for an author on `domain`."""
        if domain not in self._cache:
            decision = self.policies.effective(domain)
            mine = self.domains is not None and _covered(self.domains, domain)
            self._cache[domain] = (decision.suspended or mine, decision.limited)
        return self._cache[domain]


def _covered(blocks: PolicySet, domain: str) -> bool:
    try:
        return blocks.effective(domain).suspended
    except ValueError:
        return False


def _id(viewer: Actor | int | None) -> int | None:
    return viewer if viewer is None or isinstance(viewer, int) else viewer.id


async def viewpoint(session: AsyncSession, viewer: Actor | int | None) -> Viewpoint:
    """The filters of `viewer` (an actor or its id; None for anonymous callers)."""
    viewer_id = _id(viewer)
    view = Viewpoint(await policies_for(session), viewer_id)
    if viewer_id is None:
        return view
    now = utcnow()
    blocked = select(Block.target_id).where(Block.actor_id == viewer_id)
    blockers = select(Block.actor_id).where(Block.target_id == viewer_id)
    mutes = (await session.execute(select(Mute.target_id, Mute.notifications).where(
        Mute.actor_id == viewer_id, or_(Mute.expires_at.is_(None), Mute.expires_at > now)))).all()
    view.blocked_ids = set((await session.execute(blocked.union(blockers))).scalars())
    view.muted_ids = {m[0] for m in mutes}
    view.muted_notifications = {m[0] for m in mutes if m[1]}
    domains = (await session.execute(
        select(UserDomainBlock.domain).where(UserDomainBlock.actor_id == viewer_id))).scalars()
    view.domains = PolicySet([DomainPolicy(d) for d in domains]) or None
    return view


async def sanctions(session: AsyncSession, actor_ids: set[int]) -> dict[int, AccountModeration]:
    if not actor_ids:
        return {}
    rows = await session.execute(select(AccountModeration).where(AccountModeration.actor_id.in_(actor_ids)))
    return {row.actor_id: row for row in rows.scalars()}


@dataclass(frozen=True)
class Standing:
    """What moderation and publicity say of one account, whoever looks."""

    domain: str | None  # None for local accounts
    gone: bool  # suspended, or a local account the world may not see (server.services.social.account_publicity)
    limited: bool


async def standings(session: AsyncSession, actor_ids: set[int]) -> dict[int, Standing]:
    """The standing of each of these actors, in one query."""
    if not actor_ids:
        return {}
    hidden = and_(Account.id.is_not(None), hidden_account())  # remote actors have no accounts row
    rows = await session.execute(
        select(Actor.id, Actor.local, Actor.domain, AccountModeration.suspended_at, AccountModeration.limited_at,
               hidden)
        .outerjoin(AccountModeration, AccountModeration.actor_id == Actor.id)
        .outerjoin(Account, Account.actor_id == Actor.id).where(Actor.id.in_(actor_ids)))
    return {id_: Standing(None if local else domain, suspended is not None or bool(unseen), limited is not None)
            for id_, local, domain, suspended, limited, unseen in rows.all()}


def author_hidden(view: Viewpoint, author_id: int, domain: str | None, gone: bool, limited: bool, *,
                  public: bool = False, followed: bool = False) -> bool:
    """Whether `view`'s viewer is kept from an author's posts; `domain` is None for local authors,
    `gone`/`limited` are the author's own standing (Standing)."""
    if author_id == view.viewer_id:
        return False
    if author_id in view.blocked_ids or author_id in view.muted_ids or gone:
        return True
    domain_gone, domain_limited = view.domain_state(domain) if domain is not None else (False, False)
    return domain_gone or (public and (limited or domain_limited) and not followed)


async def visible_posts(session: AsyncSession, posts: list[Post], viewer: Actor | int | None, *,
                        public: bool = False, view: Viewpoint | None = None) -> list[Post]:
    """`posts` without those moderation hides from `viewer`; `public` for public and hashtag timelines."""
    if not posts:
        return posts
    view = view or await viewpoint(session, viewer)
    boosted = {p.boost_of_id for p in posts if p.boost_of_id}
    originals = dict((await session.execute(select(Post.id, Post.author_id).where(Post.id.in_(boosted)))).all()) \
        if boosted else {}
    author_ids = {p.author_id for p in posts} | set(originals.values())
    standing = await standings(session, author_ids)
    followed: set[int] = set()
    if public and viewer is not None:
        followed = set((await session.execute(select(Follow.followed_id).where(
            Follow.follower_id == _id(viewer), Follow.state == "accepted",
            Follow.followed_id.in_(author_ids)))).scalars())

    def hidden(author_id: int) -> bool:
        author = standing.get(author_id)
        return author is None or author_hidden(view, author_id, author.domain, author.gone, author.limited,
                                               public=public, followed=author_id in followed)

    return [p for p in posts if not hidden(p.author_id)
            and not (p.boost_of_id and p.boost_of_id in originals and hidden(originals[p.boost_of_id]))]


async def actor_hidden(session: AsyncSession, actor: Actor) -> bool:
    """Whether an account is hidden from everyone (suspended, of a suspended domain, or a local account the
    world may not see yet: server.services.social.account_publicity)."""
    return not await visible_actors(session, [actor])


async def visible_actors(session: AsyncSession, actors: list[Actor]) -> list[Actor]:
    """`actors` without those hidden from everyone (search results, lists)."""
    if not actors:
        return actors
    policies = await policies_for(session)
    standing = await standings(session, {a.id for a in actors})

    def gone(actor: Actor) -> bool:
        known = standing.get(actor.id)
        return known is None or known.gone or (not actor.local and policies.effective(actor.domain).suspended)

    return [a for a in actors if not gone(a)]


def notification_hidden(view: Viewpoint, from_actor: Actor | None) -> bool:
    """Whether a notification from `from_actor` is kept from the viewer."""
    if from_actor is None:
        return False
    if from_actor.id in view.blocked_ids or from_actor.id in view.muted_notifications:
        return True
    return not from_actor.local and view.domain_state(from_actor.domain)[0]
