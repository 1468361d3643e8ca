"""Domain policies enforced where traffic passes: the inbox, queued deliveries, the delivery
runner, fetches, what is stored from remote servers, and the purge that follows a suspension."""
from sqlalchemy import select

from moderation.domains import DomainPolicy, FederationMode, Severity
from server.db.models import Actor, Delivery, Follow, InboxItem, Like, Post, Report
from server.jobs.deliveries import DeliveryRunner
from server.services.federation.delivery import enqueue_activity
from server.services.federation.remote_actors import DomainRefused, fetch_actor, resolve_acct
from server.services.moderation.domains import set_local_policy
from server.services.moderation.policies import SUSPENDED_ERROR, PolicyCache, bump_version
from tests.support import factories
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member
from tests.support.moderation import allow, host_of, mode, set_policy


async def test_inbox_refuses_a_suspended_domain_with_403_before_any_signature_work(fed_app, fed_client, remote):
    fake, server = remote, remote.server
    alice = fake.actor("alice")
    await set_policy(fed_app, host_of(fake))
    unsigned = await fed_client.post("/inbox", json=create(fake.note(alice, 1)))
    signed = await deliver(fed_client, alice, create(fake.note(alice, 2)))
    assert (unsigned.status_code, signed.status_code) == (403, 403)
    assert "not accepted" in signed.json()["error"]
    assert server.requests == []  # no key was fetched
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(InboxItem))).first() is None


async def test_inbox_accepts_again_once_the_block_is_removed(
        fed_app, fed_client, remote):
    alice = remote.actor("alice")
    domain = host_of(remote)
    await set_policy(fed_app, domain)
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 403
    async with fed_app.state.sessions() as session:
        from server.services.moderation.domains import remove_local_policies
        await remove_local_policies(session, domain, by="test")
        await session.commit()
    assert (await deliver(fed_client, alice, create(remote.note(alice, 2)))).status_code == 202


