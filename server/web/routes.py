"""The web UI's one route table: each page says what it needs (anyone, member, moderator, admin)."""
from __future__ import annotations

from server.web import (
    auth_pages, compose, directory, landing, notifications, password_reset, profiles, search, settings_account,
    settings_lists, settings_profile, signup, status_actions, threads, timelines, verification_page,
)
from server.web.page import WebRoute

FORM = ("GET", "POST")
POST = ("POST",)

WEB_ROUTES: list[WebRoute] = [
    WebRoute("/", landing.landing),
    WebRoute("/login", auth_pages.login, FORM),
    WebRoute("/logout", auth_pages.logout, ("POST",), need="member"),
    # == public and account pages (issue #7, the web side of #4) ==
    WebRoute("/about", landing.about),
    WebRoute("/signup", signup.signup, FORM),
    WebRoute("/invite/{code}", signup.invite),
    WebRoute("/confirm/{token}", signup.confirm, FORM),
    WebRoute("/password/forgot", password_reset.forgot, FORM),
    WebRoute("/password/reset/{token}", password_reset.reset, FORM),
    WebRoute("/settings", settings_profile.settings_home, need="member"),
    WebRoute("/settings/profile", settings_profile.edit_profile, FORM, need="member"),
    WebRoute("/settings/privacy", settings_profile.privacy, FORM, need="member"),
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
    WebRoute("/verification", verification_page.verification, FORM, need="member"),
    WebRoute("/verification/check", verification_page.check, POST, need="member"),
    WebRoute("/verification/{id}/respond", verification_page.answer, POST, need="member"),
    # Posts (issue 7): timelines, compose, threads, profiles, notifications, search, directory, and the
    # actions on posts and accounts. The profile and post pages at the ActivityPub URLs (/@{username},
    # /@{username}/{id}, /users/...) are served from server.ap through serve_page.
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
]
