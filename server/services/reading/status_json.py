"""A page of statuses as a JSON array, in three queries: the page (with each boost's original), its
authors (with what their Account entities and the moderation filters need), and the viewer's own rows
among them (blocks, mutes and domain blocks; favourites, boosts, bookmarks, pins, poll votes).
Entities come from server.services.reading.entity_cache, made afresh only where their database values moved.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import BigInteger, Text, and_, bindparam, case, cast, literal_column, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.domains import DomainPolicy, PolicySet
from server.convert.actor_to_mastodon import acct_of
from server.convert.case_to_mastodon import case_to_mastodon
from server.convert.post_to_mastodon import ViewerState, pinnable_by, poll_to_mastodon, status_shared
from server.db.idlists import among
from server.db.inline import read_rows
from server.db.models import (
    Account,
    AccountModeration,
    Actor,
    Block,
    Bookmark,
    Case,
    ConversationMute,
    HomeTimelineEntry,
    InstanceSetting,
    KeywordFilter,
    Like,
    MemberProfile,
    Mention,
    Mute,
    Pin,
    PollVote,
    Post,
    RemoteAttestation,
    UserDomainBlock,
    Verification,
)
from server.db.types import UTCDateTime, utcnow
from server.services.cases.lookup import cases_of
from server.services.instance.settings import TRUSTED_VERIFIERS
from server.services.moderation.hidden_from_viewers import Viewpoint, author_hidden
from server.services.moderation.policies import policies_for
from server.services.reading import entity_cache as ec
from server.services.reading.filter_matching import (
    NO_FILTERS,
    ViewerFilters,
    action_in,
    active_filters_clause,
    post_texts,
    viewer_filters,
)
from server.services.reading.lists import exclusive_authors
from server.services.reading.page_views import COUNTS_SECONDS, render_accounts
from server.services.social.account_publicity import hidden_account
from server.services.social.conversation_mutes import muted_posts
from server.urls import LocalUrls

_POSTS = Post.__table__
_BOOSTED = _POSTS.alias("boosted")
_HOME = HomeTimelineEntry.__table__
_ACTORS = Actor.__table__
HOME_KEY = _HOME.c.post_id  # paging by the timeline's own key walks its primary key (owner_id, post_id)

# The columns a Status entity is made from (with the rows its mentions and parent come from).
POST_FIELDS = ("id", "author_id", "boost_of_id", "in_reply_to_id", "uri", "url", "local", "visibility",
               "content_html", "summary", "sensitive", "language", "tags", "attachments", "poll",
               "replies_count", "likes_count", "boosts_count", "published", "edited_at")


_CASES = Case.__table__


def _post_fingerprint(table, dialect: str):
    """The post's columns, and a case's state (a case is resolved without its post changing)."""
    case_state = (select(ec.fingerprint(dialect, _CASES.c.state, _CASES.c.accepted_answer_id))
                  .where(_CASES.c.post_id == table.c.id).correlate(table).scalar_subquery())
    return ec.fingerprint(dialect, *(table.c[name] for name in POST_FIELDS), case_state)


def _home_statement(dialect: str):
    """(id, author, boosted id, fingerprint, boosted post's author, its fingerprint) of the viewer's entries,
    without the members of their exclusive lists (one uncorrelated subquery, read once per page)."""
    return (select(_POSTS.c.id, _POSTS.c.author_id, _POSTS.c.boost_of_id, _post_fingerprint(_POSTS, dialect),
                   _BOOSTED.c.author_id, _post_fingerprint(_BOOSTED, dialect))
            .select_from(_HOME.join(_POSTS, _POSTS.c.id == _HOME.c.post_id)
                         .outerjoin(_BOOSTED, _BOOSTED.c.id == _POSTS.c.boost_of_id))
            .where(_HOME.c.owner_id == bindparam("viewer"),
                   _POSTS.c.author_id.not_in(exclusive_authors(bindparam("viewer")))))


def _posts_statement(dialect: str):
    return (select(*(_POSTS.c[name] for name in POST_FIELDS), _post_fingerprint(_POSTS, dialect).label("fingerprint"))
            .where(among(_POSTS.c.id, "ids", dialect)))


# Account entities are made from these columns and rows.
ACTOR_FIELDS = ("username", "display_name", "manually_approves", "actor_type", "discoverable", "published",
                "created_at", "summary", "url", "uri", "icon_url", "header_url", "fields", "indexable",
                "moved_to_uri")
ATTESTATION_FIELDS = ("state", "issuer_domain", "profession", "specialty_code", "specialty_name", "jurisdiction",
                      "valid_from", "valid_until")
PROFILE_FIELDS = ("pseudonymous", "profession", "specialty_code", "institution", "jurisdiction")


def _accounts_statement(dialect: str):
    """(id, domain, local, suspended_at, limited_at, fingerprint of what its Account entity shows, whether it is a
    local account the world may not see)."""
    attestation, profile = RemoteAttestation.__table__, MemberProfile.__table__
    sanction, member = AccountModeration.__table__, Account.__table__.alias("member")
    now = bindparam("now", type_=UTCDateTime())
    in_force = (select(Verification.id).join(Account, Account.id == Verification.account_id)
                .where(Account.actor_id == _ACTORS.c.id, Verification.revoked_at.is_(None),
                       Verification.valid_from <= now, Verification.valid_until > now)
                .order_by(Verification.valid_until.desc()).limit(1).correlate(_ACTORS).scalar_subquery())
    trusted = select(InstanceSetting.value).where(InstanceSetting.key == TRUSTED_VERIFIERS).scalar_subquery()
    current = case((and_(attestation.c.valid_until > now,
                         or_(attestation.c.valid_from.is_(None), attestation.c.valid_from <= now)), 1), else_=0)
    shown = ec.fingerprint(dialect, *(_ACTORS.c[n] for n in ACTOR_FIELDS),
                           *(attestation.c[n] for n in ATTESTATION_FIELDS), current,
                           *(profile.c[n] for n in PROFILE_FIELDS), in_force, trusted)
    return (select(_ACTORS.c.id, _ACTORS.c.domain, _ACTORS.c.local, sanction.c.suspended_at, sanction.c.limited_at,
                   shown, and_(member.c.id.is_not(None), hidden_account(member.c)))
            .select_from(_ACTORS.outerjoin(sanction, sanction.c.actor_id == _ACTORS.c.id)
                         .outerjoin(member, member.c.actor_id == _ACTORS.c.id)
                         .outerjoin(attestation, attestation.c.actor_id == _ACTORS.c.id)
                         .outerjoin(profile, profile.c.actor_id == _ACTORS.c.id))
            .where(among(_ACTORS.c.id, "ids", dialect)))


def _viewer_statement(dialect: str, polls: bool):
    """(kind, id, number, text) rows: the viewer's blocks either way (b) and mutes (m) of these authors,
    their domain blocks (d), and their favourites (f), boosts (r), bookmarks (k), pins (p) and poll
    votes (v) among these posts, their muted conversations (c); whether they have active keyword filters (x)."""
    viewer = bindparam("viewer")

    def authors(column):
        return among(column, "authors", dialect)

    def posts(column):
        return among(column, "posts", dialect)

    no_id, no_number, no_text = cast(null(), BigInteger), cast(null(), BigInteger), cast(null(), Text)

    def of(kind: str, *columns):
        return select(literal_column(f"'{kind}'"), *columns)

    branches = [
        of("b", Block.target_id, no_number, no_text).where(Block.actor_id == viewer, authors(Block.target_id)),
        of("b", Block.actor_id, no_number, no_text).where(Block.target_id == viewer, authors(Block.actor_id)),
        of("m", Mute.target_id, no_number, no_text).where(
            Mute.actor_id == viewer, authors(Mute.target_id),
            or_(Mute.expires_at.is_(None), Mute.expires_at > bindparam("now", type_=UTCDateTime()))),
        of("d", no_id, no_number, UserDomainBlock.domain).where(UserDomainBlock.actor_id == viewer),
        of("f", Like.post_id, no_number, no_text).where(Like.actor_id == viewer, posts(Like.post_id)),
        of("r", Post.boost_of_id, no_number, no_text).where(Post.author_id == viewer, posts(Post.boost_of_id)),
        of("k", Bookmark.post_id, no_number, no_text).where(Bookmark.actor_id == viewer, posts(Bookmark.post_id)),
        of("p", Pin.post_id, no_number, no_text).where(Pin.actor_id == viewer, posts(Pin.post_id)),
        of("c", ConversationMute.root_id, no_number, no_text).where(ConversationMute.actor_id == viewer),
    ]
    branches.append(of("x", KeywordFilter.id, no_number, no_text).where(
        active_filters_clause(viewer, bindparam("now", type_=UTCDateTime()))))
    if polls:
        branches.append(of("v", PollVote.post_id, PollVote.choice, no_text).where(
            PollVote.actor_id == viewer, among(PollVote.post_id, "polls", dialect)))
    return union_all(*branches)


def _statements(session) -> dict:
    """The page's statements for the session's database, built once per dialect."""
    return _built(session.bind.dialect.name)


@lru_cache(maxsize=2)  # a constant per dialect (sqlite, postgresql), built at first use
def _built(name: str) -> dict:
    return {"home": _home_statement(name), "posts": _posts_statement(name), "accounts": _accounts_statement(name),
            "viewer": _viewer_statement(name, False), "viewer+polls": _viewer_statement(name, True)}


def home_statement(dialect: str) -> object:
    """The home timeline's statement for a database kind (a `viewer` parameter; paged by HOME_KEY)."""
    return _built(dialect)["home"]


async def _viewer(session, viewer_id: int, authors: list[int], posts: list[int],
                  polls: list[int]) -> tuple[Viewpoint, ViewerState, ViewerFilters]:
    rows = await read_rows(session, _statements(session)["viewer+polls" if polls else "viewer"], {
        "viewer": viewer_id, "authors": authors, "posts": posts, "polls": polls, "now": utcnow()})
    found: dict[str, set] = defaultdict(set)
    voted: dict[int, list[int]] = defaultdict(list)
    for kind, key, number, text in rows:
        if kind == "v":
            voted[key].append(number)
        else:
            found[kind].add(text if kind == "d" else key)
    domains = PolicySet([DomainPolicy(d) for d in sorted(found["d"])]) if found["d"] else None
    view = Viewpoint(await policies_for(session), viewer_id, blocked_ids=found["b"], muted_ids=found["m"],
                     domains=domains)
    state = ViewerState(viewer_id=viewer_id, favourited=frozenset(found["f"]), reblogged=frozenset(found["r"]),
                        bookmarked=frozenset(found["k"]), pinned=frozenset(found["p"]),
                        muted=await muted_posts(session, found["c"], posts),
                        voted={post: sorted(choices) for post, choices in voted.items()})
    return view, state, await viewer_filters(session, viewer_id) if found["x"] else NO_FILTERS


_MENTIONS = (select(Mention.post_id, Actor.id, Actor.username, Actor.url, Actor.uri, Actor.local, Actor.domain)
             .join(Actor, Actor.id == Mention.actor_id))
_PARENTS = select(Post.id, Post.author_id)


async def _make_posts(session, cache: ec.EntityCache, ids: list[int], urls: LocalUrls, domain: str,
                      now: float) -> dict[int, ec.PostEntry]:
    rows = (await session.execute(_statements(session)["posts"], {"ids": ids})).all()
    posts = [SimpleNamespace(**row._mapping) for row in rows]
    mentions: dict[int, list[dict]] = defaultdict(list)
    for post_id, *actor in (await session.execute(_MENTIONS.where(Mention.post_id.in_(ids)))).all():
        actor = SimpleNamespace(**dict(zip(("id", "username", "url", "uri", "local", "domain"), actor)))
        mentions[post_id].append({"id": str(actor.id), "username": actor.username, "url": actor.url or actor.uri,
                                  "acct": acct_of(actor, domain)})
    cases = await cases_of(session, ids)
    parents = {p.in_reply_to_id for p in posts if p.in_reply_to_id}
    parent_authors = dict((await session.execute(_PARENTS.where(Post.id.in_(parents)))).all()) if parents else {}
    made = {}
    for post in posts:
        parent = parent_authors.get(post.in_reply_to_id)
        shared = status_shared(post, mentions=mentions[post.id], tag_url=urls.tag, local_copy=urls.remote_media,
                               in_reply_to_account_id=str(parent) if parent else None,
                               case=case_to_mastodon(cases[post.id]) if post.id in cases else None)
        poll = SimpleNamespace(id=post.id, poll=post.poll) if post.poll else None
        made[post.id] = cache.keep_post(post.id, post.fingerprint, shared, poll, pinnable_by(post), now)
    return made


async def _make_accounts(session, cache: ec.EntityCache, missing: dict[int, str], urls: LocalUrls,
                         domain: str, now: float) -> dict[int, bytes]:
    """Account entities as views.render_accounts makes them, counted afresh: an entry lives as long as
    the counts it shows may lag (COUNTS_SECONDS)."""
    actors = list((await session.execute(select(Actor).where(Actor.id.in_(list(missing))))).scalars())
    return {actor.id: cache.keep_account(actor.id, missing[actor.id], entity, now + COUNTS_SECONDS).json
            for actor, entity in zip(actors, await render_accounts(session, actors, urls, domain, fresh=True))}


def _poll_json(entry: ec.PostEntry, state: ViewerState) -> bytes:
    return b"null" if entry.poll is None else ec.dumps(poll_to_mastodon(entry.poll, state))


def _flags(post_id: int, entry: ec.PostEntry, state: ViewerState) -> tuple:
    return (post_id in state.favourited, post_id in state.reblogged, post_id in state.bookmarked,
            post_id in state.pinned if entry.pinnable_by == state.viewer_id else None, post_id in state.muted)


# A page row: (id, author, boosted id, fingerprint, boosted post's author, its fingerprint), as home_statement's.
ID, AUTHOR, BOOST_OF, FINGERPRINT, BOOSTED_AUTHOR, BOOSTED_FINGERPRINT = range(6)


async def page_json(session: AsyncSession, rows: list, viewer_id: int, urls: LocalUrls, domain: str) -> bytes:
    """Status entities, as a JSON array, of the page `rows` (see ID...), without what moderation hides from
    `viewer_id` and without boosts whose original is gone."""
    rows = [r for r in rows if r[BOOST_OF] is None or r[BOOSTED_FINGERPRINT] is not None]
    if not rows:
        return b"[]"
    posts = {r[ID]: (r[AUTHOR], r[FINGERPRINT]) for r in rows}
    posts.update({r[BOOST_OF]: (r[BOOSTED_AUTHOR], r[BOOSTED_FINGERPRINT]) for r in rows if r[BOOST_OF]})
    authors = list({author for author, _ in posts.values()})
    accounts = {row[0]: row for row in await read_rows(session, _statements(session)["accounts"],
                                                       {"ids": authors, "now": utcnow()})}
    cache, now = ec.entity_cache(session, urls.base), ec.now()
    entries = await _post_entries(session, cache, posts, urls, domain, now)
    view, state, filters = await _viewer(session, viewer_id, authors, list(posts),
                                [post_id for post_id, entry in entries.items() if entry.poll is not None])

    def hidden(author_id: int) -> bool:
        row = accounts.get(author_id)
        return row is None or author_hidden(view, author_id, None if row[2] else row[1],
                                            row[3] is not None or bool(row[6]), row[4] is not None)

    rows = [r for r in rows if not hidden(r[AUTHOR]) and not (r[BOOST_OF] and hidden(r[BOOSTED_AUTHOR]))]
    filtered = await _filtered(session, rows, filters)
    rows = [r for r in rows if action_in(filtered.get(r[ID]), "home") != "hide"]
    account_json = await _account_entries(session, cache, {r[AUTHOR] for r in rows} | {
        r[BOOSTED_AUTHOR] for r in rows if r[BOOST_OF]}, accounts, urls, domain, now)

    def one(post_id: int, author: int, reblog: bytes | None, matched: bytes) -> bytes | None:
        entry = entries.get(post_id)
        if entry is None or author not in account_json:  # deleted since the page was read
            return None
        return ec.status_json(entry, account_json[author], reblog, _poll_json(entry, state),
                              _flags(post_id, entry, state), matched)

    out = []
    for r in rows:
        matched = ec.dumps(filtered[r[ID]]) if r[ID] in filtered else b"[]"
        reblog = one(r[BOOST_OF], r[BOOSTED_AUTHOR], None, matched) if r[BOOST_OF] else None
        status = one(r[ID], r[AUTHOR], reblog, matched) if reblog is not None or not r[BOOST_OF] else None
        if status is not None:
            out.append(status)
    return b"[" + b",".join(out) + b"]"


async def _filtered(session, rows: list, filters: ViewerFilters) -> dict[int, list[dict]]:
    """The viewer's matching keyword filters (FilterResults) of each page row that any matches; a boost
    is matched by its original's text."""
    if not filters:
        return {}
    texts = await post_texts(session, list({r[BOOST_OF] or r[ID] for r in rows}))
    found = {r[ID]: filters.results((r[ID], r[BOOST_OF]), texts.get(r[BOOST_OF] or r[ID], "")) for r in rows}
    return {post_id: results for post_id, results in found.items() if results}


async def _post_entries(session, cache: ec.EntityCache, posts: dict[int, tuple], urls: LocalUrls, domain: str,
                        now: float) -> dict[int, ec.PostEntry]:
    entries, missing = {}, []
    for post_id, (_, fingerprint) in posts.items():
        entry = cache.post(post_id, fingerprint, now)
        if entry is None:
            missing.append(post_id)
        else:
            entries[post_id] = entry
    if missing:
        entries.update(await _make_posts(session, cache, missing, urls, domain, now))
    return entries


async def _account_entries(session, cache: ec.EntityCache, authors: set[int], accounts: dict, urls: LocalUrls,
                           domain: str, now: float) -> dict[int, bytes]:
    found, stale = {}, {}
    for author in authors:
        fingerprint = accounts[author][5]
        entry = cache.account(author, fingerprint, now)
        if entry is None:
            stale[author] = fingerprint
        else:
            found[author] = entry.json
    if stale:
        found.update(await _make_accounts(session, cache, stale, urls, domain, now))
    return found
