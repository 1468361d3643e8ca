"""Settings an admin changes at run time, stored in `instance_settings`; each overrides its environment
default (registration mode, patient-privacy policy, verification validity, evidence retention) or stands
alone (trusted verifiers)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Actor, InstanceSetting
from server.i18n import N_
from server.services.moderation import audit
from server.settings import PHI_POLICIES, REGISTRATION_MODES, Settings

TRUSTED_VERIFIERS = "trusted_verifiers"
PUBLIC_TIMELINES = "public_timelines"  # set with the site settings (server.services.instance.site)
MAX_DAYS = 100 * 365  # a century: enough for any setting, and its dates stay well within a datetime
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$")


async def get_value(session: AsyncSession, key: str, default: object = None) -> object:
    row = await session.get(InstanceSetting, key)
    return default if row is None else row.value


async def set_value(session: AsyncSession, key: str, value: object) -> None:
    row = await session.get(InstanceSetting, key)
    if row is None:
        session.add(InstanceSetting(key=key, value=value))
    else:
        row.value = value
    await session.flush()


async def registration_mode(session: AsyncSession, settings: Settings) -> str:
    value = await get_value(session, "registration_mode")
    return value if value in REGISTRATION_MODES else settings.registration_mode


async def set_registration_mode(session: AsyncSession, mode: str) -> None:
    if mode not in REGISTRATION_MODES:
        raise ServiceError(N_("registration mode must be one of %(choices)s"),
                           values={"choices": ", ".join(REGISTRATION_MODES)})
    await set_value(session, "registration_mode", mode)


async def open_to_visitors(session: AsyncSession) -> bool:
    """Whether visitors (callers with no member's token or session, unsigned ActivityPub fetches) may read the
    community's posts in bulk: public and hashtag timelines, accounts' posts, outboxes. Off by default: a
    closed community shows its posts to members and to the servers it federates with only."""
    return await get_value(session, PUBLIC_TIMELINES) is True


async def phi_policy(session: AsyncSession, settings: Settings) -> str:
    """The patient-privacy policy in force (off, warn, hold, block): the admin's choice, else CURBSIDE_PHI_POLICY."""
    value = await get_value(session, "phi_policy")
    return value if value in PHI_POLICIES else settings.phi_policy


async def set_phi_policy(session: AsyncSession, policy: str, actor: Actor | None = None, *,
                         by: str | None = None) -> None:
    """Change the policy; the change goes into the moderation audit log (it decides what members may post)."""
    if policy not in PHI_POLICIES:
        raise ServiceError(N_("phi_policy must be one of %(choices)s"), values={"choices": ", ".join(PHI_POLICIES)})
    before = await get_value(session, "phi_policy")
    await set_value(session, "phi_policy", policy)
    await audit.record(session, actor, "settings.phi_policy", "instance", "phi_policy", "",
                       {"before": before, "after": policy}, by=by)


async def _days(session: AsyncSession, key: str, default: int) -> int:
    value = await get_value(session, key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


async def verification_valid_days(session: AsyncSession, settings: Settings) -> int:
    return max(1, await _days(session, "verification_valid_days", settings.verification_valid_days))


async def evidence_retention_days(session: AsyncSession, settings: Settings) -> int:
    return await _days(session, "evidence_retention_days", settings.evidence_retention_days)


async def set_days(session: AsyncSession, key: str, days: object) -> None:
    if key not in ("verification_valid_days", "evidence_retention_days"):
        raise ServiceError(N_("unknown setting %(key)s"), values={"key": repr(key)})
    low = 1 if key == "verification_valid_days" else 0
    if not isinstance(days, int) or isinstance(days, bool) or not low <= days <= MAX_DAYS:
        refusal = N_("%(key)s must be a whole number of days above zero, at most %(limit)s") if low else \
            N_("%(key)s must be a whole number of days, at most %(limit)s")
        raise ServiceError(refusal, values={"key": key, "limit": MAX_DAYS})
    await set_value(session, key, days)


def normalize_domain(raw: str) -> str:
    """A verifier's domain as instances name themselves: lowercase host[:port]; a URL gives its host."""
    text = (raw or "").strip().lower()
    if "://" in text:
        text = urlsplit(text).netloc
    text = text.rstrip("/")
    if not _HOST.match(text):
        raise ServiceError(N_("not a domain: %(value)s"), values={"value": repr(raw)})
    return text


async def trusted_verifiers(session: AsyncSession) -> list[str]:
    value = await get_value(session, TRUSTED_VERIFIERS, [])
    return sorted(v for v in value if isinstance(v, str)) if isinstance(value, list) else []


async def trust_verifier(session: AsyncSession, domain: str, actor: Actor | None = None, *,
                         by: str | None = None) -> str:
    """Show badges of `domain`'s verifications here (audited: it decides whose word members see)."""
    domain = normalize_domain(domain)
    await set_value(session, TRUSTED_VERIFIERS, sorted({*await trusted_verifiers(session), domain}))
    await audit.record(session, actor, "settings.trust_verifier", "instance", domain, by=by)
    return domain


async def untrust_verifier(session: AsyncSession, domain: str, actor: Actor | None = None, *,
                           by: str | None = None) -> bool:
    domain = normalize_domain(domain)
    current = await trusted_verifiers(session)
    if domain not in current:
        return False
    await set_value(session, TRUSTED_VERIFIERS, [d for d in current if d != domain])
    await audit.record(session, actor, "settings.untrust_verifier", "instance", domain, by=by)
    return True


async def change(session: AsyncSession, settings: Settings, changes: dict[str, object], *,
                 actor: Actor | None = None, by: str | None = None) -> list[str]:
    """Set some of `registration_mode`, `verification_valid_days` and `evidence_retention_days`, audited;
    ServiceError names the first wrong value (the caller rolls back). Returns the names of those changed."""
    current = {"registration_mode": registration_mode, "verification_valid_days": verification_valid_days,
               "evidence_retention_days": evidence_retention_days}
    changed = {}
    for key, value in changes.items():
        if key not in current:
            raise ServiceError(N_("unknown setting %(key)s"), values={"key": repr(key)})
        before = await current[key](session, settings)
        if value == before:
            continue
        if key == "registration_mode":
            await set_registration_mode(session, str(value))
        else:
            await set_days(session, key, value)
        changed[key] = {"before": before, "after": value}
    if changed:
        await audit.record(session, actor, "settings.update", "instance", ", ".join(changed), "", changed, by=by)
    return list(changed)
