"""Discovery: WebFinger, host-meta and NodeInfo. Always open, even in authorized-fetch mode, so
that other servers can find us and bootstrap a signed conversation."""
from __future__ import annotations

import importlib.metadata
import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federation import nodeinfo as ni
from federation.webfinger import (
    JRD_CONTENT_TYPE,
    XRD_CONTENT_TYPE,
    WebfingerError,
    build_jrd,
    host_meta_xml,
    parse_acct,
)
from server.ap.actors import jrd_documents
from server.ap.negotiate import dumps
from server.caches import Bounded, actor_key
from server.db.models import Actor, Post
from server.db.types import utcnow
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.groups.registry import group_named
from server.services.instance.settings import registration_mode
from server.services.instance.site import MASTODON_COMPAT
from server.services.social.account_publicity import public_members
from server.services.social.visibility_to_servers import find_member
from server.settings import Settings
from server.urls import LocalUrls

CORS = {"Access-Control-Allow-Origin": "*"}
HOMEPAGE = "https://github.com/curbside"
NODEINFO_TTL = 60.0  # seconds; counting posts on a big table is not free
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986 3.1


class BadResource(ValueError):
    """A WebFinger resource we cannot read (400), as opposed to one we do not have (404)."""


def _version() -> str:
    try:
        return importlib.metadata.version("curbside")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


VERSION = _version()


def _username_from_url(resource: str, urls: LocalUrls) -> str | None:
    """The username in one of our actor or profile URLs; None for URLs of other places."""
    for prefix in (urls.actor(""), urls.profile(""), urls.group("")):
        if resource.startswith(prefix):
            rest = resource[len(prefix):]
            return rest if rest and "/" not in rest and "?" not in rest and "#" not in rest else None
    return None


def resource_target(resource: str | None, settings: Settings, urls: LocalUrls) -> str | None:
    """The local username a resource names, "" for the instance actor, None for nothing of ours.

    Raises BadResource for a missing or unreadable resource.
    """
    if not resource:
        raise BadResource("resource parameter missing")
    domain = settings.domain
    if resource.lower() in (f"acct:{domain}@{domain}", urls.instance_actor):
        return ""
    if resource.startswith(("http://", "https://")):
        if urlsplit(resource).netloc.lower() != domain:
            return None
        return _username_from_url(resource, urls)
    if (scheme := _SCHEME.match(resource)) and scheme.group(0).lower() != "acct:":
        return None  # mailto:, did:, ...: a resource we do not have (RFC 7033 4.2), not a malformed one
    try:
        user, host = parse_acct(resource)
    except WebfingerError as exc:
        raise BadResource(exc.reason) from None
    return user if host == domain else None


async def _federated_group(session: AsyncSession, domain: str, name: str) -> Actor | None:
    """A group's actor, unless the group is members-only (never federated)."""
    group = await group_named(session, domain, name)
    return group.actor if group is not None and not group.members_only else None


async def webfinger(request: Request) -> Response:
    """The JRD of a member or the instance actor, from a cache shared with the actor documents."""
    runtime = request.app.state.runtime
    settings, urls = runtime.settings, runtime.urls
    try:
        target = resource_target(request.query_params.get("resource"), settings, urls)
    except BadResource as exc:
        return JSONResponse({"error": str(exc)}, status_code=400, headers=CORS)
    cache = jrd_documents(runtime)
    if target is not None and (body := cache.get(actor_key(target))) is not None:
        return Response(body, media_type=JRD_CONTENT_TYPE, headers=CORS)
    if target == "":
        actor = await ensure_instance_actor(runtime.sessions, urls, settings.domain)
    elif target is None:
        actor = None
    else:
        async with runtime.sessions() as session:
            actor = await find_member(session, settings.domain, urls.instance_actor, target) \
                or await _federated_group(session, settings.domain, target)
    if actor is None:
        return JSONResponse({"error": "Not Found"}, status_code=404, headers=CORS)
    jrd = build_jrd(subject=f"acct:{actor.username}@{settings.domain}", actor_id=actor.uri,
                    profile_url=actor.url or actor.uri,
                    aliases=list(dict.fromkeys([actor.url or actor.uri, actor.uri])))
    body = dumps(jrd)
    cache.put(actor_key(target), body)
    return Response(body, media_type=JRD_CONTENT_TYPE, headers=CORS)


async def host_meta(request: Request) -> Response:
    xml = host_meta_xml(request.app.state.runtime.settings.base_url)
    return Response(xml, media_type=XRD_CONTENT_TYPE, headers=CORS)


async def nodeinfo_links(request: Request) -> Response:
    return JSONResponse(ni.discovery_document(request.app.state.runtime.settings.base_url), headers=CORS)


async def usage_counts(session: AsyncSession) -> dict[str, int]:
    """Members, members active in the last 30 and 180 days, and local posts (boosts excluded).

    "Active" means having written a post in that window: we do not record sign-ins, so this
    undercounts members who only read.
    """
    now = utcnow()
    members = public_members()

    async def active(days: int) -> int:
        query = (select(func.count(distinct(Post.author_id)))
                 .where(and_(Post.local.is_(True), Post.published >= now - timedelta(days=days),
                             Post.author_id.in_(members))))
        return int(await session.scalar(query) or 0)

    total = int(await session.scalar(select(func.count()).select_from(members.subquery())) or 0)
    posts = int(await session.scalar(select(func.count()).select_from(Post)
                                     .where(Post.local.is_(True), Post.boost_of_id.is_(None))) or 0)
    return {"total": total, "month": await active(30), "halfyear": await active(180), "posts": posts}


async def _cached_counts(request: Request) -> dict[str, int]:
    runtime = request.app.state.runtime
    cache = runtime.caches.use("nodeinfo_counts", lambda: Bounded(1, NODEINFO_TTL))
    if (counts := cache.get("usage")) is not None:
        return counts
    async with runtime.sessions() as session:
        counts = await usage_counts(session)
    cache.put("usage", counts)
    return counts


async def nodeinfo_document(request: Request) -> Response:
    version = request.path_params["version"]
    if version not in ni.VERSIONS:
        return JSONResponse({"error": "Not Found"}, status_code=404)
    settings = request.app.state.runtime.settings
    counts = await _cached_counts(request)
    async with request.app.state.runtime.sessions() as session:
        mode = await registration_mode(session, settings)
    document = ni.nodeinfo(version, software_name="curbside", software_version=VERSION, repository=HOMEPAGE,
                           homepage=HOMEPAGE, total_users=counts["total"], active_month=counts["month"],
                           active_halfyear=counts["halfyear"], local_posts=counts["posts"],
                           open_registrations=mode == "open",
                           metadata={"nodeName": settings.instance_name, **ni.mastodon_compatible(MASTODON_COMPAT)})
    return JSONResponse(document, media_type=ni.content_type(version), headers=CORS)


ROUTES: list[Route] = [
    Route("/.well-known/webfinger", webfinger, methods=["GET", "HEAD"]),
    Route("/.well-known/host-meta", host_meta, methods=["GET", "HEAD"]),
    Route("/.well-known/nodeinfo", nodeinfo_links, methods=["GET", "HEAD"]),
    Route("/nodeinfo/{version}", nodeinfo_document, methods=["GET", "HEAD"]),
]
