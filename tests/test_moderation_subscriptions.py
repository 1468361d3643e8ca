"""Blocklist subscriptions fetched from a loopback server (conditional GETs, provenance, retractions,
local exceptions, drafts, failures keeping the last good state) and the list this instance
publishes (visibility, obfuscation, CSV, trusted peers)."""
import hashlib

import pytest
from sqlalchemy import select

from federation.signatures import sign_request
from moderation.domains import DomainPolicy, Severity, obfuscate_domain
from server.db.models import AuditEntry, BlocklistSubscription, DomainPolicyRecord
from server.services.moderation.domains import set_local_policy
from server.services.moderation.publish import set_visibility
from server.services.moderation.subscriptions import decide_draft, refresh_all, subscribe
from tests.loopback_server import Reply, serve
from tests.support.members import bearer, member
from tests.support.moderation import allow

HEADER = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"


class ListServer:
    """Serves `self.body` (status `self.status`) with an ETag, answering 304 to a matching If-None-Match."""

    def __init__(self) -> None:
        self.body, self.status, self.seen = HEADER, 200, []

    async def handle(self, request) -> Reply:
        self.seen.append(request.headers)
        etag = '"%s"' % hashlib.sha256(self.body.encode()).hexdigest()[:16]
        if self.status != 200:
            return Reply(self.status, {}, b"nope")
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": "text/csv", "ETag": etag}, self.body.encode())


@pytest.fixture
async def lists():
    served = {}
    async with serve(ListServer().handle) as first:
        async with serve(ListServer().handle) as second:
            for server in (first, second):
                served[server.url("/list.csv")] = server.handler.__self__
            yield list(served.items())


async def _subscribe(app, url: str, **options) -> int:
    async with app.state.sessions() as session:
        row = await subscribe(session, url, allow_http=True, by="test", **options)
        await session.commit()
        return row.id


async def _refresh(app) -> list:
    return await refresh_all(app.state.runtime, force=True, by="test")


async def _effective(app, domain: str):
    return (await app.state.runtime.policies.get()).effective(domain)


async def test_subscribed_list_applies_with_provenance_and_is_fetched_conditionally(fed_app, lists):
    (url, served), _ = lists
    served.body = HEADER + "bad.example,suspend,false,false,harassment,false\nlim.example,silence,true,false,,false\n"
    sub_id = await _subscribe(fed_app, url, priority=5)
    [result] = await _refresh(fed_app)
    assert result.ok and result.message.startswith("2 added")
    assert (await _effective(fed_app, "www.bad.example")).suspended
    limited = await _effective(fed_app, "lim.example")
    assert limited.limited and not limited.accept_media
    async with fed_app.state.sessions() as session:
        owners = set((await session.execute(select(DomainPolicyRecord.subscription_id))).scalars())
    assert owners == {sub_id}
    [again] = await _refresh(fed_app)
    assert again.message.startswith("not modified; 0 added") and served.seen[-1]["if-none-match"].startswith('"')
    assert "signature" in served.seen[-1]  # signed as the instance actor


async def test_retraction_lifts_only_that_lists_block_and_local_exceptions_win(fed_app, lists):
    (url_a, a), (url_b, b) = lists
    a.body = HEADER + "bad.example,suspend,false,false,,false\nboth.example,suspend,false,false,,false\n"
    b.body = HEADER + "both.example,suspend,false,false,,false\n"
    await _subscribe(fed_app, url_a, priority=10)
    await _subscribe(fed_app, url_b, priority=1)
    await set_local_policy_(fed_app, DomainPolicy("mine.example"))
    await _refresh(fed_app)
    a.body = HEADER + "mine.example,suspend,false,false,,false\n"  # retracts bad and both
    await _refresh(fed_app)
    await _refresh(fed_app)  # the lower list takes both.example back on its own next update
    assert not (await _effective(fed_app, "bad.example")).suspended
    assert (await _effective(fed_app, "both.example")).suspended
    assert (await _effective(fed_app, "mine.example")).suspended
    await allow(fed_app, "both.example")
    decision = await _effective(fed_app, "both.example")
    assert not decision.suspended and "local exception" in decision.reason


async def set_local_policy_(app, policy):
    async with app.state.sessions() as session:
        await set_local_policy(session, policy, by="test")
        await session.commit()


