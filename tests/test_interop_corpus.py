"""Real payloads from 15 servers and the fediverse-pasture edge cases: every one is parsed
by the parser its type calls for and yields a value or a VocabError with a reason."""
import json
import zipfile
from pathlib import Path

import pytest

from federation.addressing import PUBLIC, visibility_from
from federation.vocab import (
    Activity,
    Actor,
    Collection,
    Post,
    VocabError,
    parse_document,
    parse_object,
)

REAL = Path(__file__).parent / "data" / "fixtures_real"
REAL_FILES = sorted(REAL.rglob("*.json"))
# Mastodon's "activities/private_message.json" sample is the bare Note, hence Post there.
EXPECTED_KIND = {"activities": (Activity, Post), "collections": Collection, "objects": (Post, Actor)}


def parse_deep(doc, *, allow_http: bool, depth: int = 0):
    """Parse a document and the documents nested in it (an Announce's Create's Note, a
    collection's items), as the server will; returns the outer value."""
    value = parse_document(doc, allow_http=allow_http)
    nested = value.objects if isinstance(value, Activity) else (
        value.items if isinstance(value, Collection) else ())
    for inner in nested:
        if isinstance(inner, dict) and depth < 3:
            try:
                parse_deep(inner, allow_http=allow_http, depth=depth + 1)
            except VocabError as error:
                assert error.reason
    return value


def outcome(doc, *, allow_http: bool):
    """The parsed value, or the VocabError; any other exception fails the test."""
    try:
        return parse_deep(doc, allow_http=allow_http)
    except VocabError as error:
        assert error.reason
        return error


def real(path: str) -> dict:
    return json.loads((REAL / path).read_text())


def test_interop_corpus_real_fixtures_are_all_present():
    assert len(REAL_FILES) == 124
    assert len({p.relative_to(REAL).parts[0] for p in REAL_FILES}) == 14  # Hubzilla has none


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: str(p.relative_to(REAL)))
def test_interop_corpus_real_payload_parses_or_is_refused(path):
    doc = json.loads(path.read_text())
    result = outcome(doc, allow_http=True)
    outcome(doc, allow_http=False)
    if not isinstance(result, VocabError):
        family = next(part for part in path.relative_to(REAL).parts if part in EXPECTED_KIND)
        assert isinstance(result, EXPECTED_KIND[family])


def test_interop_corpus_real_refusals_are_only_deleted_and_chat_objects():
    refused = {str(p.relative_to(REAL)) for p in REAL_FILES
               if isinstance(outcome(json.loads(p.read_text()), allow_http=True), VocabError)}
    assert refused == {"lemmy/objects/tombstone.json", "lotide/objects/tombstone.json",
                       "pleroma/objects/chat_message.json"}


def test_interop_corpus_mastodon_note():
    post = parse_object(real("mastodon/objects/note_1.json"))
    assert "never been disappointed by a thinkpad" in post.content_html
    assert '<span class="h-card"><a href="https://mamot.fr/@retiolus"' in post.content_html
    assert (post.summary, post.sensitive, post.language) == (None, False, "en")
    assert [(t.type, t.name, t.href) for t in post.tags] == [
        ("Mention", "@retiolus@mamot.fr", "https://mamot.fr/users/retiolus")]
    assert post.in_reply_to == "https://mamot.fr/users/retiolus/statuses/107224244380204526"
    assert visibility_from(post.to, post.cc, followers_url="https://mastodon.madrid/users/felix/followers") \
        == "unlisted"


def test_interop_corpus_mastodon_person():
    actor = parse_document(real("mastodon/objects/person.json"))
    assert (actor.type, actor.preferred_username, actor.discoverable) == ("Person", "mastodon", False)
    assert actor.shared_inbox == "https://masto.qa.urbanwildlife.biz/inbox"
    assert actor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_interop_corpus_lemmy_page():
    post = parse_object(real("lemmy/objects/page.json"))
    assert (post.type, post.name, post.language) == ("Page", "Post title", "fr")
    assert post.content_html.startswith("<p><strong>Post title</strong></p><p>This is a post")
    assert post.audience == "https://enterprise.lemmy.ml/c/tenforward"
    assert [t.name for t in post.tags if t.type == "Mention"] == ["@tenforward@enterprise.lemmy.ml"]
    assert post.attachments == ()  # the link attachment is the post's link, not media
    assert visibility_from(post.to, post.cc, followers_url=None) == "public"


def test_interop_corpus_peertube_video_attributed_to_list():
    post = parse_object(real("peertube/objects/video.json"))
    assert post.type == "Video"
    assert post.attributed_to == "https://tilvids.com/accounts/thelinuxexperiment"
    assert post.attributions == ("https://tilvids.com/accounts/thelinuxexperiment",
                                 "https://tilvids.com/video-channels/thelinuxexperiment_channel")
    assert post.url == "https://tilvids.com/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1"
    assert post.name.startswith("Mesa, Wayland & X.org in trouble")


