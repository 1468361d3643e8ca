"""OAuth 2 apps, codes and tokens: register, authorize (with PKCE), exchange, refresh, revoke, look up."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, OAuthApp, OAuthCode, OAuthToken
from server.db.types import utcnow
from server.services.accounts.scopes import parse_scopes, within
from server.services.push.subscriptions import unsubscribe_tokens
from server.services.reading import stream_events

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)


class OAuthError(Exception):
    """An OAuth request refused; `error` is the RFC 6749 error code, str() the description."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str | None
    scopes: str
    created_at: int


async def register_app(session: AsyncSession, name: str, redirect_uris: str, scopes: str | None,
                       website: str | None) -> OAuthApp:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise OAuthError("invalid_request", "client_name must be 1-200 characters")
    uris = [u.strip() for u in (redirect_uris or "").split() if u.strip()]
    if not uris:
        raise OAuthError("invalid_request", "redirect_uris is required")
    for uri in uris:
        if uri != OOB and "://" not in uri:
            raise OAuthError("invalid_request", f"redirect URI {uri!r} is not absolute")
    app = OAuthApp(client_id=secrets.token_urlsafe(32), client_secret=secrets.token_urlsafe(32), name=name,
                   website=website or None, redirect_uris="\n".join(uris),
                   scopes=" ".join(sorted(parse_scopes(scopes))))
    session.add(app)
    await session.flush()
    return app


async def find_app(session: AsyncSession, client_id: str | None) -> OAuthApp | None:
    if not client_id:
        return None
    return (await session.execute(select(OAuthApp).where(OAuthApp.client_id == client_id))).scalar_one_or_none()


async def authenticate_app(session: AsyncSession, client_id: str | None, client_secret: str | None) -> OAuthApp:
    app = await find_app(session, client_id)
    if app is None or not client_secret or not hmac.compare_digest(app.client_secret, client_secret):
        raise OAuthError("invalid_client", "client authentication failed")
    return app


def check_request(app: OAuthApp, redirect_uri: str, scopes: str | None) -> frozenset[str]:
    if redirect_uri not in app.redirect_uris.split("\n"):
        raise OAuthError("invalid_request", "redirect_uri does not match a registered one")
    return app_scopes(app, scopes or app.scopes)


def app_scopes(app: OAuthApp, scopes: str) -> frozenset[str]:
    """The scopes asked for, refused (invalid_scope) beyond those the app registered."""
    requested = parse_scopes(scopes)
    if not within(requested, parse_scopes(app.scopes)):
        raise OAuthError("invalid_scope", "requested scopes exceed the app's registered scopes")
    return requested


async def issue_code(session: AsyncSession, app: OAuthApp, account: Account, redirect_uri: str,
                     scopes: frozenset[str], code_challenge: str | None, method: str | None) -> str:
    if code_challenge and (method or "plain") not in ("S256", "plain"):
        raise OAuthError("invalid_request", "code_challenge_method must be S256 or plain")
    code = secrets.token_urlsafe(32)
    session.add(OAuthCode(code_hash=_hash(code), app_id=app.id, account_id=account.id, redirect_uri=redirect_uri,
                          scopes=" ".join(sorted(scopes)), code_challenge=code_challenge,
                          code_challenge_method=(method or "plain") if code_challenge else None,
                          expires_at=utcnow() + CODE_LIFETIME))
    await session.flush()
    return code


def _pkce_ok(code: OAuthCode, verifier: str | None) -> bool:
    if not code.code_challenge:
        return True
    if not verifier:
        return False
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(verifier, code.code_challenge)


async def issue_token(session: AsyncSession, app: OAuthApp | None, account: Account | None,
                      scopes: frozenset[str] | str, *, refreshable: bool = True) -> IssuedToken:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32) if refreshable else None
    scope_text = scopes if isinstance(scopes, str) else " ".join(sorted(scopes))
    token = OAuthToken(token_hash=_hash(access), refresh_hash=_hash(refresh) if refresh else None,
                       app_id=app.id if app else None, account_id=account.id if account else None, scopes=scope_text)
    session.add(token)
    await session.flush()
    return IssuedToken(access, refresh, scope_text, int(token.created_at.timestamp()))


async def exchange_code(session: AsyncSession, app: OAuthApp, code: str, redirect_uri: str,
                        verifier: str | None) -> IssuedToken:
    row = (await session.execute(select(OAuthCode).where(OAuthCode.code_hash == _hash(code or ""))
                                 )).scalar_one_or_none()
    if row is None or row.app_id != app.id or row.used_at or row.expires_at < utcnow():
        raise OAuthError("invalid_grant", "the authorization code is invalid, used or expired")
    if row.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if not _pkce_ok(row, verifier):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    row.used_at = utcnow()
    account = await session.get(Account, row.account_id)
    return await issue_token(session, app, account, row.scopes)


async def refresh(session: AsyncSession, app: OAuthApp, refresh_token: str) -> IssuedToken:
    row = (await session.execute(select(OAuthToken).where(OAuthToken.refresh_hash == _hash(refresh_token or ""))
                                 )).scalar_one_or_none()
    if row is None or row.app_id != app.id or row.revoked_at:
        raise OAuthError("invalid_grant", "the refresh token is invalid or revoked")
    await revoke_tokens(session, OAuthToken.id == row.id)
    return await issue_token(session, app, row.account, row.scopes)


async def revoke(session: AsyncSession, app: OAuthApp, token: str) -> None:
    """Revoke an access or refresh token of this app; unknown tokens are ignored (RFC 7009)."""
    digest = _hash(token or "")
    await revoke_tokens(session, OAuthToken.app_id == app.id,
                        (OAuthToken.token_hash == digest) | (OAuthToken.refresh_hash == digest))


async def revoke_tokens(session: AsyncSession, *where) -> None:
    """Revoke the tokens in force that match `where`; streams opened with them close on every process, and their
    push subscriptions go."""
    ids = list((await session.execute(update(OAuthToken).where(OAuthToken.revoked_at.is_(None), *where)
                                      .values(revoked_at=utcnow()).returning(OAuthToken.id))).scalars())
    await stream_events.access_ended(session, token_ids=ids)
    await unsubscribe_tokens(session, ids)


def _in_force(row: OAuthToken) -> bool:
    account = row.account
    return row.revoked_at is None and (account is None or (not account.disabled_at and bool(account.approved_at)))


async def lookup_token(session: AsyncSession, token: str) -> OAuthToken | None:
    row = (await session.execute(select(OAuthToken).where(OAuthToken.token_hash == _hash(token)))).scalar_one_or_none()
    return row if row is not None and _in_force(row) else None


async def token_in_force(session: AsyncSession, token_id: int) -> bool:
    row = await session.get(OAuthToken, token_id)
    return row is not None and _in_force(row)
