"""ActivityPub endpoints: actors and their collections (outbox, followers, following, featured posts and tags).

A community closed to visitors (server.services.instance.settings.open_to_visitors off) shows the posts of
its outboxes and featured collections to signed fetches only, that is to the servers it federates with: they
receive those posts anyway when they follow a member. An unsigned fetch gets the collection without its items
(its totalItems, as a profile's post count shows). Followers deliveries do not depend on this at all."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.ap import negotiate
from server.caches import Bounded, actor_key
from server.convert.actor_to_as import AS_NS
from server.convert.featured_tag_to_mastodon import featured_tag_to_as, featured_tags_collection
from server.convert.post_to_as import announce_activity, create_activity, post_to_note
from server.db.ids import MAX_ID, as_id
from server.db.models import Actor, Follow, Post
from server.db.models.posts import stays_local
from server.runtime import Runtime
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.posts.bookmarks_and_pins import pinned_posts
from server.services.reading import timelines as reading
from server.services.social.account_publicity import is_public
from server.services.social.featured_tags import featured
from server.services.social.visibility_to_servers import OPEN, find_member
from server.services.verification.attestations_issued import actor_document, published_attestation, revocation_list

OUTBOX_PAGE = 20
FOLLOWS_PAGE = 12  # Mastodon's page size for followers/following
DOCUMENT_TTL = 30.0  # seconds another process's profile edit may take to show here
CACHED_DOCUMENTS = 10_000


def actor_documents(runtime: Runtime) -> Bounded:
    """username in lower case -> serialised actor document. Changes in this process drop it at commit
    (server.caches.forget_actor); changes made by other processes show once the entry expires."""
    return runtime.caches.use("actor_documents", lambda: Bounded(CACHED_DOCUMENTS, DOCUMENT_TTL))


def jrd_documents(runtime: Runtime) -> Bounded:
    """WebFinger answers by username in lower case ("" for the instance actor)."""
    return runtime.caches.use("webfinger", lambda: Bounded(CACHED_DOCUMENTS, DOCUMENT_TTL))


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def _member(request: Request, session: AsyncSession) -> Actor | None:
    runtime = _runtime(request)
    return await find_member(session, runtime.settings.domain, runtime.urls.instance_actor,
                             request.path_params["username"])


async def actor(request: Request) -> Response:
    """`/users/{username}` and `/@{username}`: the actor document, or a page / redirect for browsers."""
    runtime = _runtime(request)
    username = request.path_params["username"]
    if not negotiate.wants_activity_json(request.headers.get("accept")):
        if not request.url.path.startswith("/users/"):
            return await negotiate.web_page(request, "profile")  # /@user, also /@user@remote.domain
        async with runtime.sessions() as session:
            member = await _member(request, session)
        if member is None:
            return negotiate.not_found(request)
        return negotiate.redirect(runtime.urls.profile(member.username))
    settings = runtime.settings
    restricted = settings.authorized_fetch and not negotiate.is_signed(request)
    if settings.authorized_fetch and not restricted:
        async with runtime.sessions() as session:
            await negotiate.signing_actor(request, session, required=True)
    cache = actor_documents(_runtime(request))
    if not restricted and (body := cache.get(actor_key(username))) is not None:
        return negotiate.activity_response(body)
    async with runtime.sessions() as session:
        member = await _member(request, session)
        if member is None:
            return negotiate.not_found(request)
        body = negotiate.dumps(await actor_document(session, settings, member, restricted=restricted))
    if not restricted:
        cache.put(actor_key(username), body)
    return negotiate.activity_response(body)


async def instance_actor(request: Request) -> Response:
    """`/actor`: always served, unsigned too, so that servers in secure mode can check our fetches."""
    runtime = _runtime(request)
    row = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain)
    async with runtime.sessions() as session:
        document = await actor_document(session, runtime.settings, row)
        await session.commit()  # the Ed25519 key, made on first use
    return negotiate.activity_response(document)


async def revoked_credentials(request: Request) -> Response:
    """`/credentials/revoked`: the signed list of withdrawn membership attestations."""
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        document = await revocation_list(session, runtime.settings)
        await session.commit()
    return negotiate.activity_response(document, headers={"Cache-Control": "max-age=60"})


async def credential(request: Request) -> Response:
    """`/credentials/{id}`: a verified member's signed attestation, which their actor names by this URL."""
    runtime = _runtime(request)
    verification_id = request.path_params["id"]
    async with runtime.sessions() as session:
        if runtime.settings.authorized_fetch:
            await negotiate.signing_actor(request, session, required=True)
        document = await published_attestation(session, verification_id) if verification_id <= MAX_ID else None
    if document is None:
        return negotiate.not_found(request)
    return negotiate.activity_response(document, headers={"Cache-Control": "max-age=300"})


