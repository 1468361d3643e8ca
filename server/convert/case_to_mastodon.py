"""A case -> the `curbside_case` object every Status of a case carries, local or from another Curbside."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import Case


def case_to_mastodon(case: Case) -> dict:
    return {"state": case.state,
            "accepted_answer_id": str(case.accepted_answer_id) if case.accepted_answer_id else None,
            "title": case.title, "question": case.question, "presentation": case.presentation,
            "specialties": list(case.specialties or []), "age_band": case.age_band, "sex": case.sex,
            "resolved_at": iso(case.resolved_at)}
