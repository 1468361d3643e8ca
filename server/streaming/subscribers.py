"""A stream subscriber of a web process: the streams it follows and the queue of messages waiting for it.
Shared by the hub (server.streaming.hub), which admits and drops subscribers, and the routing of events to
them (server.streaming.routing, conversations)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

QUEUE_SIZE = 200  # messages a slow client may fall behind before it is disconnected


@dataclass(frozen=True)
class Stream:
    """A stream as Mastodon names it: `user`, `public:local`, (`hashtag`, tag)..."""
    name: str
    tag: str | None = None

    def label(self) -> list[str]:
        return [self.name, self.tag] if self.tag else [self.name]


@dataclass(frozen=True)
class Message:
    stream: Stream
    event: str
    payload: str


class Closed(Exception):
    """The hub dropped this subscriber (it fell too far behind, its right to read ended, or the process is
    stopping)."""


@dataclass(eq=False)
class Subscriber:
    viewer_id: int
    token_id: int
    scopes: frozenset[str]
    streams: set[Stream] = field(default_factory=set)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    closed: bool = False

    def offer(self, message: Message) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next(self, timeout: float) -> Message | None:
        """The next message, None after `timeout` seconds of quiet; Closed when dropped."""
        try:
            message = await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None
        if message is None:
            raise Closed()
        return message
