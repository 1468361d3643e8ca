"""/api/v1/statuses/:id/pin and /unpin: up to five of a member's own public or unlisted posts on their profile."""
from __future__ import annotations

from server.api.mastodon.statuses import status_action
from server.services.posts import post_actions

pin = status_action(post_actions.PIN)
unpin = status_action(post_actions.UNPIN)
