"""The URLs of local things. One place, so that actors, objects and pages agree."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

REMOTE_MEDIA_PATH = "/media/remote/"


@dataclass(frozen=True)
class LocalUrls:
    base: str  # scheme://domain, no trailing slash
    # Signs the local URLs of remote media (the instance's secret key); empty: remote media keep their own URLs.
    media_secret: str = field(default="", repr=False, compare=False)

    def remote_media(self, url: str) -> str:
        """The local URL that serves a copy of the remote file `url` (server.web.remote_media). It carries the URL
        and a signature, so that nobody can make us fetch an address we did not hand out."""
        if not self.media_secret or not url.startswith(("https://", "http://")):
            return url
        encoded = base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode()
        return f"{self.base}{REMOTE_MEDIA_PATH}{remote_media_signature(self.media_secret, url)}/{encoded}"

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


def remote_media_signature(secret: str, url: str) -> str:
    digest = hmac.new(secret.encode(), b"remote-media\n" + url.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()  # 144 bits, 24 characters


def remote_media_url(secret: str, signature: str, encoded: str) -> str | None:
    """The remote URL a local remote-media path names, if its signature is ours; else None."""
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not secret or not hmac.compare_digest(remote_media_signature(secret, url), signature):
        return None
    return url
