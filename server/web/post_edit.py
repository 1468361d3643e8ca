"""Editing one's own post from the web (/statuses/{id}/edit) and the earlier versions of any post the viewer
may see (/statuses/{id}/history). An edit goes through server.services.posts.authoring.edit_post as PUT
/api/v1/statuses/:id does: screened by the patient-privacy guard (its findings shown as on /compose),
the old version kept, and an Update queued for the servers that have the post."""
from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Post
from server.i18n import gettext
from server.services.moderation.held import held_for
from server.services.posts import authoring as post_service
from server.services.posts import languages
from server.services.social.visibility_to_viewers import visible_post
from server.web.forms import because
from server.web.page import Web, error_page
from server.web.phi_marks import guard_answer
from server.web.status_view import full_time, roll_back, status_cards, viewer_actor
from server.web.threads import NOT_FOUND, post_id_of

LANGUAGES = tuple((code, own_name) for code, _, own_name in languages.LANGUAGES)


@dataclass
class EditForm:
    """What the author sees in the form: the post's source, or what they typed (echoed back)."""

    text: str
    spoiler_text: str
    sensitive: bool
    language: str


async def _own(web: Web) -> Post | None:
    try:
        return await post_service.own_post(web.db, viewer_actor(web), post_id_of(web.request.path_params["id"]) or 0)
    except ServiceError:
        return None


async def _prefilled(web: Web, post: Post) -> tuple[EditForm, bool]:
    """The form of the post as it stands, or of the author's edit still waiting for a moderator (so that
    they can take the identifiers out of it); and whether it is that waiting edit."""
    held = (await held_for(web.db, [post.id])).get(post.id)
    if held is not None and held.kind == "edit" and held.edit:
        edit = held.edit
        return EditForm(edit.get("text") or "", edit.get("spoiler_text") or "", bool(edit.get("sensitive")),
                        edit.get("language") or post.language or ""), True
    return EditForm(post.source or "", post.summary or "", post.sensitive, post.language or ""), False


def _texts(form: EditForm, post: Post) -> list[tuple[str, str]]:
    """The edit's texts in the order the guard checks them (the poll is kept as it is, so not re-checked)."""
    texts = [(gettext("Text"), form.text), (gettext("Content warning"), form.spoiler_text)]
    return texts + [(gettext("Image description %(n)s") % {"n": i}, m.get("description") or "")
                    for i, m in enumerate(post.attachments or (), 1)]


def _page(web: Web, post: Post, form: EditForm, status: int = 200, **extra) -> Response:
    languages = LANGUAGES if form.language in ("", *(c for c, _ in LANGUAGES)) else (
        (form.language, form.language), *LANGUAGES)
    return web.render("posts/edit.html", status=status, post=post, form=form, languages=languages,
                      max_chars=post_service.MAX_CHARS, has_media=bool(post.attachments), has_poll=bool(post.poll),
                      **extra)


async def edit(web: Web) -> Response:
    post = await _own(web)
    if post is None:
        return error_page(web, 404, NOT_FOUND)
    if web.request.method == "GET":
        form, pending = await _prefilled(web, post)
        return _page(web, post, form, pending=pending)
    form = EditForm(web.value("status"), web.value("spoiler_text").strip(), bool(web.value("sensitive")),
                    web.value("language").strip())
    new = post_service.NewPost(text=form.text, spoiler_text=form.spoiler_text, sensitive=form.sensitive,
                               language=form.language or None, phi_confirmed=web.value("phi_confirmed") == "1")
    try:
        await post_service.edit_post(web.runtime, web.db, viewer_actor(web), post.id, new)
    except ServiceError as exc:
        post_id = post.id
        await roll_back(web)
        post = await web.db.get(Post, post_id)  # loaded again: the rollback expired it
        if isinstance(exc, post_service.PhiFound):
            return _page(web, post, form, 422, phi=guard_answer(_texts(form, post), exc.decision, verb="save"))
        return _page(web, post, form, 422, error=because("The post was not saved: %(reason)s.", exc))
    await web.db.commit()
    return web.redirect(f"/statuses/{post.id}")


async def history(web: Web) -> Response:
    """The post as it is now, then each earlier version, newest first."""
    post_id = post_id_of(web.request.path_params["id"])
    post = None if post_id is None else await visible_post(web.db, post_id, viewer_actor(web))
    if post is None:
        return error_page(web, 404, NOT_FOUND)
    if post.boost_of_id is not None:
        return web.redirect(f"/statuses/{post.boost_of_id}/history")
    [card] = await status_cards(web, [post])
    earlier = [{"content": e.content_html, "spoiler_text": e.summary or "", "sensitive": e.sensitive,
                "when": full_time(e.created_at.isoformat())} for e in await post_service.edit_history(web.db, post)]
    current = {"content": card["content"], "spoiler_text": card["spoiler_text"], "sensitive": card["sensitive"],
               "when": full_time(card["edited_at"] or card["created_at"])}
    return web.render("posts/history.html", status_card=card, versions=[current, *reversed(earlier)])
