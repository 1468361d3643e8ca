import pytest

from moderation.errors import ServiceError
from server.services.accounts.members import NewAccount, create_account, list_accounts
from server.services.accounts.passwords import verify_password
from server.urls import LocalUrls


async def make(session, **kw):
    fields = {"username": "alice", "email": "Alice@Example.org", "password": "correct horse battery"} | kw
    account = await create_account(session, LocalUrls("https://curbside.test"), "curbside.test", NewAccount(**fields))
    await session.commit()
    return account


async def test_accounts_create_gives_member_an_actor_with_keys_and_urls(session):
    account = await make(session)
    actor = account.actor
    assert account.email == "alice@example.org" and account.role == "member"
    assert actor.uri == "https://curbside.test/users/alice" and actor.local
    assert actor.public_key_id == actor.uri + "#main-key"
    assert actor.inbox == actor.uri + "/inbox" and actor.shared_inbox == "https://curbside.test/inbox"
    assert "BEGIN PUBLIC KEY" in actor.public_key_pem and "BEGIN PRIVATE KEY" in actor.private_key_pem
    assert verify_password(account.password_hash, "correct horse battery")
    assert not verify_password(account.password_hash, "wrong password!")


@pytest.mark.parametrize("fields,message", [
    ({"username": "no spaces"}, "username must be"),
    ({"username": "x" * 31}, "username must be"),
    ({"email": "not-an-email"}, "not an email address"),
    ({"role": "owner"}, "role must be one of"),
    ({"password": "short"}, "at least 10 characters"),
])
async def test_accounts_create_refuses_bad_input_with_a_reason(session, fields, message):
    with pytest.raises(ServiceError, match=message):
        await make(session, **fields)


async def test_accounts_create_refuses_taken_username_and_email(session):
    await make(session)
    with pytest.raises(ServiceError, match="username 'ALICE' is taken"):
        await make(session, username="ALICE", email="other@example.org")
    with pytest.raises(ServiceError, match="exists already"):
        await make(session, username="alicia", email="alice@EXAMPLE.org")
    assert [a.actor.username for a in await list_accounts(session)] == ["alice"]
