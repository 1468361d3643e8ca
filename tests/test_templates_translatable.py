"""Every template's user-facing text goes through the translation functions (issue 19): the scanner in
tests/support/untranslated.py reads each template of both shipped themes, and is shown to catch bare text."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.web.themes import SHIPPED, Themes
from tests.support.untranslated import find_untranslated

TEMPLATES = sorted(p for p in SHIPPED.glob("*/templates/**/*.html"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return Themes(tmp_path_factory.mktemp("data")).environment("default")


def test_both_themes_have_templates():
    themes = {p.relative_to(SHIPPED).parts[0] for p in TEMPLATES}
    assert {"default", "society"} <= themes and len(TEMPLATES) > 60


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SHIPPED)))
def test_template_has_no_untranslated_text(env, path: Path):
    findings = find_untranslated(env, path.read_text(encoding="utf-8"))
    assert not findings, "\n".join(f"{path.name}:{f.line}: {f.kind}: {f.text!r}" for f in findings)


@pytest.mark.parametrize("source, kind, text", [
    ("<p>Hello colleagues</p>", "text", "Hello colleagues"),
    ("<p>{{ _('Hi') }} and welcome</p>", "text", "and welcome"),
    ("<ul>\n  <li>{{ name }} joined</li>\n</ul>", "text", "joined"),
    ('<input name="q" placeholder="Search">', "placeholder", "Search"),
    ('<img src="/a.png" alt="Avatar of {{ name }}">', "alt", "Avatar of"),
    ('<nav aria-label="Main"></nav>', "aria-label", "Main"),
    ('<a href="/" title="Home page">x</a>', "title", "Home page"),
    ('<form data-confirm="Delete it?"></form>', "data-confirm", "Delete it?"),
    ('{{ ui.field("name", "Your name") }}', "string", "Your name"),
    ("{{ 'Unmute' if muted else _('Mute') }}", "string", "Unmute"),
    ("<p>Straße &amp; Café</p>", "text", "Straße Café"),
])
def test_scanner_finds_bare_text(env, source, kind, text):
    findings = find_untranslated(env, source)
    assert [(f.kind, f.text) for f in findings if f.kind == kind] == [(kind, text)], findings


@pytest.mark.parametrize("source", [
    "<p>{{ _('Hello colleagues') }}</p>",
    "<p>{{ _('Followed by %(name)s', name=account.name) }}</p>",
    "<p>{% trans count=n %}{{ count }} member{% pluralize %}{{ count }} members{% endtrans %}</p>",
    "<p>{{ ngettext('%(num)s post', '%(num)s posts', n) }}</p>",
    '<input placeholder="{{ _(\'Search\') }}" value="open" class="button-quiet">',
    '<p>@{{ acct }} · {{ domain }} — {{ count }} &amp; {{ other }}</p>',
    "<!-- a comment with words --><script>let words = 'here';</script><style>p { color: red }</style>",
    '{{ ui.field("username", _("Username"), autocomplete="username", kind="button-quiet") }}',
    '{% call adm.table(_("Reports"), [_("State")], wrap="table-wrap card flush") %}{% endcall %}',
    "{% block column_kind %} messages-main{% endblock %}",
    "{# Words in a Jinja comment are for developers. #}",
])
def test_scanner_accepts_translated_text(env, source):
    assert find_untranslated(env, source) == []


def test_gettext_is_newstyle_and_escapes_placeholders(env):
    page = env.from_string("<p>{{ _('Followed by %(name)s', name=name) }}</p>"
                           "<p>{{ ngettext('%(num)s member', '%(num)s members', n) }}</p><p>{{ _('100%% sure') }}</p>")
    assert page.render(name="<b>Ann</b>", n=3) == (
        "<p>Followed by &lt;b&gt;Ann&lt;/b&gt;</p><p>3 members</p><p>100% sure</p>")
    assert "1 member<" in page.render(name="x", n=1)

