"""Deleting one's own account (server.services.accounts.deletion, from /settings/delete): an actor Delete
to every server that follows or is followed, the member's content and personal data removed with other
posts' counts kept right, verifications revoked, the username kept reserved, nobody logged in."""
import json

import pytest
from sqlalchemy import func, select

from moderation.errors import ServiceError
from server.db.models import (
    Account,
    Actor,
    Delivery,
    Follow,
    Like,
    MediaAttachment,
    MemberProfile,
    Notification,
    OAuthToken,
    Post,
    Verification,
    VerificationRequest,
    WebSession,
)
from server.services.accounts.deletion import delete_account
from server.services.accounts.members import NewAccount, create_account, find_local_account
from server.services.posts import media
from server.services.social import interactions as social
from server.services.verification import workflow as verification
from tests.support import factories
from tests.support.images import plain
from tests.support.members import PASSWORD, member
from tests.support.web import csrf_of, log_in, member_session

VALID_NPI = "1234567893"


async def _world(app) -> dict:
    """ada, with followers and follows on two remote hosts, posts others reacted to, an upload, a verification
    and a pending request; bob, a local member who liked and replied to her post and whose post she liked."""
    runtime, domain = app.state.runtime, app.state.settings.domain
    async with app.state.sessions() as session:
        ada = await find_local_account(session, domain, "ada")
        bob = await factories.member(session, app.state.urls, domain, "bob")
        watcher = await factories.remote_actor(session, "watcher", "remote.example")
        friend = await factories.remote_actor(session, "friend", "other.example")
        for n, (follower, followed) in enumerate(((watcher.id, ada.actor_id), (ada.actor_id, friend.id),
                                                  (bob.id, ada.actor_id))):
            session.add(Follow(follower_id=follower, followed_id=followed, state="accepted", uri=f"{bob.uri}/f/{n}"))
        hers = await factories.post(session, app.state.urls, ada.actor, "public", content="<p>hers</p>")
        reply = await factories.post(session, app.state.urls, bob, "public", in_reply_to=hers, content="<p>reply</p>")
        bobs = await factories.post(session, app.state.urls, bob, "public", content="<p>bob's</p>")
        await social.favourite(runtime, session, bob, hers)
        await social.favourite(runtime, session, ada.actor, bobs)
        upload = await media.upload(runtime, session, ada.actor, plain("PNG", (80, 60)))
        admin = await find_local_account(session, domain, "chair")
        await verification.grant(session, app.state.settings, ada, admin, profession="physician",
                                 specialty="207RC0000X", jurisdiction="US-CA", mail=[])
        session.add(VerificationRequest(account_id=ada.id, profession="physician", specialty_code="207RC0000X",
                                        credential_type="npi", credential_number=VALID_NPI, jurisdiction="US-CA"))
        await session.execute(Delivery.__table__.delete())  # only the Deletes matter below
        fan = await factories.remote_actor(session, "fan", "fan.example")
        session.add(Like(actor_id=fan.id, post_id=hers.id, uri=f"{fan.uri}/likes/1"))
        session.add(Delivery(activity_uri=f"{hers.uri}/activity", inbox="https://third.example/users/x/inbox",
                             host="third.example", body="{}", signer_id=ada.actor_id, state="sent"))
        await session.commit()
        path = app.state.settings.media_dir / media.relative_path(upload.file_key, upload.extension)
        return {"ada": ada, "bob": bob, "reply": reply.id, "bobs": bobs.id, "hers": hers.id, "file": path}


async def test_account_deletion_sends_delete_and_removes_her_data(app, client):
    await member(app, "chair", role="admin")
    await member_session(app, client, "ada")
    world = await _world(app)
    assert world["file"].exists()
    page = await client.get("/settings/delete")
    form = {"csrf_token": csrf_of(page.text), "password": "not my password", "confirm": "on"}
    wrong = await client.post("/settings/delete", data=form)
    assert wrong.status_code == 422 and "not right" in wrong.text
    unticked = await client.post("/settings/delete", data={**form, "password": PASSWORD, "confirm": ""})
    assert unticked.status_code == 422
    done = await client.post("/settings/delete", data={**form, "password": PASSWORD})
    assert done.status_code == 200 and "Your account is deleted" in done.text
    assert (await client.get("/settings/profile")).status_code == 303  # logged out
    assert (await log_in(client, "ada")).status_code == 400
    async with app.state.sessions() as session:
        deletes = {row.inbox: json.loads(row.body) for row in (await session.execute(select(Delivery))).scalars()
                   if row.body != "{}"}
        ada = await session.get(Account, world["ada"].id)
        actor = await session.get(Actor, ada.actor_id)
        bobs, reply = await session.get(Post, world["bobs"]), await session.get(Post, world["reply"])
        left = ((Post, Post.author_id == actor.id),
                (Follow, (Follow.follower_id == actor.id) | (Follow.followed_id == actor.id)),
                (MediaAttachment, MediaAttachment.account_id == actor.id),
                (Notification, Notification.from_actor_id == actor.id),
                (MemberProfile, MemberProfile.actor_id == actor.id),
                (VerificationRequest, VerificationRequest.account_id == ada.id),
                (WebSession, WebSession.account_id == ada.id), (OAuthToken, OAuthToken.account_id == ada.id))
        counts = {model.__name__: await session.scalar(select(func.count()).select_from(model).where(column))
                  for model, column in left}
        revoked = (await session.execute(select(Verification).where(Verification.account_id == ada.id))).scalar_one()
    assert set(deletes) == {"https://remote.example/inbox", "https://other.example/inbox", "https://fan.example/inbox",
                            "https://third.example/users/x/inbox"}
    assert {(d["type"], d["actor"], d["object"]) for d in deletes.values()} == {("Delete", actor.uri, actor.uri)}
    assert set(counts.values()) == {0}, counts
    assert bobs.likes_count == 0 and reply is not None and reply.in_reply_to_id is None
    assert not world["file"].exists()
    assert ada.disabled_at and ada.password_hash is None and ada.email != "ada@example.org"
    assert actor.username == "ada" and actor.display_name == "" and actor.local  # the name stays taken
    assert revoked.revoked_at is not None and revoked.revoke_reason == "account deleted"
    gone = await client.get("/users/ada", headers={"Accept": "application/activity+json"})
    assert gone.status_code == 404
    async with app.state.sessions() as session:
        urls, domain = app.state.urls, app.state.settings.domain
        with pytest.raises(ServiceError, match="taken"):
            await create_account(session, urls, domain, NewAccount(username="ADA", email="new@example.org"))
        await create_account(session, urls, domain, NewAccount(username="ada2", email="ada@example.org"))  # freed


async def test_account_deletion_refuses_the_only_admin(app):
    await member(app, "solo", role="admin")
    async with app.state.sessions() as session:
        solo = await find_local_account(session, app.state.settings.domain, "solo")
        try:
            await delete_account(app.state.runtime, session, solo)
        except ServiceError as exc:
            assert "only admin" in str(exc)
        else:
            raise AssertionError("the only admin was deleted")
    await member(app, "second", role="admin")
    async with app.state.sessions() as session:
        solo = await find_local_account(session, app.state.settings.domain, "solo")
        assert await delete_account(app.state.runtime, session, solo) == 0  # nobody remote to tell
        await session.commit()
        assert solo.disabled_at is not None and solo.role == "member"
