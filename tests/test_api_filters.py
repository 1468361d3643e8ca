"""The filters API as Mastodon 4 serves it: /api/v2/filters with their keywords and posts, the deprecated
/api/v1/filters (one V1::Filter per keyword), scopes, validation, and nobody reaching another's filters."""
from urllib.parse import urlencode

import pytest

from tests.support.api import check_auth, status
from tests.support.members import token

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def create(client, who, **body) -> dict:
    body = {"title": "Spoilers", "context": ["home", "public"], **body}
    response = await client.post("/api/v2/filters", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_api_filters_v2_create_list_show_update_delete(client, alice):
    made = await create(client, alice, filter_action="hide", expires_in=3600,
                        keywords_attributes=[{"keyword": "finale", "whole_word": False}, {"keyword": "ending"}])
    assert made["title"] == "Spoilers" and made["context"] == ["home", "public"] and made["filter_action"] == "hide"
    assert made["expires_at"].endswith("Z") and made["statuses"] == []
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [("finale", False), ("ending", True)]
    listed = await client.get("/api/v2/filters", headers=alice.headers)
    assert listed.json() == [made]
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.headers)).json() == made
    finale, ending = made["keywords"]
    changed = await client.put(f"/api/v2/filters/{made['id']}", json={
        "title": "Plot", "context": ["thread"], "filter_action": "warn", "expires_in": "",
        "keywords_attributes": [{"id": finale["id"], "_destroy": True}, {"id": ending["id"], "keyword": "twist"},
                                {"keyword": "cliffhanger", "whole_word": "false"}]}, headers=alice.headers)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["title"], body["context"], body["filter_action"], body["expires_at"]) == (
        "Plot", ["thread"], "warn", None)
    assert [(k["id"] == ending["id"], k["keyword"], k["whole_word"]) for k in body["keywords"]] == [
        (True, "twist", True), (False, "cliffhanger", False)]
    assert (await client.delete(f"/api/v2/filters/{made['id']}", headers=alice.headers)).json() == {}
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.headers)).status_code == 404
    assert (await client.get("/api/v2/filters", headers=alice.headers)).json() == []


async def test_api_filters_v2_rails_style_form_fields(client, alice):
    form = [("title", "test"), ("context[]", "public"), ("keywords_attributes[][keyword]", "foo"),
            ("keywords_attributes[][whole_word]", "false"), ("keywords_attributes[][keyword]", "bar"),
            ("keywords_attributes[][whole_word]", "true")]
    made = await client.post("/api/v2/filters", content=urlencode(form), headers={**alice.headers, **FORM})
    assert made.status_code == 200, made.text
    foo, bar = made.json()["keywords"]
    assert (foo["keyword"], foo["whole_word"], bar["keyword"], bar["whole_word"]) == ("foo", False, "bar", True)
    # the documented example: remove foo, turn bar into baz (indexed fields work too)
    update = [("keywords_attributes[0][id]", foo["id"]), ("keywords_attributes[0][_destroy]", "true"),
              ("keywords_attributes[1][id]", bar["id"]), ("keywords_attributes[1][keyword]", "baz")]
    changed = await client.put(f"/api/v2/filters/{made.json()['id']}", content=urlencode(update),
                               headers={**alice.headers, **FORM})
    assert [(k["id"], k["keyword"], k["whole_word"]) for k in changed.json()["keywords"]] == [(bar["id"], "baz", True)]
    assert changed.json()["context"] == ["public"] and changed.json()["title"] == "test"


@pytest.mark.parametrize("body, message", [
    ({"title": ""}, "Title can't be blank"),
    ({"context": []}, "Context can't be blank"),
    ({"context": ["home", "elsewhere"]}, "invalid context"),
    ({"filter_action": "explode"}, "Filter action"),
    ({"expires_in": "soon"}, "expires_in"),
    ({"keywords_attributes": [{"keyword": "  "}]}, "Keyword can't be blank"),
])
async def test_api_filters_v2_refuses_invalid_filters(client, alice, body, message):
    response = await client.post("/api/v2/filters", json={"title": "t", "context": ["home"], **body},
                                 headers=alice.headers)
    assert response.status_code == 422 and message in response.json()["error"]
    assert (await client.get("/api/v2/filters", headers=alice.headers)).json() == []


async def test_api_filters_v2_new_filter_cannot_name_a_keyword_id(client, alice):
    response = await client.post("/api/v2/filters", json={"title": "t", "context": ["home"],
                                                          "keywords_attributes": [{"id": "1", "keyword": "x"}]},
                                 headers=alice.headers)
    assert response.status_code == 404


