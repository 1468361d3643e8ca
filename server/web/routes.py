"""The web UI's one route table: each page says what it needs (anyone, member, moderator, admin)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.web import (
    auth_pages,
    compose,
    confirm_resend,
    directory,
    followed_tags,
    group_moderation,
    group_pages,
    group_threads,
    landing,
    list_pages,
    messages,
    notifications,
    oauth_consent,
    password_reset,
    post_edit,
    profiles,
    report_pages,
    search,
    settings_account,
    settings_filters,
    settings_lists,
    settings_moving,
    settings_preferences,
    settings_profile,
    signup,
    status_actions,
    threads,
    timelines,
    verification_page,
)
from server.web.admin import (
    announcements,
    audit_log,
    blocklists,
    dashboard,
    domains,
    members,
    reports,
    site_settings,
    verifications,
)
from server.web.page import WebRoute, serve_page

FORM = ("GET", "POST")
POST = ("POST",)

WEB_ROUTES: list[WebRoute] = [
    WebRoute("/", landing.landing),
    WebRoute("/login", auth_pages.login, FORM),
    WebRoute("/oauth/authorize", oauth_consent.authorize, FORM),  # the consent page of server.api.oauth's flow
    WebRoute("/logout", auth_pages.logout, ("POST",), need="member"),
    # == public and account pages (issue #7, the web side of #4) ==
    WebRoute("/about", landing.about),
    WebRoute("/signup", signup.signup, FORM),
    WebRoute("/invite/{code}", signup.invite),
    WebRoute("/confirm/resend", confirm_resend.resend, FORM),  # before /confirm/{token}, which would take it
    WebRoute("/confirm/{token}", signup.confirm, FORM),
    WebRoute("/password/forgot", password_reset.forgot, FORM),
    WebRoute("/password/reset/{token}", password_reset.reset, FORM),
    WebRoute("/settings", settings_profile.settings_home, need="member"),
    WebRoute("/settings/profile", settings_profile.edit_profile, FORM, need="member"),
    WebRoute("/settings/privacy", settings_profile.privacy, FORM, need="member"),
    WebRoute("/settings/preferences", settings_preferences.preferences, FORM, need="member"),
    WebRoute("/settings/account", settings_account.account, need="member"),
    WebRoute("/settings/account/password", settings_account.password, POST, need="member"),
    WebRoute("/settings/account/sessions/end", settings_account.end_session, POST, need="member"),
    WebRoute("/settings/account/sessions/end_all", settings_account.log_out_everywhere, POST, need="member"),
    WebRoute("/settings/blocks", settings_lists.blocks, need="member"),
    WebRoute("/settings/blocks/unblock", settings_lists.unblock, POST, need="member"),
    WebRoute("/settings/blocks/unmute", settings_lists.unmute, POST, need="member"),
    WebRoute("/settings/blocks/domains", settings_lists.block_domain, POST, need="member"),
    WebRoute("/settings/blocks/domains/remove", settings_lists.unblock_domain, POST, need="member"),
    WebRoute("/settings/export", settings_lists.export, need="member"),
    WebRoute("/settings/export/{name}", settings_lists.download, need="member"),
    WebRoute("/settings/delete", settings_account.delete, FORM, need="member"),
    # moving between instances (as Mastodon): aliases, moving out (and undoing it), importing CSV exports
    WebRoute("/settings/aliases", settings_moving.aliases, FORM, need="member"),
    WebRoute("/settings/aliases/remove", settings_moving.remove_alias, POST, need="member"),
    WebRoute("/settings/migration", settings_moving.move, FORM, need="member"),
    WebRoute("/settings/migration/undo", settings_moving.undo_move, POST, need="member"),
    WebRoute("/settings/import", settings_moving.import_data, FORM, need="member"),
    # keyword filters (the web side of /api/v2/filters)
    WebRoute("/settings/filters", settings_filters.filters_page, need="member"),
    WebRoute("/settings/filters/new", settings_filters.new_filter, FORM, need="member"),
    WebRoute("/settings/filters/{id}", settings_filters.edit_filter, FORM, need="member"),
    WebRoute("/settings/filters/{id}/delete", settings_filters.delete_filter, POST, need="member"),
    WebRoute("/verification", verification_page.verification, FORM, need="member"),
    WebRoute("/verification/check", verification_page.check, POST, need="member"),
    WebRoute("/verification/{id}/respond", verification_page.answer, POST, need="member"),
    # Posts (issue 7): timelines, compose, threads, profiles, notifications, search, directory, and the
    # actions on posts and accounts. The profile and post pages at the ActivityPub URLs (/@{username},
    # /@{username}/{id}, /users/...) are served from server.ap through ap_page.
    WebRoute("/home", timelines.home, need="member"),
    WebRoute("/local", timelines.local, need="member"),
    WebRoute("/federated", timelines.federated, need="member"),
    WebRoute("/public", timelines.public),
    WebRoute("/tags/{tag}", timelines.tag),
    WebRoute("/compose", compose.compose, FORM, need="member"),
    WebRoute("/statuses/{id}", threads.status_page),
    WebRoute("/statuses/{id}/favourite", status_actions.favourite, POST, need="member"),
    WebRoute("/statuses/{id}/unfavourite", status_actions.unfavourite, POST, need="member"),
    WebRoute("/statuses/{id}/boost", status_actions.boost, POST, need="member"),
    WebRoute("/statuses/{id}/unboost", status_actions.unboost, POST, need="member"),
    WebRoute("/statuses/{id}/bookmark", status_actions.bookmark, POST, need="member"),
    WebRoute("/statuses/{id}/unbookmark", status_actions.unbookmark, POST, need="member"),
    WebRoute("/statuses/{id}/vote", status_actions.vote, POST, need="member"),
    WebRoute("/statuses/{id}/delete", status_actions.delete, POST, need="member"),
    WebRoute("/accounts/{id}/follow", profiles.follow, POST, need="member"),
    WebRoute("/accounts/{id}/unfollow", profiles.unfollow, POST, need="member"),
    WebRoute("/accounts/{id}/block", profiles.block, POST, need="member"),
    WebRoute("/accounts/{id}/unblock", profiles.unblock, POST, need="member"),
    WebRoute("/accounts/{id}/mute", profiles.mute, POST, need="member"),
    WebRoute("/accounts/{id}/unmute", profiles.unmute, POST, need="member"),
    WebRoute("/accounts/{id}/authorize", profiles.authorize, POST, need="member"),
    WebRoute("/accounts/{id}/reject", profiles.reject, POST, need="member"),
    WebRoute("/notifications", notifications.notifications, need="member"),
    WebRoute("/search", search.search, need="member"),
    WebRoute("/directory", directory.directory, need="member"),
    # == lists: a member's lists of colleagues they follow, each with its timeline ==
    WebRoute("/lists", list_pages.index, FORM, need="member"),
    WebRoute("/lists/{id}", list_pages.show, need="member"),
    WebRoute("/lists/{id}/edit", list_pages.edit, POST, need="member"),
    WebRoute("/lists/{id}/delete", list_pages.delete, POST, need="member"),
    WebRoute("/lists/{id}/members/add", list_pages.add_member, POST, need="member"),
    WebRoute("/lists/{id}/members/remove", list_pages.remove_member, POST, need="member"),
    # == private messages: direct conversations (the web side of /api/v1/conversations) ==
    WebRoute("/messages", messages.messages, need="member"),
    WebRoute("/messages/new", messages.new_message, FORM, need="member"),
    WebRoute("/messages/{id}", messages.open_conversation, need="member"),
    WebRoute("/messages/{id}/hide", messages.hide, POST, need="member"),
    # == followed hashtags: the buttons of /tags/{tag} and the member's list ==
    WebRoute("/tags/{tag}/follow", followed_tags.follow, POST, need="member"),
    WebRoute("/tags/{tag}/unfollow", followed_tags.unfollow, POST, need="member"),
    WebRoute("/settings/tags", followed_tags.settings_page, need="member"),
    # == posts, continued: reporting a post or an account, editing one's own post (and any post's edit
    # history), pinning one's own posts to one's profile ==
    WebRoute("/statuses/{id}/report", report_pages.status_report, FORM, need="member"),
    WebRoute("/accounts/{id}/report", report_pages.account_report, FORM, need="member"),
    WebRoute("/statuses/{id}/edit", post_edit.edit, FORM, need="member"),
    WebRoute("/statuses/{id}/history", post_edit.history),
    WebRoute("/statuses/{id}/pin", status_actions.pin, POST, need="member"),
    WebRoute("/statuses/{id}/unpin", status_actions.unpin, POST, need="member"),
    # == groups (issue 16): the directory here; a group's and a thread's pages are at their ActivityPub URLs
    # (AP_PAGES below); joining, leaving, starting a thread and replying are forms posted here ==
    WebRoute("/groups", group_pages.directory),
    WebRoute("/groups/{name}/join", group_pages.join, POST, need="member"),
    WebRoute("/groups/{name}/leave", group_pages.leave, POST, need="member"),
    WebRoute("/groups/{name}/threads", group_threads.start_thread, POST, need="member"),
    WebRoute("/groups/{name}/threads/{thread_id}/reply", group_threads.reply, POST, need="member"),
    WebRoute("/groups/{name}/moderation/{action}", group_moderation.act, POST, need="member"),
    # == admin area (issue #7): moderators review and keep the federation's policies; admins run the instance ==
    WebRoute("/admin", dashboard.dashboard, need="moderator"),
    WebRoute("/admin/verifications", verifications.queue, need="moderator"),
    WebRoute("/admin/verifications/{id}", verifications.show, need="moderator"),
    WebRoute("/admin/verifications/{id}/evidence", verifications.evidence, need="moderator"),
    WebRoute("/admin/verifications/{id}/approve", verifications.approve, POST, need="moderator"),
    WebRoute("/admin/verifications/{id}/reject", verifications.reject, POST, need="moderator"),
    WebRoute("/admin/verifications/{id}/ask", verifications.ask, POST, need="moderator"),
    WebRoute("/admin/reports", reports.index, need="moderator"),
    WebRoute("/admin/reports/{id}", reports.show, need="moderator"),
    WebRoute("/admin/reports/{id}/act", reports.act, POST, need="moderator"),
    WebRoute("/admin/reports/{id}/assign", reports.assign, POST, need="moderator"),
    WebRoute("/admin/reports/{id}/reopen", reports.reopen, POST, need="moderator"),
    WebRoute("/admin/reports/appeals/{id}/approve", reports.approve_appeal, POST, need="moderator"),
    WebRoute("/admin/reports/appeals/{id}/reject", reports.reject_appeal, POST, need="moderator"),
    WebRoute("/admin/domains", domains.index, need="moderator"),
    WebRoute("/admin/domains", domains.save, POST, need="moderator"),
    WebRoute("/admin/domains/mode", domains.mode, POST, need="moderator"),
    WebRoute("/admin/domains/import", domains.import_list, FORM, need="moderator"),
    WebRoute("/admin/domains/export", domains.export, need="moderator"),
    WebRoute("/admin/domains/{id}", domains.edit, need="moderator"),
    WebRoute("/admin/domains/{id}/remove", domains.remove, POST, need="moderator"),
    WebRoute("/admin/blocklists", blocklists.index, need="moderator"),
    WebRoute("/admin/blocklists", blocklists.subscribe, POST, need="moderator"),
    WebRoute("/admin/blocklists/refresh", blocklists.refresh, POST, need="moderator"),
    WebRoute("/admin/blocklists/publish", blocklists.set_publication, POST, need="moderator"),
    WebRoute("/admin/blocklists/{id}/unsubscribe", blocklists.unsubscribe, POST, need="moderator"),
    WebRoute("/admin/blocklists/drafts/{id}/approve", blocklists.approve_draft, POST, need="moderator"),
    WebRoute("/admin/blocklists/drafts/{id}/reject", blocklists.reject_draft, POST, need="moderator"),
    WebRoute("/admin/members", members.index, need="admin"),
    WebRoute("/admin/members/invites", members.create_invite, POST, need="admin"),
    WebRoute("/admin/members/invites/{id}/revoke", members.revoke_invite, POST, need="admin"),
    WebRoute("/admin/members/{id}/approve", members.approve, POST, need="admin"),
    WebRoute("/admin/members/{id}/reject", members.reject, POST, need="admin"),
    WebRoute("/admin/members/{id}/role", members.set_role, POST, need="admin"),
    WebRoute("/admin/members/{id}/disable", members.disable, POST, need="admin"),
    WebRoute("/admin/members/{id}/enable", members.enable, POST, need="admin"),
    WebRoute("/admin/settings", site_settings.show, need="admin"),
    WebRoute("/admin/announcements", announcements.index, need="admin"),
    WebRoute("/admin/announcements", announcements.create, POST, need="admin"),
    WebRoute("/admin/announcements/{id}/delete", announcements.delete, POST, need="admin"),
    WebRoute("/admin/settings", site_settings.save_site, POST, need="admin"),
    WebRoute("/admin/settings/joining", site_settings.save_joining, POST, need="admin"),
    WebRoute("/admin/audit", audit_log.audit_page, need="moderator"),
    # == end of admin area ==
]


# The HTML side of the ActivityPub URLs: server.ap negotiates, and asks for these pages by name through
# app.state.html_page (ap_page), so that neither surface imports the other.
AP_PAGES = {"profile": profiles.profile_page, "status": threads.local_status_page,
            "status_redirect": threads.local_status_redirect, "group": group_pages.group_page,
            "group_thread": group_threads.thread_page}


async def ap_page(request: Request, name: str) -> Response:
    return await serve_page(request, AP_PAGES[name])
