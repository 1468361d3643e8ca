"""Remote HTML made safe to show, and reduced to plain text.

The allowed subset is Mastodon's: what a status may carry once it reaches a client.
"""
import re
from html.parser import HTMLParser

import nh3

MAX_HTML_CHARS = 100_000

_TAGS = {
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "s",
    "sub", "sup", "blockquote", "ul", "ol", "li",
}
# Microformat and display classes that clients rely on: mentions, hashtags, shortened links.
_SPAN_CLASSES = {"h-card", "mention", "hashtag", "u-url", "invisible", "ellipsis"}
_LINK_CLASSES = {"mention", "hashtag", "u-url"}
# Their content is code or chrome, never prose; drop it with the tag.
_DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "math",
    "title", "head", "textarea", "select", "frameset", "noembed", "noframes",
}
_REL = "nofollow noopener noreferrer"

# Headings are outside the subset; like Mastodon we keep them visible as bold paragraphs.
_HEADING_OPEN = re.compile(r"<h[1-6](?=[\s/>])[^>]*>", re.IGNORECASE)
_HEADING_CLOSE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)


class ContentError(ValueError):
    """HTML that cannot be handled (too large); `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _keep_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


_cleaner = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes={"*": set(), "a": {"href"}, "ol": {"start", "reversed"}, "li": {"value"}},
    allowed_classes={"span": _SPAN_CLASSES, "a": _LINK_CLASSES},
    attribute_filter=_keep_attribute,
    link_rel=_REL,
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes={"http", "https"},
    strip_comments=True,
)


def _check_size(html: str) -> None:
    if not isinstance(html, str):
        raise ContentError(f"HTML must be a string, not {type(html).__name__}")
    if len(html) > MAX_HTML_CHARS:
        raise ContentError(f"HTML is {len(html)} characters; the limit is {MAX_HTML_CHARS}")


def sanitize_html(html: str) -> str:
    """Return `html` reduced to Mastodon's safe subset.

    Links keep only http(s) hrefs, get rel="nofollow noopener noreferrer" and target _blank;
    scripts, styles, images, frames and event handlers are dropped. Raises ContentError
    above MAX_HTML_CHARS.
    """
    _check_size(html)
    html = _HEADING_CLOSE.sub("</strong></p>", _HEADING_OPEN.sub("<p><strong>", html))
    return _cleaner.clean(html)


_BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
           "table", "tr", "section", "article", "header", "footer"}
# Reduced to these by nh3 first: the stdlib parser can trip over raw hostile markup.
_text_cleaner = nh3.Cleaner(
    tags=_BLOCKS | {"br", "li"}, attributes={}, clean_content_tags=_DROPPED_WITH_CONTENT,
    link_rel=None, strip_comments=True,
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("br", "li"):
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of `html` for search and notifications: paragraphs become blank lines,
    <br> a newline, entities are decoded and scripts/styles dropped. Raises ContentError
    above MAX_HTML_CHARS."""
    _check_size(html)
    collector = _TextCollector()
    collector.feed(_text_cleaner.clean(html))
    collector.close()
    text = "".join(collector.parts)
    lines = [line.strip(" \t") for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
