"""Case discussions through the client API: a case is opened in a group with coarse categories only and the
author's confirmation that it is de-identified; the privacy guard screens its title, question and presentation
(warn: 422 naming the field; hold: kept for a moderator; block: refused); it is answered as a Status whose
`curbside_case` every Status of it carries; the author or a group moderator resolves it with a reply of its
thread; cases are listed by state, specialty and group, visible as any post, and found by full-text search."""
import json

import pytest
from sqlalchemy import select

from server.db.models import Case, Delivery, HeldPost, Post
from server.services.groups import registry
from server.services.groups.registry import GroupFields, NewGroup
from server.services.instance.settings import set_phi_policy
from tests.support import factories
from tests.support.api import media_ready
from tests.support.images import labelled_xray, plain
from tests.support.members import member, open_to_visitors

CASES = "/api/v1/curbside/cases"
CARDIOLOGY, NEPHROLOGY = "207RC0000X", "207RN0300X"


async def make_group(app, name="heart", **fields):
    async with app.state.sessions() as session:
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain,
                                            NewGroup(name, GroupFields(title=name.title(), **fields)), by="test")
        await session.commit()
        return group.actor


def case(**overrides) -> dict:
    body = {"group": "heart", "title": "Resistant hypertension despite four agents",
            "question": "Would you add spironolactone or refer for renal denervation?",
            "presentation": "BP 168/96 on four agents at full dose, adherent, normal potassium.",
            "specialties": [CARDIOLOGY], "age_band": "60-74", "sex": "female", "deidentified": True}
    return {**body, **overrides}


