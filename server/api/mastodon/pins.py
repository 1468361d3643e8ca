"""/api/v1/statuses/:id/pin and /unpin: up to five of a member's own public or unlisted posts on their profile."""
from __future__ import annotations

from server.api.mastodon.bookmarks import status_action
from server.services.posts import bookmarks_and_pins as bookmarks

pin = status_action(bookmarks.pin, "write:accounts")
unpin = status_action(bookmarks.unpin, "write:accounts")
