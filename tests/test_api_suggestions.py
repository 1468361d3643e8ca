"""GET /api/v2/suggestions: colleagues of the member's specialty, verified ones first, never suspended, blocked,
muted, followed, dismissed or applicant accounts; GET /api/v1/suggestions, the same as Account entities;
DELETE /api/v1/suggestions/:account_id."""
from server.db.models import AccountModeration, MemberProfile
from server.db.types import utcnow
from tests.support.api import check_auth
from tests.support.members import ALL_SCOPES, member, token

CARDIOLOGY, FAMILY_MEDICINE = "207RC0000X", "207Q00000X"


async def _declare(app, who, specialty: str) -> None:
    async with app.state.sessions() as session:
        await session.merge(MemberProfile(actor_id=who.id, profession="physician", specialty_code=specialty))
        await session.commit()


async def _grant(client, admin, who, specialty: str) -> None:
    granted = await client.post("/api/v1/curbside/admin/verifications", headers=admin.headers, json={
        "username": who.actor.username, "profession": "physician", "specialty": specialty, "jurisdiction": "US-NY"})
    assert granted.status_code == 201, granted.text


async def _suggested(client, who) -> list[dict]:
    response = await client.get("/api/v2/suggestions", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_suggestions_are_colleagues_of_the_specialty_verified_first(app, client, alice):
    root = await member(app, "root", role="admin", scopes=ALL_SCOPES)
    people = {name: await member(app, name) for name in ("carol", "dave", "erin", "frank", "hank", "ivan", "jane")}
    gina = await member(app, "gina", approved=False)
    await _declare(app, alice, CARDIOLOGY)
    for name in ("dave", "frank", "hank", "ivan", "jane"):
        await _declare(app, people[name], CARDIOLOGY)
    await _declare(app, gina, CARDIOLOGY)
    await _grant(client, root, people["carol"], CARDIOLOGY)
    await _grant(client, root, people["erin"], FAMILY_MEDICINE)
    async with app.state.sessions() as session:
        session.add(AccountModeration(actor_id=people["frank"].id, suspended_at=utcnow()))
        await session.commit()
    assert (await client.post(f"/api/v1/accounts/{people['hank'].id}/block", headers=alice.headers)).status_code == 200
    assert (await client.post(f"/api/v1/accounts/{people['ivan'].id}/follow", headers=alice.headers)).status_code == 200
    assert (await client.post(f"/api/v1/accounts/{alice.id}/block", headers=people["jane"].headers)).status_code == 200
    found = await _suggested(client, alice)
    assert [(s["account"]["username"], s["sources"], s["source"]) for s in found] == [
        ("carol", ["featured"], "staff"), ("dave", ["most_followed"], "global")]
    assert found[0]["account"]["curbside"]["verified"] is True
    v1 = await client.get("/api/v1/suggestions", headers=alice.headers)
    assert v1.status_code == 200 and v1.json() == [s["account"] for s in found]  # Accounts alone, same privacy
    limited = await client.get("/api/v1/suggestions", params={"limit": 1}, headers=alice.headers)
    assert [a["username"] for a in limited.json()] == ["carol"]
    assert (await client.delete(f"/api/v1/suggestions/{people['dave'].id}", headers=alice.headers)).json() == {}
    assert [s["account"]["username"] for s in await _suggested(client, alice)] == ["carol"]
    # verified first, then by followers (ivan has alice), then oldest first
    assert [s["account"]["username"] for s in await _suggested(client, people["dave"])] == [
        "carol", "ivan", "alice", "hank", "jane"]


async def test_suggestions_need_a_specialty_and_a_token(app, client, alice):
    assert await _suggested(client, alice) == []  # no specialty: no colleagues to suggest
    assert (await client.delete("/api/v1/suggestions/999", headers=alice.headers)).status_code == 404
    assert (await client.delete("/api/v1/suggestions/x", headers=alice.headers)).status_code == 404
    await check_auth(client, "GET", "/api/v2/suggestions", await token(app, alice, "write"))
    await check_auth(client, "GET", "/api/v1/suggestions", await token(app, alice, "write"))
    assert (await client.get("/api/v1/suggestions", headers=alice.headers)).json() == []
