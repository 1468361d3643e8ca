"""A notification -> the JSON of its Web Push, as Mastodon's Web::NotificationSerializer writes it (and its
English notification_mailer subjects as titles)."""
from __future__ import annotations

from federation.html import ContentError, html_to_text
from server.convert.actor_to_mastodon import DEFAULT_AVATAR
from server.db.models import Actor, Notification, Post

TITLES = {
    "mention": "You were mentioned by {name}",
    "status": "{name} just posted",
    "reblog": "{name} boosted your post",
    "follow": "{name} is now following you",
    "follow_request": "Pending follower: {name}",
    "favourite": "{name} favorited your post",
    "poll": "A poll by {name} has ended",
    "update": "{name} edited a post",
    "admin.sign_up": "{name} signed up",
    "admin.report": "{name} submitted a report",
    "moderation_warning": "A moderator of {name} wrote to you",
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
        "title": TITLES.get(notification.type, "{name}").format(name=name),
        "body": _truncated(_text(post.summary or post.content_html if post else sender.summary)),
    }


def _text(html: str | None) -> str:
    try:
        return html_to_text(html or "")
    except ContentError:  # longer than any stored text may be
        return ""


def _truncated(text: str) -> str:
    return text if len(text) <= BODY_LENGTH else text[:BODY_LENGTH - 1].rstrip() + "…"
