"""Publishing this instance's blocklist, so other societies can subscribe to it: what is
published (the blocks in force, obfuscation honoured) and who may read it (an instance setting:
nobody, members, trusted peers, everyone)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from moderation.blocklists import export_blocklist
from moderation.domains import DomainPolicy
from moderation.errors import ServiceError
from server.db.models import Actor, InstanceSetting
from server.i18n import N_
from server.services.moderation import audit
from server.services.moderation.domains import effective_blocks
from server.services.moderation.policies import check_domain, load_policies

VISIBILITIES = ("nobody", "members", "trusted", "everyone")
VISIBILITY_KEY = "domain_blocks_visibility"
TRUSTED_KEY = "domain_blocks_trusted_peers"
DEFAULT_VISIBILITY = "members"  # Mastodon's default: signed-in users


async def read_visibility(session: AsyncSession) -> tuple[str, list[str]]:
    """(who may read the published list, the trusted peers' domains)."""
    row = await session.get(InstanceSetting, VISIBILITY_KEY)
    peers = await session.get(InstanceSetting, TRUSTED_KEY)
    value = row.value if row is not None and row.value in VISIBILITIES else DEFAULT_VISIBILITY
    trusted = [str(d) for d in peers.value] if peers is not None and isinstance(peers.value, list) else []
    return value, trusted


async def set_visibility(session: AsyncSession, visibility: str, trusted: list[str] | None = None, *,
                         actor: Actor | None = None, by: str | None = None) -> tuple[str, list[str]]:
    """Set who may read the list (and, if given, the trusted peers); the caller commits."""
    if visibility not in VISIBILITIES:
        raise ServiceError(N_("visibility must be one of %(choices)s; got %(value)s"),
                           values={"choices": ", ".join(VISIBILITIES), "value": repr(visibility[:20])})
    old = await read_visibility(session)
    try:
        peers = old[1] if trusted is None else sorted({check_domain(d) for d in trusted})
    except ValueError as exc:  # InvalidDomain is a ServiceError already, its reason translatable on the page
        raise (exc if isinstance(exc, ServiceError) else ServiceError(str(exc))) from None
    for key, value in ((VISIBILITY_KEY, visibility), (TRUSTED_KEY, peers)):
        row = await session.get(InstanceSetting, key)
        if row is None:
            session.add(InstanceSetting(key=key, value=value))
        else:
            row.value = value
    if (visibility, peers) != old:
        await audit.record(session, actor, "blocklist.publish", "instance", VISIBILITY_KEY, "",
                           {"before": {"visibility": old[0], "trusted": old[1]},
                            "after": {"visibility": visibility, "trusted": peers}}, by=by)
    await session.flush()
    return visibility, peers


async def published_policies(session: AsyncSession) -> list[DomainPolicy]:
    return effective_blocks(await load_policies(session))


async def published_document(session: AsyncSession, fmt: str) -> str:
    """The public list as Mastodon's /api/v1/instance/domain_blocks JSON, or CSV/plain text."""
    return export_blocklist(await published_policies(session), fmt, public=True)
