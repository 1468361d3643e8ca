"""A local member's plain text post rendered to HTML the way Mastodon renders it.

Links, mentions and hashtags are found first, overlaps are resolved in favour of links
(so `#anchor` inside a URL is not a hashtag), then everything else is escaped and split
into paragraphs (blank lines) and line breaks.
"""
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

_SEPARATORS = "\u00b7\u30fb\u200c"  # middle dots and ZWNJ join words in some scripts
_ALPHA = rf"(?:[^\W\d_]|[{_SEPARATORS}])"
_TAG_NAME = rf"\w[\w{_SEPARATORS}]*{_ALPHA}[\w{_SEPARATORS}]*\w|\w*[^\W\d_]\w*"
HASHTAG_RE = re.compile(rf"(?<![=/)\w])#({_TAG_NAME})")
HASHTAG_NAME_RE = re.compile(rf"(?:{_TAG_NAME})\Z")
MENTION_RE = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)(?:@([\w.-]*\w(?::\d{1,5})?))?", re.IGNORECASE
)
URL_RE = re.compile(r"(?<![\w/])https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_PREFIX_RE = re.compile(r"https?://(?:www\.)?", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,:;!?*~"
_DISPLAY_CHARS = 30
_LINK_ATTRS = 'target="_blank" rel="nofollow noopener noreferrer"'


@dataclass(frozen=True)
class MentionTarget:
    """A mention the caller resolved (WebFinger): the actor to address and link."""

    actor_id: str
    profile_url: str
    acct: str  # user@domain, shown in the AS tag's name


@dataclass(frozen=True)
class RenderedPost:
    """HTML content and the AS `tag` objects (mentions first, then hashtags)."""

    html: str
    tags: list[dict] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape text for HTML content and attribute values, as Rails' `h` does."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _url_end(url: str) -> int:
    # Trailing punctuation and unbalanced closing brackets belong to the sentence.
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last == ")" and url[:end].count("(") < url[:end].count(")"):
            end -= 1
        elif last == "]" and url[:end].count("[") < url[:end].count("]"):
            end -= 1
        else:
            return end
    return end


def _url_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in URL_RE.finditer(text):
        end = match.start() + _url_end(match.group())
        if _URL_PREFIX_RE.fullmatch(text[match.start():end]) is None:
            spans.append((match.start(), end))
    return spans


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def extract_mentions(text: str) -> list[tuple[str, str | None]]:
    """The distinct `@user` / `@user@domain` mentions in `text`, as (user, domain|None),
    in order of first appearance; mentions inside URLs are ignored."""
    urls, seen, found = _url_spans(text), set(), []
    for match in MENTION_RE.finditer(text):
        key = match.group(0).lower()
        if _outside(urls, match.start(), match.end()) and key not in seen:
            seen.add(key)
            found.append((match.group(1), match.group(2)))
    return found


def extract_hashtags(text: str) -> list[str]:
    """The distinct hashtags in `text` (without '#', first spelling kept, compared
    case-insensitively); hashtags inside URLs and purely numeric ones are ignored."""
    urls, seen, found = _url_spans(text), set(), []
    for match in HASHTAG_RE.finditer(text):
        name = match.group(1)
        if _outside(urls, match.start(), match.end()) and name.lower() not in seen:
            seen.add(name.lower())
            found.append(name)
    return found


def link_html(url: str) -> str:
    """Mastodon's shortened link: scheme (and www.) hidden, display cut after 30 chars."""
    prefix = _URL_PREFIX_RE.match(url).group()
    rest = url[len(prefix):]
    shown, hidden = rest[:_DISPLAY_CHARS], rest[_DISPLAY_CHARS:]
    cls = "ellipsis" if hidden else ""
    return (f'<a href="{escape(url)}" {_LINK_ATTRS}><span class="invisible">{escape(prefix)}</span>'
            f'<span class="{cls}">{escape(shown)}</span>'
            f'<span class="invisible">{escape(hidden)}</span></a>')


def mention_html(user: str, profile_url: str) -> str:
    """Mastodon's mention markup: an h-card holding a u-url link to the profile."""
    return (f'<span class="h-card"><a href="{escape(profile_url)}" class="u-url mention">'
            f'@<span>{escape(user)}</span></a></span>')


def hashtag_html(tag: str, url: str) -> str:
    """Mastodon's hashtag markup."""
    return (f'<a href="{escape(url)}" class="mention hashtag" rel="tag">'
            f'#<span>{escape(tag)}</span></a>')


def _lookup(mentions: Mapping[str, MentionTarget], user: str, domain: str | None):
    key = f"{user}@{domain}" if domain else user
    return mentions.get(key) or mentions.get(key.lower())


class _Renderer:
    def __init__(self, mentions: Mapping[str, MentionTarget], tag_url: Callable[[str], str]):
        self.mentions, self.tag_url = mentions, tag_url
        self.mention_tags: dict[str, dict] = {}
        self.hashtag_tags: dict[str, dict] = {}

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        urls = _url_spans(text)
        found = [(s, e, link_html(text[s:e])) for s, e in urls]
        for match in MENTION_RE.finditer(text):
            target = _lookup(self.mentions, match.group(1), match.group(2))
            if target and _outside(urls, match.start(), match.end()):
                found.append((match.start(), match.end(), self.mention(match.group(1), target)))
        for match in HASHTAG_RE.finditer(text):
            if _outside(urls, match.start(), match.end()):
                found.append((match.start(), match.end(), self.hashtag(match.group(1))))
        return sorted(found)

    def mention(self, user: str, target: MentionTarget) -> str:
        self.mention_tags.setdefault(target.actor_id, {
            "type": "Mention", "href": target.actor_id, "name": f"@{target.acct}"})
        return mention_html(user, target.profile_url)

    def hashtag(self, tag: str) -> str:
        url = self.tag_url(tag)
        self.hashtag_tags.setdefault(tag.lower(), {"type": "Hashtag", "href": url, "name": f"#{tag}"})
        return hashtag_html(tag, url)

    def render(self, text: str) -> str:
        out, pos = [], 0
        for start, end, html in self.entities(text):
            if start < pos:  # overlaps an entity already placed
                continue
            out += [escape(text[pos:start]), html]
            pos = end
        out.append(escape(text[pos:]))
        return "".join(out)


def _paragraphs(html: str) -> str:
    blocks = [b for b in re.split(r"\n{2,}", html) if b.strip()]
    return "".join(f"<p>{block.strip(chr(10)).replace(chr(10), '<br />')}</p>" for block in blocks)


def render_post(
    text: str, *, mentions: Mapping[str, MentionTarget], tag_url: Callable[[str], str]
) -> RenderedPost:
    """Render a member's plain text post to HTML plus its AS `tag` list, like Mastodon.

    `mentions` maps the mention as written without its '@' ("user" or "user@domain",
    also tried lower-cased) to the caller-resolved target; unresolved mentions stay text.
    `tag_url(tag)` gives the local URL of a hashtag (called with the tag as written).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    renderer = _Renderer(mentions, tag_url)
    html = _paragraphs(renderer.render(text))
    tags = list(renderer.mention_tags.values()) + list(renderer.hashtag_tags.values())
    return RenderedPost(html=html, tags=tags)
