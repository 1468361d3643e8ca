"""Cases from another Curbside: a Page carrying `curbside:case`, relayed by its group, is kept as a case here (its
Status carries `curbside_case` as ours do); an Update of it by its author, or by its group (a moderator resolved it),
marks our copy resolved with the accepted answer as we hold it; anyone else's Update changes nothing."""
import pytest
from sqlalchemy import select

from federation import activities
from federation.addressing import PUBLIC
from server.db.models import Case, Post
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member

CARDIOLOGY = "207RC0000X"


def case_props(state: str = "open", accepted: str | None = None) -> dict:
    props = {"type": "curbside:Case", "curbside:state": state, "curbside:question": "Add spironolactone?",
             "curbside:presentation": "BP 168/96 on four agents.", "curbside:specialties": [CARDIOLOGY],
             "curbside:ageBand": "60-74", "curbside:sex": "female"}
    return {**props, "curbside:acceptedAnswer": accepted} if accepted else props


def case_page(remote, author, group, **props) -> dict:
    """A case as another Curbside posts it: a titled Page in the group, with its `curbside:case`."""
    return remote.note(author, 1, to=[PUBLIC], cc=[group.uri, author.followers], type="Page",
                       name="Resistant hypertension", audience=group.uri, content="Question: add spironolactone?",
                       **{"curbside:case": case_props(**props), "@context": [
                           "https://www.w3.org/ns/activitystreams", {"curbside": remote.base + "/ns#"}]})


@pytest.fixture
async def world(fed_app, fed_client, remote):
    """A remote Curbside's group relays its member's case here, then another member's reply to it."""
    group, author, answerer = remote.actor("cardio"), remote.actor("rita"), remote.actor("sam")
    remote.publish({**group.document(), "type": "Group"})
    page = case_page(remote, author, group)
    reply = remote.note(answerer, 2, inReplyTo=page["id"], content="Yes: PATHWAY-2", audience=group.uri)
    for n, (note, who) in enumerate(((page, author), (reply, answerer))):
        remote.publish(note)
        remote.publish(create(note))
        announce = activities.group_announce(f"{group.uri}/announces/{n}", group.uri, group.followers,
                                             create(note), None)
        assert (await deliver(fed_client, group, announce)).status_code == 202
        await drain(fed_app)
    viewer = await member(fed_app, "alice")
    async with fed_app.state.sessions() as session:
        ids = dict((await session.execute(select(Post.uri, Post.id))).all())
    return {"group": group, "author": author, "answerer": answerer, "page": page, "reply": reply,
            "case_id": ids[page["id"]], "reply_id": ids[reply["id"]], "viewer": viewer}


async def shown(client, world) -> dict:
    response = await client.get(f"/api/v1/statuses/{world['case_id']}", headers=world["viewer"].headers)
    assert response.status_code == 200, response.text
    return response.json()["curbside_case"]


async def test_inbox_cases_a_remote_curbside_case_is_kept_as_a_case(fed_app, fed_client, world):
    case = await shown(fed_client, world)
    assert case == {"state": "open", "accepted_answer_id": None, "title": "Resistant hypertension",
                    "question": "Add spironolactone?", "presentation": "BP 168/96 on four agents.",
                    "specialties": [CARDIOLOGY], "age_band": "60-74", "sex": "female", "resolved_at": None}
    async with fed_app.state.sessions() as session:
        row = await session.get(Case, world["case_id"])
        group_id = await session.scalar(select(Post.author_id).where(Post.id == world["case_id"]))
        assert row.group_id is not None and row.group_id != group_id  # the group, not the author
    listed = (await fed_client.get("/api/v1/curbside/cases?state=open", headers=world["viewer"].headers)).json()
    assert [s["id"] for s in listed] == [str(world["case_id"])]


def resolved_update(world, actor, n: int, accepted: str | None) -> dict:
    page = {**world["page"], "content": "<p>Question: add spironolactone?</p><p>Resolved — answer: x</p>",
            "updated": f"2024-05-0{n}T10:00:00Z", "curbside:case": case_props("resolved", accepted)}
    page.pop("@context")
    return activities.update(f"{actor.uri}/updates/{n}", actor.uri, page, to=[PUBLIC])


