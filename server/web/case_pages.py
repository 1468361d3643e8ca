"""Case discussions in the web UI, through the same services as /api/v1/curbside/cases: /cases (across groups, by
specialty and state), /groups/NAME/cases (one group's), opening a case in a group (/groups/NAME/cases/new, through
the privacy guard field by field: warn asks to confirm, hold keeps it for a moderator, block refuses) and marking
one resolved with its accepted answer (/groups/NAME/threads/ID/resolve). The case block on the thread page is
server.web.group_threads' (with server.web.case_views). Text only: a case's images go through the API."""
from __future__ import annotations

from dataclasses import dataclass, fields
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import as_id
from server.errors import status_of
from server.i18n import N_
from server.i18n import gettext as _
from server.services.cases import authoring as cases
from server.services.cases import listing as case_listing
from server.services.cases import resolving
from server.services.cases.categories import MAX_PRESENTATION, MAX_QUESTION, MAX_TITLE
from server.services.groups import browsing
from server.services.posts.authoring import PhiFound
from server.services.reading import timelines as reading
from server.web import case_views
from server.web.forms import refusal, sentence
from server.web.group_pages import NOT_FOUND, find_group, group_path
from server.web.group_threads import NO_THREAD, thread_page
from server.web.page import Web, error_page
from server.web.phi_marks import CheckedText, guard_answer, highlight
from server.web.professions import specialty_groups
from server.web.status_view import roll_back, viewer_actor
from server.web.timelines import PAGE_SIZE, page_of


@dataclass
class CaseDraft:
    """The open-a-case form as the author filled it in (echoed back when something is to be corrected)."""
    title: str = ""
    question: str = ""
    presentation: str = ""
    specialty: str = ""
    specialty2: str = ""
    age_band: str = ""
    sex: str = ""
    deidentified: bool = False


def _draft(web: Web) -> CaseDraft:
    values = {f.name: web.value(f.name).strip() for f in fields(CaseDraft) if f.name != "deidentified"}
    return CaseDraft(**values, deidentified=web.value("deidentified") == "1")


def _new_case(listing: browsing.Listing, draft: CaseDraft, confirmed: bool) -> cases.NewCase:
    specialties = list(dict.fromkeys(code for code in (draft.specialty, draft.specialty2) if code))
    return cases.NewCase(group=listing.handle, title=draft.title, question=draft.question,
                         presentation=draft.presentation, specialties=specialties, age_band=draft.age_band or None,
                         sex=draft.sex or None, deidentified=draft.deidentified, phi_confirmed=confirmed)


# --- lists -----------------------------------------------------------------------------------------

async def _list(web: Web, listing: browsing.Listing | None) -> Response:
    state = web.request.query_params.get("state", "").strip()
    specialty = web.request.query_params.get("specialty", "").strip()
    page = page_of(web)
    if page is None:
        return error_page(web, 404, _("There is no such page."))
    wanted = case_listing.CaseFilter(state=state or None, specialty=specialty or None,
                                     group_id=listing.actor.id if listing else None)
    try:
        ids, posts = await case_listing.list_cases(web.db, viewer_actor(web), wanted, page)
    except ServiceError:
        return error_page(web, 422, _("Choose a state and a specialty from the lists."))
    older = None
    if len(ids) == PAGE_SIZE:
        keep = {k: v for k, v in (("state", state), ("specialty", specialty)) if v}
        older = web.request.url.path + "?" + urlencode({**keep, "max_id": min(ids)})
    return web.render("cases/index.html", entries=await case_views.entries(web.db, posts), listing=listing,
                      state=state, specialty=specialty, states=case_views.state_choices(),
                      specialty_groups=specialty_groups(), older=older,
                      path_of_group=group_path(listing) if listing else None)


async def index(web: Web) -> Response:
    """/cases?state=open|resolved|unanswered&specialty=CODE: the cases of every group the viewer may read."""
    return await _list(web, None)


