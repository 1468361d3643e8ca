"""/api/v1/curbside/groups: list, show, create and change groups; admins alone create and change them;
members-only groups are seen by members only."""
from tests.support.members import ALL_SCOPES, member

GROUPS = "/api/v1/curbside/groups"
CARDIOLOGY = "207RC0000X"


async def admin(app):
    return (await member(app, "root", role="admin", scopes=ALL_SCOPES)).headers


async def test_api_groups_admin_creates_then_anyone_lists_and_shows(app, client):
    headers = await admin(app)
    made = await client.post(GROUPS, headers=headers, json={
        "name": "heart", "title": "Heart failure", "description": "HFrEF", "specialties": [CARDIOLOGY],
        "join": "verified", "members_only": False})
    assert made.status_code == 201, made.text
    group = made.json()
    assert (group["name"], group["title"], group["join"], group["members_only"]) == ("heart", "Heart failure",
                                                                                    "verified", False)
    assert group["specialties"] == [{"code": CARDIOLOGY, "name": "Cardiovascular Disease"}]
    assert group["url"] == "https://curbside.test/groups/heart"
    assert [g["name"] for g in (await client.get(GROUPS)).json()] == ["heart"]
    assert (await client.get(f"{GROUPS}/{group['id']}")).json()["description"] == "HFrEF"


async def test_api_groups_form_fields_with_brackets(app, client):
    made = await client.post(GROUPS, headers=await admin(app), data={
        "name": "heart", "title": "Heart", "specialties[]": [CARDIOLOGY], "members_only": "true"})
    assert made.status_code == 201, made.text
    assert made.json()["specialties"][0]["code"] == CARDIOLOGY and made.json()["members_only"] is True


async def test_api_groups_admin_patches(app, client):
    headers = await admin(app)
    group = (await client.post(GROUPS, headers=headers, json={"name": "heart", "title": "Heart"})).json()
    changed = await client.patch(f"{GROUPS}/{group['id']}", headers=headers, json={"title": "Heart failure",
                                                                                    "join": "approval"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["join"], changed.json()["name"]) == ("Heart failure", "approval",
                                                                                         "heart")
    bad = await client.patch(f"{GROUPS}/{group['id']}", headers=headers, json={"join": "anyone"})
    assert bad.status_code == 422 and "join must be one of" in bad.json()["error"]


async def test_api_groups_members_may_not_create_or_patch(app, client):
    group = (await client.post(GROUPS, headers=await admin(app), json={"name": "heart", "title": "Heart"})).json()
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    assert (await client.post(GROUPS, headers=alice, json={"name": "x", "title": "X"})).status_code == 403
    assert (await client.patch(f"{GROUPS}/{group['id']}", headers=alice, json={"title": "X"})).status_code == 403
    assert (await client.post(GROUPS, json={"name": "x", "title": "X"})).status_code == 401


async def test_api_groups_refusals_are_422_with_a_reason(app, client):
    headers = await admin(app)
    await member(app, "alice")
    taken = await client.post(GROUPS, headers=headers, json={"name": "alice", "title": "A"})
    assert taken.status_code == 422 and "taken" in taken.json()["error"]
    assert (await client.post(GROUPS, headers=headers, json={"name": "x"})).status_code == 422
    wrong_type = await client.post(GROUPS, headers=headers, json={"name": "x", "title": "X", "specialties": [1]})
    assert wrong_type.status_code == 422
    assert (await client.get(f"{GROUPS}/99999999999999999999999")).status_code == 404
    assert (await client.get(f"{GROUPS}/123")).status_code == 404


async def test_api_groups_members_only_hidden_from_visitors(app, client):
    headers = await admin(app)
    group = (await client.post(GROUPS, headers=headers, json={"name": "staff", "title": "Staff",
                                                              "members_only": True})).json()
    assert (await client.get(GROUPS)).json() == []
    assert (await client.get(f"{GROUPS}/{group['id']}")).status_code == 404
    assert [g["name"] for g in (await client.get(GROUPS, headers=headers)).json()] == ["staff"]
    assert (await client.get(f"{GROUPS}/{group['id']}", headers=headers)).status_code == 200
