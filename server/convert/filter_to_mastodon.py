"""Keyword filters -> Mastodon entities: Filter, FilterKeyword, FilterStatus
(https://docs.joinmastodon.org/entities/Filter/) and the deprecated V1::Filter, one per keyword."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import FilterKeyword, FilterStatus, KeywordFilter


def keyword_to_mastodon(keyword: FilterKeyword) -> dict:
    return {"id": str(keyword.id), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def filter_status_to_mastodon(row: FilterStatus) -> dict:
    return {"id": str(row.id), "status_id": str(row.post_id)}


def filter_summary(row: KeywordFilter) -> dict:
    """The Filter as a FilterResult names it: without its keywords and statuses (as Mastodon)."""
    return {"id": str(row.id), "title": row.title, "context": list(row.context or []),
            "expires_at": iso(row.expires_at), "filter_action": row.action}


def filter_to_mastodon(row: KeywordFilter, keywords: list[FilterKeyword], statuses: list[FilterStatus]) -> dict:
    return {**filter_summary(row), "keywords": [keyword_to_mastodon(k) for k in keywords],
            "statuses": [filter_status_to_mastodon(s) for s in statuses]}


def v1_filter_to_mastodon(row: KeywordFilter, keyword: FilterKeyword) -> dict:
    """A V1::Filter: one keyword of a filter, its id the keyword's."""
    return {"id": str(keyword.id), "phrase": keyword.keyword, "context": list(row.context or []),
            "whole_word": keyword.whole_word, "expires_at": iso(row.expires_at), "irreversible": row.action == "hide"}