async def opened(client, headers, **overrides) -> dict:
    response = await client.post(CASES, json=case(**overrides), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def world(app):
    group = await make_group(app)
    alice, bob = await member(app, "alice"), await member(app, "bob")
    mod = await member(app, "mod")
    async with app.state.sessions() as session:
        await registry.add_moderator(session, app.state.settings.domain, await registry.group_by_actor(
            session, group), "mod", by="test")
        await session.commit()
    return {"group": group, "alice": alice, "bob": bob, "mod": mod}


async def test_api_cases_open_answers_a_status_with_its_case_and_a_titled_page(app, client, world):
    status = await opened(client, world["alice"].headers, specialties=[CARDIOLOGY, NEPHROLOGY])
    assert status["curbside_case"] == {
        "state": "open", "accepted_answer_id": None, "title": "Resistant hypertension despite four agents",
        "question": "Would you add spironolactone or refer for renal denervation?",
        "presentation": "BP 168/96 on four agents at full dose, adherent, normal potassium.",
        "specialties": [CARDIOLOGY, NEPHROLOGY], "age_band": "60-74", "sex": "female", "resolved_at": None}
    content = status["content"]
    assert content.startswith("<p><strong>Resistant hypertension despite four agents</strong></p>")
    for readable in ("Question: Would you add", "Presentation: BP 168/96", "Age band: 60-74", "Sex: female",
                     "Cardiovascular Disease, Nephrology"):
        assert readable in content
    shown = (await client.get(f"/api/v1/statuses/{status['id']}", headers=world["bob"].headers)).json()
    assert shown["curbside_case"] == status["curbside_case"]  # every Status of the case carries it
    home = (await client.get("/api/v1/timelines/public?local=true", headers=world["bob"].headers)).json()
    assert [s["curbside_case"]["title"] for s in home if s["id"] == status["id"]] == [status["curbside_case"]["title"]]
    async with app.state.sessions() as session:
        post = await session.get(Post, int(status["id"]))
        assert post.object_type == "Page"
    page = (await client.get(post.uri, headers={"Accept": "application/activity+json"})).json()
    assert page["type"] == "Page" and page["name"] == "Resistant hypertension despite four agents"
    assert not page["content"].startswith("<p><strong>")  # readers make their own heading of `name`
    props = page["curbside:case"]
    assert props["type"] == "curbside:Case" and props["curbside:state"] == "open"
    assert props["curbside:ageBand"] == "60-74" and props["curbside:specialties"] == [CARDIOLOGY, NEPHROLOGY]
    assert {"curbside": "http://curbside.test/ns#"} in page["@context"] or any(
        isinstance(c, dict) and c.get("curbside", "").endswith("/ns#") for c in page["@context"])
    terms = (await client.get("/ns")).json()["@context"]
    assert {"Case", "case", "state", "acceptedAnswer", "question", "ageBand", "sex", "specialties"} <= set(terms)


@pytest.mark.parametrize("overrides, reason", [
    ({"deidentified": False}, "deidentified must be true"),
    ({"deidentified": None}, "deidentified must be true"),
    ({"age_band": "63"}, "age_band must be one of"),
    ({"age_band": "1961-03-14"}, "age_band must be one of"),
    ({"sex": "F"}, "sex must be one of"),
    ({"specialties": ["NOPE"]}, "unknown specialty"),
    ({"specialties": []}, "specialties must name"),
    ({"title": " "}, "title is required"),
    ({"question": ""}, "question is required"),
    ({"presentation": "x" * 4000}, "presentation must be at most"),
    ({"group": "nosuchgroup"}, "group: no group"),
    ({"group": "alice"}, "group: no group"),  # a member is no group
])
async def test_api_cases_refuses_what_is_not_a_case_with_the_reason(app, client, world, overrides, reason):
    response = await client.post(CASES, json=case(**overrides), headers=world["alice"].headers)
    assert response.status_code == 422 and reason in response.json()["error"], response.text
    async with app.state.sessions() as session:
        assert (await session.execute(select(Case))).first() is None


@pytest.mark.parametrize("field", ["title", "question", "presentation"])
async def test_api_cases_warn_names_the_field_holding_an_mrn_and_resending_confirms(app, client, world, field):
    overrides = {field: case()[field] + " MRN 4482913"}
    warned = await client.post(CASES, json=case(**overrides), headers=world["alice"].headers)
    assert warned.status_code == 422 and warned.json()["phi_action"] == "confirm"
    assert {(f["kind"], f["field"]) for f in warned.json()["phi_findings"]} == {("record_number", field)}
    confirmed = await opened(client, world["alice"].headers, **overrides)  # sent again: confirmed
    assert confirmed["curbside_case"][field].endswith("MRN 4482913")


@pytest.mark.parametrize("field", ["title", "question", "presentation"])
async def test_api_cases_hold_keeps_a_case_with_an_mrn_for_moderators(app, client, world, field):
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    held = await opened(client, world["alice"].headers, **{field: case()[field] + " MRN 4482913"})
    assert held["curbside"]["held"] is True and held["curbside_case"]["state"] == "open"
    async with app.state.sessions() as session:
        assert (await session.execute(select(HeldPost.post_id))).scalars().all() == [int(held["id"])]
        assert (await session.execute(select(Delivery))).first() is None
    listed = (await client.get(CASES, headers=world["bob"].headers)).json()
    assert listed == []  # a held case is its author's alone
    refused = await client.post(f"{CASES}/{held['id']}/resolve", json={}, headers=world["alice"].headers)
    assert refused.status_code == 422 and "awaiting a moderator" in refused.json()["error"]


async def test_api_cases_block_refuses_a_case_with_an_mrn(app, client, world):
    async with app.state.sessions() as session:
        await set_phi_policy(session, "block", by="test")
        await session.commit()
    refused = await client.post(CASES, json=case(question="MRN 4482913: add spironolactone?"),
                                headers=world["alice"].headers)
    assert refused.status_code == 422 and refused.json()["phi_action"] == "reject"
    assert [f["field"] for f in refused.json()["phi_findings"]] == ["question"]
    again = await client.post(CASES, json=case(question="MRN 4482913: add spironolactone?"),
                              headers=world["alice"].headers)
    assert again.status_code == 422  # sending it again confirms nothing under block
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post))).first() is None


