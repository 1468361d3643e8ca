"""What apps ask of the instance beyond /api/v1/instance: the extended description, the languages members post in,
the privacy policy (the admins' text, else a default saying what is kept), translation (none set up here: an empty
language map, and a 503 that says so), and the NodeInfo metadata by which client libraries
recognise Mastodon's API."""
from server.services.instance import settings as runtime_settings
from server.services.instance import site
from tests.support.api import status


async def test_api_extended_description_is_the_site_description_as_html(app, client):
    unset = (await client.get("/api/v1/instance/extended_description")).json()
    assert unset == {"updated_at": None, "content": ""}
    async with app.state.sessions() as session:
        await site.update(session, [], site_description="Cardiology society.\n\nSee https://example.org/rules <b>")
        await session.commit()
    described = (await client.get("/api/v1/instance/extended_description")).json()
    assert described["content"].startswith("<p>Cardiology society.</p><p>See <a href=\"https://example.org/rules\"")
    assert "&lt;b&gt;" in described["content"] and "<b>" not in described["content"]
    assert described["updated_at"].endswith("Z")


async def test_api_instance_languages_are_iso_codes_with_english_names(client):
    response = await client.get("/api/v1/instance/languages")
    assert response.status_code == 200
    languages = response.json()
    assert {"code": "en", "name": "English"} in languages and {"code": "de", "name": "German"} in languages
    assert all(len(entry["code"]) == 2 and entry["name"] for entry in languages)
    assert len({entry["code"] for entry in languages}) == len(languages)


async def test_api_privacy_policy_is_the_admins_text_else_the_default(app, client):
    default = (await client.get("/api/v1/instance/privacy_policy")).json()
    assert default["content"].startswith("<p>") and "email address" in default["content"]
    assert "deleted as soon as it is reviewed" in default["content"] and default["updated_at"].endswith("Z")
    async with app.state.sessions() as session:
        await runtime_settings.change(session, app.state.settings, {"evidence_retention_days": 30})
        await session.commit()
    kept = (await client.get("/api/v1/instance/privacy_policy")).json()
    assert "deleted 30 days after it is reviewed" in kept["content"]
    async with app.state.sessions() as session:
        assert await site.update(session, [], privacy_policy="We keep <nothing> but posts.") == ["privacy_policy"]
        await session.commit()
    own = (await client.get("/api/v1/instance/privacy_policy")).json()
    assert own["content"] == "<p>We keep &lt;nothing&gt; but posts.</p>"
    assert own["updated_at"].endswith("Z") and own["updated_at"] != default["updated_at"]


async def test_api_translation_languages_are_empty_without_a_service(client):
    response = await client.get("/api/v1/instance/translation_languages")
    assert (response.status_code, response.json()) == (200, {})


async def test_api_translate_answers_503_for_a_visible_status_404_otherwise(client, alice, bob):
    public = await status(client, alice, "Bonjour à tous", language="fr")
    answer = await client.post(f"/api/v1/statuses/{public['id']}/translate", json={"lang": "en"},
                               headers=bob.headers)
    assert answer.status_code == 503 and "translation" in answer.json()["error"]
    private = await status(client, alice, "followers only", visibility="private")
    assert (await client.post(f"/api/v1/statuses/{private['id']}/translate", headers=bob.headers)).status_code == 404
    assert (await client.post(f"/api/v1/statuses/{public['id']}/translate")).status_code == 401


async def test_nodeinfo_metadata_names_mastodon_as_upstream(client):
    for version in ("2.0", "2.1"):
        document = (await client.get(f"/nodeinfo/{version}")).json()
        assert document["software"]["name"] == "curbside"
        assert document["metadata"]["upstream"] == {"name": "mastodon", "version": "4.3.0"}
        assert document["metadata"]["nodeName"]