async def test_api_filters_v2_keywords(client, alice):
    made = await create(client, alice)
    base = f"/api/v2/filters/{made['id']}/keywords"
    added = await client.post(base, json={"keyword": "some", "whole_word": False}, headers=alice.headers)
    assert added.status_code == 200 and added.json()["keyword"] == "some" and added.json()["whole_word"] is False
    keyword_id = added.json()["id"]
    assert (await client.post(base, json={"keyword": ""}, headers=alice.headers)).status_code == 422
    assert (await client.get(base, headers=alice.headers)).json() == [added.json()]
    one = f"/api/v2/filters/keywords/{keyword_id}"
    assert (await client.get(one, headers=alice.headers)).json() == added.json()
    changed = await client.put(one, data={"keyword": "other"}, headers=alice.headers)
    assert changed.json() == {"id": keyword_id, "keyword": "other", "whole_word": False}
    assert (await client.put(one, json={"keyword": ""}, headers=alice.headers)).status_code == 422
    assert (await client.delete(one, headers=alice.headers)).json() == {}
    assert (await client.get(one, headers=alice.headers)).status_code == 404
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.headers)).json()["keywords"] == []


async def test_api_filters_v2_statuses(client, alice, bob):
    made = await create(client, alice)
    post = await status(client, bob, "a public post")
    base = f"/api/v2/filters/{made['id']}/statuses"
    added = await client.post(base, json={"status_id": post["id"]}, headers=alice.headers)
    assert added.status_code == 200 and added.json()["status_id"] == post["id"]
    assert (await client.post(base, json={"status_id": post["id"]}, headers=alice.headers)).status_code == 422
    assert (await client.get(base, headers=alice.headers)).json() == [added.json()]
    one = f"/api/v2/filters/statuses/{added.json()['id']}"
    assert (await client.get(one, headers=alice.headers)).json() == added.json()
    shown = (await client.get(f"/api/v1/statuses/{post['id']}", headers=alice.headers)).json()
    assert shown["filtered"][0]["status_matches"] == [post["id"]]
    assert shown["filtered"][0]["keyword_matches"] is None
    assert (await client.delete(one, headers=alice.headers)).json() == {}
    assert (await client.get(base, headers=alice.headers)).json() == []
    assert (await client.get(f"/api/v1/statuses/{post['id']}", headers=alice.headers)).json()["filtered"] == []


async def test_api_filters_v2_status_the_member_may_not_see_is_404(client, alice, bob):
    made = await create(client, alice)
    private = await client.post("/api/v1/statuses", json={"status": "followers", "visibility": "private"},
                                headers=bob.headers)
    for status_id in (private.json()["id"], "999999"):
        response = await client.post(f"/api/v2/filters/{made['id']}/statuses", json={"status_id": status_id},
                                     headers=alice.headers)
        assert response.status_code == 404


async def test_api_filters_another_members_filters_are_404(client, alice, bob):
    made = await create(client, alice, keywords_attributes=[{"keyword": "mine"}])
    post = await status(client, alice, "hello")
    keyword = made["keywords"][0]["id"]
    filtered = await client.post(f"/api/v2/filters/{made['id']}/statuses", json={"status_id": post["id"]},
                                 headers=alice.headers)
    row = filtered.json()["id"]
    calls = [("GET", f"/api/v2/filters/{made['id']}", None), ("PUT", f"/api/v2/filters/{made['id']}", {"title": "x"}),
             ("DELETE", f"/api/v2/filters/{made['id']}", None),
             ("GET", f"/api/v2/filters/{made['id']}/keywords", None),
             ("POST", f"/api/v2/filters/{made['id']}/keywords", {"keyword": "x"}),
             ("GET", f"/api/v2/filters/keywords/{keyword}", None),
             ("PUT", f"/api/v2/filters/keywords/{keyword}", {"keyword": "x"}),
             ("DELETE", f"/api/v2/filters/keywords/{keyword}", None),
             ("GET", f"/api/v2/filters/{made['id']}/statuses", None),
             ("POST", f"/api/v2/filters/{made['id']}/statuses", {"status_id": post["id"]}),
             ("GET", f"/api/v2/filters/statuses/{row}", None), ("DELETE", f"/api/v2/filters/statuses/{row}", None),
             ("GET", f"/api/v1/filters/{keyword}", None),
             ("PUT", f"/api/v1/filters/{keyword}", {"phrase": "x", "context": ["home"]}),
             ("DELETE", f"/api/v1/filters/{keyword}", None)]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, path, response.status_code)
    assert (await client.get("/api/v2/filters", headers=bob.headers)).json() == []
    assert (await client.get("/api/v1/filters", headers=bob.headers)).json() == []
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.headers)).json() == {
        **made, "statuses": [filtered.json()]}


