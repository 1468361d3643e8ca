"""A case as ActivityStreams: the Page of its thread carries the case's properties in the `curbside:` namespace
(server/ap/namespace.py) for other Curbsides, and, for software that knows nothing of them, everything in its
`name` and `content`: the title, the question, the presentation, the categories, and once resolved a line
"Resolved — answer: <link>"."""
from __future__ import annotations

import html
import re
from typing import Any

from server.convert.actor_to_as import iso
from server.db.models import Case

CASE = "curbside:case"
TERMS = {"type": "type", "state": "curbside:state", "accepted": "curbside:acceptedAnswer",
         "question": "curbside:question", "presentation": "curbside:presentation",
         "specialties": "curbside:specialties", "age_band": "curbside:ageBand", "sex": "curbside:sex",
         "resolved": "curbside:resolved"}
TITLE_HEADING = re.compile(r"<p><strong>([^<]*)</strong></p>")
RESOLVED_MARK = "<p>Resolved"  # the start of the line a resolved case's content ends with


def title_heading(title: str) -> str:
    """The heading a Page's title becomes in our copy's content, as federation.vocab makes it of a remote Page."""
    return f"<p><strong>{html.escape(title, quote=False)}</strong></p>"


def split_title(content_html: str) -> tuple[str | None, str]:
    """A local Page's title and the rest of its content: the inverse of title_heading (None, the content unchanged,
    when it starts with no such heading)."""
    found = TITLE_HEADING.match(content_html or "")
    if found is None:
        return None, content_html
    return html.unescape(found.group(1)), content_html[found.end():]


def resolved_line(answer_url: str | None) -> str:
    if answer_url is None:
        return "<p>Resolved</p>"
    href = html.escape(answer_url)
    return f'<p>Resolved — answer: <a href="{href}">{href}</a></p>'


def without_resolved_line(content_html: str) -> str:
    """The content without the resolved line a case's content may end with."""
    at = content_html.rfind(RESOLVED_MARK)
    return content_html[:at] if at >= 0 and content_html.endswith("</p>") and "</p>" not in content_html[
        at:-4] else content_html


def case_properties(case: Case, accepted_uri: str | None) -> dict[str, Any]:
    """The `curbside:case` object."""
    props = {"type": "curbside:Case", TERMS["state"]: case.state, TERMS["question"]: case.question,
             TERMS["presentation"]: case.presentation, TERMS["specialties"]: list(case.specialties or []),
             TERMS["age_band"]: case.age_band, TERMS["sex"]: case.sex, TERMS["accepted"]: accepted_uri}
    if case.resolved_at is not None:
        props[TERMS["resolved"]] = iso(case.resolved_at)
    return {k: v for k, v in props.items() if v is not None}


def case_to_as(case: Case, content_html: str, accepted_uri: str | None) -> dict[str, Any]:
    """What a case sets over its post's Page: its title as `name`, its content without the title's heading (each
    reader makes its own of `name`), and the `curbside:case` object."""
    heading = title_heading(case.title)
    content = content_html[len(heading):] if content_html.startswith(heading) else content_html
    return {"type": "Page", "name": case.title, "content": content, CASE: case_properties(case, accepted_uri)}


def case_context(namespace: str) -> dict[str, str]:
    """The JSON-LD context entry that makes `curbside:` names resolvable."""
    return {"curbside": f"{namespace}#"}
