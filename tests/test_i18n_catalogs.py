"""The catalogs against the code (issue 19): every marked text (Python and templates) has a reviewed
German, French and Spanish translation; the main pages in each language show no English text the catalogs
translate; and a right-to-left pseudo-locale renders the main pages with dir="rtl" and nothing broken."""
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from server.db.models import Account, Actor
from server.i18n import catalogs
from tests.support.members import member
from tests.support.web import log_in

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("de", "fr", "es")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "pN_": ((1, "c"), 2), "lazy_format": None, "because": (1,)}
MEMBER_PAGES = ("/home", "/local", "/federated", "/lists", "/notifications", "/messages", "/search", "/directory",
                "/@walker", "/compose", "/settings/profile", "/settings/account", "/settings/preferences",
                "/settings/privacy", "/settings/filters", "/settings/blocks", "/settings/tags", "/verification",
                "/admin", "/settings/profile?notice=saved", "/settings/account?notice=password")
VISITOR_PAGES = ("/", "/about", "/login", "/signup", "/password/forgot")


def _extracted() -> set[tuple[str, str | None]]:
    """The (msgid, context) pairs `make messages` extracts, as babel.cfg says (one domain: Python, the templates
    and the NUCC names of the CSV)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                       keywords=KEYWORDS):
        found.add((message if isinstance(message, str) else message[0], _context))
    return found


def _catalog(language: str) -> Catalog:
    with (catalogs.locales_dir() / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_i18n_catalog_translates_every_extracted_text(language):
    catalog = _catalog(language)
    missing = sorted(msgid for msgid, context in _extracted()
                     if not (entry := catalog.get(msgid, context=context)) or entry.fuzzy or not _text(entry.string))
    assert not missing, f"{language}: {len(missing)} texts without a reviewed translation, e.g. {missing[:5]}"


def _text(string) -> str:
    return string if isinstance(string, str) else "".join(string)


def _telltales(language: str) -> list[str]:
    """English texts whose presence on a page means a translation was not used: catalog entries translated
    differently, longer than a few words, without placeholders (those are filled in, so never whole)."""
    return [m.id for m in _catalog(language) if isinstance(m.id, str) and m.id and m.string != m.id
            and len(m.id.split()) > 3 and "%(" not in m.id]


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []

    def handle_data(self, data):
        if data.strip():
            self.nodes.append(" ".join(data.split()))


def _english_left(page: str, telltales: list[str]) -> list[str]:
    """The telltales on the page: a sentence anywhere in a text; a name or label (no closing stop) only as a
    whole text, since an untranslated NUCC name may hold a translated one ("... (Physical Medicine &
    Rehabilitation)")."""
    parser = _Texts()
    parser.feed(page)
    nodes = parser.nodes
    return [t for t in telltales if any(node == t or (t.endswith((".", "?", "!")) and t in node) for node in nodes)]


async def _speak(app, username: str, language: str) -> None:
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).join(Actor, Actor.id == Account.actor_id)
                                         .where(Actor.username == username))).scalar_one()
        account.locale = language
        await session.commit()


async def test_i18n_main_pages_show_no_english_fallback(app, client):
    await member(app, "walker", role="admin")
    await log_in(client, "walker")
    for language in LANGUAGES:
        await _speak(app, "walker", language)
        telltales = _telltales(language)
        for path in MEMBER_PAGES:
            page = await client.get(path)
            assert page.status_code == 200, (language, path, page.status_code)
            assert f'<html lang="{language}" dir="ltr">' in page.text, (language, path)
            assert not _english_left(page.text, telltales), (language, path)
    client.cookies.clear()
    for language in LANGUAGES:
        for path in VISITOR_PAGES:
            page = await client.get(path, headers={"Accept-Language": language})
            assert page.status_code == 200 and f'lang="{language}"' in page.text, (language, path)
            assert not _english_left(page.text, _telltales(language)), (language, path)


@pytest.fixture
def pseudo_rtl(tmp_path):
    """The shipped catalogs plus `ar`, a test-only pseudo-translation ("‏[ar] " before every text) in a
    right-to-left locale: no Arabic catalog ships yet, but the pages must be ready for one."""
    root = tmp_path / "locales"
    shutil.copytree(catalogs.locales_dir(), root, ignore=shutil.ignore_patterns("*.mo"))
    pseudo = Catalog(locale="ar")
    for msgid, context in _extracted():
        pseudo.add(msgid, "\u200f[ar] " + msgid, context=context)
    (root / "ar" / "LC_MESSAGES").mkdir(parents=True)
    with (root / "ar" / "LC_MESSAGES" / "messages.po").open("wb") as handle:
        write_po(handle, pseudo)
    real = catalogs.locales_dir()
    catalogs.use_locales_dir(root)
    try:
        yield
    finally:
        catalogs.use_locales_dir(real)


async def test_i18n_pseudo_rtl_locale_renders_the_main_pages_right_to_left(pseudo_rtl, app, client):
    arabic = {"Accept-Language": "ar"}
    for path in ("/", "/login", "/signup"):
        page = await client.get(path, headers=arabic)
        assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text, path
    await member(app, "rami")
    await log_in(client, "rami")
    await _speak(app, "rami", "ar")
    for path in ("/home", "/compose", "/settings/profile", "/settings/preferences", "/settings/account"):
        page = await client.get(path)
        assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text, path
    saved = await client.get("/settings/profile?notice=saved")
    assert "\u200f[ar] Your changes are saved." in saved.text
