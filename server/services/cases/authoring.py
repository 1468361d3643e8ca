"""A member opens a case: validated, screened by the privacy guard on each of its texts and images exactly as a
post is (warn: confirm; hold: kept for a moderator; block: refused), and posted as a Page in its group (a thread,
as Lemmy's), its content made of the question, the presentation and the categories for any reader, with the
`cases` row beside it."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from moderation.errors import Kind, ServiceError
from server.db.models import Actor, Case, Post
from server.i18n import N_
from server.runtime import Runtime
from server.services.accounts.specialties import specialty_name
from server.services.cases.categories import age_band_name, check_categories, check_texts
from server.services.cases.edited import PRESENTATION, QUESTION
from server.services.federation.remote_actors import RemoteActorError, resolve_acct
from server.services.groups import joining, registry
from server.services.posts import authoring
from server.services.posts.authoring import NewPost, PhiFound


@dataclass(frozen=True)
class NewCase:
    group: str  # the group's acct: NAME, NAME@DOMAIN (here or elsewhere)
    title: str
    question: str
    presentation: str
    specialties: list[str]
    age_band: str | None
    sex: str | None
    deidentified: bool
    media_ids: tuple[int, ...] = field(default_factory=tuple)
    phi_confirmed: bool = False


def _check(new: NewCase) -> None:
    if new.deidentified is not True:
        raise ServiceError(N_("deidentified must be true: confirm that the case holds nothing that identifies the "
                              "patient (no names, dates, record numbers, places or faces)"))
    check_texts(new.title, new.question, new.presentation)
    check_categories(new.age_band, new.sex, new.specialties)


async def find_group(runtime: Runtime, session, acct: str, *, known_only: bool = False) -> Actor:
    """The Group actor an acct names, here or elsewhere (fetched if not known yet, unless `known_only`: then
    nothing is fetched or stored, as for a listing anyone may ask for); a 422 when it names none."""
    name, _, host = (acct or "").strip().lstrip("@").partition("@")
    actor = None
    if name and (not host or host.lower() == runtime.settings.domain):
        actor = await registry.group_actor_named(session, runtime.settings.domain, name)
    elif name and known_only:
        actor = (await session.execute(select(Actor).where(
            Actor.domain == host.lower(), func.lower(Actor.username) == name.lower(), Actor.actor_type == "Group")
            .limit(1))).scalar_one_or_none()
    elif name:
        try:
            actor = await resolve_acct(runtime, session, name, host)
        except RemoteActorError:
            actor = None
    if actor is None or actor.actor_type != "Group":
        raise ServiceError(N_("group: no group %(acct)s is known here"), values={"acct": repr(acct)})
    return actor


def _body(new: NewCase) -> tuple[str, dict[str, tuple[int, int]]]:
    """The post's text but its last line (the group), and where the question and the presentation are in it (to
    name the field the privacy guard found something in)."""
    text, spans = "", {}
    for name, label, value in (("question", QUESTION, new.question), ("presentation", PRESENTATION,
                                                                       new.presentation)):
        text += ("\n\n" if text else "") + label
        spans[name] = (len(text), len(text) + len(value))
        text += value
    specialties = ", ".join(specialty_name(code) or code for code in new.specialties)
    text += f"\n\nSpecialties: {specialties} · Age band: {age_band_name(new.age_band or '')} · Sex: {new.sex}"
    return text, spans


def new_post(new: NewCase, group: Actor) -> NewPost:
    text = f"{_body(new)[0]}\nCase discussion in @{group.username}@{group.domain}"
    return NewPost(text=text, title=new.title.strip(), media_ids=tuple(new.media_ids),
                   phi_confirmed=new.phi_confirmed)


def case_findings(exc: PhiFound, new: NewCase) -> list[dict]:
    """The guard's findings with the field of the case each is in: title, question, presentation (an image's keep
    their own)."""
    _, spans = _body(new)
    title_index = 2 + len(new.media_ids)  # the post's texts: text, content warning, image descriptions, title
    named = []
    for finding in authoring.findings_json(exc.decision):
        index = finding.get("field")
        if isinstance(index, int):
            where = "title" if index == title_index else next(
                (name for name, (start, end) in spans.items() if index == 0 and start <= finding["start"] < end),
                "media description" if index >= 2 else "text")
            finding = {**finding, "field": where}
        named.append(finding)
    return named


def findings_by_field(exc: PhiFound, new: NewCase) -> dict[str, list]:
    """The guard's text findings by the case's field ("title", "question", "presentation", else "text"), each
    span made relative to that field's own text (for a form to mark them where the author typed them)."""
    _, spans = _body(new)
    title_index = 2 + len(new.media_ids)  # as in case_findings
    named: dict[str, list] = {}
    for finding in exc.decision.findings:
        index = getattr(finding, "field", None)
        if index == title_index:
            named.setdefault("title", []).append(replace(finding, field=0))
        elif index == 0:
            where = next(((name, start) for name, (start, end) in spans.items() if start <= finding.start < end),
                         ("text", 0))
            named.setdefault(where[0], []).append(replace(finding, start=finding.start - where[1],
                                                          end=finding.end - where[1], field=0))
    return named


async def _may_open(runtime: Runtime, session, group: Actor, author: Actor) -> None:
    """A group hosted here takes a case from one who may start a thread in it (a group elsewhere decides)."""
    hosted = await registry.group_by_actor(session, group)
    if hosted is None:
        return
    if hosted.posting_restricted_to_mods and not await registry.moderates(session, hosted, author):
        raise ServiceError(N_("only the group's moderators start threads in it"), kind=Kind.FORBIDDEN)
    allowed = await joining.may_post(runtime, session, hosted, author)
    if allowed.refused:
        raise ServiceError(N_("you may not post in this group: %(reason)s"), kind=Kind.FORBIDDEN,
                           values={"reason": allowed.as_error()})


async def create_case(runtime: Runtime, session, author: Actor, new: NewCase) -> Post:
    """Open a case in its group: the post (held, or published and relayed) and its row. ServiceError when it is
    invalid or not allowed; PhiFound when the guard asks to confirm or refuses (see case_findings)."""
    _check(new)
    group = await find_group(runtime, session, new.group)
    await _may_open(runtime, session, group, author)

    async def keep_case(post: Post) -> None:
        session.add(Case(post_id=post.id, group_id=group.id, state="open", title=new.title.strip(),
                         question=new.question.strip(), presentation=new.presentation.strip(),
                         specialties=list(dict.fromkeys(c.strip().upper() for c in new.specialties)),
                         age_band=new.age_band, sex=new.sex))
        await session.flush()

    return await authoring.create_post(runtime, session, author, new_post(new, group), stored=keep_case)