async def test_inbox_cases_the_authors_update_resolves_our_copy_with_the_answer_we_hold(fed_app, fed_client, world):
    update = resolved_update(world, world["author"], 2, world["reply"]["id"])
    assert (await deliver(fed_client, world["author"], update)).status_code == 202
    await drain(fed_app)
    case = await shown(fed_client, world)
    assert case["state"] == "resolved" and case["accepted_answer_id"] == str(world["reply_id"])
    assert case["resolved_at"] is not None
    listed = (await fed_client.get("/api/v1/curbside/cases?state=resolved", headers=world["viewer"].headers)).json()
    assert [s["id"] for s in listed] == [str(world["case_id"])]
    assert "Resolved — answer:" in listed[0]["content"]


async def test_inbox_cases_the_groups_update_resolves_our_copy(fed_app, fed_client, world):
    update = resolved_update(world, world["group"], 3, world["reply"]["id"])
    update["object"]["updated"] = "2024-05-03T10:00:00Z"
    assert (await deliver(fed_client, world["group"], update)).status_code == 202
    await drain(fed_app)
    case = await shown(fed_client, world)
    assert case["state"] == "resolved" and case["accepted_answer_id"] == str(world["reply_id"])


async def test_inbox_cases_anyone_elses_update_changes_nothing(fed_app, fed_client, world):
    update = resolved_update(world, world["answerer"], 4, world["reply"]["id"])
    await deliver(fed_client, world["answerer"], update)
    await drain(fed_app)
    assert (await shown(fed_client, world))["state"] == "open"


async def test_inbox_cases_a_case_first_stored_for_a_boost_is_kept_as_a_case(fed_app, fed_client, remote):
    group, author, booster = remote.actor("cardio"), remote.actor("rita"), remote.actor("bea")
    remote.publish({**group.document(), "type": "Group"})
    page = case_page(remote, author, group)
    remote.publish(page)
    viewer = await member(fed_app, "alice")
    boost = activities.announce(f"{booster.uri}/boosts/1", booster.uri, page["id"], "2024-05-01T10:00:00Z",
                                to=[PUBLIC], cc=[booster.followers])
    assert (await deliver(fed_client, booster, boost)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post_id = await session.scalar(select(Post.id).where(Post.uri == page["id"]))
        assert post_id is not None and await session.get(Case, post_id) is not None
    response = await fed_client.get(f"/api/v1/statuses/{post_id}", headers=viewer.headers)
    assert response.json()["curbside_case"]["question"] == "Add spironolactone?"


async def test_inbox_cases_a_case_stored_before_its_create_is_kept_on_its_create(fed_app, fed_client, remote):
    """A case post stored without its case (as before: a thread fetch or a boost) is kept as a case when its
    Create comes."""
    group, author = remote.actor("cardio"), remote.actor("rita")
    remote.publish({**group.document(), "type": "Group"})
    page = case_page(remote, author, group)
    plain = {k: v for k, v in page.items() if k != "curbside:case"}
    remote.publish(plain)
    viewer = await member(fed_app, "alice")
    assert (await deliver(fed_client, author, create(plain))).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post_id = await session.scalar(select(Post.id).where(Post.uri == page["id"]))
        assert post_id is not None and await session.get(Case, post_id) is None
    remote.publish(page)
    again = {**create(page), "id": page["id"] + "/activity-again"}  # not the first Create's id (seen already)
    assert (await deliver(fed_client, author, again)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert await session.get(Case, post_id) is not None
    assert (await fed_client.get(f"/api/v1/statuses/{post_id}", headers=viewer.headers)).json()["curbside_case"]


async def test_inbox_cases_the_authors_edit_refreshes_the_cases_texts(fed_app, fed_client, world):
    page = {**world["page"], "content": "<p>Question: add spironolactone?</p>", "name": "Hypertension",
            "updated": "2024-05-05T10:00:00Z",
            "curbside:case": {**case_props(), "curbside:presentation": "BP 168/96."}}
    page.pop("@context")
    update = activities.update(f"{world['author'].uri}/updates/9", world["author"].uri, page, to=[PUBLIC])
    assert (await deliver(fed_client, world["author"], update)).status_code == 202
    await drain(fed_app)
    case = await shown(fed_client, world)
    assert case["presentation"] == "BP 168/96." and case["title"] == "Hypertension"
