"""Writing a post from the web: /compose (and the short form on /home posting to it).

Images are stored as uploads first (cleaned of metadata by server.services.posts.media), so that when the post
comes back for an edit — a refused field, or the patient-privacy guard asking for a look — they stay
attached without being sent again. The guard's findings are shown highlighted in the author's own text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.responses import Response

from moderation.errors import ServiceError
from moderation.phi import IMAGE_REMINDER
from server.db.ids import as_id
from server.db.models import MediaAttachment, Post
from server.i18n import N_, format_duration, gettext
from server.services.posts import authoring as post_service
from server.services.posts import media as media_service
from server.services.posts import media_phi
from server.services.social.visibility_to_viewers import visible_post
from server.web.forms import because
from server.web.page import Web, error_page, safe_next
from server.web.phi_marks import guard_answer
from server.web.status_view import roll_back, status_cards, viewer_actor

MAX_IMAGES = media_service.MAX_ATTACHMENTS
VISIBILITIES = (
    ("public", N_("Public"), N_("anyone, in public timelines")),
    ("unlisted", N_("Unlisted"), N_("anyone, not in public timelines")),
    ("private", N_("Followers only"), N_("your followers")),
    ("local", N_("Members only"), N_("this community; never leaves it")),
    ("direct", N_("Direct"), N_("only the people mentioned")),
)
# A poll's lengths: seconds, and the amount and CLDR unit its label is written in (in the page's language).
DURATIONS = ((300, 5, "minute"), (1800, 30, "minute"), (3600, 1, "hour"), (21600, 6, "hour"), (86400, 1, "day"),
             (259200, 3, "day"), (604800, 7, "day"))


@dataclass
class Draft:
    """The form as the author filled it in (echoed back when the post needs another look)."""

    text: str = ""
    spoiler_text: str = ""
    visibility: str = "public"
    sensitive: bool = False
    in_reply_to_id: str = ""
    poll_options: list[str] = field(default_factory=lambda: ["", ""])
    poll_duration: int = 86400
    poll_multiple: bool = False
    media: list[MediaAttachment] = field(default_factory=list)


def _draft(web: Web) -> Draft:
    options = [web.value(f"poll_option_{i}").strip() for i in range(1, 5)]
    try:
        duration = int(web.value("poll_duration") or 86400)
    except ValueError:
        duration = 86400
    reply = web.value("in_reply_to_id")
    return Draft(text=web.value("status"), spoiler_text=web.value("spoiler_text").strip(),
                 visibility=web.value("visibility") or "public", sensitive=bool(web.value("sensitive")),
                 in_reply_to_id=reply if reply.isdigit() and len(reply) <= 19 else "", poll_options=options,
                 poll_duration=duration, poll_multiple=bool(web.value("poll_multiple")))


def _new_post(draft: Draft, confirmed: bool) -> post_service.NewPost:
    options = tuple(o for o in draft.poll_options if o)
    poll = post_service.PollSpec(options, draft.poll_duration, draft.poll_multiple) if options else None
    return post_service.NewPost(text=draft.text, visibility=draft.visibility, spoiler_text=draft.spoiler_text,
                                sensitive=draft.sensitive, poll=poll, phi_confirmed=confirmed,
                                in_reply_to_id=int(draft.in_reply_to_id) if draft.in_reply_to_id else None,
                                media_ids=tuple(m.id for m in draft.media))


async def _uploads(web: Web, draft: Draft) -> None:
    """The images kept from an earlier try (their descriptions as edited), then the new files, stored now.
    Raises ServiceError or ServiceError with a reason for the author."""
    owner = viewer_actor(web)
    for raw in web.form.getlist("media_id")[:MAX_IMAGES]:
        if isinstance(raw, str) and raw.isdigit() and len(raw) <= 20:
            row = await media_service.own_unattached(web.db, owner, int(raw))
            row.description = media_service.check_description(web.value(f"media_description_{raw}"))
            draft.media.append(row)
    for i in range(1, MAX_IMAGES + 1):
        upload = web.form.get(f"media_file_{i}")
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        data = await upload.read()
        if not data:
            continue
        if len(draft.media) >= MAX_IMAGES:
            raise ServiceError(N_("a post has at most %(limit)s images"), values={"limit": MAX_IMAGES})
        description = media_service.check_description(web.value(f"media_description_new_{i}"))
        row = await media_service.upload(web.runtime, web.db, owner, data, description=description)
        await media_phi.check_now(web.runtime, web.db, row)  # the post is checked right after: wait for it
        draft.media.append(row)


def _texts(draft: Draft, new: post_service.NewPost) -> list[tuple[str, str]]:
    """The post's texts in the order the guard checks them (server.services.posts.authoring.check_privacy)."""
    texts = [(gettext("Text"), draft.text), (gettext("Content warning"), draft.spoiler_text)]
    options = new.poll.options if new.poll else ()
    texts += [(gettext("Poll option %(n)s") % {"n": i}, o) for i, o in enumerate(options, 1)]
    texts += [(gettext("Image description %(n)s") % {"n": i}, m.description or "")
              for i, m in enumerate(draft.media, 1)]
    return texts


async def _reply_card(web: Web, reply_id: str) -> dict | None:
    if not reply_id:
        return None
    post = await visible_post(web.db, int(reply_id), viewer_actor(web))
    if post is None:
        return None
    return (await status_cards(web, [post]))[0]


