"""/verification: the member's verified badge (and until when), their requests and what reviewers said,
a new request (credential checked at once: format and check digits), and answers to a reviewer's question."""
from __future__ import annotations

from starlette.responses import JSONResponse, Response

from moderation.errors import ServiceError
from server.convert.verification_to_json import masked
from server.db.ids import as_id
from server.db.models import VerificationRequest
from server.errors import status_of
from server.i18n import gettext, pgettext, pN_
from server.services.accounts.professional_profile import get_profile
from server.services.accounts.specialties import specialty_name
from server.services.verification.attestations_issued import current_verifications
from server.services.verification.credentials import CREDENTIAL_TYPES, validate_credential
from server.services.verification.workflow import OPEN_STATES, Submission, Upload, my_requests, respond, submit_request
from server.web.forms import rollback, sentence, upload
from server.web.notices import notice
from server.web.page import Web, error_page
from server.web.professions import CREDENTIAL_LABELS, label, profession_choices, specialty_groups

FIELDS = ("profession", "specialty", "credential_type", "credential_number", "jurisdiction", "note")
# A member's own request, one of them (in the admins' lists these words name groups of requests).
STATES = {"pending": pN_("my request", "Waiting for review"),
          "info_requested": pN_("my request", "More information requested"),
          "approved": pN_("my request", "Approved"), "rejected": pN_("my request", "Declined")}


def _states() -> dict[str, str]:
    return {state: pgettext("my request", text) for state, text in STATES.items()}


async def _page(web: Web, status: int = 200, error: str = "", values: dict | None = None,
                answer_error: str = "") -> Response:
    account = web.viewer
    verified = (await current_verifications(web.db, [account.actor_id])).get(account.actor_id)
    requests = await my_requests(web.db, account)
    if values is None:
        own = await get_profile(web.db, account.actor_id)
        values = {"profession": own.profession or "", "specialty": own.specialty_code or "",
                  "jurisdiction": own.jurisdiction or ""}
    return web.render(
        "verification/index.html", status=status, section="verification", error=error, answer_error=answer_error,
        values=values, notice=notice(web), verified=verified, requests=requests, states=_states(), masked=masked,
        open_request=next((r for r in requests if r.state in OPEN_STATES), None), specialty_name=specialty_name,
        profession_label=label, professions=profession_choices(), specialty_groups=specialty_groups(),
        credential_types=[(t, gettext(CREDENTIAL_LABELS[t]) if t in CREDENTIAL_LABELS else t)
                          for t in CREDENTIAL_TYPES])


async def _evidence(web: Web) -> Upload | None:
    file = await upload(web, "evidence")
    return Upload(await file.read(), file.filename, file.content_type) if file is not None else None


async def verification(web: Web) -> Response:
    if web.request.method == "GET":
        return await _page(web)
    values = {name: web.value(name).strip() for name in FIELDS}
    submission = Submission(profession=values["profession"], specialty=values["specialty"],
                            credential_type=values["credential_type"], credential_number=values["credential_number"],
                            jurisdiction=values["jurisdiction"], note=values["note"] or None,
                            evidence=await _evidence(web))
    try:
        await submit_request(web.db, web.settings, web.viewer, submission, storage=web.runtime.storage)
    except ServiceError as exc:
        await rollback(web)
        return await _page(web, status_of(exc), sentence(exc), values)
    await web.db.commit()
    return web.redirect("/verification?notice=submitted")


async def answer(web: Web) -> Response:
    """/verification/{id}/respond: the member answers a reviewer's question (a note, a new file, or both)."""
    request_id = as_id(web.request.path_params["id"])
    request = await web.db.get(VerificationRequest, request_id) if request_id is not None else None
    if request is None or request.account_id != web.viewer.id:
        return error_page(web, 404, gettext("There is no such verification request."))
    try:
        await respond(web.db, web.settings, request, web.viewer, web.value("note").strip() or None,
                      await _evidence(web), storage=web.runtime.storage)
    except ServiceError as exc:
        await rollback(web)
        return await _page(web, status_of(exc), answer_error=sentence(exc))
    await web.db.commit()
    return web.redirect("/verification?notice=answered")


async def check(web: Web) -> Response:
    """POST /verification/check (credential_type, credential_number, jurisdiction): the credential's format
    and check digits, for the form's live hint (the form works without it: submitting checks the same).
    A POST, so that no number lands in a proxy's access log."""
    try:
        validate_credential(web.value("credential_type"), web.value("credential_number")[:100],
                            web.value("jurisdiction")[:20])
    except ServiceError as exc:
        return JSONResponse({"valid": False, "message": sentence(exc)})
    return JSONResponse({"valid": True, "message": gettext("The number is well formed.")})
