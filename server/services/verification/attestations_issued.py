"""Verification that travels, issuing side: the instance's Ed25519 key (published as a Multikey in the
instance actor's `assertionMethod`), the signed attestation each verified member's actor names, the
published revocation list, and the actor `Update` that tells followers when any of it changes."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from federation.addressing import PUBLIC
from federation.attestation import build_attestation, build_revocation_list, sign_attestation
from federation.integrity import create_proof
from federation.multikey import decode_private_key, encode_private_key, multikey_document
from server.caches import forget_actor
from server.convert.actor_to_as import actor_to_as
from server.db.ids import snowflake
from server.db.models import Account, Actor, InstanceSetting, Verification
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.i18n import N_
from server.services.accounts.specialties import specialty_name
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.instance.settings import get_value
from server.settings import Settings
from server.urls import LocalUrls

KEY_SETTING = "attestation_key"
# English in what is signed and federated; marked so that mails can name the profession in the member's language.
PROFESSION_LABELS = {"physician": N_("physician"), "resident": N_("resident"), "medical_student": N_("medical student"),
                     "nurse": N_("nurse"), "nurse_practitioner": N_("nurse practitioner"),
                     "physician_assistant": N_("physician assistant"), "pharmacist": N_("pharmacist"),
                     "other": N_("clinician")}


def key_id(urls: LocalUrls) -> str:
    return f"{urls.instance_actor}#ed25519-key"


def revocation_list_url(urls: LocalUrls) -> str:
    return f"{urls.base}/credentials/revoked"


def credential_url(urls: LocalUrls, verification_id: int) -> str:
    return f"{urls.base}/credentials/{verification_id}"


def profession_label(profession: str | None) -> str:
    return PROFESSION_LABELS.get(profession or "", (profession or "clinician").replace("_", " "))


async def signing_key(session: AsyncSession) -> Ed25519PrivateKey:
    """The instance's Ed25519 key, made on first use; concurrent first uses agree on one key."""
    value = await get_value(session, KEY_SETTING)
    if not isinstance(value, str):
        await insert_ignore(session, InstanceSetting, [{"key": KEY_SETTING, "value": encode_private_key(
            Ed25519PrivateKey.generate()), "updated_at": utcnow()}])
        value = (await session.execute(select(InstanceSetting.value).where(InstanceSetting.key == KEY_SETTING))
                 ).scalar_one()
    return decode_private_key(value)


async def assertion_methods(session: AsyncSession, urls: LocalUrls) -> list[dict]:
    key = await signing_key(session)
    return [multikey_document(key_id(urls), urls.instance_actor, key.public_key())]


def sign_verification(key: Ed25519PrivateKey, urls: LocalUrls, actor: Actor, verification: Verification) -> dict:
    """The signed attestation for `verification` (profession, specialty, jurisdiction and dates only)."""
    attestation = build_attestation(
        issuer=urls.instance_actor, subject=actor.uri, profession=verification.profession,
        specialty_code=verification.specialty_code,
        specialty_name=specialty_name(verification.specialty_code) or verification.specialty_code,
        jurisdiction=verification.jurisdiction, valid_from=verification.valid_from,
        valid_until=verification.valid_until, credential_id=verification.credential_id,
        revocation_list=revocation_list_url(urls))
    return sign_attestation(attestation, key, key_id(urls))


async def current_verifications(session: AsyncSession, actor_ids: Iterable[int],
                                now: datetime | None = None) -> dict[int, Verification]:
    """actor id -> the verification in force (not revoked, within its dates), for local members."""
    ids, now = list(set(actor_ids)), now or utcnow()
    if not ids:
        return {}
    rows = await session.execute(
        select(Account.actor_id, Verification).join(Verification, Verification.account_id == Account.id)
        .where(Account.actor_id.in_(ids), Verification.revoked_at.is_(None), Verification.valid_from <= now,
               Verification.valid_until > now).order_by(Verification.valid_until))
    return {actor_id: verification for actor_id, verification in rows.all()}  # the latest ends up kept


def verified_field(verification: Verification, domain: str) -> dict[str, str]:
    """The plain profile field Mastodon shows: "Verified: Physician, Cardiology — by society.example"."""
    specialty = specialty_name(verification.specialty_code) or verification.specialty_code
    return {"type": "PropertyValue", "name": "Verified",
            "value": f"{profession_label(verification.profession).capitalize()}, {specialty} — by {domain}"}


async def actor_document(session: AsyncSession, settings: Settings, actor: Actor, *, restricted: bool = False) -> dict:
    """The ActivityStreams document of a local actor, with its attestation or Multikey where it has one."""
    urls = LocalUrls(settings.base_url)
    if restricted:
        return actor_to_as(actor, urls, restricted=True)
    if actor.uri == urls.instance_actor:
        return actor_to_as(actor, urls, assertion_method=await assertion_methods(session, urls))
    verification = (await current_verifications(session, [actor.id])).get(actor.id)
    if verification is None:
        return actor_to_as(actor, urls)
    return actor_to_as(actor, urls, attestation=verification.credential_id,
                       verified_field=verified_field(verification, settings.domain))


async def published_attestation(session: AsyncSession, verification_id: int) -> dict | None:
    """The signed attestation served at its credential URL: only while it is the one a member's actor names
    (in force, the latest, the account active); None otherwise."""
    actor_id = (await session.execute(select(Account.actor_id).join(Verification, Verification.account_id == Account.id)
                                      .where(Verification.id == verification_id, Account.disabled_at.is_(None)))
                ).scalar_one_or_none()
    current = (await current_verifications(session, [actor_id])).get(actor_id) if actor_id is not None else None
    return current.attestation if current is not None and current.id == verification_id else None


async def publish_actor_update(session: AsyncSession, settings: Settings, actor: Actor) -> int:
    """Queue an `Update` of the member's actor document to their remote followers; the caller commits (this
    process's cached copies of the document go after the commit)."""
    forget_actor(session, actor.username)
    document = await actor_document(session, settings, actor)
    update = activities.update(f"{actor.uri}#updates/{snowflake()}", actor.uri, document, to=[PUBLIC])
    update["@context"] = document["@context"]  # the embedded actor's terms (toot:, curbside:) must stay defined
    return await enqueue_activity(session, update, actor, await remote_followers(session, actor.id))


async def revocation_list(session: AsyncSession, settings: Settings) -> dict:
    """The signed list of withdrawn credential ids, served at revocation_list_url."""
    urls = LocalUrls(settings.base_url)
    revoked = (await session.execute(select(Verification.credential_id).where(
        Verification.revoked_at.is_not(None)))).scalars()
    document = build_revocation_list(list_id=revocation_list_url(urls), issuer=urls.instance_actor, revoked=revoked)
    return create_proof(document, await signing_key(session), key_id(urls))
