"""The instance's privacy policy (Mastodon's PrivacyPolicy entity): the admins' text when they set one, else a
short default saying what this server keeps and for how long."""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from federation.text import render_post
from server.services.instance import site as site_settings
from server.services.instance.settings import evidence_retention_days
from server.settings import Settings
from server.urls import LocalUrls

DEFAULT_WRITTEN = datetime(2026, 12, 7, tzinfo=timezone.utc)  # when the default text below last changed


def _default(title: str, retention_days: int) -> str:
    evidence = ("deleted as soon as it is reviewed" if retention_days == 0
                else f"deleted {retention_days} days after it is reviewed")
    return (
        f"<p>{escape(title)} keeps what its members give it to run this community: the account (email address, "
        "username, a hash of the password), the profile and the professional details entered (name, profession, "
        "specialty, institution, jurisdiction), and what members post, upload, follow, bookmark and send, direct "
        "messages included.</p>"
        "<p>Posts go to the servers of the people they are addressed to, as their visibility says; followers-only "
        "and direct posts are never public.</p>"
        f"<p>Evidence uploaded to verify a professional credential is for the reviewers and is {evidence}; "
        "the decision is kept in the audit log.</p>"
        "<p>A member who deletes their account has their posts, uploads and profile removed here, and the servers "
        "that received them are asked to remove them too.</p>")


async def privacy_policy(session: AsyncSession, settings: Settings, urls: LocalUrls) -> tuple[str, datetime]:
    """The policy as HTML and when it last changed."""
    site = await site_settings.load(session, settings)
    if site.privacy_policy:
        changed = await site_settings.changed_at(session, "privacy_policy")
        return render_post(site.privacy_policy, mentions={}, tag_url=urls.tag).html, changed or DEFAULT_WRITTEN
    return _default(site.title, await evidence_retention_days(session, settings)), DEFAULT_WRITTEN
