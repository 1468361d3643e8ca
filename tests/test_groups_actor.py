"""Groups hosted here, step one: stored, served as FEP-1b12 Group actors, found by WebFinger, one namespace
with members' names."""
import json
from pathlib import Path

import pytest

from federation.vocab import parse_actor
from moderation.errors import ServiceError
from server.services.accounts.members import NewAccount, create_account
from server.services.groups import registry
from server.services.groups.registry import GroupFields, NewGroup
from tests.support import factories

AS = {"accept": "application/activity+json"}
CARDIOLOGY = "207RC0000X"
FIXTURES = Path(__file__).parent / "data" / "fixtures_real"


async def make_group(app, session, name="heart", **fields):
    fields = {"title": "Heart failure", **fields}
    group = await registry.create_group(session, app.state.urls, "curbside.test",
                                        NewGroup(name, GroupFields(**fields)), by="test")
    await session.commit()
    return group


async def test_group_actor_is_a_lemmy_shaped_group(app, client, session):
    group = await make_group(app, session, description="HFrEF and HFpEF", specialties=[CARDIOLOGY], join="verified")
    mod = await factories.member(session, app.state.urls, "curbside.test", "alice")
    await registry.add_moderator(session, "curbside.test", group, "alice", by="test")
    await session.commit()
    doc = (await client.get("/groups/heart", headers=AS)).json()
    base = "https://curbside.test/groups/heart"
    assert (doc["id"], doc["type"], doc["preferredUsername"], doc["name"]) == (base, "Group", "heart", "Heart failure")
    assert doc["summary"] == "HFrEF and HFpEF"
    assert (doc["inbox"], doc["outbox"], doc["followers"]) == (f"{base}/inbox", f"{base}/outbox", f"{base}/followers")
    assert doc["attributedTo"] == f"{base}/moderators" and doc["featured"] == f"{base}/featured"
    assert doc["publicKey"]["owner"] == base and "BEGIN PUBLIC KEY" in doc["publicKey"]["publicKeyPem"]
    assert doc["publicKey"]["publicKeyPem"] != mod.public_key_pem
    assert doc["manuallyApprovesFollowers"] is True
    moderators = (await client.get("/groups/heart/moderators", headers=AS)).json()
    assert moderators["orderedItems"] == [mod.uri]
    assert (await client.get("/groups/heart/followers", headers=AS)).json()["totalItems"] == 0


async def test_group_is_not_served_as_a_member(app, client, session):
    await make_group(app, session)
    assert (await client.get("/users/heart", headers=AS)).status_code == 404


async def test_webfinger_finds_the_group(app, client, session):
    await make_group(app, session)
    jrd = (await client.get("/.well-known/webfinger", params={"resource": "acct:heart@curbside.test"})).json()
    assert jrd["subject"] == "acct:heart@curbside.test"
    assert {"rel": "self", "type": "application/activity+json",
            "href": "https://curbside.test/groups/heart"} in jrd["links"]
    by_url = await client.get("/.well-known/webfinger", params={"resource": "https://curbside.test/groups/heart"})
    assert by_url.json()["subject"] == "acct:heart@curbside.test"


async def test_members_only_group_is_not_federated(app, client, session):
    await make_group(app, session, members_only=True)
    assert (await client.get("/groups/heart", headers=AS)).status_code == 404
    webfinger = await client.get("/.well-known/webfinger", params={"resource": "acct:heart@curbside.test"})
    assert webfinger.status_code == 404


async def test_group_name_taken_by_a_member_is_refused(app, session):
    await factories.member(session, app.state.urls, "curbside.test", "Alice")
    with pytest.raises(ServiceError, match="taken"):
        await make_group(app, session, name="alice")


async def test_member_name_taken_by_a_group_is_refused(app, session):
    await make_group(app, session)
    with pytest.raises(ServiceError, match="taken"):
        await create_account(session, app.state.urls, "curbside.test", NewAccount("Heart", "h@example.org"))


@pytest.mark.parametrize("fields, reason", [
    ({"title": ""}, "title"),
    ({"join": "anyone"}, "join must be one of"),
    ({"specialties": ["NOPE"]}, "unknown specialty"),
])
async def test_group_fields_are_checked(app, session, fields, reason):
    with pytest.raises(ServiceError, match=reason):
        await make_group(app, session, **fields)


async def test_group_bad_name_is_refused(app, session):
    with pytest.raises(ServiceError, match="name must be"):
        await make_group(app, session, name="heart failure")


async def test_group_actor_has_every_link_lemmys_community_has_and_parses_as_a_group(app, client, session):
    await make_group(app, session)
    doc = (await client.get("/groups/heart", headers=AS)).json()
    lemmy = json.loads((FIXTURES / "lemmy" / "objects" / "group.json").read_text())
    links = {"id", "type", "preferredUsername", "name", "summary", "inbox", "outbox", "followers", "featured",
             "attributedTo", "postingRestrictedToMods", "endpoints", "publicKey", "published"}
    assert links <= lemmy.keys() and links <= doc.keys()
    parsed = parse_actor(doc)
    assert (parsed.type, parsed.inbox, parsed.shared_inbox) == ("Group", doc["inbox"], "https://curbside.test/inbox")