def _collection(collection_id: str, total: int, **links: str) -> dict[str, Any]:
    return {"@context": AS_NS, "id": collection_id, "type": "OrderedCollection", "totalItems": total, **links}


async def instance_outbox(request: Request) -> Response:
    return negotiate.activity_response(_collection(f"{_runtime(request).urls.instance_actor}/outbox", 0,
                                                   orderedItems=[]))


async def _collection_owner(request: Request, session: AsyncSession) -> Actor | None:
    """The member whose collection is asked for, after the signature check authorized fetch needs."""
    await negotiate.signing_actor(request, session, required=_runtime(request).settings.authorized_fetch)
    return await _member(request, session)


async def _posts_owner(request: Request, session: AsyncSession) -> tuple[Actor | None, bool]:
    """The member whose collection of posts is asked for, and whether the requester may read its items
    (reading.admit: signed fetches always; unsigned ones when the community is open to visitors)."""
    signer = await negotiate.signing_actor(request, session, required=_runtime(request).settings.authorized_fetch)
    member = await _member(request, session)
    try:
        await reading.admit(session, signer)
    except reading.MembersOnly:
        return member, False
    return member, True


def _outbox_query(author_id: int):
    return select(Post).where(Post.author_id == author_id, Post.local.is_(True), Post.visibility.in_(OPEN))


async def _outbox_item(session: AsyncSession, post: Post, runtime: Runtime) -> dict[str, Any] | None:
    if stays_local(post):
        return None
    if post.boost_of_id is None:
        return create_activity(post, runtime.urls)
    boosted = await session.get(Post, post.boost_of_id)
    if boosted is None or boosted.visibility not in OPEN or stays_local(boosted):
        return None
    return announce_activity(post, boosted, runtime.urls)


async def outbox(request: Request) -> Response:
    """Create/Announce activities of public and unlisted posts, newest first, paged by id."""
    runtime = _runtime(request)
    async with negotiate.reads(request) as session:
        member, admitted = await _posts_owner(request, session)
        if member is None:
            return negotiate.not_found(request)
        outbox_id, params = member.outbox or runtime.urls.outbox(member.username), request.query_params
        if not params.get("page") or not admitted:
            total = await session.scalar(select(func.count()).select_from(_outbox_query(member.id).subquery()))
            pages = {"first": f"{outbox_id}?page=true", "last": f"{outbox_id}?min_id=0&page=true"} if admitted else {}
            return negotiate.activity_response(_collection(outbox_id, int(total or 0), **pages))
        query = _outbox_query(member.id)
        max_id, min_id = as_id(params.get("max_id")), as_id(params.get("min_id"))
        if max_id is not None:
            query = query.where(Post.id < max_id)
        if min_id is not None and max_id is None:
            query = query.where(Post.id > min_id).order_by(Post.id.asc())
        else:
            query = query.order_by(Post.id.desc())
        posts = sorted((await session.execute(query.limit(OUTBOX_PAGE))).scalars(), key=lambda p: -p.id)
        items = [i for i in [await _outbox_item(session, p, runtime) for p in posts] if i]
    for item in items:
        item.pop("@context", None)
    bound = f"max_id={max_id}&" if max_id is not None else f"min_id={min_id}&" if min_id is not None else ""
    page: dict[str, Any] = {"@context": AS_NS, "id": f"{outbox_id}?{bound}page=true",
                            "type": "OrderedCollectionPage", "partOf": outbox_id, "orderedItems": items}
    if posts:
        page["next"] = f"{outbox_id}?max_id={posts[-1].id}&page=true"
        page["prev"] = f"{outbox_id}?min_id={posts[0].id}&page=true"
    return negotiate.activity_response(page)


