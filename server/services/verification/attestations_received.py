"""Verification that travels, receiving side: the attestation a remote actor names (by URL, on its own
origin; embedded, from older Curbsides) is checked when the actor is fetched or updated (proof, key on the
issuer's origin, subject, dates, the issuer's revocation list) and the outcome stored. Whether a badge shows
is decided later, when shown (server.services.verification.badges): only for trusted issuers, never once
expired."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession

from federation.attestation import AttestationClaims, is_revoked, verify_attestation
from federation.fetch import Fetcher, FetchError
from federation.integrity import IntegrityError
from federation.multikey import MultikeyError, parse_multikey_document
from federation.urls import same_origin
from server.caches import Bounded
from server.convert.actor_to_as import ATTESTATION
from server.convert.as_to_actor import actor_domain
from server.db.models import Actor, RemoteAttestation
from server.db.types import utcnow
from server.runtime import Runtime

log = logging.getLogger("curbside.attestations")
KEY_TTL = 600.0
LIST_TTL = 300.0
MAX_ENTRIES = 1000
UNAVAILABLE = frozenset({"attestation_unavailable", "revocation_list_unavailable"})  # a fetch that failed, for now


@dataclass(frozen=True)
class Checked:
    state: str  # valid | refused | revoked
    reason: str | None
    claims: AttestationClaims | None


def _cache(runtime: Runtime, name: str, ttl: float) -> Bounded:
    return runtime.caches.use(name, lambda: Bounded(MAX_ENTRIES, ttl))


def issuer_key_resolver(runtime: Runtime, fetcher: Fetcher):
    """A federation.integrity KeyResolver: the Multikey `method` names, read from the `assertionMethod` of
    the document served at `method` without its fragment (the issuer's instance actor), on its own origin."""
    cache = _cache(runtime, "issuer_keys", KEY_TTL)

    async def resolve(method: str) -> tuple[str, Ed25519PublicKey] | None:
        if (found := cache.get(method)) is not None:
            return found
        document_url = method.split("#", 1)[0]
        try:
            fetched = await fetcher.fetch_json(document_url)
        except FetchError as exc:
            log.info("cannot fetch the key %s: %s", method, exc.reason)
            return None
        doc = fetched.data
        if doc.get("id") != document_url or not same_origin(fetched.url, document_url):
            return None
        entries = doc.get("assertionMethod")
        for entry in (entries if isinstance(entries, list) else [entries])[:20]:
            if isinstance(entry, dict) and entry.get("id") == method:
                try:
                    _, controller, key = parse_multikey_document(entry)
                except MultikeyError:
                    return None
                if controller != doc["id"]:
                    return None
                cache.put(method, (controller, key))
                return controller, key
        return None

    return resolve


async def _revoked(runtime: Runtime, fetcher: Fetcher, claims: AttestationClaims) -> bool:
    if claims.revocation_list is None:
        return False
    cache = _cache(runtime, "revocation_lists", LIST_TTL)
    doc = cache.get(claims.revocation_list)
    if doc is None:
        fetched = await fetcher.fetch_json(claims.revocation_list)
        if not same_origin(fetched.url, claims.revocation_list):
            raise IntegrityError("foreign_revocation_list", f"redirected to {fetched.url}")
        doc = fetched.data
        cache.put(claims.revocation_list, doc)
    return is_revoked(doc, claims.credential_id)


async def _attestation(fetcher: Fetcher, named: object, actor_id: str) -> object:
    """The attestation an actor names by URL, fetched from the actor's own origin; older Curbsides embed it."""
    if not isinstance(named, str):
        return named
    if not same_origin(named, actor_id):
        raise IntegrityError("foreign_attestation", f"{named} is not on the origin of {actor_id}")
    try:
        fetched = await fetcher.fetch_json(named)
    except FetchError as exc:
        log.info("attestation %s unavailable: %s", named, exc.reason)
        raise IntegrityError("attestation_unavailable", exc.reason) from None
    if not same_origin(fetched.url, named) or fetched.data.get("id") != named:
        raise IntegrityError("foreign_attestation", f"{named} served {fetched.data.get('id')!r} from {fetched.url}")
    return fetched.data


async def check_actor_attestation(runtime: Runtime, fetcher: Fetcher, document: dict, actor_id: str) -> Checked | None:
    """Check the attestation a (trusted, origin-checked) actor document names; None when it names none.

    Network work only, no database: call before opening a write.
    """
    named = document.get(ATTESTATION)
    if named is None:
        return None
    try:
        attestation = await _attestation(fetcher, named, actor_id)
        claims = await verify_attestation(attestation, actor_id=actor_id, now=utcnow(),
                                          resolve_key=issuer_key_resolver(runtime, fetcher))
    except IntegrityError as exc:
        log.info("attestation of %s refused: %s", actor_id, exc)
        return Checked("refused", exc.reason, None)
    try:
        revoked = await _revoked(runtime, fetcher, claims)
    except IntegrityError as exc:
        return Checked("refused", exc.reason, None)
    except FetchError as exc:
        log.info("revocation list %s unavailable: %s", claims.revocation_list, exc.reason)
        return Checked("refused", "revocation_list_unavailable", None)
    return Checked("revoked" if revoked else "valid", None, claims)


async def store_checked(session: AsyncSession, actor: Actor, checked: Checked | None) -> None:
    """Record the outcome for a (flushed) remote actor row; no attestation clears what was known, an attestation
    or revocation list that cannot be fetched just now keeps it.

    A "Verified" profile field is the plain-text stand-in for servers that cannot check attestations:
    here the checked badge replaces it, so a field anyone can type never passes for one.
    """
    if checked is not None:
        actor.fields = [f for f in actor.fields or [] if str(f.get("name", "")).strip().lower() != "verified"]
    row = await session.get(RemoteAttestation, actor.id)
    if checked is None:
        if row is not None:
            await session.delete(row)
        return
    if row is not None and checked.reason in UNAVAILABLE:
        return  # what was known stands (a badge still ends with its credential's validUntil)
    if row is None:
        row = RemoteAttestation(actor_id=actor.id)
        session.add(row)
    claims = checked.claims
    row.state, row.reason, row.checked_at = checked.state, checked.reason, utcnow()
    row.credential_id = claims.credential_id if claims else None
    row.issuer = claims.issuer if claims else None
    row.issuer_domain = actor_domain(claims.issuer) if claims else None
    row.profession = claims.profession[:64] if claims else None
    row.specialty_code = claims.specialty_code[:32] if claims else None
    row.specialty_name = claims.specialty_name[:200] if claims else None
    row.jurisdiction = claims.jurisdiction[:64] if claims else None
    row.valid_from = claims.valid_from if claims else None
    row.valid_until = claims.valid_until if claims else None
    await session.flush()
