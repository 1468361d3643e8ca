"""Joining the instance and getting back in: registration in the admin's mode (closed, invite, approval,
open), the approval queue, email confirmation and password reset by mailed single-use links."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Account, Actor, MemberProfile, OAuthToken
from server.db.types import utcnow
from server.i18n import N_, gettext, supported, use_locale
from server.services.accounts import login_throttle as throttle
from server.services.accounts import web_sessions
from server.services.accounts.invites import use_invite
from server.services.accounts.login import find_login
from server.services.accounts.mailed_tokens import consume_token, issue_token, issued_lately
from server.services.accounts.members import NewAccount, create_account
from server.services.accounts.oauth import revoke_tokens
from server.services.accounts.passwords import hash_password
from server.services.accounts.preferences import mail_locale
from server.services.instance.mail import Message
from server.services.instance.settings import registration_mode
from server.services.posts.fanout import notify
from server.settings import Settings
from server.urls import LocalUrls

MAX_REASON = 1000
# Links anyone may have mailed to an account by typing its address (a forgotten password, a confirmation
# sent again): a few an hour per account and purpose, so that the forms cannot flood a member's mailbox.
MAILS_PER_HOUR = 3


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str
    agreement: bool
    locale: str | None = None
    reason: str | None = None
    invite_code: str | None = None


async def register(session: AsyncSession, settings: Settings, reg: Registration,
                   mail: list[Message]) -> Account:
    """Create the account the registration asks for, as the registration mode allows; the caller commits,
    then sends `mail` (the confirmation link). Approval mode leaves it waiting for an admin unless an
    invite was used."""
    mode = await registration_mode(session, settings)
    if mode == "closed" and not reg.invite_code:
        raise ServiceError(N_("registrations are closed on this instance"), Kind.FORBIDDEN)
    if mode == "invite" and not reg.invite_code:
        raise ServiceError(N_("an invite is needed to join this instance"), Kind.FORBIDDEN)
    if not reg.agreement:
        raise ServiceError(N_("you must agree to the server rules and terms"))
    if mode == "approval" and not reg.invite_code and not (reg.reason or "").strip():
        raise ServiceError(N_("please say why you want to join"))
    invite = None
    if reg.invite_code:
        try:
            invite = await use_invite(session, reg.invite_code)
        except ServiceError as exc:
            raise ServiceError(exc.msgid, Kind.FORBIDDEN, values=exc.values) from None
    urls = LocalUrls(settings.base_url)
    approved = invite is not None or mode == "open"
    account = await create_account(session, urls, settings.domain, NewAccount(
        username=reg.username, email=reg.email, password=reg.password, confirmed=False, approved=approved))
    # Apps send the device's locale ("pt-BR", "ja"): the best catalog for it, else the instance's; never a refusal.
    account.locale = supported(reg.locale)
    account.registration_reason = (reg.reason or "").strip()[:MAX_REASON] or None
    account.invite_id = invite.id if invite else None
    session.add(MemberProfile(actor_id=account.actor_id))
    if not approved:
        admins = (await session.execute(select(Account.actor_id).where(Account.role == "admin"))).scalars()
        await notify(session, "admin.sign_up", list(admins), account.actor_id)
    mail.append(await confirmation_mail(session, settings, account))
    return account


async def _link_mail(session: AsyncSession, settings: Settings, account: Account, purpose: str, path: str,
                     subject: str, body: str) -> Message:
    """A mail carrying a one-time `purpose` link under `path`, in the recipient's language (`subject` and
    `body` are msgids with %(instance)s, %(username)s and %(link)s)."""
    token = await issue_token(session, account, purpose)
    names = {"instance": settings.instance_name, "username": account.actor.username,
             "link": f"{settings.base_url}/{path}/{token}"}
    with use_locale(mail_locale(account, settings)):
        return Message(account.email, gettext(subject) % names, gettext(body) % names)


async def confirmation_mail(session: AsyncSession, settings: Settings, account: Account) -> Message:
    return await _link_mail(session, settings, account, "confirm", "confirm",
                            N_("Confirm your email address for %(instance)s"),
                            N_("Welcome to %(instance)s, @%(username)s.\n\n"
                               "Confirm your email address by opening this link:\n\n%(link)s\n\n"
                               "The link works once and expires in two days. "
                               "If you did not sign up, ignore this message.\n"))


async def _may_mail(session: AsyncSession, account: Account, purpose: str) -> bool:
    return await issued_lately(session, account, purpose, timedelta(hours=1)) < MAILS_PER_HOUR


async def resend_confirmation(session: AsyncSession, settings: Settings, email: str) -> Message | None:
    """A new confirmation mail for the unconfirmed account of `email`, or None (no such account, confirmed
    already, disabled, or mailed MAILS_PER_HOUR times this hour): the caller answers alike either way."""
    account = await find_login(session, email) if "@" in email else None
    if account is None or account.confirmed_at is not None or account.disabled_at:
        return None
    if not await _may_mail(session, account, "confirm"):
        return None
    return await confirmation_mail(session, settings, account)


async def confirm_email(session: AsyncSession, token: str) -> Account:
    """Spend a confirmation token; ServiceError if it cannot be used."""
    account = await consume_token(session, "confirm", token)
    account.confirmed_at = account.confirmed_at or utcnow()
    return account


async def request_password_reset(session: AsyncSession, settings: Settings, login: str) -> Message | None:
    """The reset mail for the account `login` names (username or email), or None (no such account, or
    mailed MAILS_PER_HOUR times this hour): the caller answers alike either way, so that nobody learns
    who has an account."""
    account = await find_login(session, login)
    if account is None or account.disabled_at or not await _may_mail(session, account, "reset"):
        return None
    return await _link_mail(session, settings, account, "reset", "password/reset",
                            N_("Reset your password on %(instance)s"),
                            N_("Someone asked to reset the password of @%(username)s.\n\n"
                               "Choose a new password here:\n\n%(link)s\n\n"
                               "The link works once and expires in one hour. "
                               "If it was not you, ignore this message.\n"))


def _hashed(password: str) -> str:
    return hash_password(password or "")


async def _new_password(session: AsyncSession, account: Account, password_hash: str, keep: str | None) -> None:
    """Set the hash; every web session (but `keep`'s) and every app token of the account ends."""
    account.password_hash = password_hash
    await revoke_tokens(session, OAuthToken.account_id == account.id)
    await web_sessions.end_all(session, account.id, keep=keep)
    await throttle.clear(session, throttle.account_key(account.id))


async def reset_password(session: AsyncSession, token: str, password: str) -> Account:
    """Set a new password with a reset token; every session and app token of the account ends."""
    password_hash = _hashed(password)
    account = await consume_token(session, "reset", token)
    account.confirmed_at = account.confirmed_at or utcnow()  # the mail arrived: the address works
    await _new_password(session, account, password_hash, None)
    return account


async def change_password(session: AsyncSession, account: Account, password: str, *,
                          keep_session: str | None = None) -> None:
    """A logged-in member (whose current password the caller checked) sets a new one: their other web
    sessions and their app tokens end, as after a reset. The caller commits and clears token caches."""
    await _new_password(session, account, _hashed(password), keep_session)


async def pending_registrations(session: AsyncSession) -> list[Account]:
    query = select(Account).where(Account.approved_at.is_(None), Account.disabled_at.is_(None)).order_by(Account.id)
    return list((await session.execute(query)).scalars())


async def approve_registration(session: AsyncSession, settings: Settings, account: Account) -> Message:
    if account.approved_at is not None:
        raise ServiceError(N_("this account is approved already"), Kind.CONFLICT)
    account.approved_at = utcnow()
    names = {"instance": settings.instance_name, "username": account.actor.username, "url": settings.base_url}
    with use_locale(mail_locale(account, settings)):
        return Message(account.email, gettext("Welcome to %(instance)s") % names,
                       gettext("Your account @%(username)s on %(instance)s was approved. "
                               "You can log in at %(url)s.\n") % names)


async def reject_registration(session: AsyncSession, account: Account) -> None:
    """Refuse a pending registration: the account and its actor are removed, as Mastodon does."""
    if account.approved_at is not None:
        raise ServiceError(N_("only pending registrations can be rejected"), Kind.CONFLICT)
    await session.execute(delete(Actor).where(Actor.id == account.actor_id))
