"""One-line confirmations shown after a form's redirect (?notice=key): fixed texts, never echoed input."""
from __future__ import annotations

from server.web.page import Web

NOTICES = {
    "saved": "Your changes are saved.",
    "welcome": "Your email address is confirmed. Welcome! Take a moment to complete your profile.",
    "password": "Your password is changed. Your other browsers and apps were logged out.",
    "session_ended": "That session is logged out.",
    "unblocked": "Unblocked.",
    "unmuted": "Unmuted.",
    "domain_blocked": "The domain is blocked: you will not see anything from it.",
    "domain_unblocked": "The domain is unblocked.",
    "submitted": "Your verification request was sent. Reviewers usually answer within a few days.",
    "answered": "Your answer was sent; the request is back in the review queue.",
    "tag_followed": "You follow this hashtag: its new public posts will appear in your home timeline.",
    "tag_unfollowed": "You no longer follow this hashtag.",
    "filter_saved": "The filter is saved. It applies in your apps too.",
    "filter_deleted": "The filter is deleted.",
    "alias_added": "The alias is saved: that account may now move here.",
    "alias_removed": "The alias is removed.",
    "moved": "Your account has moved. Your followers are being told to follow your new account.",
    "move_undone": "The move is undone: this account is yours to use again.",
    "import_queued": "The file is accepted: it is being imported, row by row. This page shows how far it got.",
}


def notice(web: Web) -> str:
    return NOTICES.get(web.request.query_params.get("notice", ""), "")
