"""/api/v1/admin/domain_blocks and /api/v1/admin/domain_allows in Mastodon's shapes (policies of
subscribed lists are listed too, with their `source`; only local ones change here)."""
from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.domains import DomainPolicy
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import Params, read_params
from server.api.mastodon.staff import staff
from server.convert.moderation_to_mastodon import domain_allow_to_mastodon, domain_block_to_mastodon
from server.db.models import Actor, BlocklistSubscription, DomainPolicyRecord
from server.services.moderation import domains
from server.services.moderation.policies import check_domain, record_to_policy

BLOCKS, ALLOWS = "admin:{}:domain_blocks", "admin:{}:domain_allows"


async def _sources(session) -> dict[int, str]:
    return dict((await session.execute(select(BlocklistSubscription.id, BlocklistSubscription.url))).all())


def _render(row: DomainPolicyRecord, sources: dict[int, str]) -> dict:
    render = domain_allow_to_mastodon if row.allow else domain_block_to_mastodon
    return render(row, sources.get(row.subscription_id) if row.subscription_id else None)


def _index(allow: bool):
    async def handler(request: Request) -> JSONResponse:
        await staff(request, (ALLOWS if allow else BLOCKS).format("read"))
        page = read_page(request, default=100, maximum=200)
        async with request.app.state.sessions() as session:
            query = select(DomainPolicyRecord).where(DomainPolicyRecord.allow == allow,
                                                     DomainPolicyRecord.state == "active")
            rows = page.arrange(list((await session.execute(page.apply(query, DomainPolicyRecord.id))).scalars()))
            sources = await _sources(session)
            return JSONResponse([_render(r, sources) for r in rows], headers=link_header(request, [r.id for r in rows]))
    return handler


async def _row(session, request: Request, allow: bool) -> DomainPolicyRecord:
    row = await session.get(DomainPolicyRecord, path_id(request))
    if row is None or row.allow != allow or row.state != "active":
        raise not_found()
    return row


def _show(allow: bool):
    async def handler(request: Request) -> JSONResponse:
        await staff(request, (ALLOWS if allow else BLOCKS).format("read"))
        async with request.app.state.sessions() as session:
            return JSONResponse(_render(await _row(session, request, allow), await _sources(session)))
    return handler


def _block_from(params: Params, base: DomainPolicy | None = None) -> DomainPolicy:
    def text(name: str, default: str = "") -> str:
        return (params.text(name, default) if name in params else default)[:1000]

    domain = check_domain(params.text("domain") or (base.domain if base else ""))
    severity = domains.parse_severity(text("severity", base.severity.value if base else "silence"))
    current = base or DomainPolicy(domain)

    def boolean(name: str) -> bool:
        return params.flag(name, getattr(current, name))

    return DomainPolicy(domain, severity, boolean("reject_media"), boolean("reject_reports"),
                        text("public_comment", current.public_comment),
                        text("private_comment", current.private_comment), boolean("obfuscate"))


async def create_block(request: Request) -> JSONResponse:
    auth = await staff(request, BLOCKS.format("write"))
    params = await read_params(request)
    policy = _block_from(params)
    async with request.app.state.sessions() as session:
        existing = (await session.execute(domains.local_policy_query(policy.key, False))).scalar_one_or_none()
        if existing is not None:
            raise HTTPException(422, f"{policy.domain} is blocked already (id {existing.id}); change it with PUT")
        me = await session.get(Actor, auth.account.actor_id)
        row = await domains.set_local_policy(session, policy, actor=me)
        await session.commit()
        return JSONResponse(domain_block_to_mastodon(row))


async def update_block(request: Request) -> JSONResponse:
    auth = await staff(request, BLOCKS.format("write"))
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        row = await _row(session, request, False)
        if row.subscription_id is not None:
            raise HTTPException(422, f"this block belongs to blocklist subscription {row.subscription_id}; "
                                     "create a local block to override it")
        policy = _block_from(Params(params, domain=row.domain), record_to_policy(row))
        me = await session.get(Actor, auth.account.actor_id)
        row = await domains.set_local_policy(session, policy, actor=me)
        await session.commit()
        return JSONResponse(domain_block_to_mastodon(row))


def _delete(allow: bool):
    async def handler(request: Request) -> JSONResponse:
        auth = await staff(request, (ALLOWS if allow else BLOCKS).format("write"))
        async with request.app.state.sessions() as session:
            me = await session.get(Actor, auth.account.actor_id)
            row = await domains.remove_policy_by_id(session, path_id(request), allow=allow, actor=me)
            if row is None:
                raise not_found()
            await session.commit()
        return JSONResponse({})
    return handler


async def create_allow(request: Request) -> JSONResponse:
    auth = await staff(request, ALLOWS.format("write"))
    params = await read_params(request)
    domain = check_domain(params.text("domain", ""))
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        row = await domains.set_local_policy(session, DomainPolicy(domain, allow=True), actor=me)
        await session.commit()
        return JSONResponse(domain_allow_to_mastodon(row))


list_blocks, show_block, delete_block = _index(False), _show(False), _delete(False)
list_allows, show_allow, delete_allow = _index(True), _show(True), _delete(True)
