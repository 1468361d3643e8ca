"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""
from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller

from tests.support.postgres import free_port


class Mailbox:
    """aiosmtpd handler: every message accepted is parsed and kept, in order."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(found := self.to(address)) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} mail(s) to {address} did not arrive; "
                             f"got {[m['Subject'] for m in self.messages]}")


def link_in(message: Message, param: str) -> str:
    """The token in the first link of the message body: the value of `param=`, or, when `param` is a path
    such as "/confirm/", the path segment after it."""
    pattern = re.escape(param) if param.startswith("/") else rf"[?&]{param}="
    match = re.search(pattern + r"([A-Za-z0-9_\-]+)", message.get_content())
    assert match, f"no {param} link in: {message.get_content()}"
    return match[1]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