async def test_failing_or_malformed_list_keeps_the_last_good_state_and_alerts_once(fed_app, lists):
    (url, served), _ = lists
    served.body = HEADER + "bad.example,suspend,false,false,,false\n"
    sub_id = await _subscribe(fed_app, url)
    await _refresh(fed_app)
    served.status = 500
    [down] = await _refresh(fed_app)
    served.status, served.body = 200, HEADER + "ok.example,suspend,false,false,,false\nnot a domain!,suspend,,,,\n"
    [broken] = await _refresh(fed_app)
    assert not down.ok and "HTTP 500" in down.message
    assert not broken.ok and "line 3" in broken.message
    assert (await _effective(fed_app, "bad.example")).suspended
    assert not (await _effective(fed_app, "ok.example")).suspended
    async with fed_app.state.sessions() as session:
        sub = await session.get(BlocklistSubscription, sub_id)
        alerts = (await session.execute(select(AuditEntry).where(AuditEntry.action == "blocklist.failed"))).all()
        assert "line 3" in sub.last_error and sub.failing_since is not None and "bad.example" in sub.document
    assert len(alerts) == 1
    served.body = HEADER + "ok.example,suspend,false,false,,false\n"
    [fixed] = await _refresh(fed_app)
    assert fixed.ok and (await _effective(fed_app, "ok.example")).suspended
    assert not (await _effective(fed_app, "bad.example")).suspended


async def test_draft_subscription_waits_for_approval(fed_app, lists):
    (url, served), _ = lists
    served.body = HEADER + "bad.example,suspend,false,false,,false\n"
    await _subscribe(fed_app, url, as_drafts=True)
    await _refresh(fed_app)
    assert not (await _effective(fed_app, "bad.example")).suspended
    async with fed_app.state.sessions() as session:
        draft = (await session.execute(select(DomainPolicyRecord)
                                       .where(DomainPolicyRecord.state == "draft"))).scalar_one()
        await decide_draft(session, draft.id, approve=True, by="test")
        await session.commit()
    assert (await _effective(fed_app, "bad.example")).suspended


async def _publish(app, visibility: str, trusted=None) -> None:
    async with app.state.sessions() as session:
        await set_visibility(session, visibility, trusted, by="test")
        await session.commit()


async def test_published_list_honours_visibility_and_obfuscation(fed_app, fed_client):
    await set_local_policy_(fed_app, DomainPolicy("bad.example", public_comment="spam", private_comment="secret"))
    await set_local_policy_(fed_app, DomainPolicy("hidden.example", Severity.LIMIT, obfuscate=True))
    token = (await member(fed_app, "alice")).token
    path = "/api/v1/instance/domain_blocks"
    await _publish(fed_app, "nobody")
    assert (await fed_client.get(path, headers=bearer(token))).status_code == 404
    await _publish(fed_app, "members")
    assert (await fed_client.get(path)).status_code == 401
    assert (await fed_client.get(path, headers=bearer(token))).status_code == 200
    await _publish(fed_app, "everyone")
    listed = (await fed_client.get(path)).json()
    assert listed == [
        {"domain": "bad.example", "digest": hashlib.sha256(b"bad.example").hexdigest(), "severity": "suspend",
         "comment": "spam"},
        {"domain": obfuscate_domain("hidden.example"), "digest": hashlib.sha256(b"hidden.example").hexdigest(),
         "severity": "silence", "comment": ""}]
    assert "hidden.example" not in str(listed)
    csv = (await fed_client.get(path + ".csv")).text
    assert "bad.example,suspend" in csv and "hidden" not in csv and "secret" not in csv
    etag = (await fed_client.get(path)).headers["etag"]
    assert (await fed_client.get(path, headers={"If-None-Match": etag})).status_code == 304


async def test_published_list_for_trusted_peers_needs_a_signature_from_a_listed_domain(fed_app, fed_client, remote):
    peer = remote.actor("peer")
    url = str(fed_client.base_url) + "/api/v1/instance/domain_blocks"

    def signed() -> dict:
        return sign_request("GET", url, {"Accept": "application/json"}, None, peer.key_id, peer.private_pem)

    await _publish(fed_app, "trusted", ["other.example"])
    assert (await fed_client.get(url, headers=signed())).status_code == 401
    await _publish(fed_app, "trusted", [remote.base.split("://")[1]])
    assert (await fed_client.get(url, headers=signed())).status_code == 200
    assert (await fed_client.get(url)).status_code == 401


async def test_blocklist_runner_fetches_due_lists_and_then_waits_for_the_next_look(fed_app, lists):
    from server.jobs.blocklists import BlocklistRunner
    from server.jobs.worker import default_runners

    (url, served), _ = lists
    served.body = HEADER + "bad.example,suspend,false,false,,false\n"
    await _subscribe(fed_app, url)
    runner = BlocklistRunner(look_every=3600)
    assert "blocklists" in [r.name for r in default_runners()]
    assert await runner.run_once(fed_app.state.runtime) == 1
    assert (await _effective(fed_app, "bad.example")).suspended
    assert await runner.run_once(fed_app.state.runtime) == 0 and len(served.seen) == 1
