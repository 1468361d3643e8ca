"""Remote HTML sanitising and HTML-to-text."""
import pytest

from federation.html import MAX_HTML_CHARS, ContentError, html_to_text, sanitize_html

MASTODON_CONTENT = (
    '<p><span class="h-card"><a href="https://mamot.fr/@retiolus" class="u-url mention">'
    '@<span>retiolus</span></a></span> hello <a href="https://m.example/tags/linux" '
    'class="mention hashtag" rel="tag">#<span>linux</span></a> <a href="https://example.com/a/long/path" '
    'target="_blank" rel="nofollow noopener noreferrer"><span class="invisible">https://</span>'
    '<span class="ellipsis">example.com/a/long</span><span class="invisible">/path</span></a></p>'
)


def test_sanitize_html_keeps_mastodon_markup():
    clean = sanitize_html(MASTODON_CONTENT)
    assert '<span class="h-card">' in clean
    assert 'class="u-url mention"' in clean
    assert 'class="mention hashtag"' in clean
    assert '<span class="invisible">https://</span>' in clean
    assert '<span class="ellipsis">' in clean
    assert html_to_text(clean) == "@retiolus hello #linux https://example.com/a/long/path"


@pytest.mark.parametrize("hostile", [
    '<script>alert(1)</script>',
    '<style>body{display:none}</style>',
    '<img src="x" onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<svg><script>alert(1)</script></svg>',
    '<object data="x"></object><embed src="x">',
])
def test_sanitize_html_drops_active_content(hostile):
    clean = sanitize_html(f"<p>before{hostile}after</p>")
    assert clean == "<p>beforeafter</p>"


def test_sanitize_html_drops_event_handlers_and_styles():
    clean = sanitize_html('<p onclick="x()" style="color:red" id="a">t<b onmouseover="y()">b</b></p>')
    assert clean == "<p>t<b>b</b></p>"


def test_sanitize_html_forces_link_rel_and_target():
    clean = sanitize_html('<a href="https://ok.example/" rel="me" target="_self" title="t">x</a>')
    assert clean == ('<a href="https://ok.example/" target="_blank" '
                     'rel="nofollow noopener noreferrer">x</a>')


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "/relative",
    "ftp://files.example/x", "vbscript:x",
])
def test_sanitize_html_drops_non_http_links(href):
    clean = sanitize_html(f'<a href="{href}">x</a>')
    assert "href" not in clean
    assert ">x</a>" in clean


def test_sanitize_html_filters_classes():
    clean = sanitize_html('<span class="invisible evil">a</span><p class="x">b</p>'
                          '<a href="https://a.example" class="mention btn">c</a>')
    assert '<span class="invisible">a</span>' in clean
    assert "<p>b</p>" in clean
    assert 'class="mention"' in clean and "btn" not in clean


def test_sanitize_html_keeps_safe_subset():
    tags = ["del", "pre", "code", "em", "strong", "b", "i", "u", "s", "sub", "sup",
            "blockquote", "ul", "ol", "li"]
    html = "".join(f"<{t}>{t}</{t}>" for t in tags)
    assert sanitize_html(html) == html


def test_sanitize_html_turns_headings_into_bold_paragraphs():
    assert sanitize_html("<h1 class='x'>Title</h1>body") == "<p><strong>Title</strong></p>body"


def test_sanitize_html_strips_unknown_tags_but_keeps_text():
    assert sanitize_html("<div><article>text</article><input value=x></div>") == "text"


def test_sanitize_html_refuses_oversized_input():
    sanitize_html("a" * MAX_HTML_CHARS)
    with pytest.raises(ContentError) as caught:
        sanitize_html("a" * (MAX_HTML_CHARS + 1))
    assert "limit" in caught.value.reason


def test_html_to_text_refuses_oversized_input():
    with pytest.raises(ContentError):
        html_to_text("<p>" + "a" * MAX_HTML_CHARS + "</p>")


def test_html_to_text_turns_paragraphs_and_breaks_into_newlines():
    text = html_to_text("<p>one<br>two<br/>three</p><p>four &amp; <b>five</b></p>")
    assert text == "one\ntwo\nthree\n\nfour & five"


def test_html_to_text_drops_scripts_and_collapses_whitespace():
    assert html_to_text("<p>a   \n b<script>evil()</script><style>p{}</style></p>") == "a b"


def test_html_to_text_lists_one_item_per_line():
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\nb"


@pytest.mark.parametrize("broken", ["<![b=C", "<![CDATA[x", "</", "<a <b", "&#xD800;", "<!--"])
def test_html_to_text_survives_broken_markup(broken):
    assert isinstance(html_to_text(f"x{broken}y"), str)


def test_sanitize_html_rejects_non_strings():
    with pytest.raises(ContentError):
        sanitize_html(None)  # type: ignore[arg-type]
