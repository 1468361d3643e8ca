"""Case discussions in the web UI: /cases and a group's cases filtered by state and specialty, opening a case in a
group (the de-identification confirmation required; the privacy guard's findings shown in the field they are in,
held or refused by the policy), the case block on its thread page, and marking it resolved with an accepted answer
(by its author or a group moderator, refused to anyone else); a members-only group's cases are for members only."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.db.models import Case, Post
from server.services.groups import registry
from tests.support.apps import client_of
from tests.support.web import member_session
from tests.test_web_groups import MARK, make_group, open_to_visitors, post_form
from tests.test_web_posts import phi_policy_app

CARDIOLOGY, NEPHROLOGY = "207RC0000X", "207RN0300X"
MRN_TEXT = "Seen in clinic, MRN 4482913, with dyspnoea on exertion."


def case_form(**overrides) -> dict:
    form = {"title": "Resistant hypertension despite four agents",
            "question": "Would you add spironolactone or refer for renal denervation?",
            "presentation": "BP 168/96 on four agents at full dose, adherent, normal potassium.",
            "specialty": CARDIOLOGY, "age_band": "60-74", "sex": "female", "deidentified": "1"}
    return {k: v for k, v in {**form, **overrides}.items() if v is not None}


async def open_case(client, group: str = "heart", **overrides):
    return await post_form(client, f"/groups/{group}/cases/new", f"/groups/{group}/cases/new", **case_form(**overrides))


def case_titles(html: str) -> list[str]:
    return re.findall(r'class="case-entry-title"><a href="[^"]+">([^<]+)</a>', html)


async def reply(client, thread: str, text: str):
    return await post_form(client, thread, f"{thread}/reply", status=text, in_reply_to_id=thread.rsplit("/", 1)[1])


async def test_web_cases_open_a_case_shows_its_block_on_the_thread_page(app, client):
    await make_group(app, specialties=[CARDIOLOGY])
    await member_session(app, client, "alice")
    form = await client.get("/groups/heart/cases/new")
    assert form.status_code == 200
    for shown in ('name="deidentified"', 'name="age_band"', 'name="sex"', 'name="specialty"', "Adult, 60–74 years",
                  "I confirm this case is de-identified"):
        assert shown in form.text, shown
    opened = await open_case(client, specialty2=NEPHROLOGY)
    assert opened.status_code == 303, opened.text
    thread = opened.headers["location"]
    async with app.state.sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert thread == f"/groups/heart/threads/{case.post_id}"
    assert case.specialties == [CARDIOLOGY, NEPHROLOGY] and (case.age_band, case.sex) == ("60-74", "female")
    page = await client.get(thread)
    assert page.status_code == 200
    block = page.text.split('id="case"', 1)[1].split("</section>", 1)[0]
    for shown in ("Would you add spironolactone", "BP 168/96", "Cardiovascular Disease", "Nephrology",
                  "Adult, 60–74 years", "Female", "badge-open", "Mark resolved"):
        assert shown in block, shown


async def test_web_cases_refuses_without_the_deidentification_confirmation(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    refused = await open_case(client, deidentified=None)
    assert refused.status_code == 422 and "Confirm that the case is de-identified" in refused.text
    assert 'value="Resistant hypertension despite four agents"' in refused.text  # what was typed is kept
    bad = await open_case(client, age_band="42")
    assert bad.status_code == 422 and "age_band must be one of" in bad.text
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post.id))).scalars().all() == []


async def test_web_cases_guard_warns_per_field_then_the_author_confirms(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    checked = await open_case(client, presentation=MRN_TEXT)
    assert checked.status_code == 422
    assert ("MRN or record number", "4482913") in MARK.findall(checked.text)
    phi = checked.text.split('class="card phi-check"', 1)[1].split("</section>", 1)[0]
    assert "<h3>Presentation</h3>" in phi and "<h3>Question</h3>" not in phi
    assert 'name="phi_confirmed" value="1"' in checked.text and "Post anyway" in checked.text
    async with app.state.sessions() as session:
        assert (await session.execute(select(Case))).scalars().all() == []
    confirmed = await open_case(client, presentation=MRN_TEXT, phi_confirmed="1")
    assert confirmed.status_code == 303


@pytest.mark.parametrize("policy", ["hold", "block"])
async def test_web_cases_held_or_refused_by_the_policy(settings, policy):
    async with phi_policy_app(settings, policy) as policy_app, client_of(policy_app) as client:
        await make_group(policy_app)
        await member_session(policy_app, client, "alice")
        answer = await open_case(client, question=MRN_TEXT, phi_confirmed="1")
        async with policy_app.state.sessions() as session:
            posts = (await session.execute(select(Post.visibility))).scalars().all()
    if policy == "hold":
        assert answer.status_code == 202 and "awaits review" in answer.text and posts == ["held"]
    else:
        assert answer.status_code == 422 and 'name="phi_confirmed"' not in answer.text and posts == []
        assert ("MRN or record number", "4482913") in MARK.findall(answer.text)


async def test_web_cases_browse_and_filter_by_state_and_specialty(app, client):
    await make_group(app, "heart", "Heart failure")
    await make_group(app, "kidney", "Kidney club")
    await member_session(app, client, "alice")
    await open_case(client, title="Unanswered cardiology case")
    answered = (await open_case(client, title="Answered cardiology case")).headers["location"]
    await open_case(client, "kidney", title="Renal case", specialty=NEPHROLOGY, sex="male")
    assert (await reply(client, answered, "Add spironolactone.")).status_code == 303
    everything = await client.get("/cases")
    assert everything.status_code == 200
    assert case_titles(everything.text) == ["Renal case", "Answered cardiology case", "Unanswered cardiology case"]
    assert "in Kidney club" in everything.text and "Male" in everything.text and "1 answer" in everything.text
    cardiology = await client.get("/cases", params={"specialty": CARDIOLOGY})
    assert case_titles(cardiology.text) == ["Answered cardiology case", "Unanswered cardiology case"]
    unanswered = await client.get("/cases", params={"state": "unanswered"})
    assert case_titles(unanswered.text) == ["Renal case", "Unanswered cardiology case"]
    assert case_titles((await client.get("/cases", params={"state": "resolved"})).text) == []
    in_group = await client.get("/groups/kidney/cases")
    assert in_group.status_code == 200 and case_titles(in_group.text) == ["Renal case"]
    assert "/groups/kidney/cases/new" in in_group.text
    assert (await client.get("/cases", params={"state": "closed"})).status_code == 422
    assert (await client.get("/cases", params={"specialty": "a%b"})).status_code == 422
    assert (await client.get("/groups/nowhere/cases")).status_code == 404


async def test_web_cases_author_resolves_with_an_accepted_answer(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    thread = (await open_case(client)).headers["location"]
    async with client_of(app) as bob:
        await member_session(app, bob, "bob")
        assert (await reply(bob, thread, "Spironolactone first, per PATHWAY-2.")).status_code == 303
        page = await bob.get(thread)
        assert "Accept this answer" not in page.text and "Mark resolved" not in page.text
        async with app.state.sessions() as session:
            answer_id = (await session.execute(select(Post.id).where(Post.in_reply_to_id.is_not(None)))).scalar_one()
        refused = await post_form(bob, thread, f"{thread}/resolve", answer_id=str(answer_id))
        assert refused.status_code == 403 and "only the case&#39;s author" in refused.text
    page = await client.get(thread)
    assert page.text.count("Accept this answer") == 1
    resolved = await post_form(client, thread, f"{thread}/resolve", answer_id=str(answer_id))
    assert resolved.status_code == 303
    async with app.state.sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert (case.state, case.accepted_answer_id) == ("resolved", answer_id)
    page = await client.get(thread)
    block = page.text.split('id="case"', 1)[1].split("</section>", 1)[0]
    assert "badge-resolved" in block and "Accepted answer" in block and "PATHWAY-2" in block
    assert "case-accepted-reply" in page.text
    listed = await client.get("/cases", params={"state": "resolved"})
    assert case_titles(listed.text) == ["Resistant hypertension despite four agents"]
    assert "badge-resolved" in listed.text
    assert "badge-resolved" in (await client.get("/groups/heart")).text
    not_a_reply = await post_form(client, thread, f"{thread}/resolve", answer_id=str(case.post_id))
    assert not_a_reply.status_code == 422


async def test_web_cases_group_moderator_may_resolve(app, client):
    group = await make_group(app)
    await member_session(app, client, "alice")
    thread = (await open_case(client)).headers["location"]
    async with client_of(app) as mod:
        await member_session(app, mod, "mod")
        async with app.state.sessions() as session:
            hosted = await registry.group_by_actor(session, group)
            await registry.add_moderator(session, app.state.settings.domain, hosted, "mod", by="test")
            await session.commit()
        assert "Mark resolved" in (await mod.get(thread)).text
        assert (await post_form(mod, thread, f"{thread}/resolve")).status_code == 303
    async with app.state.sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert (case.state, case.accepted_answer_id) == ("resolved", None)
    assert "Marked resolved without naming an answer." in (await client.get(thread)).text


async def test_web_cases_members_only_group_cases_are_invisible_to_visitors(app, client):
    await open_to_visitors(app)
    await make_group(app, "staff", "Staff room", members_only=True)
    await make_group(app, "heart", "Heart")
    await member_session(app, client, "alice")
    secret = (await open_case(client, "staff", title="Staff-only case")).headers["location"]
    await open_case(client, "heart", title="Public case")
    assert case_titles((await client.get("/cases")).text) == ["Public case", "Staff-only case"]
    async with client_of(app) as visitor:
        listed = await visitor.get("/cases")
        assert listed.status_code == 200 and case_titles(listed.text) == ["Public case"]
        assert "Staff-only" not in (await visitor.get("/cases", params={"state": "open"})).text
        for path in ("/groups/staff/cases", secret, "/groups/staff/cases/new"):
            answer = await visitor.get(path)
            assert answer.status_code in (303, 404) and "Staff-only" not in answer.text, path
