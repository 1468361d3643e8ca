"""Moving between instances: aliases (alsoKnownAs), moving out (Move to followers, movedTo, no more posts,
undone within 30 days), and a Move received (local followers follow the new account and are notified)."""
import json
from datetime import timedelta

from sqlalchemy import select, update

from server.db.models import Actor, Delivery, Follow, InboxItem, Notification
from server.db.types import utcnow
from server.services.instance import site
from tests.support.fake_remote import deliver, drain
from tests.support.members import PASSWORD, member
from tests.support.web import form_token, member_session

AS = "application/activity+json"


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _actor(app, uri: str) -> Actor:
    [actor] = await _all(app, Actor, Actor.uri == uri)
    return actor


async def _post_form(client, path: str, form_path: str, **data):
    return await client.post(path, data={"csrf_token": await form_token(client, form_path), **data})


async def _follow(app, follower: Actor, followed: Actor, n: int) -> None:
    async with app.state.sessions() as session:
        session.add(Follow(follower_id=follower.id, followed_id=followed.id, uri=f"{follower.uri}#follows/{n}",
                           state="accepted"))
        await session.commit()


async def _known(app, client, remote_actor) -> Actor:
    """Make `remote_actor` known here (its Like of nothing brings its actor document)."""
    like = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{remote_actor.uri}#likes/x",
            "type": "Like", "actor": remote_actor.uri, "object": "http://nowhere.example/x"}
    await deliver(client, remote_actor, like)
    await drain(app)
    return await _actor(app, remote_actor.uri)


# == aliases ==

async def test_aliases_page_adds_an_account_found_over_webfinger_to_alsoknownas(fed_app, fed_client, remote):
    await member_session(fed_app, fed_client, "carol")
    old = remote.actor("carol")
    acct = remote.finger(old)
    added = await _post_form(fed_client, "/settings/aliases", "/settings/aliases", acct=acct)
    assert added.status_code == 303 and "notice=alias_added" in added.headers["location"]
    page = await fed_client.get("/settings/aliases")
    assert f"carol@{acct.split('@')[1]}" in page.text
    document = (await fed_client.get("/users/carol", headers={"Accept": AS})).json()
    assert document["alsoKnownAs"] == [old.uri]
    removed = await _post_form(fed_client, "/settings/aliases/remove", "/settings/aliases", uri=old.uri)
    assert removed.status_code == 303
    assert "alsoKnownAs" not in (await fed_client.get("/users/carol", headers={"Accept": AS})).json()


async def test_aliases_page_refuses_an_account_nobody_answers_for(fed_app, fed_client, remote):
    await member_session(fed_app, fed_client, "carol")
    host = remote.base.split("://")[1]
    refused = await _post_form(fed_client, "/settings/aliases", "/settings/aliases", acct=f"nobody@{host}")
    assert refused.status_code == 422 and f"No account nobody@{host} could be found" in refused.text
    assert (await _actor(fed_app, "http://curbside.test/users/carol")).also_known_as is None


async def test_moving_pages_render_in_both_themes(app, client):
    await member_session(app, client, "carol")
    for theme in ("default", "society"):
        async with app.state.sessions() as session:
            await site.update(session, app.state.themes.available(), theme=theme)
            await session.commit()
        for path in ("/settings/aliases", "/settings/migration", "/settings/import"):
            page = await client.get(path)
            assert page.status_code == 200 and 'name="csrf_token"' in page.text, (theme, path)


# == moving out ==

async def _mover(fed_app, fed_client, remote):
    """carol, logged in, with a remote follower and a local one (dave), and her new account elsewhere."""
    await member_session(fed_app, fed_client, "carol")
    carol = await _actor(fed_app, "http://curbside.test/users/carol")
    dave = (await member(fed_app, "dave")).actor
    fan = await _known(fed_app, fed_client, remote.actor("fan"))
    await _follow(fed_app, fan, carol, 1)
    await _follow(fed_app, dave, carol, 2)
    new = remote.actor("carol2")
    return carol, dave, new, remote.finger(new)


async def test_move_out_sends_move_to_followers_and_marks_the_account_moved(fed_app, fed_client, remote):
    carol, dave, new, acct = await _mover(fed_app, fed_client, remote)
    new.also_known_as = [carol.uri]
    remote.publish(new)
    moved = await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct, password=PASSWORD)
    assert moved.status_code == 303, moved.text
    sent = [json.loads(d.body) for d in await _all(fed_app, Delivery)]
    [move] = [a for a in sent if a["type"] == "Move"]
    assert (move["actor"], move["object"], move["target"]) == (carol.uri, carol.uri, new.uri)
    assert {d.inbox for d in await _all(fed_app, Delivery) if json.loads(d.body)["type"] == "Move"} == {
        f"{remote.base}/inbox"}
    document = (await fed_client.get("/users/carol", headers={"Accept": AS})).json()
    assert document["movedTo"] == new.uri
    target = await _actor(fed_app, new.uri)
    assert {(f.followed_id, f.state) for f in await _all(fed_app, Follow, Follow.follower_id == dave.id)} == {
        (target.id, "pending")}  # dave, her local follower, follows the new account (its Follow queued)
    assert any(a["type"] == "Follow" and a["actor"] == dave.uri and a["object"] == new.uri for a in sent)
    [note] = await _all(fed_app, Notification, Notification.recipient_id == dave.id)
    assert (note.type, note.from_actor_id) == ("move", carol.id)
    profile = await fed_client.get("/@carol")
    assert "has moved to" in profile.text and new.uri in profile.text


