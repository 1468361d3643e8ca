"""A poll vote as ActivityStreams, shaped as Mastodon sends it: one Create per chosen option, carrying
a Note whose `name` is the option's title and whose `inReplyTo` is the Question, addressed to the
poll's author alone."""
from __future__ import annotations

from typing import Any

from server.convert.actor_to_as import AS_NS


def vote_create(vote_uri: str, voter_uri: str, question_uri: str, author_uri: str, title: str) -> dict[str, Any]:
    note = {"id": vote_uri, "type": "Note", "name": title, "attributedTo": voter_uri,
            "to": [author_uri], "inReplyTo": question_uri}
    return {"@context": AS_NS, "id": f"{vote_uri}/activity", "type": "Create", "actor": voter_uri,
            "to": [author_uri], "object": note}
