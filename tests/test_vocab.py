"""Parsing incoming ActivityStreams JSON: shapes normalised, garbage refused."""
import copy
import random
from datetime import datetime, timezone

import pytest

from federation.addressing import PUBLIC
from federation.html import MAX_HTML_CHARS
from federation.vocab import (
    Activity,
    Actor,
    Collection,
    Post,
    VocabError,
    parse_activity,
    parse_actor,
    parse_collection,
    parse_document,
    parse_object,
)

ALICE = "https://remote.example/users/alice"


def note(**extra) -> dict:
    doc = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://remote.example/notes/1", "type": "Note", "attributedTo": ALICE,
        "content": "<p>Hello</p>", "to": [PUBLIC], "cc": [f"{ALICE}/followers"],
        "published": "2024-05-01T10:00:00Z",
    }
    doc.update(extra)
    return doc


def person(**extra) -> dict:
    doc = {
        "id": ALICE, "type": "Person", "preferredUsername": "alice", "inbox": f"{ALICE}/inbox",
        "publicKey": {"id": f"{ALICE}#main-key", "owner": ALICE,
                      "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"},
    }
    doc.update(extra)
    return doc


def activity(**extra) -> dict:
    doc = {"id": "https://remote.example/activities/1", "type": "Create", "actor": ALICE,
           "object": note(), "to": [PUBLIC]}
    doc.update(extra)
    return doc


def question(**extra) -> dict:
    """A poll shaped like Pleroma's: oneOf choices whose replies carry the counts."""
    doc = note(
        type="Question", id="https://pleroma.example/objects/q1", content="Best editor?",
        oneOf=[
            {"type": "Note", "name": "vim", "replies": {"type": "Collection", "totalItems": 7}},
            {"type": "Note", "name": "emacs", "replies": {"type": "Collection", "totalItems": 3}},
        ],
        endTime="2024-05-02T10:00:00Z", closed="2024-05-02T10:00:00Z", votersCount=10)
    doc.update(extra)
    return doc


# --- objects ---------------------------------------------------------------------------

def test_parse_object_reads_a_plain_note():
    post = parse_object(note())
    assert post == Post(
        id="https://remote.example/notes/1", type="Note", attributed_to=ALICE,
        content_html="<p>Hello</p>", to=(PUBLIC,), cc=(f"{ALICE}/followers",),
        published=datetime(2024, 5, 1, 10, tzinfo=timezone.utc), attributions=(ALICE,))


def test_parse_object_sanitises_content():
    post = parse_object(note(content='<p onclick="x">hi<script>bad()</script></p>'))
    assert post.content_html == "<p>hi</p>"


def test_parse_object_reads_content_warning_as_plain_text():
    post = parse_object(note(summary="<b>spoilers</b> &amp; more", sensitive=True))
    assert post.summary == "spoilers & more"
    assert post.sensitive is True


def test_parse_object_takes_content_and_language_from_content_map():
    post = parse_object(note(content=None, contentMap={"de": "<p>Hallo</p>", "en": "Hi"}))
    assert (post.content_html, post.language) == ("<p>Hallo</p>", "de")


def test_parse_object_prefers_content_over_content_map():
    post = parse_object(note(contentMap={"fr": "Bonjour"}))
    assert (post.content_html, post.language) == ("<p>Hello</p>", "fr")


def test_parse_object_ignores_undetermined_language():
    assert parse_object(note(contentMap={"und": "x"})).language is None


def test_parse_object_prepends_article_title_and_ignores_summary_as_warning():
    post = parse_object(note(type="Article", name="A <title>", summary="an excerpt",
                             content="<p>Body</p>"))
    assert post.content_html == "<p><strong>A &lt;title&gt;</strong></p><p>Body</p>"
    assert (post.name, post.summary) == ("A <title>", None)


def test_parse_object_uses_article_summary_when_it_has_no_content():
    post = parse_object(note(type="Article", name="T", summary="<p>Only</p>", content=None))
    assert post.content_html == "<p><strong>T</strong></p><p>Only</p>"


def test_parse_object_picks_the_person_from_an_attributed_to_list():
    post = parse_object(note(attributedTo=[
        {"type": "Group", "id": "https://tube.example/video-channels/c"},
        {"type": "Person", "id": "https://tube.example/accounts/a"}]))
    assert post.attributed_to == "https://tube.example/accounts/a"
    assert post.attributions == ("https://tube.example/video-channels/c",
                                 "https://tube.example/accounts/a")


def test_parse_object_falls_back_to_actor_for_author():
    doc = note(attributedTo=None, actor=ALICE)
    assert parse_object(doc).attributed_to == ALICE