def test_interop_corpus_mastodon_flag_keeps_all_objects():
    act = parse_document(real("mastodon/activities/flag.json"))
    assert act.type == "Flag" and len(act.objects) == 3
    assert act.content == "Please take a look at this user and their posts"


def test_interop_corpus_lemmy_announce_nests_create_page():
    announce = parse_document(real("lemmy/activities/community/announce_create_page.json"),
                              allow_http=True)
    create = parse_document(announce.object, allow_http=True)
    page = parse_object(create.object, allow_http=True, activity=create)
    assert (announce.type, create.type, page.type) == ("Announce", "Create", "Page")


def test_interop_corpus_lemmy_test_ids_need_allow_http():
    doc = real("lemmy/activities/following/follow.json")
    assert parse_document(doc, allow_http=True).type == "Follow"
    with pytest.raises(VocabError, match="https"):
        parse_document(doc)


def test_interop_corpus_mobilizon_event_title_and_author():
    post = parse_object(real("mobilizon/objects/event.json"))
    assert (post.type, post.name) == ("Event", "Caledonian scottish dance class")
    assert post.attributed_to == "https://rendezvous.nomagic.uk/@devon_caledonian_society"


# --- fediverse-pasture-inputs ------------------------------------------------------------

PASTURE_ZIP = Path(__file__).parent / "data" / "pasture" / "samples.zip"


@pytest.fixture(scope="module")
def pasture() -> dict[str, dict]:
    """Every pasture sample by its name in the zip, e.g. 'object/hashtags_6' (see data/pasture/README.md)."""
    with zipfile.ZipFile(PASTURE_ZIP) as archive:
        return {name.removesuffix(".json"): json.loads(archive.read(name))
                for name in archive.namelist() if name.endswith(".json")}


def pasture_object(pasture: dict, content: str) -> dict:
    """The pasture object whose content is `content` (indices move between releases)."""
    return next(d for n, d in pasture.items() if n.startswith("object/") and d.get("content") == content)


def test_interop_corpus_pasture_inputs_parse_or_are_refused(pasture):
    assert len(pasture) > 400
    results = {name: outcome(doc, allow_http=True) for name, doc in pasture.items()}
    for doc in pasture.values():
        outcome(doc, allow_http=False)
    parsed = [r for r in results.values() if not isinstance(r, VocabError)]
    assert len(parsed) > 0.9 * len(results)


def test_interop_corpus_pasture_refuses_missing_necessary_properties(pasture):
    for content, reason in [("without id", "object id"), ("without attributedTo", "attributedTo"),
                            ("without type", "type")]:
        with pytest.raises(VocabError, match=reason):
            parse_document(pasture_object(pasture, content), allow_http=True)
    assert parse_document(pasture_object(pasture, "without published"), allow_http=True).published is None


def test_interop_corpus_pasture_hashtags(pasture):
    def names(content_tag_name):
        doc = next(d for n, d in pasture.items() if n.startswith("object/hashtags_")
                   and d["tag"].get("name") == content_tag_name)
        return [t.name for t in parse_object(doc, allow_http=True).tags]
    assert names("#test") == ["test"]
    assert names("#CamelCase") == ["CamelCase"]
    assert names("#1234") == []
    assert names("#with white space") == []


def test_interop_corpus_pasture_public_spellings(pasture):
    for spelling in ("as:Public", "Public"):
        post = parse_object(pasture_object(pasture, spelling), allow_http=True)
        assert post.to == (PUBLIC,)


def test_interop_corpus_pasture_content_map_without_content(pasture):
    doc = next(d for n, d in pasture.items() if n.startswith("object/language_")
               and "content" not in d and list(d["contentMap"]) == ["de"])
    post = parse_object(doc, allow_http=True)
    assert (post.content_html, post.language) == ("Deutsch", "de")


def test_interop_corpus_pasture_content_warning(pasture):
    doc = next(d for n, d in pasture.items() if n.startswith("object/content_warnings_")
               and d.get("summary") == "summary" and d.get("sensitive") is True)
    post = parse_object(doc, allow_http=True)
    assert (post.summary, post.sensitive, post.content_html) == ("summary", True, "text")


def test_interop_corpus_pasture_attributed_to_shapes(pasture):
    docs = [d for n, d in pasture.items() if n.startswith("object/attributed_to_")]
    authors = {parse_object(d, allow_http=True).attributed_to for d in docs}
    assert authors == {"http://pasture-one-actor/actor"}
