"""PushSubscription rows -> Mastodon's WebPushSubscription entity
(https://docs.joinmastodon.org/entities/WebPushSubscription/)."""
from __future__ import annotations

from server.db.models import PushSubscription


def push_subscription_to_mastodon(row: PushSubscription, server_key: str) -> dict:
    return {"id": str(row.id), "endpoint": row.endpoint, "alerts": dict(row.alerts), "server_key": server_key,
            "policy": row.policy}