@pytest.mark.parametrize("url, expected", [
    ("https://remote.example/@alice/1", "https://remote.example/@alice/1"),
    (["https://a.example/1", "https://b.example/1"], "https://a.example/1"),
    ({"type": "Link", "href": "https://a.example/1"}, "https://a.example/1"),
    ([{"type": "Link", "mediaType": "video/mp4", "href": "https://v.example/1.mp4"},
      {"type": "Link", "mediaType": "text/html", "href": "https://h.example/1"}], "https://h.example/1"),
    ("javascript:alert(1)", None),
])
def test_parse_object_normalises_url(url, expected):
    assert parse_object(note(url=url)).url == expected


def test_parse_object_reads_tags():
    post = parse_object(note(tag=[
        {"type": "Mention", "href": "https://m.example/users/bob", "name": "@bob@m.example"},
        {"type": "Hashtag", "href": "https://m.example/tags/med", "name": "#Med"},
        {"type": "as:Hashtag", "name": "#with white space"},
        {"type": "Hashtag", "name": "#1234"},
        {"type": "Emoji", "name": ":blob:", "icon": {"type": "Image", "url": "https://m.example/e.png"}},
        {"type": "Mention", "href": "not a url"},
        "garbage",
    ]))
    assert [(t.type, t.name) for t in post.tags] == [
        ("Mention", "@bob@m.example"), ("Hashtag", "Med"), ("Emoji", "blob")]
    assert post.tags[2].icon_url == "https://m.example/e.png"


def test_parse_object_accepts_a_single_tag_object():
    post = parse_object(note(tag={"type": "Hashtag", "name": "#solo"}))
    assert [t.name for t in post.tags] == ["solo"]


def test_parse_object_reads_attachments():
    post = parse_object(note(attachment=[
        {"type": "Document", "mediaType": "image/png", "url": "https://m.example/a.png",
         "name": "alt text", "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
         "width": 640, "height": 480, "focalPoint": [0.5, -0.25]},
        {"type": "Image", "url": {"type": "Link", "href": "https://m.example/b.jpg"}},
        {"type": "Link", "href": "https://external.example/article"},
        {"type": "PropertyValue", "name": "x", "value": "y"},
        {"type": "Image", "url": "data:image/png;base64,AAAA"},
    ]))
    first, second = post.attachments
    assert (first.url, first.media_type, first.description) == (
        "https://m.example/a.png", "image/png", "alt text")
    assert (first.width, first.height, first.focal_point) == (640, 480, (0.5, -0.25))
    assert first.blurhash.startswith("UBL_")
    assert (second.url, second.type) == ("https://m.example/b.jpg", "Image")


def test_parse_object_drops_insane_attachment_numbers():
    post = parse_object(note(attachment={"url": "https://m.example/a.png", "width": -5,
                                         "height": 1e300, "focalPoint": [7, "x"]}))
    (attachment,) = post.attachments
    assert (attachment.width, attachment.height, attachment.focal_point) == (None, None, None)


def test_parse_object_reads_a_pleroma_poll():
    poll = parse_object(question()).poll
    assert [(o.name, o.votes) for o in poll.options] == [("vim", 7), ("emacs", 3)]
    assert (poll.multiple, poll.closed, poll.voters_count) == (False, True, 10)
    assert poll.end_time == datetime(2024, 5, 2, 10, tzinfo=timezone.utc)


def test_parse_object_reads_a_multiple_choice_poll():
    doc = question(anyOf=question()["oneOf"], closed=None)
    del doc["oneOf"]
    poll = parse_object(doc).poll
    assert (poll.multiple, poll.closed, len(poll.options)) == (True, False, 2)


def test_parse_object_takes_audience_from_the_activity_when_missing():
    doc = note()
    del doc["to"], doc["cc"]
    act = parse_activity(activity(cc=[f"{ALICE}/followers"]))
    post = parse_object(doc, activity=act)
    assert (post.to, post.cc) == ((PUBLIC,), (f"{ALICE}/followers",))


def test_parse_object_normalises_public_spellings():
    assert parse_object(note(to=["as:Public"], cc="Public")).to == (PUBLIC,)


def test_parse_object_reads_in_reply_to_shapes():
    parent = "https://remote.example/notes/0"
    for value in (parent, [parent], {"type": "Note", "id": parent}, {"type": "Link", "href": parent}):
        assert parse_object(note(inReplyTo=value)).in_reply_to == parent


def test_parse_object_ignores_unparseable_dates():
    post = parse_object(note(published="yesterday", updated=12))
    assert (post.published, post.updated) == (None, None)


@pytest.mark.parametrize("changes, reason", [
    ({"id": None}, "object id"),
    ({"id": "http://remote.example/notes/1"}, "https URL"),
    ({"id": "/notes/1"}, "object id"),
    ({"id": "https://user:pw@remote.example/notes/1"}, "object id"),
    ({"attributedTo": None}, "attributedTo"),
    ({"type": "Tombstone"}, "unsupported object type"),
    ({"type": None}, "unsupported object type"),
    ({"content": "x" * (MAX_HTML_CHARS + 1)}, "content"),
])
def test_parse_object_refuses_garbage(changes, reason):
    with pytest.raises(VocabError) as caught:
        parse_object(note(**changes))
    assert reason in caught.value.reason


