"""The admin pages, part two: domain policies (add, change, remove, federation mode), importing a shared
list with its preview, exporting ours, and blocklist subscriptions (subscribe, refresh, the failing alert,
drafts, unsubscribe, publication)."""
from sqlalchemy import select

from moderation.domains import DomainPolicy, FederationMode, Severity
from server.db.models import BlocklistSubscription, DomainPolicyRecord
from server.services.moderation.policies import policy_fields, read_mode
from server.services.moderation.publish import read_visibility
from tests.loopback_server import Reply, serve
from tests.support.web import csrf_of, member_session
from tests.test_web_admin import entries, post

CSV = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"


async def policies(app, state: str = "active") -> dict[str, DomainPolicyRecord]:
    async with app.state.sessions() as session:
        rows = (await session.execute(select(DomainPolicyRecord).where(DomainPolicyRecord.state == state))).scalars()
        return {(r.domain, r.allow): r for r in rows}


async def test_web_admin_domain_policy_is_added_changed_and_removed(app, client):
    await member_session(app, client, "mod", role="moderator")
    added = await post(client, "/admin/domains", "/admin/domains", domain="Spam.Example", kind="suspend",
                       reject_media="on", public_comment="spam", private_comment="bot farm")
    assert added.status_code == 303
    row = (await policies(app))[("spam.example", False)]
    assert (row.severity, row.reject_media, row.reject_reports, row.private_comment) == \
        ("suspend", True, False, "bot farm")
    edit = (await client.get(f"/admin/domains/{row.id}")).text
    assert 'value="bot farm"' in edit and "readonly" in edit
    await post(client, "/admin/domains", "/admin/domains", domain="spam.example", kind="limit", public_comment="spam")
    row = (await policies(app))[("spam.example", False)]
    assert (row.severity, row.reject_media, row.private_comment) == ("limit", False, "")
    assert [e.target for e in await entries(app, "domain.limit")] == ["spam.example"]
    bad = await post(client, "/admin/domains", "/admin/domains", domain="not a domain", kind="suspend")
    assert bad.status_code == 422 and "Not a domain" in bad.text
    await post(client, "/admin/domains", "/admin/domains", domain="friends.example", kind="allow")
    assert ("friends.example", True) in await policies(app)
    removed = await post(client, f"/admin/domains/{row.id}/remove", "/admin/domains")
    assert removed.status_code == 303 and ("spam.example", False) not in await policies(app)
    assert [e.target for e in await entries(app, "domain.remove")] == ["spam.example"]


async def test_web_admin_federation_mode_is_set(app, client):
    await member_session(app, client, "mod", role="moderator")
    assert (await post(client, "/admin/domains/mode", "/admin/domains", mode="allowlist")).status_code == 303
    async with app.state.sessions() as session:
        assert await read_mode(session) is FederationMode.ALLOWLIST
    assert (await post(client, "/admin/domains/mode", "/admin/domains", mode="anything")).status_code == 422


async def test_web_admin_import_previews_before_it_changes_anything(app, client):
    await member_session(app, client, "mod", role="moderator")
    await post(client, "/admin/domains", "/admin/domains", domain="old.example", kind="limit")
    listing = CSV + "new.example,suspend,false,false,spam,false\nold.example,suspend,true,false,,false\n"
    preview = await post(client, "/admin/domains/import", "/admin/domains/import", step="preview", text=listing)
    assert preview.status_code == 200 and "nothing has changed yet" in preview.text
    assert "new.example" in preview.text and "severity: limit → suspend" in preview.text
    assert set(await policies(app)) == {("old.example", False)}
    applied = await client.post("/admin/domains/import", data={"csrf_token": csrf_of(preview.text), "step": "apply",
                                                               "format": "", "text": listing})
    assert applied.status_code == 303 and applied.headers["location"].endswith("done=imported")
    now = await policies(app)
    assert now[("new.example", False)].severity == "suspend" and now[("old.example", False)].reject_media
    assert await entries(app, "domain.import")
    broken = await post(client, "/admin/domains/import", "/admin/domains/import", step="preview",
                        text=CSV + "good.example,suspend,false,false,,false\n"
                                   "bad..example,suspend,false,false,,false\n", format="csv")
    assert broken.status_code == 422 and "line 3" in broken.text


