"""One-line confirmations shown after a form's redirect (?notice=key): fixed texts, never echoed input."""
from __future__ import annotations

from server.i18n import N_, gettext
from server.web.page import Web

NOTICES = {
    "saved": N_("Your changes are saved."),
    "welcome": N_("Your email address is confirmed. Welcome! Take a moment to complete your profile."),
    "password": N_("Your password is changed. Your other browsers and apps were logged out."),
    "session_ended": N_("That session is logged out."),
    "unblocked": N_("Unblocked."),
    "unmuted": N_("Unmuted."),
    "domain_blocked": N_("The domain is blocked: you will not see anything from it."),
    "domain_unblocked": N_("The domain is unblocked."),
    "submitted": N_("Your verification request was sent. Reviewers usually answer within a few days."),
    "answered": N_("Your answer was sent; the request is back in the review queue."),
    "tag_followed": N_("You follow this hashtag: its new public posts will appear in your home timeline."),
    "tag_unfollowed": N_("You no longer follow this hashtag."),
    "filter_saved": N_("The filter is saved. It applies in your apps too."),
    "filter_deleted": N_("The filter is deleted."),
    "alias_added": N_("The alias is saved: that account may now move here."),
    "alias_removed": N_("The alias is removed."),
    "moved": N_("Your account has moved. Your followers are being told to follow your new account."),
    "move_undone": N_("The move is undone: this account is yours to use again."),
    "import_queued": N_("The file is accepted: it is being imported, row by row. This page shows how far it got."),
    # a group's moderation (server.web.group_moderation)
    "group_removed": N_("Removed from the group."),
    "group_locked": N_("The thread is locked: no new replies."),
    "group_unlocked": N_("The thread is unlocked."),
    "group_pinned": N_("The thread is pinned to the top of the group."),
    "group_unpinned": N_("The thread is unpinned."),
    "group_banned": N_("The author is banned from the group."),
    "group_unbanned": N_("The ban is lifted."),
}


def notice(web: Web) -> str:
    text = NOTICES.get(web.request.query_params.get("notice", ""))
    return gettext(text) if text else ""