def test_parse_object_allows_http_ids_only_when_asked():
    doc = note(id="http://dev.local:3000/notes/1", attributedTo="http://dev.local:3000/u/a")
    assert parse_object(doc, allow_http=True).id == "http://dev.local:3000/notes/1"


def test_parse_object_caps_long_strings():
    post = parse_object(note(summary="w" * 50_000, type="Note"))
    assert len(post.summary) == 5000


# --- actors ----------------------------------------------------------------------------

def test_parse_actor_reads_a_person():
    actor = parse_actor(person(
        name="Alice <b>A</b>", summary="<p>Doctor<script>x</script></p>",
        followers=f"{ALICE}/followers", endpoints={"sharedInbox": "https://remote.example/inbox"},
        icon=[{"type": "Image", "url": "https://remote.example/a.png"}],
        image={"type": "Image", "url": "https://remote.example/h.png"},
        manuallyApprovesFollowers=True, discoverable="yes",
        attachment=[{"type": "PropertyValue", "name": "Site",
                     "value": '<a href="https://alice.example" rel="me">alice.example</a>'},
                    {"type": "Note", "name": "ignored"}],
        alsoKnownAs=["https://old.example/users/alice", "bad"], movedTo="https://new.example/u/a"))
    assert isinstance(actor, Actor)
    assert (actor.preferred_username, actor.name) == ("alice", "Alice <b>A</b>")
    assert actor.summary_html == "<p>Doctor</p>"
    assert (actor.public_key_id, actor.public_key_pem.startswith("-----BEGIN")) == (
        f"{ALICE}#main-key", True)
    assert (actor.shared_inbox, actor.icon_url, actor.image_url) == (
        "https://remote.example/inbox", "https://remote.example/a.png", "https://remote.example/h.png")
    assert (actor.manually_approves_followers, actor.discoverable) == (True, False)
    assert [f.name for f in actor.fields] == ["Site"]
    assert 'rel="nofollow noopener noreferrer"' in actor.fields[0].value_html
    assert actor.also_known_as == ("https://old.example/users/alice",)
    assert actor.moved_to == "https://new.example/u/a"


def test_parse_actor_ignores_a_key_owned_by_someone_else():
    actor = parse_actor(person(publicKey={"id": "https://evil.example/k", "owner": "https://evil.example/u",
                                          "publicKeyPem": "-----BEGIN PUBLIC KEY-----"}))
    assert (actor.public_key_id, actor.public_key_pem) == (None, None)


@pytest.mark.parametrize("key_id, kept", [
    (f"{ALICE}#main-key", True),
    ("https://remote.example/users/alice/main-key", True),  # GoToSocial: a URL of its own, on her origin
    ("https://victim.example/users/v#main-key", False),  # another origin
    ("https://remote.example/users/bob#main-key", False),  # in another actor's document
])
def test_parse_actor_keeps_only_a_key_id_its_origin_would_confirm_as_hers(key_id, kept):
    pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
    for key in ({"id": key_id, "owner": ALICE, "publicKeyPem": pem}, key_id):
        actor = parse_actor(person(publicKey=key))
        assert (actor.public_key_id == key_id) is kept and (actor.public_key_id is None) is not kept


def test_parse_object_credits_the_default_author_only_when_the_post_names_none():
    signer = "https://remote.example/users/alice"
    unnamed = {k: v for k, v in note().items() if k != "attributedTo"}
    assert parse_object(unnamed, default_author=signer).attributed_to == signer
    assert parse_object(note(attributedTo="https://remote.example/users/bob"),
                        default_author=signer).attributed_to == "https://remote.example/users/bob"
    with pytest.raises(VocabError, match="attributedTo must name an actor"):
        parse_object(unnamed)
    with pytest.raises(VocabError, match="attributedTo must name an actor"):
        parse_object({**unnamed, "attributedTo": 7}, default_author=signer)


@pytest.mark.parametrize("kind", ["Service", "Application", "Group", "Organization"])
def test_parse_actor_accepts_every_actor_type(kind):
    assert parse_actor(person(type=kind)).type == kind


@pytest.mark.parametrize("changes, reason", [
    ({"type": "Note"}, "unsupported actor type"),
    ({"inbox": None}, "inbox"),
    ({"inbox": "ftp://remote.example/inbox"}, "inbox"),
    ({"id": ["https://a.example/u", "https://b.example/u"]}, "actor id"),
    ({"summary": "x" * (MAX_HTML_CHARS + 1)}, "summary"),
])
def test_parse_actor_refuses_garbage(changes, reason):
    with pytest.raises(VocabError) as caught:
        parse_actor(person(**changes))
    assert reason in caught.value.reason


