"""Mail to members over SMTP (CURBSIDE_SMTP_URL, CURBSIDE_SMTP_FROM), sent by the standard library's
smtplib in a worker thread. Without an SMTP URL nothing is sent and the message is logged instead,
so that a development instance still works (its admin reads links from the log)."""
from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

from server.settings import Settings

log = logging.getLogger("curbside.mail")
TIMEOUT = 15.0


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; str() says why."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    security: str  # plain | starttls | tls

    @classmethod
    def parse(cls, url: str) -> "SmtpConfig":
        parts = urlsplit(url)
        implicit = parts.scheme.lower() == "smtps"
        starttls = parse_qs(parts.query).get("starttls", ["false"])[-1].lower() in ("1", "true", "yes", "on")
        return cls(host=parts.hostname or "", port=parts.port or (465 if implicit else 25),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   security="tls" if implicit else "starttls" if starttls else "plain")


def sender(settings: Settings) -> str:
    return settings.smtp_from or formataddr((settings.instance_name, f"noreply@{settings.domain.split(':')[0]}"))


def _build(settings: Settings, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender(settings), message.to, message.subject
    email["Message-ID"] = make_msgid(domain=settings.domain.split(":")[0])
    email.set_content(message.body)
    return email


def _send_sync(config: SmtpConfig, emails: list[EmailMessage]) -> None:
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if config.security == "tls" else smtplib.SMTP
    kwargs = {"context": context} if config.security == "tls" else {}
    with smtp_class(config.host, config.port, timeout=TIMEOUT, **kwargs) as smtp:
        if config.security == "starttls":
            smtp.starttls(context=context)
        if config.username:
            smtp.login(config.username, config.password or "")
        for email in emails:
            smtp.send_message(email)


async def send_mail(settings: Settings, messages: Iterable[Message]) -> int:
    """Send `messages` in one SMTP session; returns how many were sent (0 without SMTP configured).

    Raises MailError when the server cannot be reached or refuses.
    """
    messages = list(messages)
    if not messages:
        return 0
    if not settings.smtp_url:
        for m in messages:
            log.info("no CURBSIDE_SMTP_URL: mail to %s not sent: %s\n%s", m.to, m.subject, m.body)
        return 0
    emails = [_build(settings, m) for m in messages]
    try:
        await asyncio.to_thread(_send_sync, SmtpConfig.parse(settings.smtp_url), emails)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from None
    return len(emails)


async def send_quietly(settings: Settings, messages: Iterable[Message]) -> int:
    """send_mail for after a commit: a mail failure is logged, never undoes what was done."""
    try:
        return await send_mail(settings, messages)
    except MailError as exc:
        log.warning("sending mail failed: %s", exc)
        return 0
