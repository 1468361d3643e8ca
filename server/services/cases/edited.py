"""A case's fields after its post is edited: the question and the presentation are read back from the edited
text (as cases.authoring writes it: "Question: …", "Presentation: …", the categories line, the group line), so
that what the author took out of the text is gone from the case too; text that is not in that shape becomes the
question whole, the presentation then empty (nothing of the old version is kept)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Case, Post

QUESTION, PRESENTATION = "Question: ", "Presentation: "
CATEGORIES, GROUP_LINE = "\n\nSpecialties: ", "\nCase discussion in @"


def fields_of(text: str) -> tuple[str, str]:
    """(question, presentation) of a case post's text."""
    body = text or ""
    at = body.rfind(GROUP_LINE)
    if at >= 0 and "\n" not in body[at + 1:]:
        body = body[:at]
    at = body.rfind(CATEGORIES)
    if at >= 0 and "\n" not in body[at + 2:]:
        body = body[:at]
    if body.startswith(QUESTION) and f"\n\n{PRESENTATION}" in body:
        question, _, presentation = body[len(QUESTION):].partition(f"\n\n{PRESENTATION}")
        return question.strip(), presentation.strip()
    return body.strip(), ""


async def take_edit(session: AsyncSession, post: Post, text: str) -> None:
    """Set the case of an edited post (if it is one) from the post's new text."""
    if post.object_type != "Page":
        return
    case = await session.get(Case, post.id)
    if case is not None:
        case.question, case.presentation = fields_of(text)