# --- activities and collections ---------------------------------------------------------

def test_parse_activity_keeps_the_nested_object():
    act = parse_activity(activity())
    assert (act.type, act.actor, act.object_id) == ("Create", ALICE, "https://remote.example/notes/1")
    assert parse_object(act.object).content_html == "<p>Hello</p>"


def test_parse_activity_reads_object_ids_and_target():
    act = parse_activity(activity(type="Add", object="https://remote.example/notes/1",
                                  target={"type": "OrderedCollection", "id": f"{ALICE}/featured"}))
    assert (act.object, act.target) == ("https://remote.example/notes/1", f"{ALICE}/featured")


def test_parse_activity_keeps_every_object_of_a_flag():
    act = parse_activity(activity(type="Flag", object=[ALICE, "https://remote.example/notes/1"],
                                  content="spam"))
    assert (act.objects, act.content) == ((ALICE, "https://remote.example/notes/1"), "spam")


def test_parse_activity_accepts_an_actor_object():
    assert parse_activity(activity(actor={"type": "Person", "id": ALICE})).actor == ALICE


@pytest.mark.parametrize("changes, reason", [
    ({"type": "Note"}, "not an activity"),
    ({"type": None}, "no type"),
    ({"actor": None}, "actor"),
    ({"id": 42}, "activity id"),
    ({"object": "javascript:alert(1)"}, "object"),
    ({"object": [3, None]}, "object"),
    ({"to": [f"https://remote.example/u/{i}" for i in range(1001)]}, "recipients"),
])
def test_parse_activity_refuses_garbage(changes, reason):
    with pytest.raises(VocabError) as caught:
        parse_activity(activity(**changes))
    assert reason in caught.value.reason


def test_parse_collection_reads_items_and_pages():
    coll = parse_collection({"id": f"{ALICE}/outbox", "type": "OrderedCollection", "totalItems": 2,
                             "first": f"{ALICE}/outbox?page=1",
                             "orderedItems": ["https://remote.example/notes/1", {"id": "x"}, 5]})
    assert (coll.total_items, coll.first) == (2, f"{ALICE}/outbox?page=1")
    assert coll.items == ("https://remote.example/notes/1", {"id": "x"})


def test_parse_document_dispatches_on_type():
    assert isinstance(parse_document(note()), Post)
    assert isinstance(parse_document(person()), Actor)
    assert isinstance(parse_document(activity()), Activity)
    assert isinstance(parse_document({"type": "Collection", "items": []}), Collection)
    with pytest.raises(VocabError):
        parse_document({"type": "Tombstone", "id": "https://remote.example/notes/1"})


# --- hostile input ---------------------------------------------------------------------

HOSTILE = [None, 0, -1, 1e308, float("nan"), float("inf"), True, "", "x" * 200_000, [], {},
           [[[]]], {"id": 5}, "javascript:alert(1)", "https://", "http://[::1", "\x00",
           "https://u:p@x.example/", "2021-13-45T99:99:99Z", "+999999-01-01T00:00:00+00:00",
           {"type": ["Mention", 4], "href": []}, [{"type": "Emoji"}], {"href": {"href": {"href": 1}}}]


def _mutate(value, rng: random.Random, depth: int = 0):
    keys = list(value) if isinstance(value, dict) else list(range(len(value)))
    if not keys:
        return
    key = rng.choice(keys)
    if depth < 3 and isinstance(value[key], (dict, list)) and rng.random() < 0.5:
        _mutate(value[key], rng, depth + 1)
    else:
        value[key] = rng.choice(HOSTILE)


@pytest.mark.parametrize("seed", range(4))
def test_parsers_raise_only_vocab_error_on_mangled_documents(seed):
    rng = random.Random(seed)
    samples = [note(tag=[{"type": "Mention", "href": ALICE}], attachment=[{"url": ALICE}]),
               question(), person(attachment=[{"type": "PropertyValue", "name": "a", "value": "b"}]),
               activity(), {"type": "OrderedCollection", "orderedItems": [note()]}]
    parsers = (parse_document, parse_object, parse_actor, parse_activity, parse_collection)
    for _ in range(300):
        doc = copy.deepcopy(rng.choice(samples))
        for _ in range(rng.randint(1, 4)):
            _mutate(doc, rng)
        for parse in parsers:
            try:
                parse(doc, allow_http=rng.random() < 0.5)
            except VocabError as error:
                assert error.reason


@pytest.mark.parametrize("junk", [None, [], "string", 3, [note()]])
def test_parsers_refuse_non_objects(junk):
    for parse in (parse_document, parse_object, parse_actor, parse_activity, parse_collection):
        with pytest.raises(VocabError):
            parse(junk)
