"""The poll of a post (Post.poll, PostEdit.poll) and its one stored shape:
{"options": [{"title", "votes_count"}], "multiple", "expires_at" (ISO 8601, `Z`), "closed", "voters_count"}.

`read_poll` and `poll_json` are the only code that touches that JSON; everything else works on `Poll`.
Rows of older shapes were rewritten by migration 0022_poll_shape.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone


@dataclass(frozen=True)
class PollOption:
    title: str
    votes_count: int


@dataclass(frozen=True)
class Poll:
    """`voters_count` None: unknown (a remote poll whose server does not tell)."""

    options: tuple[PollOption, ...]
    multiple: bool
    expires_at: datetime | None
    closed: bool
    voters_count: int | None

    @property
    def titles(self) -> list[str]:
        return [o.title for o in self.options]

    def has_ended(self, now: datetime | None = None) -> bool:
        end = self.expires_at
        return self.closed or (end is not None and end <= (now or datetime.now(timezone.utc)))

    def counted(self, counts: list[int], voters_count: int | None) -> Poll:
        """The same poll with these counts, option by option."""
        options = tuple(PollOption(o.title, c) for o, c in zip(self.options, counts))
        return replace(self, options=options, voters_count=voters_count)


def new_poll(titles: tuple[str, ...], multiple: bool, expires_at: datetime) -> Poll:
    """A poll nobody has voted in yet, ending at `expires_at` (to the second)."""
    return Poll(tuple(PollOption(t, 0) for t in titles), multiple, expires_at.replace(microsecond=0), False, 0)


def timestamp(moment: datetime) -> str:
    """How the poll's end is written, in the JSON and where it is shown as it is stored."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def read_poll(stored: dict | None) -> Poll | None:
    if stored is None:
        return None
    end = stored["expires_at"]
    return Poll(tuple(PollOption(o["title"], o["votes_count"]) for o in stored["options"]), stored["multiple"],
                datetime.fromisoformat(end.replace("Z", "+00:00")) if end else None, stored["closed"],
                stored["voters_count"])


def poll_json(poll: Poll | None) -> dict | None:
    if poll is None:
        return None
    return {"options": [{"title": o.title, "votes_count": o.votes_count} for o in poll.options],
            "multiple": poll.multiple, "expires_at": timestamp(poll.expires_at) if poll.expires_at else None,
            "closed": poll.closed, "voters_count": poll.voters_count}
