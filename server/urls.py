"""The URLs of local things. One place, so that actors, objects and pages agree."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocalUrls:
    base: str  # scheme://domain, no trailing slash

    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def key_id(self, username: str) -> str:
        return f"{self.actor(username)}#main-key"

    def inbox(self, username: str) -> str:
        return f"{self.actor(username)}/inbox"

    def outbox(self, username: str) -> str:
        return f"{self.actor(username)}/outbox"

    def followers(self, username: str) -> str:
        return f"{self.actor(username)}/followers"

    def following(self, username: str) -> str:
        return f"{self.actor(username)}/following"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def status(self, username: str, post_id: int) -> str:
        return f"{self.actor(username)}/statuses/{post_id}"

    def boost(self, username: str, post_id: int) -> str:
        """A boost's id is its Announce's, fetchable at the status path's `/activity` (as Mastodon's)."""
        return f"{self.status(username, post_id)}/activity"

    def status_url(self, username: str, post_id: int) -> str:
        return f"{self.profile(username)}/{post_id}"

    def group(self, name: str) -> str:
        """A group hosted here (FEP-1b12), at its own path so that it never shares a URL with a member."""
        return f"{self.base}/groups/{name}"

    def tag(self, name: str) -> str:
        return f"{self.base}/tags/{name.lower()}"

    def activity(self, actor_uri: str, kind: str, activity_id: int) -> str:
        """Ids for activities that are not objects of their own (Follow, Like, Undo, Accept...)."""
        return f"{actor_uri}#{kind}/{activity_id}"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    @property
    def instance_actor(self) -> str:
        return f"{self.base}/actor"

    @property
    def namespace(self) -> str:
        """The JSON-LD context of Curbside's own terms; `{namespace}#term` names each."""
        return f"{self.base}/ns"