async def _follows_page(request: Request, *, followers: bool) -> Response:
    runtime = _runtime(request)
    async with negotiate.reads(request) as session:
        member = await _collection_owner(request, session)
        if member is None:
            return negotiate.not_found(request)
        own, other = (Follow.followed_id, Follow.follower_id) if followers else (Follow.follower_id, Follow.followed_id)
        accepted = select(Follow.id, other.label("other_id")).join(Actor, Actor.id == other).where(
            own == member.id, Follow.state == "accepted", is_public())
        follows = accepted.subquery()
        collection_id = (member.followers_url if followers else member.following_url) or \
            (runtime.urls.followers if followers else runtime.urls.following)(member.username)
        number = as_id(request.query_params.get("page"))
        if not (number and number < 1_000_000):
            total = await session.scalar(select(func.count()).select_from(follows))
            return negotiate.activity_response(_collection(collection_id, int(total or 0),
                                                           first=f"{collection_id}?page=1"))
        rows = (await session.execute(
            select(Actor.uri).join(follows, Actor.id == follows.c.other_id)
            .order_by(follows.c.id.desc()).offset((number - 1) * FOLLOWS_PAGE).limit(FOLLOWS_PAGE + 1)
        )).scalars().all()
        total = await session.scalar(select(func.count()).select_from(follows))
    page: dict[str, Any] = {"@context": AS_NS, "id": f"{collection_id}?page={number}", "type": "OrderedCollectionPage",
                            "totalItems": int(total or 0), "partOf": collection_id,
                            "orderedItems": list(rows[:FOLLOWS_PAGE])}
    if len(rows) > FOLLOWS_PAGE:
        page["next"] = f"{collection_id}?page={number + 1}"
    if number > 1:
        page["prev"] = f"{collection_id}?page={number - 1}"
    return negotiate.activity_response(page)


async def followers(request: Request) -> Response:
    return await _follows_page(request, followers=True)


async def following(request: Request) -> Response:
    return await _follows_page(request, followers=False)


async def featured_posts(request: Request) -> Response:
    """Pinned posts, as Mastodon serves them: the Notes themselves, latest pinned first (only public and
    unlisted posts can be pinned; one in a members-only thread is left out)."""
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        member, admitted = await _posts_owner(request, session)
        if member is None:
            return negotiate.not_found(request)
        pinned = await pinned_posts(session, member.id) if admitted else []
        notes = [post_to_note(p, runtime.urls, context=False) for p in pinned
                 if p.visibility in OPEN and not stays_local(p)]
    return negotiate.activity_response(_collection(f"{member.uri}/collections/featured", len(notes),
                                                   orderedItems=notes))


async def featured_tags(request: Request) -> Response:
    """The member's featured hashtags, as Mastodon serves them: a Collection of Hashtag objects."""
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        member = await _collection_owner(request, session)
        if member is None:
            return negotiate.not_found(request)
        tags = [featured_tag_to_as(f.row, runtime.urls) for f in await featured(session, member)]
    return negotiate.activity_response({"@context": AS_NS, "id": featured_tags_collection(member.uri),
                                        "type": "Collection", "totalItems": len(tags), "items": tags})


GET = ["GET", "HEAD"]
ROUTES: list[Route] = [
    Route("/actor", instance_actor, methods=GET),
    Route("/actor/outbox", instance_outbox, methods=GET),
    Route("/credentials/revoked", revoked_credentials, methods=GET),
    Route("/credentials/{id:int}", credential, methods=GET),
    Route("/users/{username}", actor, methods=GET),
    Route("/@{username}", actor, methods=GET),
    Route("/users/{username}/outbox", outbox, methods=GET),
    Route("/users/{username}/followers", followers, methods=GET),
    Route("/users/{username}/following", following, methods=GET),
    Route("/users/{username}/collections/featured", featured_posts, methods=GET),
    Route("/users/{username}/collections/tags", featured_tags, methods=GET),
]
