"""A forwarded report as the ActivityPub `Flag` Mastodon sends: from the instance actor, never
naming the member who reported, with the reported account and posts as its objects."""
from __future__ import annotations

from federation.activities import AS_CONTEXT
from moderation.reports import ReportCategory
from server.convert.actor_to_as import curbside_terms
from server.db.models import Report
from server.urls import LocalUrls


def report_to_flag(report: Report, urls: LocalUrls, target_uri: str, post_uris: list[str]) -> dict:
    return {
        "@context": [AS_CONTEXT, curbside_terms(urls)],
        "id": f"{urls.instance_actor}#flags/{report.id}",
        "type": "Flag",
        "actor": urls.instance_actor,
        "content": report.comment or "",
        "object": [target_uri, *post_uris],
        # Not in ActivityStreams; what Mastodon's category means, for servers that read it.
        "category": ReportCategory(report.category).mastodon_category,
        # Curbside's own, finer category (patient privacy, misinformation...): other Curbsides keep it.
        "curbside:reportCategory": report.category,
    }
