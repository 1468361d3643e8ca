"""The web UI's one route table: each page says what it needs (anyone, member, moderator, admin)."""
from __future__ import annotations

from server.web import auth_pages, landing
from server.web.admin import audit_log, blocklists, dashboard, domains, members, reports, site_settings, verifications
from server.web.page import WebRoute

FORM = ("GET", "POST")
POST = ("POST",)

WEB_ROUTES: list[WebRoute] = [
    WebRoute("/", landing.landing),
    WebRoute("/login", auth_pages.login, FORM),
    WebRoute("/logout", auth_pages.logout, ("POST",), need="member"),
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
    WebRoute("/admin/settings", site_settings.save_site, POST, need="admin"),
    WebRoute("/admin/settings/joining", site_settings.save_joining, POST, need="admin"),
    WebRoute("/admin/audit", audit_log.audit_page, need="moderator"),
    # == end of admin area ==
]
