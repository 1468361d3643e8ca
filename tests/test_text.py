"""Rendering a member's plain text post as Mastodon does."""
import pytest

from federation.html import sanitize_html
from federation.text import (
    MentionTarget,
    extract_hashtags,
    extract_mentions,
    link_html,
    render_post,
)

BASE = "https://curb.example"
ALICE = MentionTarget("https://curb.example/users/alice", "https://curb.example/@alice",
                      "alice@curb.example")
BOB = MentionTarget("https://remote.example/users/bob", "https://remote.example/@bob",
                    "bob@remote.example")


def tag_url(tag: str) -> str:
    return f"{BASE}/tags/{tag.lower()}"


def render(text: str, **mentions: MentionTarget):
    return render_post(text, mentions=mentions, tag_url=tag_url)


def test_render_post_escapes_html():
    assert render("<b>hi</b> & 'x' \"y\"").html == (
        "<p>&lt;b&gt;hi&lt;/b&gt; &amp; &#39;x&#39; &quot;y&quot;</p>")


def test_render_post_makes_paragraphs_and_line_breaks():
    html = render("one\ntwo\n\n\nthree\r\nfour\n").html
    assert html == "<p>one<br />two</p><p>three<br />four</p>"


def test_render_post_of_blank_text_is_empty():
    assert render("  \n\n ").html == ""


def test_render_post_links_short_url_without_ellipsis():
    html = render("see https://short.example/x.").html
    assert html == (
        '<p>see <a href="https://short.example/x" target="_blank" rel="nofollow noopener noreferrer">'
        '<span class="invisible">https://</span><span class="">short.example/x</span>'
        '<span class="invisible"></span></a>.</p>')


def test_link_html_truncates_long_url_after_thirty_chars():
    url = "https://www.example.com/a/very/long/path/that/goes/on?x=1"
    html = link_html(url)
    assert '<span class="invisible">https://www.</span>' in html
    assert '<span class="ellipsis">example.com/a/very/long/path/t</span>' in html
    assert '<span class="invisible">hat/goes/on?x=1</span>' in html


def test_render_post_leaves_closing_bracket_outside_link():
    html = render("(see https://x.example/wiki/A_(b)) now").html
    assert 'href="https://x.example/wiki/A_(b)"' in html
    assert "</a>) now" in html


def test_render_post_output_survives_sanitising():
    text = "Hi @alice #Tag https://example.com/some/really/long/path/to/a/page"
    html = render(text, alice=ALICE).html
    assert sanitize_html(html).count("<a ") == 3
    assert 'class="ellipsis"' in sanitize_html(html)


def test_render_post_links_resolved_mentions_and_tags_them():
    post = render("hello @alice and @bob@remote.example!", alice=ALICE,
                  **{"bob@remote.example": BOB})
    assert post.html == (
        '<p>hello <span class="h-card"><a href="https://curb.example/@alice" class="u-url mention">'
        '@<span>alice</span></a></span> and <span class="h-card"><a href="https://remote.example/@bob" '
        'class="u-url mention">@<span>bob</span></a></span>!</p>')
    assert post.tags == [
        {"type": "Mention", "href": ALICE.actor_id, "name": "@alice@curb.example"},
        {"type": "Mention", "href": BOB.actor_id, "name": "@bob@remote.example"},
    ]


def test_render_post_leaves_unresolved_mentions_as_text():
    post = render("ping @nobody@nowhere.example")
    assert post.html == "<p>ping @nobody@nowhere.example</p>"
    assert post.tags == []


def test_render_post_matches_mentions_case_insensitively():
    post = render("hi @Bob@Remote.Example", **{"bob@remote.example": BOB})
    assert 'href="https://remote.example/@bob"' in post.html
    assert "@<span>Bob</span>" in post.html


def test_render_post_links_hashtags_and_tags_each_once():
    post = render("#Medicine and #medicine but not #1234")
    assert post.html == (
        '<p><a href="https://curb.example/tags/medicine" class="mention hashtag" rel="tag">'
        '#<span>Medicine</span></a> and <a href="https://curb.example/tags/medicine" '
        'class="mention hashtag" rel="tag">#<span>medicine</span></a> but not #1234</p>')
    assert post.tags == [{"type": "Hashtag", "href": f"{BASE}/tags/medicine", "name": "#Medicine"}]


def test_render_post_puts_mentions_before_hashtags_in_tags():
    post = render("#first @alice", alice=ALICE)
    assert [t["type"] for t in post.tags] == ["Mention", "Hashtag"]


def test_extract_hashtags_ignores_urls_and_numbers():
    text = "#a1 https://example.com/page#anchor foo#bar #2024 #x_y #日本語 #café (#paren)"
    assert extract_hashtags(text) == ["a1", "x_y", "日本語", "café", "paren"]


def test_extract_hashtags_deduplicates_case_insensitively():
    assert extract_hashtags("#Covid19 #COVID19 #covid19") == ["Covid19"]


def test_extract_mentions_finds_local_and_remote():
    text = "@alice, @bob@remote.example. mail me at carol@example.com @dave@sub.host.example"
    assert extract_mentions(text) == [
        ("alice", None), ("bob", "remote.example"), ("dave", "sub.host.example")]


def test_extract_mentions_ignores_mentions_inside_urls():
    assert extract_mentions("https://example.com/@alice/123 and @bob") == [("bob", None)]


@pytest.mark.parametrize("text", ["", "no entities here", "@", "#", "https://", "@@@ ###"])
def test_render_post_handles_degenerate_text(text):
    post = render(text)
    assert post.tags == []
    assert "<a" not in post.html
