"""Finds user-facing text a Jinja template shows outside the translation functions.

Text nodes are the lexer's `data` tokens (what lies outside tags and expressions) with HTML tags,
comments, entities, <script>/<style> bodies and `{% trans %}` blocks removed; whatever letters are
left were not translated. User-facing attributes (placeholder, title, aria-label, alt, data-confirm)
are checked for literal words the same way. String literals inside expressions are checked too when
they read as prose (a capital or a space), unless they are an argument of a gettext function."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import jinja2

GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-confirm")
# Not words: these may stand bare in a template.
ALLOWED = {"@", "·", "—", "–", "…", "×", "/", ":", "(", ")", "#", "+", "-", "|", "→", "←", "✓"}
# Keyword arguments that take CSS classes or codes, never text people read.
CODE_ARGUMENTS = {"wrap", "kind", "list_kind", "type", "autocomplete"}
# A hyphenated lowercase identifier is a CSS class (a block that adds one, as `column_kind` does), not a word.
_CSS_CLASS = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
MARK = "\x00"  # stands for an expression or tag in the rebuilt text

_ATTRIBUTE = re.compile(r"""\s(%s)\s*=\s*(["'])(.*?)\2""" % "|".join(map(re.escape, ATTRIBUTES)), re.S)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
_LETTER = re.compile(r"[^\W\d_]")
# A string literal reads as prose when it has a letter and a capital or a space, and is no path,
# URL, format or CSS.
_PROSE = re.compile(r"^(?![/#%.]|https?:)(?=.*[^\W\d_])(?=.*(\s|^[A-Z])).*$", re.S)


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str
    text: str


def _words(text: str) -> str:
    """The text without markers and allowed symbols; empty when nothing translatable remains."""
    text = html.unescape(_ENTITY.sub(" ", text)).replace(MARK, " ")
    rest = " ".join(w for w in text.split() if w not in ALLOWED and not _CSS_CLASS.match(w))
    return rest if _LETTER.search(rest) else ""


def _rebuild(env: jinja2.Environment, source: str) -> tuple[str, list[Finding]]:
    """The template's text outside Jinja (expressions as MARK), and prose string literals outside gettext."""
    parts: list[str] = []
    findings: list[Finding] = []
    in_trans = False
    calls: list[str | None] = []  # the function each open parenthesis belongs to
    previous: tuple[str, str] = ("", "")
    keyword = ""  # the keyword argument a string is the value of
    for line, kind, value in env.lex(source):
        if kind == "name" and previous[0] == "block_begin" and value in ("trans", "pluralize"):
            in_trans = True
        elif kind == "name" and previous[0] == "block_begin" and value == "endtrans":
            in_trans = False
        if kind == "data":
            parts.append(MARK if in_trans else value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append(MARK)
        elif (kind, value) == ("operator", "("):
            calls.append(previous[1] if previous[0] == "name" else None)
        elif (kind, value) == ("operator", ")") and calls:
            calls.pop()
        elif kind == "string" and not in_trans and keyword not in CODE_ARGUMENTS:
            literal = value[1:-1]
            translated = bool(calls) and calls[-1] in GETTEXT
            if not translated and _PROSE.match(literal) and _words(literal):
                findings.append(Finding(line, "string", literal))
        if kind != "whitespace":
            keyword = previous[1] if (kind, value) == ("operator", "=") and previous[0] == "name" else ""
            previous = (kind, value)
    return "".join(parts), findings


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def find_untranslated(env: jinja2.Environment, source: str) -> list[Finding]:
    """Every piece of user-facing text in `source` that does not go through gettext."""
    text, findings = _rebuild(env, source)
    text = _HIDDEN.sub(lambda m: MARK + "\n" * m.group(0).count("\n"), text)
    for match in _ATTRIBUTE.finditer(text):
        if words := _words(match.group(3)):
            findings.append(Finding(_line(text, match.start()), match.group(1), words))
    outside = _TAG.sub(lambda m: MARK + "\n" * m.group(0).count("\n"), text)
    for number, row in enumerate(outside.split("\n"), start=1):
        if words := _words(row):
            findings.append(Finding(number, "text", words))
    return sorted(findings, key=lambda f: f.line)