async def test_moved_account_shows_moved_in_the_api_and_may_not_post(fed_app, fed_client, remote):
    carol, _, new, acct = await _mover(fed_app, fed_client, remote)
    new.also_known_as = [carol.uri]
    remote.publish(new)
    api = await member(fed_app, "erin")
    await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct, password=PASSWORD)
    account = (await fed_client.get(f"/api/v1/accounts/{carol.id}", headers=api.headers)).json()
    assert account["moved"]["uri"] == new.uri and "moved" not in account["moved"]
    async with fed_app.state.sessions() as session:
        from server.db.models import Account
        from server.services.accounts.oauth import issue_token
        from server.services.accounts.scopes import parse_scopes
        mine = (await session.execute(select(Account).where(Account.actor_id == carol.id))).scalar_one()
        token = (await issue_token(session, None, mine, parse_scopes("write"), refreshable=False)).access_token
        await session.commit()
    refused = await fed_client.post("/api/v1/statuses", json={"status": "still here?"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422 and "has moved to" in refused.json()["error"]


async def test_move_out_checks_the_target_afresh_not_as_stored(fed_app, fed_client, remote):
    carol, _, new, acct = await _mover(fed_app, fed_client, remote)
    new.also_known_as = [carol.uri]
    remote.publish(new)
    await _known(fed_app, fed_client, new)  # stored while it listed her
    new.also_known_as = []
    remote.publish(new)  # ... and no longer
    refused = await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct,
                               password=PASSWORD)
    assert refused.status_code == 422 and "does not list this account" in refused.text
    assert (await _actor(fed_app, carol.uri)).moved_to_uri is None
    assert not [d for d in await _all(fed_app, Delivery) if json.loads(d.body)["type"] == "Move"]


async def test_move_out_needs_her_password(fed_app, fed_client, remote):
    carol, _, new, acct = await _mover(fed_app, fed_client, remote)
    new.also_known_as = [carol.uri]
    remote.publish(new)
    refused = await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct, password="nope")
    assert refused.status_code == 422 and "password is not right" in refused.text
    assert (await _actor(fed_app, carol.uri)).moved_to_uri is None


async def test_move_is_undone_within_30_days_and_refused_after(fed_app, fed_client, remote):
    carol, _, new, acct = await _mover(fed_app, fed_client, remote)
    new.also_known_as = [carol.uri]
    remote.publish(new)
    await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct, password=PASSWORD)
    assert "Undo the move</button>" in (await fed_client.get("/settings/migration")).text
    undone = await _post_form(fed_client, "/settings/migration/undo", "/settings/migration")
    assert undone.status_code == 303
    assert "movedTo" not in (await fed_client.get("/users/carol", headers={"Accept": AS})).json()
    await _post_form(fed_client, "/settings/migration", "/settings/migration", acct=acct, password=PASSWORD)
    async with fed_app.state.sessions() as session:
        await session.execute(update(Actor).where(Actor.id == carol.id).values(moved_at=utcnow() - timedelta(days=31)))
        await session.commit()
    assert "Undo the move</button>" not in (await fed_client.get("/settings/migration")).text
    token = await form_token(fed_client, "/settings/aliases")  # the migration page offers no undo form any more
    late = await fed_client.post("/settings/migration/undo", data={"csrf_token": token})
    assert late.status_code == 409 and "can no longer be undone" in late.text
    assert (await _actor(fed_app, carol.uri)).moved_to_uri == new.uri


# == moving in: a Move received ==

def _move(old, target_uri: str, n: int) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{old.uri}#moves/{n}", "type": "Move",
            "actor": old.uri, "object": old.uri, "target": target_uri}


async def test_inbox_move_notifies_the_local_followers_it_moves(fed_app, fed_client, remote):
    carol_member = await member(fed_app, "carol")
    carol = carol_member.actor
    alice, new = remote.actor("alice"), remote.actor("alice2")
    new.also_known_as = [alice.uri]
    remote.publish(new)
    await _follow(fed_app, carol, await _known(fed_app, fed_client, alice), 1)
    await deliver(fed_client, alice, _move(alice, new.uri, 1))
    await drain(fed_app)
    old = await _actor(fed_app, alice.uri)
    [note] = await _all(fed_app, Notification, Notification.recipient_id == carol.id)
    assert (note.type, note.from_actor_id) == ("move", old.id)
    [seen] = (await fed_client.get("/api/v1/notifications", headers=carol_member.headers)).json()
    assert seen["type"] == "move" and seen["account"]["moved"]["uri"] == new.uri


async def test_inbox_move_to_a_local_account_that_lists_the_old_one(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    dana = (await member(fed_app, "dana")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, carol, await _known(fed_app, fed_client, alice), 1)
    await deliver(fed_client, alice, _move(alice, dana.uri, 1))
    await drain(fed_app)
    [item] = await _all(fed_app, InboxItem, InboxItem.activity_uri == f"{alice.uri}#moves/1")
    assert item.state == "failed" and "alsoKnownAs" in item.last_error  # dana has not listed alice
    async with fed_app.state.sessions() as session:
        await session.execute(update(Actor).where(Actor.id == dana.id).values(also_known_as=[alice.uri]))
        await session.commit()
    await deliver(fed_client, alice, _move(alice, dana.uri, 2))
    await drain(fed_app)
    follows = {(f.followed_id, f.state) for f in await _all(fed_app, Follow, Follow.follower_id == carol.id)}
    assert follows == {(dana.id, "accepted")}
    assert {n.type for n in await _all(fed_app, Notification, Notification.recipient_id == carol.id)} == {"move"}
