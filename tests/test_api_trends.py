"""/api/v1/trends: hashtags and posts from this instance's own public activity over the last 7 days. Nothing
followers-only, direct, unlisted, members-only, held, or by a limited, suspended or applicant account trends."""
from datetime import timedelta

from server.db.ids import snowflake
from server.db.models import AccountModeration, PostTag
from server.db.models.posts import HELD
from server.db.types import utcnow
from tests.support import factories
from tests.support.api import status
from tests.support.members import member, open_to_visitors


async def _post(app, who, tag: str, visibility: str = "public", *, likes: int = 0, **fields) -> str:
    async with app.state.sessions() as session:
        row = await factories.post(session, app.state.urls, who.actor, "public" if visibility == HELD else visibility,
                                   content=f"<p>#{tag}</p>", likes_count=likes, **fields)
        row.visibility = visibility  # a held post: addressed as it will be, seen by its author alone meanwhile
        session.add(PostTag(post_id=row.id, tag=tag))
        await session.commit()
        return str(row.id)


async def _sanction(app, who, **when) -> None:
    async with app.state.sessions() as session:
        session.add(AccountModeration(actor_id=who.id, **when))
        await session.commit()


async def _get(client, path: str, who=None, **params):
    response = await client.get(path, params=params, headers=who.headers if who else {})
    assert response.status_code == 200, response.text
    return response


async def test_trends_tags_count_only_public_posts_of_the_week(app, client, alice, bob):
    carol, limited, applicant = (await member(app, "carol"), await member(app, "limited"),
                                 await member(app, "applicant", approved=False))
    await _post(app, alice, "cardiology")
    await _post(app, bob, "cardiology")
    await _post(app, bob, "echo")
    await _post(app, bob, "echo")
    for visibility in ("private", "direct", "unlisted", "local", "held"):
        for who in (alice, bob, carol):
            await _post(app, who, f"hidden{visibility}", visibility)
    await _post(app, carol, "inmembersthread", local_only=True)
    await _post(app, carol, "old", id=snowflake(utcnow() - timedelta(days=8)))
    await _sanction(app, limited, limited_at=utcnow())
    await _post(app, limited, "silenced")
    await _post(app, applicant, "applying")
    trending = (await _get(client, "/api/v1/trends/tags", alice)).json()
    assert [t["name"] for t in trending] == ["cardiology", "echo"]
    assert set(trending[0]) == {"name", "url", "history", "following"} and len(trending[0]["history"]) == 7
    assert trending[0]["history"][0]["accounts"] == "2" and trending[1]["history"][0]["uses"] == "2"
    assert [t["name"] for t in (await _get(client, "/api/v1/trends", alice)).json()] == ["cardiology", "echo"]
    first = await _get(client, "/api/v1/trends/tags", alice, limit=1)
    assert [t["name"] for t in first.json()] == ["cardiology"] and "offset=1" in first.headers["link"]
    assert [t["name"] for t in (await _get(client, "/api/v1/trends/tags", alice, offset=1)).json()] == ["echo"]


async def test_trends_statuses_are_public_originals_people_favourited(app, client, alice, bob):
    carol = await member(app, "carol")
    popular = await status(client, alice, "Our new heart failure pathway")
    quiet = await status(client, alice, "nobody liked this")
    for who in (bob, carol):
        assert (await client.post(f"/api/v1/statuses/{popular['id']}/favourite", headers=who.headers)).status_code \
            == 200
    liked_once = await _post(app, bob, "x", likes=1)
    for visibility in ("private", "direct", "unlisted", "local", "held"):
        await _post(app, carol, "y", visibility, likes=9)
    await _post(app, carol, "z", likes=9, summary="CW")
    await _post(app, carol, "z", likes=9, sensitive=True)
    await _post(app, carol, "z", likes=9, local_only=True)
    reply = await status(client, carol, "a reply", in_reply_to_id=popular["id"])
    assert (await client.post(f"/api/v1/statuses/{reply['id']}/favourite", headers=bob.headers)).status_code == 200
    trending = (await _get(client, "/api/v1/trends/statuses", alice)).json()
    assert [s["id"] for s in trending] == [popular["id"], liked_once]
    assert quiet["id"] not in {s["id"] for s in trending}
    assert (await client.post(f"/api/v1/accounts/{alice.id}/block", headers=bob.headers)).status_code == 200
    assert [s["id"] for s in (await _get(client, "/api/v1/trends/statuses", bob)).json()] == [liked_once]
    await _sanction(app, alice, suspended_at=utcnow())
    assert [s["id"] for s in (await _get(client, "/api/v1/trends/statuses", carol)).json()] == [liked_once]


async def test_trends_are_for_members_of_a_closed_community(app, client, alice):
    await _post(app, alice, "cardiology", likes=1)
    for path in ("/api/v1/trends/tags", "/api/v1/trends/statuses"):
        assert (await client.get(path)).status_code == 401
    await open_to_visitors(app)
    assert [t["name"] for t in (await _get(client, "/api/v1/trends/tags")).json()] == ["cardiology"]
    assert "following" not in (await _get(client, "/api/v1/trends/tags")).json()[0]
    assert len((await _get(client, "/api/v1/trends/statuses")).json()) == 1


async def test_trends_links_are_empty_without_preview_cards(client, alice):
    assert (await _get(client, "/api/v1/trends/links", alice)).json() == []
