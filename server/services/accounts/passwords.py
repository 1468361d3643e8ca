"""Password hashing with Argon2id (argon2-cffi), parameters from the library's RFC 9106 defaults."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from moderation.errors import ServiceError
from server.i18n import N_

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 1024


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ServiceError(N_("password must be at least %(limit)s characters"), values={"limit": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        raise ServiceError(N_("password must be at most %(limit)s characters"), values={"limit": MAX_LENGTH})


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
