"""Featured hashtags -> Mastodon's FeaturedTag entity (https://docs.joinmastodon.org/entities/FeaturedTag/) and the
ActivityStreams Hashtag of an actor's `featuredTags` collection."""
from __future__ import annotations

from server.db.models import FeaturedTag
from server.urls import LocalUrls


def featured_tag_to_mastodon(featured, urls: LocalUrls) -> dict:
    """`featured`: a services.social.featured_tags.Featured. Mastodon sends the count as a string and the last
    post's day as a date."""
    return {"id": str(featured.row.id), "name": featured.row.name, "url": urls.tag(featured.row.tag),
            "statuses_count": str(featured.statuses_count),
            "last_status_at": featured.last_status_at.date().isoformat() if featured.last_status_at else None}


def featured_tag_to_as(row: FeaturedTag, urls: LocalUrls) -> dict:
    return {"type": "Hashtag", "href": urls.tag(row.tag), "name": f"#{row.name}"}


def featured_tags_collection(actor_uri: str) -> str:
    return f"{actor_uri}/collections/tags"
