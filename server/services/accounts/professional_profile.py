"""The professional profile: pseudonym mode (the display name is then an alias), the real name seen only
by verifiers and admins, profession, specialty (a NUCC code), institution, jurisdiction. The Mastodon-shaped
profile (display name, note, fields, images) is server.services.accounts.mastodon_profile."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Account, Actor, MemberProfile
from server.i18n import N_
from server.services.accounts.specialties import PROFESSIONS, specialties_for, specialty_name
from server.urls import LocalUrls

MAX_NAME = 100
JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
UNSET = object()


@dataclass
class ProfileChanges:
    """Only the attributes not left UNSET change."""

    real_name: object = UNSET
    pseudonymous: object = UNSET
    profession: object = UNSET
    specialty: object = UNSET
    institution: object = UNSET
    jurisdiction: object = UNSET


def check_profession(profession: str) -> str:
    if profession not in PROFESSIONS:
        raise ServiceError(N_("profession must be one of %(choices)s"), values={"choices": ", ".join(PROFESSIONS)})
    return profession


def check_specialty(code: str, profession: str | None) -> str:
    """A NUCC code Curbside offers, and one the profession may pick when it has a list."""
    code = (code or "").strip().upper()
    if specialty_name(code) is None:
        raise ServiceError(N_("unknown specialty code %(code)s (a NUCC taxonomy code such as 207RC0000X)"),
                           values={"code": repr(code)})
    allowed = {s.code for s in specialties_for(profession)} if profession else set()
    if allowed and code not in allowed:
        raise ServiceError(_NOT_OF.get(profession, N_("specialty %(code)s is not one of the specialties of the "
                                                      "profession chosen")), values={"code": code})
    return code


def check_jurisdiction(raw: str) -> str:
    """ISO 3166 country code, optionally with a subdivision: US, US-CA, GB, DE-BY, AU-NSW."""
    value = (raw or "").strip().upper()
    if not JURISDICTION.match(value):
        raise ServiceError(N_("jurisdiction must be a country code, optionally with a region: US-CA, GB, DE, AU-NSW"))
    return value


# One sentence per profession, and per field: a translated sentence cannot take an English word as a value.
_NOT_OF = {"physician": N_("specialty %(code)s is not one of the physician specialties"),
           "resident": N_("specialty %(code)s is not one of the resident specialties"),
           "medical_student": N_("specialty %(code)s is not one of the medical student specialties"),
           "nurse": N_("specialty %(code)s is not one of the nurse specialties"),
           "nurse_practitioner": N_("specialty %(code)s is not one of the nurse practitioner specialties"),
           "physician_assistant": N_("specialty %(code)s is not one of the physician assistant specialties"),
           "pharmacist": N_("specialty %(code)s is not one of the pharmacist specialties")}
_NOT_TEXT = {"real name": N_("real name must be text"), "institution": N_("institution must be text")}
_TOO_LONG = {"real name": N_("real name must be at most %(limit)s printable characters"),
             "institution": N_("institution must be at most %(limit)s printable characters")}


def _text(value: object, name: str, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise ServiceError(_NOT_TEXT[name])
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit or not (value.replace("\n", " ") if multiline else value).isprintable():
        raise ServiceError(_TOO_LONG[name], values={"limit": limit})
    return value


async def get_profile(session: AsyncSession, actor_id: int) -> MemberProfile:
    """The member's profile row, made on first use (accounts created before profiles existed have none)."""
    profile = await session.get(MemberProfile, actor_id)
    if profile is None:
        profile = MemberProfile(actor_id=actor_id, real_name="", pseudonymous=False)
        session.add(profile)
        await session.flush()
    return profile


async def update_profile(session: AsyncSession, urls: LocalUrls, account: Account, changes: ProfileChanges) -> Actor:
    """Apply `changes` (all checked before any is applied); the caller commits and announces the new actor."""
    actor, profile = account.actor, await get_profile(session, account.actor_id)
    new: dict[str, object] = {}
    if changes.real_name is not UNSET:
        new["real_name"] = _text(changes.real_name, "real name", MAX_NAME)
    if changes.profession is not UNSET:
        new["profession"] = check_profession(changes.profession) if changes.profession else None
    if changes.specialty is not UNSET:
        profession = new.get("profession", profile.profession)
        new["specialty"] = check_specialty(changes.specialty, profession) if changes.specialty else None
    if changes.institution is not UNSET:
        new["institution"] = _text(changes.institution, "institution", 200) or None
    if changes.jurisdiction is not UNSET:
        new["jurisdiction"] = check_jurisdiction(changes.jurisdiction) if changes.jurisdiction else None
    _apply(profile, changes, new)
    await session.flush()
    return actor


def _apply(profile: MemberProfile, changes: ProfileChanges, new: dict) -> None:
    """The real name stays private: the public display name is only ever what the member sets as such."""
    if changes.pseudonymous is not UNSET:
        profile.pseudonymous = bool(changes.pseudonymous)
    for key, column in (("real_name", "real_name"), ("profession", "profession"), ("specialty", "specialty_code"),
                        ("institution", "institution"), ("jurisdiction", "jurisdiction")):
        if key in new:
            setattr(profile, column, new[key])


def public_profile(profile: MemberProfile | None) -> dict:
    """What anyone may see of the profile: never the real name; no institution in pseudonym mode."""
    if profile is None:
        return {"pseudonymous": False, "profession": None, "specialty_code": None, "specialty": None,
                "institution": None, "jurisdiction": None}
    return {"pseudonymous": profile.pseudonymous, "profession": profile.profession,
            "specialty_code": profile.specialty_code,
            "specialty": specialty_name(profile.specialty_code) if profile.specialty_code else None,
            "institution": None if profile.pseudonymous else profile.institution,
            "jurisdiction": profile.jurisdiction}
