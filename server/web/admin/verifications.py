"""/admin/verifications: the review queue; one request with the member's claims, credential and evidence
(downloaded by reviewers only, each download audited); approve, reject with a reason, ask for more.
Every decision goes through server.services.verification.workflow, which audits it and tells the member."""
from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Account, VerificationRequest
from server.db.models.verification import REQUEST_STATES
from server.errors import status_of
from server.i18n import N_
from server.services.accounts.professional_profile import get_profile
from server.services.accounts.specialties import specialty_name
from server.services.instance.mail import send_quietly
from server.services.verification import workflow
from server.services.verification.attestations_issued import current_verifications, profession_label
from server.services.verification.audit import audit, audit_entries
from server.services.verification.evidence import evidence_exists, read_evidence
from server.storage.responses import download_response
from server.web.admin.common import done, not_found, notice, path_id, roll_back
from server.web.forms import sentence
from server.web.page import Web

FILTERS = {"open": workflow.OPEN_STATES, **{state: (state,) for state in REQUEST_STATES}}
CREDENTIALS = {"npi": "NPI (United States)", "us_state_license": "US state licence", "gmc": "GMC number (UK)",
               "lanr": "LANR (Germany)", "ahpra": "AHPRA registration (Australia)", "other": "Other credential"}
LIMIT = 200


async def queue(web: Web) -> Response:
    wanted = web.request.query_params.get("state", "open")
    states = FILTERS.get(wanted, workflow.OPEN_STATES)
    requests = await workflow.review_queue(web.db, states)
    if wanted not in ("open", "pending", "info_requested"):
        requests = requests[::-1]  # decided ones: the latest first
    requests = requests[:LIMIT]
    ids = {r.account_id for r in requests}
    members = {a.id: a for a in (await web.db.execute(select(Account).where(Account.id.in_(ids)))).scalars()} \
        if ids else {}
    return web.render("admin/verifications.html", notice=notice(web), requests=requests, members=members,
                      state=wanted if wanted in FILTERS else "open", filters=list(FILTERS),
                      specialty_name=specialty_name, profession_label=profession_label)


async def _request(web: Web) -> VerificationRequest | None:
    request_id = path_id(web)
    return await web.db.get(VerificationRequest, request_id) if request_id else None


async def _detail(web: Web, found: VerificationRequest, *, status: int = 200, error: str | None = None,
                  form: dict | None = None) -> Response:
    member = await web.db.get(Account, found.account_id)
    current = (await current_verifications(web.db, [member.actor_id])).get(member.actor_id)
    return web.render(
        "admin/verification.html", status=status, notice=notice(web), error=error, form=form or {}, r=found,
        member=member, profile=await get_profile(web.db, member.actor_id), current=current,
        history=await audit_entries(web.db, request_id=found.id, limit=50),
        evidence_available=not found.evidence_deleted_at and await evidence_exists(web.runtime.storage,
                                                                                  found.evidence_path),
        credential_label=CREDENTIALS.get(found.credential_type, found.credential_type),
        specialty=specialty_name(found.specialty_code) or found.specialty_code,
        profession=profession_label(found.profession), open=found.state in workflow.OPEN_STATES)


async def show(web: Web) -> Response:
    found = await _request(web)
    if found is None:
        return not_found(web, N_("There is no such verification request."))
    return await _detail(web, found)


async def evidence(web: Web) -> Response:
    """The evidence file as a download (never shown inline, never cached); the reviewer's look is audited."""
    found = await _request(web)
    data = await read_evidence(web.runtime.storage, found.evidence_path) if found else None
    if found is None or data is None or found.evidence_deleted_at is not None:
        return not_found(web, N_("There is no such evidence file (it is deleted once the request is decided, "
                                 "unless kept by the retention setting)."))
    await audit(web.db, "evidence_viewed", by=web.viewer, subject=await web.db.get(Account, found.account_id),
                request_id=found.id, evidence_sha256=found.evidence_sha256, via="web")
    await web.db.commit()
    return download_response(data, found.evidence_type or "application/octet-stream", found.evidence_name or "evidence")


def decision(kind: str):
    async def handler(web: Web) -> Response:
        found = await _request(web)
        if found is None:
            return not_found(web, N_("There is no such verification request."))
        mail: list = []
        settings = web.settings
        try:
            if kind == "approve":
                await workflow.approve(web.db, settings, found, web.viewer, mail, storage=web.runtime.storage,
                                       via="web")
            elif kind == "reject":
                await workflow.reject(web.db, settings, found, web.viewer, web.value("reason"), mail,
                                      storage=web.runtime.storage, via="web")
            else:
                await workflow.request_info(web.db, settings, found, web.viewer, web.value("message"), mail)
        except ServiceError as exc:
            await roll_back(web, found)
            return await _detail(web, found, status=status_of(exc), error=sentence(exc),
                                 form={"reason": web.value("reason"), "message": web.value("message")})
        await web.db.commit()
        await send_quietly(settings, mail)
        return done(web, f"/admin/verifications/{found.id}",
                    {"approve": "approved", "reject": "rejected"}.get(kind, "asked"))
    return handler


approve, reject, ask = decision("approve"), decision("reject"), decision("ask")
