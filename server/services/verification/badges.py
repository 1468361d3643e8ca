"""The `curbside` object of Account entities (Mastodon apps ignore it): verified status, profession,
specialty by name, who verified. Local members show their verification in force; remote actors show a
badge only for a valid, unexpired attestation from a trusted verifier, else at most an unverified claim."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.actor_to_mastodon import iso
from server.db.models import Actor, MemberProfile, RemoteAttestation
from server.db.types import utcnow
from server.services.accounts.professional_profile import public_profile
from server.services.accounts.specialties import specialty_name
from server.services.instance.settings import trusted_verifiers
from server.services.verification.attestations_issued import current_verifications, profession_label

NONE = {"verified": False, "status": "none", "badge": None}


def badge_text(profession: str | None, specialty: str | None, by: str | None = None) -> str:
    """"Verified physician · Cardiology", with " — by society.example" for other instances' verifications."""
    text = f"Verified {profession_label(profession)}" + (f" · {specialty}" if specialty else "")
    return text + (f" — by {by}" if by else "")


def _local(profile: MemberProfile | None, verification, domain: str) -> dict:
    public = public_profile(profile)
    if verification is None:
        return {**NONE, "status": "unverified", **public}
    specialty = specialty_name(verification.specialty_code) or verification.specialty_code
    return {"verified": True, "status": "verified", "badge": badge_text(verification.profession, specialty),
            **public, "profession": verification.profession, "specialty_code": verification.specialty_code,
            "specialty": specialty, "jurisdiction": verification.jurisdiction, "verified_by": domain,
            "valid_until": iso(verification.valid_until)}


def _remote(row: RemoteAttestation | None, trusted: set[str], now: datetime) -> dict:
    if row is None or row.state != "valid" or row.valid_until is None or row.valid_until <= now \
            or (row.valid_from is not None and row.valid_from > now):
        return dict(NONE)
    claims = {"profession": row.profession, "specialty_code": row.specialty_code, "specialty": row.specialty_name,
              "jurisdiction": row.jurisdiction, "valid_until": iso(row.valid_until)}
    if row.issuer_domain not in trusted:
        return {"verified": False, "status": "unverified_claim", "badge": None, "claimed_by": row.issuer_domain,
                "claim": f"{badge_text(row.profession, row.specialty_name, row.issuer_domain)} (unverified claim)",
                **claims}
    return {"verified": True, "status": "verified", "verified_by": row.issuer_domain,
            "badge": badge_text(row.profession, row.specialty_name, row.issuer_domain), **claims}


async def curbside_entities(session: AsyncSession, actors: list[Actor], domain: str,
                            now: datetime | None = None) -> dict[int, dict]:
    """actor id -> its `curbside` object, in a few batched queries."""
    now = now or utcnow()
    local_ids = [a.id for a in actors if a.local]
    remote_ids = [a.id for a in actors if not a.local]
    profiles, verifications, remote, trusted = {}, {}, {}, set()
    if local_ids:
        profiles = {p.actor_id: p for p in (await session.execute(
            select(MemberProfile).where(MemberProfile.actor_id.in_(local_ids)))).scalars()}
        verifications = await current_verifications(session, local_ids, now)
    if remote_ids:
        remote = {r.actor_id: r for r in (await session.execute(
            select(RemoteAttestation).where(RemoteAttestation.actor_id.in_(remote_ids)))).scalars()}
        if remote:
            trusted = set(await trusted_verifiers(session))
    return {a.id: _local(profiles.get(a.id), verifications.get(a.id), domain) if a.local
            else _remote(remote.get(a.id), trusted, now) for a in actors}
