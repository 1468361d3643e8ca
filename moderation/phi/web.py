"""URLs that point at patient data, and IP addresses."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from .allowlist import (
    CLINICAL_HOST_HINTS,
    FILE_SHARE_HOSTS,
    PATIENT_PATH_HINTS,
    PRIVATE_TLDS,
    PUBLIC_DOMAINS,
)
from .finding import Finding, make

_URL_RX = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'\[\]{}|\\^`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)'\""
_WORD = re.compile(r"[a-z]+")
# "the link to her echo", "pt's scan": the sentence says whose data the link opens.
_PATIENT_DATA_NEARBY = re.compile(
    r"(?i)\b(?:her|his|their|pt['’]?s|patient['’]?s|family['’]s|(?:wife|husband|daughter|son|mother|father)['’]s)"
    r"[ \t]+(?:[\w-]+[ \t]+)?"
    r"(?:scans?|echo|ct|mri|x-?rays?|images?|chart|records?|results?|labs?|reports?|notes?|letters?|summary|"
    r"ecgs?|ekgs?|films?|study|studies|photos?|pictures?|videos?|clips?|slides?|path|"
    # what a patient or their family publish about the illness: a fundraiser, a blog, a social media page
    r"gofundme|fundraiser|crowdfunder|blog|vlog|tiktok|instagram|facebook|youtube|page|profile|channel|posts?)\b"
)
_PATIENT_MEDIA_NEARBY = re.compile(
    r"(?i)\b(?:videos?|photos?|pictures?|pics?|images?|clips?|recordings?|footage|scans?|films?)[ \t]+of[ \t]+"
    r"(?:her|his|their|the[ \t]+(?:pt|patient)['’]?s?|my[ \t]+(?:pt|patient)['’]?s?)\b"
)
# "the family posted the photos at ...": a relative or the patient shared their pictures.
_SHARED_BY_FAMILY = re.compile(
    r"(?i)\b(?:family|relatives?|daughter|son|wife|husband|mum|mom|dad|pt|patient|she|he)[ \t]+(?:has[ \t]+"
    r"|have[ \t]+)?"
    r"(?:posted|shared|uploaded|sent)[ \t]+(?:the[ \t]+|some[ \t]+|her[ \t]+|his[ \t]+)?"
    r"(?:photos?|pictures?|pics?|videos?|images?|clips?|scans?)\b"
)
_CONTEXT_CHARS = 60
_VERSION_BEFORE = re.compile(r"(?i)\b(?:version|ver\.?|v|release|build|firmware|software)[ \t]*$")

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_RX = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?::\d{{1,5}})?(?![\w]|\.\d)"
    # IPv6 in its compressed form ("2001:db8::1"); full eight-group form as well.
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::[0-9A-Fa-f]{1,4}){1,7}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
)


# A link to a file-sharing host pasted without its scheme: "drive.google.com/drive/folders/1AbX...".
_BARE_SHARE_RX = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9-]+\.)*(?:"
    + "|".join(re.escape(h) for h in sorted(FILE_SHARE_HOSTS, key=len, reverse=True))
    + r")/[^\s<>\"'\[\]{}|\\^`]+", re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every URL in `text`, trailing punctuation trimmed."""
    if "://" not in text and "www." not in text.lower() and "/" not in text:
        return []
    spans = []
    matches = list(_URL_RX.finditer(text))
    matches += [m for m in _BARE_SHARE_RX.finditer(text) if not any(u.start() <= m.start() < u.end() for u in matches)]
    for m in matches:
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((m.start(), end))
    return sorted(spans)


def find_urls(text: str, spans: list[tuple[int, int]]) -> Iterator[Finding]:
    """Yield the URLs among `spans` that lead to patient data rather than public references."""
    for start, end in spans:
        reason = patient_url_reason(text[start:end]) or _context_reason(text, start, end)
        if reason:
            yield make("url", text, start, end, reason)


def find_ips(text: str) -> Iterator[Finding]:
    """Yield IPv4 and IPv6 addresses."""
    for m in _IP_RX.finditer(text):
        if ":" in m.group() and "." not in m.group() and not _is_ipv6(m.group()):
            continue
        if _VERSION_BEFORE.search(text, max(0, m.start() - 12), m.start()) or m.group().startswith("255."):
            continue
        yield make("ip_address", text, m.start(), m.end(), "IP address")


# Path words of an organisation's own documents, for everyone on its intranet.
_PUBLIC_DOCUMENTS = frozenset("""
policies policy guidelines guideline guidance protocols protocol rota rotas training teaching library handbook
forms news staff wiki education induction procedures sop sops minutes newsletter
""".split())


def _public_document(path: str) -> bool:
    words = set(_WORD.findall(path.lower()))
    return bool(words & _PUBLIC_DOCUMENTS) and not words & PATIENT_PATH_HINTS


def patient_url_reason(url: str) -> str | None:
    """Why this URL identifies patient data, or None for a public or harmless link."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if _is_ip(host):
        return "link to a machine by IP address"
    if "." not in host or host.endswith(PRIVATE_TLDS):
        if _public_document(parts.path + " " + parts.query):
            return None  # "http://intranet.trust.local/policies": the organisation's own documents
        return "link to an internal host"
    if _on(host, PUBLIC_DOMAINS):
        return None
    if _on(host, FILE_SHARE_HOSTS):
        return "link to a shared file"
    if any(_hinted(label) for label in re.split(r"[.-]", host)):
        return "link to a clinical system"
    words = set(_WORD.findall((parts.path + " " + parts.query).lower()))
    if words & PATIENT_PATH_HINTS:
        return "link to a patient record"
    return None


def _context_reason(text: str, start: int, end: int) -> str | None:
    """A link that is not a known public reference, next to words saying it is a patient's data."""
    host = (urlsplit(text[start:end] if "://" in text[start:end] else "http://" + text[start:end])
            .hostname or "").lower()
    if _on(host, PUBLIC_DOMAINS):
        return None
    before = text[max(0, start - _CONTEXT_CHARS):start]
    after = text[end:end + _CONTEXT_CHARS]
    if any(
        rx.search(before) or rx.search(after)
        for rx in (_PATIENT_DATA_NEARBY, _PATIENT_MEDIA_NEARBY, _SHARED_BY_FAMILY)
    ):
        return "link described as a patient's data"
    return None


def _on(host: str, domains: frozenset[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _hinted(label: str) -> bool:
    return any(label == h or (len(h) > 3 and label.startswith(h)) for h in CLINICAL_HOST_HINTS)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_ipv6(candidate: str) -> bool:
    # Times ("14:30") and ratios never have a "::"; require a real, parseable address.
    return ("::" in candidate or candidate.count(":") == 7) and _is_ip(candidate)
