"""Remote actors: fetched (signed as the instance actor), parsed, stored, and their keys served to
signature verification from a small in-memory cache."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.fetch import Fetched, Fetcher, FetchError
from federation.signatures import PublicKeyInfo
from federation.urls import key_belongs_to, same_origin
from federation.webfinger import WebfingerError, actor_id_from_jrd
from server.convert.as_to_actor import as_to_actor
from server.db.models import Actor
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.federation.signing import signer_for
from server.services.moderation.policies import Policies
from server.services.reading import stream_events
from server.services.verification.attestations_received import check_actor_attestation, store_checked

STALE_AFTER = timedelta(days=1)


class RemoteActorError(Exception):
    """The actor could not be fetched or is not acceptable; str() is the reason."""


class DomainRefused(RemoteActorError):
    """The domain policies forbid fetching from this host (final: not worth retrying)."""


class PolicyFetcher(Fetcher):
    """A Fetcher that refuses URLs (and redirect targets) on hosts the domain policies forbid."""

    def __init__(self, *args, policies: Policies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policies = policies

    def _check(self, url: str) -> None:
        decision = self.policies.effective(urlsplit(url).netloc.lower())
        if not decision.fetch:
            raise FetchError(f"not fetching {url[:200]}: {decision.reason}", status=403)

    async def fetch_json(self, url: str) -> Fetched:
        self._check(url)
        fetched = await super().fetch_json(url)
        self._check(fetched.url)
        return fetched

    async def get_jrd(self, url: str) -> dict:
        self._check(url)
        return await super().get_jrd(url)


def _decision(policies, url: str):
    return policies.effective(urlsplit(url).netloc.lower())


async def check_fetchable(runtime: Runtime, url: str) -> None:
    """Raise DomainRefused if the domain policies forbid fetching `url`."""
    decision = _decision(await runtime.policies.get(), url)
    if not decision.fetch:
        raise DomainRefused(f"not fetching {url[:200]}: {decision.reason}")


class KeyCache:
    """key id -> PublicKeyInfo, bounded, with a time to live: the inbox hot path never touches the database."""

    def __init__(self, size: int = 10_000, ttl: float = 600.0):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, PublicKeyInfo]] = OrderedDict()

    def get(self, key_id: str) -> PublicKeyInfo | None:
        item = self._items.get(key_id)
        if item is None or item[0] < time.monotonic():
            return None
        self._items.move_to_end(key_id)
        return item[1]

    def put(self, info: PublicKeyInfo) -> None:
        self._items[info.key_id] = (time.monotonic() + self.ttl, info)
        self._items.move_to_end(info.key_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, *key_ids: str) -> None:
        for key_id in key_ids:
            self._items.pop(key_id, None)

    def clear(self) -> None:
        self._items.clear()

    def replace_owner(self, info: PublicKeyInfo) -> None:
        """`info` is now its owner's key: any other key cached for that owner is forgotten."""
        for key_id in [k for k, (_, known) in self._items.items() if known.owner == info.owner]:
            del self._items[key_id]
        self.put(info)


async def use_new_key(runtime: Runtime, cache: KeyCache, info: PublicKeyInfo) -> None:
    """The actor `info.owner` announced a new key (in its own verified Update): verify with it from
    now on, here and in the database, so that no refetch brings back the old key."""
    cache.replace_owner(info)
    async with runtime.sessions() as session:
        old = await session.scalar(select(Actor.public_key_id).where(Actor.uri == info.owner))
        await stream_events.keys_changed(session, [old, info.key_id])  # other processes' caches
        await session.execute(update(Actor).where(Actor.uri == info.owner, Actor.local.is_(False))
                              .values(public_key_id=info.key_id, public_key_pem=info.pem))
        await _void_other_claims(session, info.owner, info.key_id)
        await session.commit()


async def _void_other_claims(session: AsyncSession, owner: str, key_id: str | None) -> None:
    """A key id has one owner: the actor whose document, served by the key's origin, named it last.
    Any other actor's claim to it (stored before, or by a document that no longer names it) is void."""
    if key_id:
        voided = await session.execute(update(Actor).where(Actor.public_key_id == key_id, Actor.uri != owner,
                                                           Actor.local.is_(False))
                                       .values(public_key_id=None, public_key_pem=None))
        if voided.rowcount:
            await stream_events.keys_changed(session, [key_id])