async def _reply(client, headers, to: str, text: str = "Spironolactone first: PATHWAY-2") -> dict:
    response = await client.post("/api/v1/statuses", json={"status": text, "in_reply_to_id": to}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def home_case(client, headers, status_id: str) -> dict:
    home = (await client.get("/api/v1/timelines/home", headers=headers)).json()
    return next(s["curbside_case"] for s in home if s["id"] == status_id)


async def test_api_cases_author_resolves_with_a_reply_of_the_thread(app, client, world):
    status = await opened(client, world["alice"].headers)
    assert (await home_case(client, world["alice"].headers, status["id"]))["state"] == "open"  # cached entity
    answer = await _reply(client, world["bob"].headers, status["id"])
    deeper = await _reply(client, world["alice"].headers, answer["id"], "Thanks: which dose?")
    resolved = await client.post(f"{CASES}/{status['id']}/resolve", json={"answer_id": deeper["id"]},
                                 headers=world["alice"].headers)
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["curbside_case"]["state"] == "resolved" and body["curbside_case"]["accepted_answer_id"] == deeper["id"]
    assert body["curbside_case"]["resolved_at"] is not None
    again = (await client.post(f"{CASES}/{status['id']}/resolve", json={"answer_id": answer["id"]},
                               headers=world["alice"].headers)).json()
    assert again["curbside_case"]["accepted_answer_id"] == answer["id"]
    assert again["content"].count("Resolved — answer:") == 1 and answer["url"] in again["content"]
    shown = (await client.get(f"/api/v1/statuses/{status['id']}", headers=world["bob"].headers)).json()
    assert shown["curbside_case"] == again["curbside_case"]
    assert await home_case(client, world["alice"].headers, status["id"]) == again["curbside_case"]


async def test_api_cases_resolve_permissions_and_answers(app, client, world):
    status = await opened(client, world["alice"].headers)
    async with app.state.sessions() as session:
        outside = await factories.post(session, app.state.urls, world["bob"].actor)
        await session.commit()
    forbidden = await client.post(f"{CASES}/{status['id']}/resolve", json={}, headers=world["bob"].headers)
    assert forbidden.status_code == 403 and "author or a moderator" in forbidden.json()["error"]
    wrong = await client.post(f"{CASES}/{status['id']}/resolve", json={"answer_id": str(outside.id)},
                              headers=world["alice"].headers)
    assert wrong.status_code == 422 and "reply in the case's thread" in wrong.json()["error"]
    bad = await client.post(f"{CASES}/{status['id']}/resolve", json={"answer_id": "abc"},
                            headers=world["alice"].headers)
    assert bad.status_code == 422
    missing = await client.post(f"{CASES}/{outside.id}/resolve", json={}, headers=world["alice"].headers)
    assert missing.status_code == 404
    by_mod = await client.post(f"{CASES}/{status['id']}/resolve", json={}, headers=world["mod"].headers)
    assert by_mod.status_code == 200 and by_mod.json()["curbside_case"]["state"] == "resolved"
    assert by_mod.json()["curbside_case"]["accepted_answer_id"] is None


async def test_api_cases_list_by_state_specialty_and_group_with_paging(app, client, world):
    await make_group(app, "kidney")
    first = await opened(client, world["alice"].headers)
    answered = await opened(client, world["alice"].headers, title="AKI on contrast", group="kidney",
                            specialties=[NEPHROLOGY])
    await _reply(client, world["bob"].headers, answered["id"], "Hydrate")
    resolved = await opened(client, world["alice"].headers, title="Third case")
    await client.post(f"{CASES}/{resolved['id']}/resolve", json={}, headers=world["alice"].headers)
    headers = world["bob"].headers

    async def ids(query: str) -> list[str]:
        response = await client.get(f"{CASES}{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    assert await ids("") == [resolved["id"], answered["id"], first["id"]]
    assert await ids("?state=open") == [answered["id"], first["id"]]
    assert await ids("?state=resolved") == [resolved["id"]]
    assert await ids("?state=unanswered") == [first["id"]]
    assert await ids(f"?specialty={NEPHROLOGY}") == [answered["id"]]
    assert await ids(f"?specialty={CARDIOLOGY}&state=open") == [first["id"]]
    assert await ids("?group=kidney") == [answered["id"]]
    assert await ids("?group=heart@curbside.test&state=resolved") == [resolved["id"]]
    page = await client.get(f"{CASES}?limit=2", headers=headers)
    assert [s["id"] for s in page.json()] == [resolved["id"], answered["id"]]
    assert f"max_id={answered['id']}" in page.headers["link"]
    assert await ids(f"?max_id={answered['id']}") == [first["id"]]
    for query in ("?state=closed", "?specialty=a%25b", "?group=nosuch"):
        assert (await client.get(f"{CASES}{query}", headers=headers)).status_code == 422


async def test_api_cases_of_a_members_only_group_are_for_members_only(app, client, world):
    await make_group(app, "private", members_only=True)
    status = await opened(client, world["alice"].headers, group="private")
    assert status["visibility"] == "local"
    assert [s["id"] for s in (await client.get(CASES, headers=world["bob"].headers)).json()] == [status["id"]]
    assert (await client.get(CASES)).status_code == 401  # a community closed to visitors
    await open_to_visitors(app)
    assert (await client.get(CASES)).json() == []  # open to visitors: still nothing members-only
    async with app.state.sessions() as session:
        assert (await session.execute(select(Delivery))).first() is None


async def test_api_cases_are_found_by_full_text_search(app, client, world):
    status = await opened(client, world["alice"].headers, title="Spontaneous coronary dissection",
                          presentation="Postpartum chest pain, troponin rising.")
    found = await client.get("/api/v2/search", params={"q": "postpartum troponin", "type": "statuses"},
                             headers=world["alice"].headers)
    assert [s["id"] for s in found.json()["statuses"]] == [status["id"]]
    by_title = await client.get("/api/v2/search", params={"q": "coronary dissection", "type": "statuses"},
                                headers=world["alice"].headers)
    assert [s["curbside_case"]["title"] for s in by_title.json()["statuses"]] == ["Spontaneous coronary dissection"]


async def test_api_cases_create_federates_a_page_with_the_case_to_the_groups_followers(app, client, world):
    async with app.state.sessions() as session:
        remote = await factories.remote_actor(session, "carol", "remote.example")
        await factories.follow(session, remote, world["group"])
        await session.commit()
    status = await opened(client, world["alice"].headers)
    async with app.state.sessions() as session:
        bodies = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]
    [announce] = [b for b in bodies if b["type"] == "Announce"]
    page = announce["object"]["object"]
    assert page["id"].endswith(status["id"]) and page["type"] == "Page" and page["name"] == case()["title"]
    assert page["curbside:case"]["curbside:question"] == case()["question"]
    assert page["curbside:case"]["curbside:state"] == "open" and page["audience"] == world["group"].uri


async def test_api_cases_a_change_of_state_alone_refreshes_cached_statuses(app, client, world):
    """Another Curbside's Update may change only the case's state: the cached Status entity follows it."""
    status = await opened(client, world["alice"].headers)
    assert (await home_case(client, world["alice"].headers, status["id"]))["state"] == "open"
    async with app.state.sessions() as session:
        (await session.get(Case, int(status["id"]))).state = "resolved"
        await session.commit()
    assert (await home_case(client, world["alice"].headers, status["id"]))["state"] == "resolved"


async def _upload(client, headers, data: bytes) -> str:
    response = await client.post("/api/v2/media", files={"file": ("film.png", data, "image/png")}, headers=headers)
    return (await media_ready(client, headers, response))["id"]


async def test_api_cases_images_are_screened_as_a_posts_are(app, client, world):
    headers = world["alice"].headers
    labelled = await _upload(client, headers, labelled_xray())
    warned = await client.post(CASES, json=case(media_ids=[labelled]), headers=headers)
    assert warned.status_code == 422 and warned.json()["phi_action"] == "confirm"
    assert "record_number" in {f["kind"] for f in warned.json()["phi_findings"]}
    clean = await _upload(client, headers, plain())
    status = await opened(client, headers, media_ids=[clean])
    assert [m["id"] for m in status["media_attachments"]] == [clean] and status["curbside_case"]["state"] == "open"


async def test_api_cases_resolving_federates_an_update_the_author_s_relayed_or_the_group_s(app, client, world):
    async with app.state.sessions() as session:
        carol = await factories.remote_actor(session, "carol", "remote.example")
        await factories.follow(session, carol, world["group"])
        await session.commit()
    status = await opened(client, world["alice"].headers)
    answer = await _reply(client, world["bob"].headers, status["id"])
    await client.post(f"{CASES}/{status['id']}/resolve", json={"answer_id": answer["id"]},
                      headers=world["alice"].headers)
    async with app.state.sessions() as session:
        bodies = [json.loads(d.body) for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]
    [update] = [b["object"] for b in bodies if b["type"] == "Announce" and b["object"]["type"] == "Update"]
    page = update["object"]
    assert update["actor"] == world["alice"].actor.uri and page["curbside:case"]["curbside:state"] == "resolved"
    assert page["curbside:case"]["curbside:acceptedAnswer"] == answer["uri"]
    assert f'Resolved — answer: <a href="{answer["url"]}">' in page["content"]
    await client.post(f"{CASES}/{status['id']}/resolve", json={}, headers=world["mod"].headers)
    async with app.state.sessions() as session:
        bodies = [json.loads(d.body) for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]
    [by_group] = [b for b in bodies if b["type"] == "Update" and b["actor"] == world["group"].uri]
    assert by_group["object"]["id"] == page["id"] and "curbside:acceptedAnswer" not in by_group["object"][
        "curbside:case"]
    assert {"curbside": "https://curbside.test/ns#"} in by_group["@context"]


async def test_api_cases_an_edit_that_takes_out_an_mrn_takes_it_out_of_the_case_and_its_update(app, client, world):
    async with app.state.sessions() as session:
        carol = await factories.remote_actor(session, "carol", "remote.example")
        await factories.follow(session, carol, world["group"])
        await factories.follow(session, carol, world["alice"].actor)
        await session.commit()
    headers = world["alice"].headers
    with_mrn = case(presentation=case()["presentation"] + " MRN 4482913")
    assert (await client.post(CASES, json=with_mrn, headers=headers)).status_code == 422  # the guard's warning
    status = await opened(client, headers, presentation=with_mrn["presentation"])  # sent again: confirmed
    assert "4482913" in status["curbside_case"]["presentation"]
    source = (await client.get(f"/api/v1/statuses/{status['id']}/source", headers=headers)).json()["text"]
    assert "MRN 4482913" in source
    edited = await client.put(f"/api/v1/statuses/{status['id']}", json={"status": source.replace(" MRN 4482913", "")},
                              headers=headers)
    assert edited.status_code == 200, edited.text
    shown = (await client.get(f"/api/v1/statuses/{status['id']}", headers=headers)).json()["curbside_case"]
    assert shown["question"] == case()["question"] and shown["presentation"] == case()["presentation"]
    async with app.state.sessions() as session:
        bodies = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]
    updates = [b for b in bodies if b["type"] == "Update"]
    assert updates and all("4482913" not in json.dumps(u) for u in updates)
    assert updates[0]["object"]["curbside:case"]["curbside:presentation"] == case()["presentation"]


