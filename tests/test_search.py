"""/api/v2/search for statuses and hashtags: what a member may find by words (opted-in public posts and
their own interactions), never what they may not see, with the index kept right through edits and deletes."""
import sqlite3

import pytest
from sqlalchemy import delete, select, update

from moderation.domains import Severity
from server.db import fulltext
from server.db.ids import snowflake
from server.db.models import Actor, Block, Follow, Like, Mute, Post, UserDomainBlock
from server.db.models.reports import AccountModeration
from server.db.types import utcnow
from tests.support import factories
from tests.support.api import status
from tests.support.members import member
from tests.support.moderation import set_policy

SEARCH = "/api/v2/search"


@pytest.fixture
async def people(app):
    """alice searches; bob and the remote rita opted in to search, carol did not."""
    alice, bob, carol = [await member(app, name) for name in ("alice", "bob", "carol")]
    async with app.state.sessions() as session:
        await session.execute(update(Actor).where(Actor.id == bob.id).values(indexable=True))
        rita = await factories.remote_actor(session, "rita", "peer.example")
        rita.indexable = True
        await session.commit()
    return {"alice": alice, "bob": bob, "carol": carol, "rita": rita}


async def found(client, who, q: str, **params) -> list[str]:
    headers = who.headers if who is not None else {}
    response = await client.get(SEARCH, params={"q": q, "type": "statuses", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["statuses"]]


async def remote_post(app, author: Actor, html: str, visibility: str = "public") -> str:
    async with app.state.sessions() as session:
        post_id = snowflake()
        session.add(Post(id=post_id, uri=f"{author.uri}/statuses/{post_id}", author_id=author.id, local=False,
                         visibility=visibility, content_html=html))
        await session.commit()
    return str(post_id)


def test_fulltext_parse_query_reads_words_phrases_and_exclusions():
    terms = fulltext.parse_query('Sepsis "early goal directed" -paediatric -"case report" covid-19')
    assert terms.include == (("sepsis",), ("early", "goal", "directed"), ("covid", "19"))
    assert terms.exclude == (("paediatric",), ("case", "report"))


def test_fulltext_parse_query_has_no_syntax_to_break():
    for hostile in ('"', "NEAR(a b)", "body:x", "a* OR ^b", "-", "'; DROP TABLE posts; --", "((("):
        terms = fulltext.parse_query(hostile)
        assert all(w.isalnum() or "_" in w for phrase in terms.include + terms.exclude for w in phrase)
    assert not fulltext.parse_query("-only -exclusions")


def test_fulltext_plain_text_drops_tags_and_entities():
    html = '<p>Echo &amp; <a href="https://x.example/span" class="mention">@<span>bob</span></a></p><p>next</p>'
    text = fulltext.plain_text("CW", html)
    assert "href" not in text and "span" not in text.replace("@ bob", "")
    assert text.split() == ["CW", "Echo", "&", "@", "bob", "next"]


async def test_search_finds_public_posts_of_indexable_accounts_only(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    public = await status(client, bob, "Troponin trends in chest pain")
    members = await status(client, bob, "Troponin for members", visibility="local")
    await status(client, bob, "Troponin unlisted", visibility="unlisted")
    await status(client, carol, "Troponin from someone who did not opt in")
    remote = await remote_post(app, people["rita"], "<p>Remote troponin thoughts</p>")
    assert await found(client, alice, "troponin") == [remote, members["id"], public["id"]]


async def test_search_finds_what_the_viewer_wrote_favourited_bookmarked_or_was_mentioned_in(app, client, people):
    alice, carol = people["alice"], people["carol"]
    own = await status(client, alice, "Ketamine note to self", visibility="private")
    liked = await status(client, carol, "Ketamine dosing")
    marked = await status(client, carol, "Ketamine infusion", visibility="unlisted")
    direct = await status(client, carol, "@alice ketamine question", visibility="direct")
    await status(client, carol, "Ketamine, unrelated")
    await client.post(f"/api/v1/statuses/{liked['id']}/favourite", headers=alice.headers)
    await client.post(f"/api/v1/statuses/{marked['id']}/bookmark", headers=alice.headers)
    assert await found(client, alice, "ketamine") == [direct["id"], marked["id"], liked["id"], own["id"]]


async def test_search_never_returns_what_the_viewer_may_not_see(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    followers_only = await status(client, bob, "Lactate followers only", visibility="private")
    await status(client, bob, "@carol lactate direct", visibility="direct")
    async with app.state.sessions() as session:  # alice liked it while following bob, then stopped
        follow = await factories.follow(session, alice.actor, bob.actor)
        session.add(Like(actor_id=alice.id, post_id=int(followers_only["id"]), uri="https://curbside.test/l/1"))
        await session.commit()
        assert await found(client, alice, "lactate") == [followers_only["id"]]
        await session.execute(delete(Follow).where(Follow.id == follow.id))
        await session.commit()
    assert await found(client, alice, "lactate") == []
    assert await found(client, carol, "lactate") != []  # carol was addressed


@pytest.mark.parametrize("hide", ["block", "blocked_by", "mute", "suspend", "domain_block", "domain_policy"])
async def test_search_hides_what_moderation_hides(app, client, people, hide):
    alice, bob, rita = people["alice"], people["bob"], people["rita"]
    await status(client, bob, "Heparin protocol")
    await remote_post(app, rita, "<p>Heparin abroad</p>")
    assert len(await found(client, alice, "heparin")) == 2
    async with app.state.sessions() as session:
        if hide == "block":
            session.add(Block(actor_id=alice.id, target_id=bob.id, uri="https://curbside.test/b/1"))
        elif hide == "blocked_by":
            session.add(Block(actor_id=bob.id, target_id=alice.id, uri="https://curbside.test/b/2"))
        elif hide == "mute":
            session.add(Mute(actor_id=alice.id, target_id=bob.id))
        elif hide == "suspend":
            session.add(AccountModeration(actor_id=bob.id, suspended_at=utcnow()))
        elif hide == "domain_block":
            session.add(UserDomainBlock(actor_id=alice.id, domain="peer.example"))
        await session.commit()
    if hide == "domain_policy":
        await set_policy(app, "peer.example", Severity.SUSPEND)
    assert len(await found(client, alice, "heparin")) == 1


async def test_search_does_not_index_markup(app, client, people):
    html = ('<p>See <a href="https://journal.example/span/class" class="mention hashtag" rel="nofollow">'
            '#<span>cardiology</span></a> &amp; more</p>')
    post_id = await remote_post(app, people["rita"], html)
    alice = people["alice"]
    for markup in ("href", "span", "class", "nofollow", "amp", "journal"):
        assert await found(client, alice, markup) == [], markup
    assert await found(client, alice, "cardiology") == [post_id]


async def test_search_stems_and_matches_phrases_and_exclusions(client, people):
    alice, bob = people["alice"], people["bob"]
    fracture = await status(client, bob, "Scaphoid fractures are easily missed")
    await status(client, bob, "A missed scaphoid diagnosis")
    assert await found(client, alice, "fracture") == [fracture["id"]]
    assert await found(client, alice, '"easily missed"') == [fracture["id"]]
    assert len(await found(client, alice, "scaphoid")) == 2
    assert await found(client, alice, "scaphoid -fracture") != [fracture["id"]]
    assert len(await found(client, alice, "scaphoid -fractures")) == 1


async def test_search_index_follows_edits_and_deletes(client, people):
    alice, bob = people["alice"], people["bob"]
    post = await status(client, bob, "Amiodarone loading dose")
    assert await found(client, alice, "amiodarone") == [post["id"]]
    edited = await client.put(f"/api/v1/statuses/{post['id']}", json={"status": "Adenosine loading dose"},
                              headers=bob.headers)
    assert edited.status_code == 200
    assert await found(client, alice, "amiodarone") == []
    assert await found(client, alice, "adenosine") == [post["id"]]
    assert (await client.delete(f"/api/v1/statuses/{post['id']}", headers=bob.headers)).status_code == 200
    assert await found(client, alice, "adenosine") == []


async def test_search_pages_with_limit_offset_ids_and_account(client, people):
    alice, bob = people["alice"], people["bob"]
    mine = [(await status(client, bob, f"Rota swap {i}"))["id"] for i in range(5)]
    own = (await status(client, alice, "Rota swap, mine"))["id"]
    newest_first = [own, *reversed(mine)]
    assert await found(client, alice, "rota", limit=2) == newest_first[:2]
    assert await found(client, alice, "rota", limit=2, offset=2) == newest_first[2:4]
    assert await found(client, alice, "rota", max_id=mine[3]) == newest_first[3:]
    assert await found(client, alice, "rota", min_id=mine[2], max_id=own) == [mine[4], mine[3]]
    assert await found(client, alice, "rota", account_id=str(alice.id)) == [own]


async def test_search_by_words_needs_a_member(client, people):
    await status(client, people["bob"], "Public insulin post")
    assert await found(client, None, "insulin") == []
    for extra in ({"offset": "1"}, {"resolve": "true"}):
        response = await client.get(SEARCH, params={"q": "insulin", **extra})
        assert response.status_code == 401


async def test_search_indexes_posts_written_by_any_connection(app, client, people, settings):
    """A post written outside the app (the sqlite3 shell here) is queued by the trigger, indexed later."""
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL's generated column needs no catching up")
    bob = people["bob"]
    path = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO posts (id, uri, author_id, local, visibility, content_html, replies_count,"
                    " likes_count, boosts_count, object_type, sensitive, \"to\", cc, tags, attachments,"
                    " published, created_at) VALUES (?, ?, ?, 1, 'public', '<p>Digoxin level</p>', 0, 0, 0,"
                    " 'Note', 0, '[]', '[]', '[]', '[]', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
                    (123456789, "https://curbside.test/raw/1", bob.id))
    assert await found(client, people["alice"], "digoxin") == ["123456789"]


async def test_search_hashtags_count_only_posts_anyone_may_see(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    await status(client, bob, "#sepsis #sepsis6 bundle")
    await status(client, carol, "#sepsis again")
    await status(client, carol, "@bob #sepsispatientname secret", visibility="direct")
    response = await client.get(SEARCH, params={"q": "#seps", "type": "hashtags"}, headers=alice.headers)
    assert [t["name"] for t in response.json()["hashtags"]] == ["sepsis", "sepsis6"]
    for pattern in ("%", "_", "s%s"):
        response = await client.get(SEARCH, params={"q": pattern, "type": "hashtags"}, headers=alice.headers)
        assert response.json()["hashtags"] == []


async def test_search_lone_hashtag_finds_tags_not_statuses_unless_asked(client, people):
    alice, bob = people["alice"], people["bob"]
    post = await status(client, bob, "Audit of #handover")
    everything = (await client.get(SEARCH, params={"q": "#handover"}, headers=alice.headers)).json()
    assert everything["statuses"] == [] and everything["hashtags"][0]["name"] == "handover"
    assert await found(client, alice, "#handover") == [post["id"]]


async def test_search_indexable_is_a_profile_setting_published_to_peers(client, people):
    carol = people["carol"]
    changed = await client.patch("/api/v1/accounts/update_credentials", json={"indexable": True},
                                 headers=carol.headers)
    assert changed.status_code == 200 and changed.json()["indexable"] is True
    actor = await client.get("/users/carol", headers={"accept": "application/activity+json"})
    assert actor.json()["indexable"] is True
    post = await status(client, carol, "Now searchable: bradycardia")
    assert await found(client, people["alice"], "bradycardia") == [post["id"]]


async def test_search_resolves_a_remote_post_url_only_when_asked(fed_app, fed_client, remote):
    alice = await member(fed_app, "alice")
    author = remote.actor("rita")
    note = remote.note(author, 7, content="Remote grand rounds", url=f"{remote.base}/@rita/7")
    remote.publish(note)
    remote.docs["/@rita/7"] = note  # as Mastodon, the web address serves the Note to an AP client
    hidden = remote.note(author, 8, to=[author.followers], cc=[])
    remote.publish(hidden)

    async def lookup(url: str, **params) -> list[dict]:
        response = await fed_client.get(SEARCH, params={"q": url, **params}, headers=alice.headers)
        assert response.status_code == 200, response.text
        return response.json()["statuses"]

    assert await lookup(note["id"]) == []  # not stored, not fetched without resolve
    resolved = await lookup(f"{remote.base}/@rita/7", resolve="true")
    assert [s["uri"] for s in resolved] == [note["id"]] and "grand rounds" in resolved[0]["content"]
    assert [s["uri"] for s in await lookup(note["id"])] == [note["id"]]  # stored now
    assert await lookup(hidden["id"], resolve="true") == []  # fetched, but followers-only
    async with fed_app.state.sessions() as session:
        stored = (await session.execute(select(Post).where(Post.uri == hidden["id"]))).scalar_one()
        assert stored.visibility == "private"
    assert await lookup(f"{remote.base}/statuses/missing", resolve="true") == []


async def test_search_trusts_a_post_url_only_on_the_posts_own_origin(fed_app, fed_client, remote):
    from tests.support.fake_remote import create, deliver, drain

    alice = await member(fed_app, "alice")
    rita, mallory = remote.actor("rita"), remote.actor("mallory")
    mallory.uri = mallory.uri.replace("127.0.0.1", "localhost")  # another origin (the same loopback server)
    remote.docs["/users/mallory"] = mallory.document()
    page = f"{remote.base}/@rita/7"
    note = remote.note(rita, 7, content="Rita's own post", url=page)
    remote.publish(note)
    remote.docs["/@rita/7"] = note
    claim = remote.note(mallory, 1, content="Mallory's post claiming Rita's address", url=page)
    assert (await deliver(fed_client, mallory, create(claim))).status_code == 202
    await drain(fed_app)

    async def lookup(**params) -> list[str]:
        response = await fed_client.get(SEARCH, params={"q": page, **params}, headers=alice.headers)
        return [s["uri"] for s in response.json()["statuses"]]

    assert await lookup() == []
    assert await lookup(resolve="true") == [note["id"]]
    assert await lookup() == [note["id"]]


async def accounts_found(client, who, q: str, path: str = SEARCH) -> set[str]:
    response = await client.get(path, params={"q": q, "type": "accounts"}, headers=who.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return {a["acct"] for a in (body["accounts"] if isinstance(body, dict) else body)}


@pytest.mark.parametrize("path", [SEARCH, "/api/v1/accounts/search"])
async def test_search_accounts_leaves_out_who_blocks_the_viewer_and_whom_she_blocks_or_mutes(app, client, path):
    alice = await member(app, "alice")
    for name in ("drblock", "drblocked", "drmuted", "drplain"):
        await member(app, name)
    async with app.state.sessions() as session:
        ids = {a.username: a.id for a in (await session.execute(select(Actor))).scalars()}
        session.add_all([Block(actor_id=ids["drblock"], target_id=alice.id, uri="https://curbside.test/b/1"),
                         Block(actor_id=alice.id, target_id=ids["drblocked"], uri="https://curbside.test/b/2"),
                         Mute(actor_id=alice.id, target_id=ids["drmuted"])])
        await session.commit()
    assert await accounts_found(client, alice, "dr", path) == {"drplain"}
    assert await accounts_found(client, alice, "drblocked@curbside.test", path) == {"drblocked"}
    assert await accounts_found(client, alice, "drblock@curbside.test", path) == set()