async def test_api_filters_every_endpoint_needs_a_token_and_its_scope(app, client, alice):
    made = await create(client, alice, keywords_attributes=[{"keyword": "x"}])
    keyword = made["keywords"][0]["id"]
    no_filters = await token(app, alice, "read:statuses write:statuses")
    read_only = await token(app, alice, "read:filters")
    write_only = await token(app, alice, "write:filters")
    reads = ["/api/v2/filters", f"/api/v2/filters/{made['id']}", f"/api/v2/filters/{made['id']}/keywords",
             f"/api/v2/filters/keywords/{keyword}", f"/api/v2/filters/{made['id']}/statuses",
             "/api/v2/filters/statuses/1", "/api/v1/filters", f"/api/v1/filters/{keyword}"]
    writes = [("POST", "/api/v2/filters"), ("PUT", f"/api/v2/filters/{made['id']}"),
              ("DELETE", f"/api/v2/filters/{made['id']}"), ("POST", f"/api/v2/filters/{made['id']}/keywords"),
              ("PUT", f"/api/v2/filters/keywords/{keyword}"), ("DELETE", f"/api/v2/filters/keywords/{keyword}"),
              ("POST", f"/api/v2/filters/{made['id']}/statuses"), ("DELETE", "/api/v2/filters/statuses/1"),
              ("POST", "/api/v1/filters"), ("PUT", f"/api/v1/filters/{keyword}"),
              ("DELETE", f"/api/v1/filters/{keyword}")]
    for path in reads:
        await check_auth(client, "GET", path, no_filters)
        await check_auth(client, "GET", path, write_only)
        assert (await client.get(path, headers=read_only)).status_code in (200, 404), path
    for method, path in writes:
        await check_auth(client, method, path, no_filters)
        await check_auth(client, method, path, read_only)
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.headers)).json() == made


async def test_api_filters_v1_maps_one_filter_per_keyword(client, alice):
    created = await client.post("/api/v1/filters", json={"phrase": "spoiler", "context": ["home", "thread"],
                                                         "irreversible": True, "whole_word": True, "expires_in": 600},
                                headers=alice.headers)
    assert created.status_code == 200, created.text
    v1 = created.json()
    assert (v1["phrase"], v1["context"], v1["irreversible"], v1["whole_word"]) == (
        "spoiler", ["home", "thread"], True, True)
    v2 = (await client.get("/api/v2/filters", headers=alice.headers)).json()
    assert len(v2) == 1 and v2[0]["title"] == "spoiler" and v2[0]["filter_action"] == "hide"
    assert v2[0]["keywords"] == [{"id": v1["id"], "keyword": "spoiler", "whole_word": True}]
    assert v2[0]["expires_at"] == v1["expires_at"]
    await create(client, alice, keywords_attributes=[{"keyword": "one"}, {"keyword": "two", "whole_word": False}])
    listed = (await client.get("/api/v1/filters", headers=alice.headers)).json()
    assert [(f["phrase"], f["whole_word"], f["irreversible"]) for f in listed] == [
        ("spoiler", True, True), ("one", True, False), ("two", False, False)]
    assert (await client.get(f"/api/v1/filters/{v1['id']}", headers=alice.headers)).json() == v1


async def test_api_filters_v1_update_and_delete(client, alice):
    single = (await client.post("/api/v1/filters", data={"phrase": "gore", "context[]": "public"},
                                headers=alice.headers)).json()
    assert single["whole_word"] is False and single["irreversible"] is False
    changed = await client.put(f"/api/v1/filters/{single['id']}", json={
        "phrase": "blood", "context": ["home", "public"], "irreversible": True, "whole_word": True},
        headers=alice.headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["phrase"], changed.json()["context"], changed.json()["irreversible"]) == (
        "blood", ["home", "public"], True)
    v2 = (await client.get("/api/v2/filters", headers=alice.headers)).json()[0]
    assert v2["title"] == "blood" and v2["filter_action"] == "hide"
    group = await create(client, alice, keywords_attributes=[{"keyword": "one"}, {"keyword": "two"}])
    first = group["keywords"][0]["id"]
    refused = await client.put(f"/api/v1/filters/{first}", json={"phrase": "one", "context": ["notifications"]},
                               headers=alice.headers)
    assert refused.status_code == 422
    renamed = await client.put(f"/api/v1/filters/{first}", json={"phrase": "uno"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["context"] == ["home", "public"]
    assert (await client.delete(f"/api/v1/filters/{first}", headers=alice.headers)).json() == {}
    assert [k["keyword"] for k in (await client.get(f"/api/v2/filters/{group['id']}", headers=alice.headers))
            .json()["keywords"]] == ["two"]
    await client.delete(f"/api/v1/filters/{single['id']}", headers=alice.headers)  # its last keyword: the filter goes
    assert [f["id"] for f in (await client.get("/api/v2/filters", headers=alice.headers)).json()] == [group["id"]]
    missing = await client.post("/api/v1/filters", json={"phrase": "", "context": ["home"]}, headers=alice.headers)
    assert missing.status_code == 422
