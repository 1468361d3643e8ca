"""A notification -> the JSON of its Web Push, as Mastodon's Web::NotificationSerializer writes it (and its
notification_mailer subjects as titles, in the member's language)."""
from __future__ import annotations

from federation.html import ContentError, html_to_text
from server.convert.actor_to_mastodon import DEFAULT_AVATAR
from server.db.models import Actor, Notification, Post
from server.i18n import N_, gettext, use_locale

TITLES = {
    "mention": N_("You were mentioned by %(name)s"),
    "status": N_("%(name)s just posted"),
    "reblog": N_("%(name)s boosted your post"),
    "follow": N_("%(name)s is now following you"),
    "follow_request": N_("Pending follower: %(name)s"),
    "favourite": N_("%(name)s favorited your post"),
    "poll": N_("A poll by %(name)s has ended"),
    "update": N_("%(name)s edited a post"),
    "admin.sign_up": N_("%(name)s signed up"),
    "admin.report": N_("%(name)s submitted a report"),
    "moderation_warning": N_("A moderator of %(name)s wrote to you"),
}
BODY_LENGTH = 140


def notification_to_push(notification: Notification, sender: Actor, post: Post | None, *, access_token: str,
                         locale: str, base_url: str) -> dict:
    name = sender.display_name or sender.username
    return {
        "access_token": access_token,
        "preferred_locale": locale,
        "notification_id": notification.id,
        "notification_type": notification.type,
        "icon": sender.icon_url or base_url + DEFAULT_AVATAR,
        "title": _title(notification.type, name, locale),
        "body": _truncated(_text(post.summary or post.content_html if post else sender.summary)),
    }


def _title(kind: str, name: str, locale: str) -> str:
    with use_locale(locale):
        return gettext(TITLES[kind]) % {"name": name} if kind in TITLES else name


def _text(html: str | None) -> str:
    try:
        return html_to_text(html or "")
    except ContentError:  # longer than any stored text may be
        return ""


def _truncated(text: str) -> str:
    return text if len(text) <= BODY_LENGTH else text[:BODY_LENGTH - 1].rstrip() + "…"