async def apply_profile(session: AsyncSession, parsed: vocab.Actor, row: Actor | None) -> Actor:
    """as_to_actor; a key it replaces leaves every process's key cache."""
    old = (row.public_key_id, row.public_key_pem) if row is not None else (None, None)
    row = as_to_actor(parsed, row)
    if old[0] and old != (row.public_key_id, row.public_key_pem):
        await stream_events.keys_changed(session, [old[0]])
    return row


async def make_fetcher(runtime: Runtime) -> Fetcher:
    """A Fetcher that signs its GETs as the instance actor (for servers in authorized-fetch mode)."""
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain)
    settings = runtime.settings
    return PolicyFetcher(runtime.http, sign=signer_for(instance), allow_http=settings.allow_http,
                         allow_private=settings.allow_private_addresses, policies=await runtime.policies.get())


async def _store(session: AsyncSession, parsed: vocab.Actor) -> Actor:
    row = (await session.execute(select(Actor).where(Actor.uri == parsed.id))).scalar_one_or_none()
    if row is not None and row.local:
        raise RemoteActorError(f"{parsed.id} is a local actor")
    row = await apply_profile(session, parsed, row)
    try:
        async with session.begin_nested():  # added inside, so that a clash leaves nothing pending
            session.add(row)
            await session.flush()
    except IntegrityError:  # stored meanwhile by a concurrent request, or a username clash on that domain
        row = (await session.execute(select(Actor).where(Actor.uri == parsed.id))).scalar_one_or_none()
        if row is None:
            raise RemoteActorError(f"{parsed.id} clashes with a known actor") from None
        await apply_profile(session, parsed, row)
    await _void_other_claims(session, row.uri, row.public_key_id)
    return row


def _fresh(row: Actor) -> bool:
    return row.fetched_at is not None and utcnow() - row.fetched_at < STALE_AFTER


async def fresh_remote_actors(runtime: Runtime, session: AsyncSession, uris: list[str]) -> dict[str, Actor]:
    """Those of the remote actors that fetch_actor would return from the database without fetching
    (stored, fresh, of a domain the policies let us fetch from), by uri, in one query."""
    policies = await runtime.policies.get()
    rows = (await session.execute(select(Actor).where(Actor.uri.in_(set(uris)), Actor.local.is_(False)))).scalars()
    return {row.uri: row for row in rows
            if _fresh(row) and _decision(policies, row.uri).fetch}


async def fetch_actor(runtime: Runtime, session: AsyncSession, uri: str, *, refresh: bool = False,
                      strict: bool = False) -> Actor:
    """The actor with id `uri`: from the database while fresh, else fetched from its origin and stored.
    Raises DomainRefused for an actor of a domain the policies forbid (known or not); `strict`: raises
    RemoteActorError when the origin does not answer, rather than keeping the stored copy."""
    row = (await session.execute(select(Actor).where(Actor.uri == uri))).scalar_one_or_none()
    if row is None or not row.local:
        await check_fetchable(runtime, uri)
    if row is not None and (row.local or (not refresh and _fresh(row))):
        return row
    fetcher = await make_fetcher(runtime)
    try:
        fetched = await fetcher.fetch_json(uri)
        parsed = vocab.parse_actor(fetched.data, allow_http=runtime.settings.allow_http)
    except (FetchError, vocab.VocabError) as exc:
        if row is not None and not strict:  # keep what we know when the origin is down
            return row
        raise RemoteActorError(f"cannot fetch actor {uri}: {exc.reason}") from None
    if parsed.id != uri and not same_origin(parsed.id, uri):
        raise RemoteActorError(f"actor document at {uri} claims foreign id {parsed.id}")
    if not same_origin(parsed.id, fetched.url):
        raise RemoteActorError(f"actor {parsed.id} was served from another origin ({fetched.url})")
    checked = await check_actor_attestation(runtime, fetcher, fetched.data, parsed.id)  # network before writes
    row = await _store(session, parsed)
    await store_checked(session, row, checked)
    return row


