"""What the case pages show of a case: its coded categories in the page's language, its group, its state, its
answers count, and the thread marks of the groups pages corrected for cases (a resolved case is listed
"Resolved" wherever its thread is). Shared by server.web.case_pages and the group and thread pages."""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote

from server.db.models import Actor, Case, Post
from server.i18n import N_, pgettext, pN_
from server.i18n import gettext as _
from server.services.accounts.specialties import specialty_name
from server.services.cases.categories import AGE_BANDS, SEXES
from server.services.cases.lookup import cases_of
from server.services.groups import registry

# The coarse categories as people read them (the codes stay in the API and in what is federated).
AGE_LABELS = {"neonate": N_("Neonate (under 28 days)"), "infant": N_("Infant (under 1 year)"),
              "child": N_("Child (1–12 years)"), "adolescent": N_("Adolescent (13–17 years)"),
              "18-29": N_("Adult, 18–29 years"), "30-44": N_("Adult, 30–44 years"),
              "45-59": N_("Adult, 45–59 years"), "60-74": N_("Adult, 60–74 years"),
              "75-89": N_("Adult, 75–89 years"), "90+": N_("Adult, 90 years or older")}
# Short labels in a context each: "Other" as a sex is not "Other" as a group, nor "Open" a case as a report.
SEX_LABELS = {"female": pN_("sex", "Female"), "male": pN_("sex", "Male"), "other": pN_("sex", "Other"),
              "unspecified": pN_("sex", "Not stated")}
STATE_LABELS = {"open": pN_("case state", "Open"), "resolved": pN_("case state", "Resolved"),
                "unanswered": pN_("case state", "No answer yet")}


def age_label(band: str | None) -> str:
    return _(AGE_LABELS[band]) if band in AGE_LABELS else (band or "")


def sex_label(sex: str | None) -> str:
    return pgettext("sex", SEX_LABELS[sex]) if sex in SEX_LABELS else (sex or "")


def age_choices() -> list[tuple[str, str]]:
    return [(band, age_label(band)) for band in AGE_BANDS]


def sex_choices() -> list[tuple[str, str]]:
    return [(sex, sex_label(sex)) for sex in SEXES]


def state_choices() -> list[tuple[str, str]]:
    return [(state, pgettext("case state", label)) for state, label in STATE_LABELS.items()]


def specialty_label(code: str) -> str:
    name = specialty_name(code)
    return _(name) if name else code


@dataclass(frozen=True)
class CaseEntry:
    """One case as a list or a thread page shows it."""
    case: Case
    post: Post
    group: Actor | None
    answers: int

    @property
    def resolved(self) -> bool:
        return self.case.state == "resolved"

    @property
    def specialties(self) -> list[tuple[str, str]]:
        return [(code, specialty_label(code)) for code in self.case.specialties or []]

    @property
    def age(self) -> str:
        return age_label(self.case.age_band)

    @property
    def sex(self) -> str:
        return sex_label(self.case.sex)

    @property
    def group_handle(self) -> str | None:
        if self.group is None:
            return None
        return self.group.username if self.group.local else f"{self.group.username}@{self.group.domain}"

    @property
    def group_name(self) -> str:
        return (self.group.display_name or self.group.username) if self.group else ""

    @property
    def path(self) -> str:
        """The case's thread page (in its group), or the post's own page when its group is not known here."""
        if self.group_handle is None:
            return f"/statuses/{self.post.id}"
        return f"/groups/{quote(self.group_handle, safe='@')}/threads/{self.post.id}"


async def entries(session, posts: list[Post]) -> list[CaseEntry]:
    """The cases of these posts (each a case's first post), in their order."""
    cases = await cases_of(session, [p.id for p in posts])
    groups = {c.group_id: await session.get(Actor, c.group_id) for c in cases.values() if c.group_id is not None}
    return [CaseEntry(cases[p.id], p, groups.get(cases[p.id].group_id), p.replies_count or 0)
            for p in posts if p.id in cases]


async def entry_of(session, post: Post) -> CaseEntry | None:
    found = await entries(session, [post])
    return found[0] if found else None


async def with_case_marks(session, threads: list) -> list:
    """The group page's threads (ThreadSummary) with resolved cases marked resolved."""
    cases = await cases_of(session, [t.post.id for t in threads])
    return [replace(t, marks=replace(t.marks, resolved=True))
            if cases.get(t.post.id) is not None and cases[t.post.id].state == "resolved" else t for t in threads]


async def case_context(web, listing, thread, cards: dict) -> dict:
    """What the thread page adds for a case: the case, whether the viewer may mark it resolved (its author, or a
    moderator of its group here: server.services.cases.resolving decides again), and its accepted answer's card
    (None when the answer is not shown here; `accepted_uri` then links to it)."""
    entry = await entry_of(web.db, thread.first)
    if entry is None:
        return {"case": None}
    viewer = web.viewer
    may_resolve = viewer is not None and thread.first.visibility != "held" and (
        thread.first.author_id == viewer.actor_id
        or (listing.group is not None and await registry.may_moderate(web.db, listing.group, viewer)))
    answer_id = entry.case.accepted_answer_id
    accepted = cards.get(str(answer_id)) if answer_id is not None else None
    uri = entry.case.accepted_answer_uri if accepted is None else None
    return {"case": entry, "may_resolve": may_resolve, "accepted": accepted, "accepted_uri": uri,
            "accepted_id": str(answer_id) if answer_id is not None else ""}