async def group_cases(web: Web) -> Response:
    """/groups/NAME/cases, with the same filters."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    return await _list(web, listing)


# --- opening a case --------------------------------------------------------------------------------

FIELD_LABELS = {"title": N_("Title"), "question": N_("Question"), "presentation": N_("Presentation"),
                "text": N_("Case")}


def _checked(exc: PhiFound, new: cases.NewCase) -> list[CheckedText]:
    """The guard's findings in the field the author typed them in."""
    texts = {"title": new.title, "question": new.question, "presentation": new.presentation, "text": ""}
    out = []
    for name, found in cases.findings_by_field(exc, new).items():
        marked = highlight(texts[name], found) if texts[name] else Markup("")
        out.append(CheckedText(_(FIELD_LABELS[name]), marked, found))
    return out


def _form(web: Web, listing: browsing.Listing, draft: CaseDraft, status: int = 200, **extra) -> Response:
    return web.render("cases/new.html", status=status, listing=listing, draft=draft,
                      path_of_group=group_path(listing), specialty_groups=specialty_groups(),
                      ages=case_views.age_choices(), sexes=case_views.sex_choices(), max_title=MAX_TITLE,
                      max_question=MAX_QUESTION, max_presentation=MAX_PRESENTATION, **extra)


async def new_case(web: Web) -> Response:
    """GET: the form; POST: `title`, `question`, `presentation`, `specialty` (and `specialty2`), `age_band`,
    `sex`, `deidentified` (1: mandatory), `phi_confirmed`."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    if web.request.method == "GET":
        return _form(web, listing, CaseDraft())
    draft = _draft(web)
    if not draft.deidentified:
        return _form(web, listing, draft, 422, error=_("Confirm that the case is de-identified before you open it."))
    new = _new_case(listing, draft, web.value("phi_confirmed") == "1")
    try:
        post = await cases.create_case(web.runtime, web.db, viewer_actor(web), new)
    except PhiFound as exc:
        await roll_back(web)
        listing = await find_group(web)  # a rollback expires the rows it holds
        phi = {**guard_answer([], exc.decision), "checked": _checked(exc, new)}
        return _form(web, listing, draft, 422, phi=phi)
    except ServiceError as exc:
        await roll_back(web)
        listing = await find_group(web)
        return _form(web, listing, draft, status_of(exc), error=_("The case was not opened: %s.") % refusal(exc))
    await web.db.commit()
    if post.visibility == "held":
        return _form(web, listing, CaseDraft(), 202, notice=_("Your case awaits review: this community's "
                                                               "moderators check posts that may identify a patient."))
    return web.redirect(f"{group_path(listing)}/threads/{post.id}")


# --- resolving -------------------------------------------------------------------------------------

async def resolve(web: Web) -> Response:
    """POST /groups/NAME/threads/ID/resolve with optional `answer_id` (a reply of the thread)."""
    listing = await find_group(web)
    thread_id = as_id(str(web.request.path_params["thread_id"]))
    if listing is None or thread_id is None:
        return error_page(web, 404, NOT_FOUND if listing is None else NO_THREAD)
    try:
        thread = await browsing.thread(web.db, listing, thread_id, viewer_actor(web))
    except reading.MembersOnly as exc:
        return error_page(web, 404, sentence(exc))
    if thread is None:
        return error_page(web, 404, NO_THREAD)
    raw = web.value("answer_id")
    answer_id = as_id(raw) if raw else None
    if raw and answer_id is None:
        return await thread_page(web, status=422, error=_("The answer you chose is not a reply of this case."))
    try:
        await resolving.resolve(web.runtime, web.db, viewer_actor(web), web.viewer, thread.first.id, answer_id)
    except ServiceError as exc:
        await roll_back(web)
        return await thread_page(web, status=status_of(exc),
                                 error=_("The case was not marked resolved: %s.") % refusal(exc))
    await web.db.commit()
    return web.redirect(f"{group_path(listing)}/threads/{thread.first.id}#case")