async def resolve_acct(runtime: Runtime, session: AsyncSession, user: str, domain: str) -> Actor:
    """WebFinger user@domain and fetch the actor it names."""
    if domain.lower() != runtime.settings.domain:
        await check_fetchable(runtime, f"https://{domain}/")
    rows = list((await session.execute(select(Actor).where(
        Actor.domain == domain.lower(), func.lower(Actor.username) == user.lower()))).scalars())
    if len(rows) == 1 and (rows[0].local or _fresh(rows[0])):
        return rows[0]  # one known actor by that name; with two (a Lemmy user and group), WebFinger decides
    fetcher = await make_fetcher(runtime)
    try:
        jrd = await fetcher.webfinger(f"{user}@{domain}")
        actor_id = actor_id_from_jrd(jrd)
    except (FetchError, WebfingerError) as exc:
        raise RemoteActorError(f"cannot find {user}@{domain}: {exc.reason}") from None
    return await fetch_actor(runtime, session, actor_id, refresh=True)


async def _key_owner(runtime: Runtime, key_id: str) -> str:
    """The actor a key id belongs to: the part before '#', or (for key ids without a fragment, as
    GoToSocial's /main-key) the owner named by the document served at the key id, on its origin."""
    if "#" in key_id:
        return key_id.split("#", 1)[0]
    fetcher = await make_fetcher(runtime)
    try:
        fetched = await fetcher.fetch_json(key_id)
    except FetchError as exc:
        raise RemoteActorError(f"cannot fetch key {key_id}: {exc.reason}") from None
    if not same_origin(fetched.url, key_id):
        raise RemoteActorError(f"key {key_id} was served from another origin ({fetched.url})")
    doc = fetched.data
    key = doc.get("publicKey") if isinstance(doc.get("publicKey"), dict) else doc
    owner = key.get("owner") if isinstance(key.get("owner"), str) else doc.get("id")
    if not isinstance(owner, str) or not same_origin(owner, key_id):
        raise RemoteActorError(f"key {key_id} names no owner on its origin")
    return owner


async def _stored_owner(session: AsyncSession, key_id: str) -> Actor | None:
    """The one stored actor whose claim to `key_id` its origin would confirm (see key_belongs_to), in
    one query; None if there is none, or more than one (then the key's origin is asked who owns it)."""
    claimants = (await session.execute(select(Actor).where(Actor.public_key_id == key_id))).scalars()
    owners = [row for row in claimants if key_belongs_to(key_id, row.uri)]
    return owners[0] if len(owners) == 1 else None


def make_key_resolver(runtime: Runtime, cache: KeyCache):
    """The KeyResolver federation.signatures.verify_request takes: cache, then database, then the key's
    origin. A refresh asks the key's origin who owns the key (key_owner), never a stored claim.
    Concurrent lookups of one key share a single database query and fetch."""
    inflight: dict[tuple[str, bool], asyncio.Future] = {}

    async def lookup(key_id: str, refresh: bool) -> PublicKeyInfo | None:
        async with runtime.sessions() as session:
            row = None if refresh else await _stored_owner(session, key_id)
            if row is None:
                try:
                    row = await fetch_actor(runtime, session, await _key_owner(runtime, key_id), refresh=True)
                except RemoteActorError:
                    return None
                await session.commit()
        if row.public_key_id != key_id or not row.public_key_pem:
            return None
        info = PublicKeyInfo(key_id=key_id, owner=row.uri, pem=row.public_key_pem)
        cache.put(info)
        return info

    async def resolve(key_id: str, refresh: bool) -> PublicKeyInfo | None:
        if not refresh and (info := cache.get(key_id)):
            return info
        task = inflight.get((key_id, refresh))
        if task is None:
            task = asyncio.ensure_future(lookup(key_id, refresh))
            inflight[(key_id, refresh)] = task
            task.add_done_callback(lambda _: inflight.pop((key_id, refresh), None))
        return await asyncio.shield(task)

    return resolve