async def test_api_cases_a_moderator_resolving_a_followers_only_case_sends_nothing_public(app, client, world):
    async with app.state.sessions() as session:
        carol = await factories.remote_actor(session, "carol", "remote.example")
        await factories.follow(session, carol, world["group"])
        await factories.follow(session, world["mod"].actor, world["alice"].actor)  # the moderator sees the case
        await session.commit()
    status = await opened(client, world["alice"].headers)
    async with app.state.sessions() as session:
        (await session.get(Post, int(status["id"]))).visibility = "private"
        await session.execute(Delivery.__table__.delete())
        await session.commit()
    resolved = await client.post(f"{CASES}/{status['id']}/resolve", json={}, headers=world["mod"].headers)
    assert resolved.status_code == 200, resolved.text
    async with app.state.sessions() as session:
        bodies = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]
    assert not [b for b in bodies if "https://www.w3.org/ns/activitystreams#Public" in json.dumps(b)]
    assert not [b for b in bodies if b["actor"] == world["group"].uri]


async def test_api_cases_listing_by_a_remote_group_looks_up_only_known_groups(app, client, world, monkeypatch):
    from server.services.cases import authoring as case_authoring

    async def no_lookups(*args, **kwargs):
        raise AssertionError("the listing made the server look a remote address up")

    monkeypatch.setattr(case_authoring, "resolve_acct", no_lookups)
    await open_to_visitors(app)
    async with app.state.sessions() as session:
        known = await factories.remote_actor(session, "cardio", "lemmy.example")
        known.actor_type = "Group"
        await session.commit()
    for headers in ({}, world["bob"].headers):  # a visitor, or a member: no WebFinger, no fetch, no write
        unknown = await client.get(f"{CASES}?group=anything@attacker.example", headers=headers)
        assert unknown.status_code == 422 and "no group" in unknown.json()["error"]
        listed = await client.get(f"{CASES}?group=Cardio@lemmy.example", headers=headers)
        assert listed.status_code == 200 and listed.json() == []