async def _page(web: Web, draft: Draft, status: int = 200, **extra) -> Response:
    reply = await _reply_card(web, draft.in_reply_to_id)
    next_url = safe_next(web.value("next"), "") if web.form is not None else ""
    return web.render("posts/compose.html", status=status, draft=draft, reply=reply, next=next_url,
                      **form_context(web), **extra)


def form_context(web: Web) -> dict:
    """What every compose form shows; its labels in the page's language."""
    return {"visibilities": [(value, gettext(label), gettext(hint)) for value, label, hint in VISIBILITIES],
            "durations": [(seconds, format_duration(amount, unit)) for seconds, amount, unit in DURATIONS],
            "image_reminder": IMAGE_REMINDER,
            "max_chars": post_service.MAX_CHARS, "max_images": MAX_IMAGES,
            "media_url": lambda row: media_service.file_url(web.runtime, row.file_key, row.extension, small=True)}


def compose_context(web: Web, next_url: str) -> dict:
    """What the short compose form on other pages (/home) needs; after posting, the author is sent to `next_url`."""
    return {"draft": Draft(), "next": next_url, **form_context(web)}


async def compose(web: Web) -> Response:
    if web.request.method == "GET":
        return await _new_draft(web)
    draft = _draft(web)
    try:
        await _uploads(web, draft)
    except ServiceError as exc:
        await roll_back(web)
        draft.media = []
        return await _page(web, draft, 422, error=because("That image could not be used: %(reason)s", exc))
    await web.db.commit()  # the uploads stay (for a day) even if the post needs another look
    if web.value("blur_media"):
        return await _blur(web, draft, web.value("blur_media"))
    new = _new_post(draft, confirmed=web.value("phi_confirmed") == "1")
    try:
        post = await post_service.create_post(web.runtime, web.db, viewer_actor(web), new)
    except ServiceError as exc:
        await roll_back(web)
        draft.media = [await web.db.get(MediaAttachment, i) for i in new.media_ids]  # a rollback expired them
        if isinstance(exc, post_service.PhiFound):
            return await _phi_page(web, draft, new, exc)
        return await _page(web, draft, 422, error=because("The post was not sent: %(reason)s.", exc))
    await web.db.commit()
    return _after_post(web, post)


def _after_post(web: Web, post: Post) -> Response:
    if post.visibility == "held":  # the guard's hold policy: a moderator publishes it
        return web.render("posts/compose.html", status=202, draft=Draft(), reply=None, held=True,
                          **form_context(web))
    default = f"/statuses/{post.id}" if post.in_reply_to_id is None else f"/statuses/{post.in_reply_to_id}"
    return web.redirect(safe_next(web.value("next"), default))


async def _phi_page(web: Web, draft: Draft, new: post_service.NewPost, exc: post_service.PhiFound) -> Response:
    return await _page(web, draft, 422, phi=guard_answer(_texts(draft, new), exc.decision, images=_images(web, draft)))


def _images(web: Web, draft: Draft) -> list[tuple[str, str, int, int]]:
    return [(str(m.id), media_service.file_url(web.runtime, m.file_key, m.extension), m.width, m.height)
            for m in draft.media]


async def _blur(web: Web, draft: Draft, media_id: str) -> Response:
    """Replace one of the draft's images by a copy with what the guard found blurred; the author looks
    at it and posts again."""
    index = next((i for i, m in enumerate(draft.media) if str(m.id) == media_id), None)
    boxes = [] if index is None else media_phi.blur_areas(draft.media[index])
    if not boxes:
        return await _page(web, draft, 422, error=gettext("There is nothing to blur in that image."))
    copy = await media_phi.blurred_copy(web.runtime, web.db, viewer_actor(web), draft.media[index], boxes)
    draft.media[index] = copy
    await web.db.commit()
    return await _page(web, draft, notice=f"Image {index + 1} was blurred where the guard found something. "
                                          "Check it, then post.")


async def _new_draft(web: Web) -> Response:
    reply_raw = web.request.query_params.get("in_reply_to", "")
    draft = Draft()
    if reply_raw:
        if as_id(reply_raw) is None:
            return error_page(web, 404, gettext("There is no such post to reply to."))
        post = await visible_post(web.db, as_id(reply_raw), viewer_actor(web))
        if post is None or post.boost_of_id is not None:
            return error_page(web, 404, gettext("There is no such post to reply to."))
        draft = await reply_draft(web, post)
    return await _page(web, draft)


async def reply_draft(web: Web, post: Post) -> Draft:
    """A reply mentions the author (and those the post mentions), keeps the content warning, and is
    no more public than the post it answers."""
    card = (await status_cards(web, [post]))[0]
    me = viewer_actor(web)
    accts = [card["account"]["acct"]] + [m["acct"] for m in card["mentions"]]
    mine = me.username if me else None
    mentions = " ".join("@" + a for a in dict.fromkeys(accts) if a != mine)
    visibility = post.visibility if post.visibility in ("unlisted", "private", "direct", "local") else "public"
    return Draft(text=(mentions + " ") if mentions else "", spoiler_text=post.summary or "",
                 visibility=visibility, in_reply_to_id=str(post.id))