async def test_web_admin_import_takes_a_file_and_export_downloads_the_blocks(app, client):
    await member_session(app, client, "mod", role="moderator")
    upload = await client.post("/admin/domains/import",
                               data={"csrf_token": csrf_of((await client.get("/admin/domains/import")).text),
                                     "step": "preview", "format": "plain"},
                               files={"file": ("list.txt", b"one.example\ntwo.example\n", "text/plain")})
    assert upload.status_code == 200 and "add 2" in upload.text
    await post(client, "/admin/domains", "/admin/domains", domain="secret.example", kind="suspend",
               private_comment="between us", obfuscate="on")
    full = await client.get("/admin/domains/export?format=csv")
    assert full.headers["content-disposition"].startswith("attachment") and "between us" in full.text
    public = await client.get("/admin/domains/export?format=csv&public=1")
    assert "between us" not in public.text and "secret.example" not in public.text


async def test_web_admin_subscription_is_fetched_failing_alerted_and_dropped(fed_app, fed_client):
    body = {"text": CSV + "bad.example,suspend,false,false,trolls,false\n", "status": 200}

    async def handle(request) -> Reply:
        return Reply(body["status"], {"Content-Type": "text/csv"}, body["text"].encode())

    await member_session(fed_app, fed_client, "mod", role="moderator")
    async with serve(handle) as server:
        url = server.url("/list.csv")
        added = await post(fed_client, "/admin/blocklists", "/admin/blocklists", url=url, priority="5")
        assert added.status_code == 303
        again = await post(fed_client, "/admin/blocklists", "/admin/blocklists", url=url)
        assert again.status_code == 422 and "Already subscribed" in again.text
        await post(fed_client, "/admin/blocklists/refresh", "/admin/blocklists")
        assert ("bad.example", False) in await policies(fed_app)
        body["status"] = 500
        await post(fed_client, "/admin/blocklists/refresh", "/admin/blocklists")
        page = (await fed_client.get("/admin/blocklists")).text
        assert 'role="alert"' in page and "has failed since" in page
        assert ("bad.example", False) in await policies(fed_app)  # the last good state stays
        assert "has failed to" in (await fed_client.get("/admin")).text
    async with fed_app.state.sessions() as session:
        sub = (await session.execute(select(BlocklistSubscription))).scalar_one()
    await post(fed_client, f"/admin/blocklists/{sub.id}/unsubscribe", "/admin/blocklists")
    assert ("bad.example", False) not in await policies(fed_app)
    assert [e.action for e in await entries(fed_app, "blocklist.unsubscribe")] == ["blocklist.unsubscribe"]


async def test_web_admin_drafts_are_approved_or_rejected(app, client):
    await member_session(app, client, "mod", role="moderator")
    async with app.state.sessions() as session:
        sub = BlocklistSubscription(url="https://lists.example/list.csv", as_drafts=True)
        session.add(sub)
        await session.flush()
        for domain in ("one.example", "two.example"):
            session.add(DomainPolicyRecord(state="draft", subscription_id=sub.id,
                                           **policy_fields(DomainPolicy(domain, Severity.SUSPEND))))
        await session.commit()
    drafts = await policies(app, "draft")
    page = (await client.get("/admin/blocklists")).text
    assert "one.example" in page and "two.example" in page
    await post(client, f"/admin/blocklists/drafts/{drafts[('one.example', False)].id}/approve", "/admin/blocklists")
    await post(client, f"/admin/blocklists/drafts/{drafts[('two.example', False)].id}/reject", "/admin/blocklists")
    assert set(await policies(app)) == {("one.example", False)}
    assert set(await policies(app, "rejected")) == {("two.example", False)}
    gone = await post(client, f"/admin/blocklists/drafts/{drafts[('two.example', False)].id}/approve",
                      "/admin/blocklists")
    assert gone.status_code == 404


async def test_web_admin_publication_of_our_list_is_set(app, client):
    await member_session(app, client, "mod", role="moderator")
    done = await post(client, "/admin/blocklists/publish", "/admin/blocklists", visibility="trusted",
                      trusted="peer.example, other.example")
    assert done.status_code == 303
    async with app.state.sessions() as session:
        assert await read_visibility(session) == ("trusted", ["other.example", "peer.example"])
    bad = await post(client, "/admin/blocklists/publish", "/admin/blocklists", visibility="the world")
    assert bad.status_code == 422