async def test_allowlist_mode_accepts_only_listed_domains(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    await mode(fed_app, FederationMode.ALLOWLIST)
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 403
    await allow(fed_app, host_of(remote))
    assert (await deliver(fed_client, alice, create(remote.note(alice, 2)))).status_code == 202


async def test_inbox_runner_refuses_items_queued_before_the_suspension(fed_app, fed_client, remote):
    await member(fed_app, "carol")
    alice = remote.actor("alice")
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202
    await set_policy(fed_app, host_of(remote))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        item = (await session.execute(select(InboxItem))).scalar_one()
        assert item.state == "failed" and "not accepted" in item.last_error
        assert (await session.execute(select(Post))).first() is None


async def test_enqueue_queues_nothing_for_suspended_hosts(app):
    async with app.state.sessions() as session:
        author = await factories.member(session, app.state.urls, "curbside.test", "alice")
        good = await factories.remote_actor(session, "bob", "good.example")
        bad = await factories.remote_actor(session, "eve", "sub.bad.example")
        await set_local_policy(session, DomainPolicy("bad.example"), by="test")
        await session.commit()
        queued = await enqueue_activity(session, {"id": "https://curbside.test/a/1", "type": "Create"}, author,
                                        [good, bad], inboxes=["https://bad.example/inbox"])
        await session.commit()
        hosts = (await session.execute(select(Delivery.host))).scalars().all()
    assert queued == 1 and hosts == ["good.example"]


async def test_delivery_runner_fails_rows_whose_host_was_suspended_since_without_connecting(fed_app, remote):
    fake, server = remote, remote.server
    host = host_of(fake)
    async with fed_app.state.sessions() as session:
        author = await factories.member(session, fed_app.state.urls, fed_app.state.settings.domain, "alice")
        await enqueue_activity(session, {"id": "http://x/a/1", "type": "Create"}, author,
                               inboxes=[f"{fake.base}/inbox"])
        # Another process suspends the host: the policy row and the version, no purge here.
        from server.db.models import DomainPolicyRecord
        from server.services.moderation.policies import policy_fields
        session.add(DomainPolicyRecord(state="active", **policy_fields(DomainPolicy(host))))
        await bump_version(session)
        await session.commit()
    runner = DeliveryRunner(concurrency=2, lease=60)
    assert await runner.run_once(fed_app.state.runtime) == 1
    await runner.wait_idle()
    async with fed_app.state.sessions() as session:
        row = (await session.execute(select(Delivery))).scalar_one()
    assert (row.state, row.last_error) == ("failed", SUSPENDED_ERROR)
    assert server.connections == 0


async def test_fetches_from_suspended_domains_are_refused_without_a_request(fed_app, remote):
    fake, server = remote, remote.server
    alice = fake.actor("alice")
    await set_policy(fed_app, host_of(fake))
    runtime = fed_app.state.runtime
    async with fed_app.state.sessions() as session:
        for attempt in (fetch_actor(runtime, session, alice.uri),
                        resolve_acct(runtime, session, "alice", host_of(fake))):
            try:
                await attempt
            except DomainRefused as exc:
                assert "suspend" in str(exc)
            else:
                raise AssertionError("fetched from a suspended domain")
    assert server.requests == []


async def test_policy_cache_sees_other_processes_changes_at_its_next_check(app, settings):
    from server.db.engine import make_engine
    other = make_engine(settings.database_url)
    try:
        cache = PolicyCache(other, check_every=3600)
        assert not (await cache.get()).suspended("spam.example")
        await set_policy(app, "spam.example")
        assert (await app.state.runtime.policies.get()).suspended("spam.example")  # this process: at once
        assert not (await cache.get()).suspended("spam.example")  # the other: not before its check
        cache.check_every = 0
        assert (await cache.get()).suspended("sub.spam.example")
    finally:
        await other.dispose()


async def test_policy_cache_looks_once_for_requests_arriving_together(app, settings):
    """A stale cache met by many requests at once (a busy inbox) reads the version row once, not once each."""
    import asyncio

    from sqlalchemy import event

    from server.db.engine import make_engine
    other = make_engine(settings.database_url)
    looks = []

    def look(conn, cursor, statement, *rest):
        if "policy_version" in statement:
            looks.append(statement)
    event.listen(other.sync_engine, "before_cursor_execute", look)
    try:
        cache = PolicyCache(other, check_every=3600)
        await cache.get()
        cache.forget()
        looks.clear()
        answers = await asyncio.gather(*(cache.get() for _ in range(16)))
        assert len(looks) == 1 and all(answer is answers[0] for answer in answers)
    finally:
        await other.dispose()


async def test_suspending_a_domain_purges_its_posts_follows_and_likes_keeping_counts(app):
    urls, domain = app.state.urls, app.state.settings.domain
    async with app.state.sessions() as session:
        alice = await factories.member(session, urls, domain, "alice")
        bob = await factories.remote_actor(session, "bob", "bad.example")
        mine = await factories.post(session, urls, alice)
        theirs = Post(id=1, uri="https://bad.example/users/bob/statuses/1", author_id=bob.id, author=bob,
                      local=False, visibility="public", content_html="<p>spam</p>", in_reply_to_id=mine.id)
        session.add(theirs)
        eve = await factories.remote_actor(session, "eve", "bad.example")
        session.add_all([Like(actor_id=bob.id, post_id=mine.id, uri="https://bad.example/likes/1"),
                         Like(actor_id=eve.id, post_id=mine.id, uri="https://bad.example/likes/2")])
        mine.likes_count, mine.replies_count = 3, 1  # a third like from elsewhere stays
        await factories.follow(session, alice, bob)
        await factories.follow(session, bob, alice)
        await session.commit()
        alice_id, bob_id, mine_id = alice.id, bob.id, mine.id
    await set_policy(app, "bad.example")
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post.id).where(Post.author_id == bob_id))).first() is None
        assert (await session.execute(select(Follow))).first() is None
        assert (await session.execute(select(Like))).first() is None
        kept = await session.get(Post, mine_id)
        await session.refresh(kept)
        assert (kept.likes_count, kept.replies_count) == (1, 0)
        assert await session.get(Actor, bob_id) is not None  # the actor row stays for reports
        assert await session.get(Actor, alice_id) is not None


async def test_reject_media_drops_attachments_and_limit_makes_follows_wait(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await set_policy(fed_app, host_of(remote), Severity.LIMIT, reject_media=True)
    image = {"type": "Document", "mediaType": "image/png", "url": f"{remote.base}/media/1.png"}
    note = remote.note(alice, 1, attachment=[image], to=["https://www.w3.org/ns/activitystreams#Public"])
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}#follows/1",
              "type": "Follow", "actor": alice.uri, "object": carol.uri}
    for activity in (create(note), follow):
        assert (await deliver(fed_client, alice, activity)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post = (await session.execute(select(Post).where(Post.uri == note["id"]))).scalar_one()
        follow_row = (await session.execute(select(Follow))).scalar_one()
    assert post.attachments == []
    assert follow_row.state == "pending"


async def test_flags_land_in_the_queue_unless_the_domain_rejects_reports(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")

    def flag(n: int) -> dict:
        return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}#flags/{n}", "type": "Flag",
                "actor": alice.uri, "content": "spam everywhere", "object": [carol.uri]}

    assert (await deliver(fed_client, alice, flag(1))).status_code == 202
    await drain(fed_app)
    await set_policy(fed_app, host_of(remote), Severity.NOOP, reject_reports=True)
    assert (await deliver(fed_client, alice, flag(2))).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        reports = list((await session.execute(select(Report))).scalars())
    assert [(r.flag_uri, r.origin, r.target_uri, r.comment) for r in reports] == \
        [(flag(1)["id"], "remote", carol.uri, "spam everywhere")]
