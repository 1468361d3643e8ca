"""What a handler works with: the parsed activity, the session, and origin-checked lookups.

Origin rules (as Mastodon applies them): an embedded object is trusted only when the activity is
its actor's word (see `authentic`) and the object's id is on the actor's origin; otherwise it is
fetched from its own origin. Network work (fetching
actors and objects) comes before a handler's writes, and newly fetched actors are committed at
once, so that no transaction stays open across a remote fetch (on SQLite it would hold the write
lock that every inbox POST needs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.fetch import Fetched, Fetcher, FetchError
from federation.urls import same_origin
from federation.vocab.values import id_of
from server.db.models import Actor, Post
from server.runtime import Runtime
from server.services.federation.inbox.batch import PostBatch
from server.services.federation.remote_actors import DomainRefused, RemoteActorError, fetch_actor
from server.services.moderation.incoming import suspended_among


class Refused(Exception):
    """The activity breaks a rule (origin, authorship, visibility): it is dropped, never retried."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Transient(Exception):
    """Something remote failed (fetch, actor lookup): the activity is tried again later."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def fetch_failed(what: str, exc: FetchError) -> Exception:
    """A 4xx (other than 429) is the origin's final word; anything else may pass."""
    if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
        return Refused(f"cannot fetch {what}: {exc.reason}")
    return Transient(f"cannot fetch {what}: {exc.reason}")


_POST_BY_URI = select(Post).where(Post.uri == bindparam("uri"))  # built once: asked for most activities


@dataclass
class InboxContext:
    runtime: Runtime
    session: AsyncSession
    activity: vocab.Activity
    signer: str  # who vouches for the activity: the request's verified signer, or its actor if fetched from its origin
    fetcher_source: Callable[[], Awaitable[Fetcher]]
    actors: dict[str, Actor] = field(default_factory=dict, repr=False)  # shared by a batch's activities
    batch: PostBatch = field(default_factory=PostBatch, repr=False)  # likewise
    suspended: set[str] | None = field(default=None, repr=False)  # the batch's suspended actors, if looked up
    document: dict[str, Any] | None = field(default=None, repr=False)  # the activity as received (to forward it)
    _actor: Actor | None = field(default=None, repr=False)
    _object_doc: dict[str, Any] | None = field(default=None, repr=False)
    object_was_embedded: bool = field(default=False, repr=False)  # object_doc is the activity's embedded copy
    _handed_on: tuple[str, Post] | None = field(default=None, repr=False)  # see post()

    @property
    def allow_http(self) -> bool:
        return self.runtime.settings.allow_http

    @property
    def object_id(self) -> str | None:
        return self.activity.object_id

    @property
    def authentic(self) -> bool:
        """Whether the activity is its actor's word: signed by the actor's own key (or fetched from its
        origin). Otherwise nothing in its body is trusted: see server.services.federation.inbox.forwarded."""
        return self.signer == self.activity.actor

    async def actor(self) -> Actor:
        """The activity's (remote) actor, from the database or fetched."""
        if self._actor is None:
            self._actor = await self.remote_actor(self.activity.actor)
        return self._actor

    async def remote_actor(self, uri: str) -> Actor:
        """A remote actor by id, fetched and committed if unknown or stale."""
        if uri in self.actors:
            return self.actors[uri]
        await self.session.commit()  # fetch_actor may fetch: no transaction stays open across it (see above)
        try:
            actor = await fetch_actor(self.runtime, self.session, uri)
        except DomainRefused as exc:
            raise Refused(str(exc)) from None
        except RemoteActorError as exc:
            raise Transient(str(exc)) from None
        if actor.local:
            raise Refused(f"{uri} is a local actor")
        if self.session.new or self.session.dirty:
            await self.session.commit()
        self.actors[uri] = actor
        return actor

    async def actor_suspended(self) -> bool:
        """Whether the activity's actor is suspended here (looked up for the batch, or now)."""
        if self.suspended is None:
            self.suspended = await suspended_among(self.session, [self.activity.actor])
        return self.activity.actor in self.suspended

    async def local_actor(self, uri: str | None) -> Actor | None:
        if uri is None or not same_origin(uri, self.runtime.settings.base_url):
            return None
        query = select(Actor).where(Actor.uri == uri, Actor.local.is_(True))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def known_actor(self, uri: str | None) -> Actor | None:
        if uri is None:
            return None
        return (await self.session.execute(select(Actor).where(Actor.uri == uri))).scalar_one_or_none()

    async def post(self, uri: str | None, *, hand_on: bool = False) -> Post | None:
        """The stored post of that id. With `hand_on` (dispatch finding what an activity is about), the next ask
        for the same id, the handler's first, gets the post found without asking the database again."""
        if uri is None:
            return None
        if self._handed_on is not None and self._handed_on[0] == uri:
            post, self._handed_on = self._handed_on[1], None
            return post
        post = (await self.session.execute(_POST_BY_URI, {"uri": uri})).scalar_one_or_none()
        if hand_on and post is not None:
            self._handed_on = (uri, post)
        return post

    def embedded(self) -> dict[str, Any] | None:
        """The first object when it came embedded (untrusted: see object_doc)."""
        first = self.activity.object
        return first if isinstance(first, dict) else None

    async def object_doc(self) -> dict[str, Any]:
        """The activity's object as a trusted document: embedded if the activity is authentic and the
        object on its actor's origin, else fetched."""
        if self._object_doc is None:
            embedded, object_id = self.embedded(), self.object_id
            if object_id is None:
                raise Refused("the object has no usable id")
            if embedded is not None and self.authentic and same_origin(object_id, self.activity.actor):
                self._object_doc, self.object_was_embedded = embedded, True
            else:
                self._object_doc = await self.fetch_object(object_id)
        return self._object_doc

    async def fetch_object(self, uri: str) -> dict[str, Any]:
        """GET `uri` from its origin; the document must come from, and carry an id on, that origin."""
        try:
            fetched = await self.fetch_json(uri)
        except FetchError as exc:
            raise fetch_failed(uri, exc) from None
        doc_id = id_of(fetched.data.get("id"), allow_http=self.allow_http)
        if doc_id is None or not same_origin(doc_id, uri) or not same_origin(fetched.url, uri):
            raise Refused(f"{uri} served a document of another origin ({doc_id}, from {fetched.url})")
        return fetched.data

    async def fetch_json(self, uri: str) -> Fetched:
        """GET `uri` (FetchError as the fetcher raises it), holding no transaction across the fetch
        (on SQLite it would hold the write lock)."""
        await self.session.commit()
        return await (await self.fetcher_source()).fetch_json(uri)
