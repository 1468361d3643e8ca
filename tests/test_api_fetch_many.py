"""GET /api/v1/statuses?id[]= and GET /api/v1/accounts?id[]=: several at once, only what the viewer may see of
them (as the single-item endpoints decide), ids naming nothing left out, too many ids a 422."""
from server.db.models import AccountModeration
from server.db.types import utcnow
from tests.support.api import status
from tests.support.members import member, token


async def _statuses(client, ids: list, headers: dict | None = None) -> list[str]:
    response = await client.get("/api/v1/statuses", params={"id[]": [str(i) for i in ids]}, headers=headers)
    assert response.status_code == 200, response.text
    return [entity["id"] for entity in response.json()]


async def _accounts(client, ids: list, headers: dict | None = None) -> list[str]:
    response = await client.get("/api/v1/accounts", params={"id[]": [str(i) for i in ids]}, headers=headers)
    assert response.status_code == 200, response.text
    return [entity["id"] for entity in response.json()]


async def test_api_statuses_by_ids_only_those_the_viewer_may_see(app, client, alice, bob):
    carol = await member(app, "carol")
    shown = (await status(client, bob, "for everyone"))["id"]
    followers_only = (await status(client, bob, "for my followers", visibility="private"))["id"]
    direct = (await status(client, bob, "@carol just you", visibility="direct"))["id"]
    asked = [followers_only, shown, direct, "99999999", "not-an-id", shown]
    assert await _statuses(client, asked, alice.headers) == [shown]
    assert await _statuses(client, asked, bob.headers) == [followers_only, shown, direct]
    assert await _statuses(client, asked, carol.headers) == [shown, direct]
    for post_id in (followers_only, direct):  # as the single status answers
        assert (await client.get(f"/api/v1/statuses/{post_id}", headers=alice.headers)).status_code == 404
    assert (await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)).status_code == 200
    assert await _statuses(client, asked, alice.headers) == []


async def test_api_statuses_by_ids_for_visitors_only_public_ones(app, client, bob):
    shown = (await status(client, bob, "for everyone"))["id"]
    followers_only = (await status(client, bob, "for my followers", visibility="private"))["id"]
    assert await _statuses(client, [shown, followers_only]) == [shown]
    assert (await client.get(f"/api/v1/statuses/{shown}")).status_code == 200
    assert (await client.get(f"/api/v1/statuses/{followers_only}")).status_code == 404


async def test_api_statuses_by_ids_at_most_twenty(app, client, alice):
    too_many = await client.get("/api/v1/statuses", params={"id[]": [str(i) for i in range(1, 22)]},
                                headers=alice.headers)
    assert too_many.status_code == 422 and "id" in too_many.json()["error"]
    assert await _statuses(client, [], alice.headers) == []
    assert (await client.get("/api/v1/statuses", headers=await token(app, alice, "write"))).status_code == 403


async def test_api_accounts_by_ids_leave_out_hidden_accounts(app, client, alice, bob):
    frank = await member(app, "frank")
    gina = await member(app, "gina", approved=False)
    async with app.state.sessions() as session:
        session.add(AccountModeration(actor_id=frank.id, suspended_at=utcnow()))
        await session.commit()
    asked = [bob.id, frank.id, gina.id, 99999999, "x", alice.id, bob.id]
    assert await _accounts(client, asked, alice.headers) == [str(bob.id), str(alice.id)]
    assert await _accounts(client, asked) == [str(bob.id), str(alice.id)]
    for hidden in (frank, gina):  # as the single account answers
        assert (await client.get(f"/api/v1/accounts/{hidden.id}", headers=alice.headers)).status_code == 404


async def test_api_accounts_by_ids_at_most_forty(app, client, alice):
    too_many = await client.get("/api/v1/accounts", params={"id[]": [str(i) for i in range(1, 42)]},
                                headers=alice.headers)
    assert too_many.status_code == 422 and "id" in too_many.json()["error"]
    assert (await client.get("/api/v1/accounts", headers=await token(app, alice, "write"))).status_code == 403
