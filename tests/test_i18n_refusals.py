"""Languages (issue 19), the last English on web pages: a refusal's reason translated whole (a group's join and
posting reasons, moderation's reasons about a domain or a shared list, a refusal quoted inside another), and the
choices built in Python (a filter's expiry, a poll's length, a post's visibility, a filter's contexts)."""
import re

import pytest
from sqlalchemy import select

from moderation.blocklists import BlocklistError, parse_blocklist
from moderation.domains import InvalidDomain, normalize_domain
from moderation.errors import N_, ServiceError
from server import i18n
from server.db.models import Account, Actor
from server.services.groups import joining
from tests.support.members import member
from tests.support.web import csrf_of, log_in
from tests.test_web_groups import make_group, post_form

CSV = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"


async def _speaking(app, client, username: str, locale: str, **kwargs) -> None:
    """A member whose chosen language is `locale`, logged in on `client`."""
    await member(app, username, **kwargs)
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).join(Actor, Actor.id == Account.actor_id)
                                         .where(Actor.username == username))).scalar_one()
        account.locale = locale
        await session.commit()
    await log_in(client, username)


def test_i18n_a_quoted_refusal_is_translated_inside_the_one_quoting_it():
    inner = ServiceError(N_("not an image (JPEG, PNG, WebP or GIF)"))
    outer = ServiceError(N_("the logo: %(problem)s"), values={"problem": inner})
    assert outer.message == "the logo: not an image (JPEG, PNG, WebP or GIF)"  # the client API and the CLI
    with i18n.use_locale("de"):
        assert i18n.filled(outer.msgid, outer.values) == "das Logo: kein Bild (JPEG, PNG, WebP oder GIF)"
    with i18n.use_locale("es"):
        assert i18n.filled(outer.msgid, outer.values) == "el logotipo: no es una imagen (JPEG, PNG, WebP o GIF)"


def test_i18n_moderations_reasons_are_msgids_with_values_and_stay_english_outside_the_web():
    with pytest.raises(InvalidDomain) as bad:
        normalize_domain("https://spam.example/")
    assert bad.value.message == "invalid domain 'https://spam.example/': a URL, not a domain"
    assert bad.value.reason == "a URL, not a domain"
    with pytest.raises(BlocklistError) as broken:
        parse_blocklist(CSV + "good.example,suspend,false,false,,false\n"
                              "bad..example,suspend,false,false,,false\n", "csv")
    assert broken.value.message == "line 3: invalid domain 'bad..example': bad label ''"
    assert broken.value.line == 3
    with i18n.use_locale("de"):
        assert i18n.filled(broken.value.msgid, broken.value.values) == (
            "Zeile 3: ungültige Domain 'bad..example': ungültiger Namensteil ''")
    with i18n.use_locale("fr"):
        assert i18n.filled(bad.value.msgid, bad.value.values) == (
            "domaine non valide 'https://spam.example/' : une URL, pas un domaine")


def test_i18n_a_groups_decision_keeps_english_for_the_log_and_translates_for_pages():
    refused = joining.Decision("rejected", N_("not a member, and %(reason)s"), {"reason": joining.Decision(
        "rejected", N_("only members of %(domain)s may join"), {"domain": "here.example"}).as_error()})
    assert refused.text == "not a member, and only members of here.example may join"
    error = refused.as_error()
    with i18n.use_locale("de"):
        assert i18n.filled(error.msgid, error.values) == (
            "kein Mitglied, und nur Mitglieder von here.example dürfen beitreten")


async def test_i18n_group_join_and_post_refusals_are_whole_sentences_in_german(app, client):
    await make_group(app, "peds", "Paediatric ED", join="verified")
    await _speaking(app, client, "hans", "de")
    joined = await post_form(client, "/groups/peds", "/groups/peds/join")
    assert joined.status_code == 403
    assert ("Sie können dieser Gruppe nicht beitreten: nur verifizierte Fachkräfte dürfen beitreten, und "
            "hans@curbside.test ist hier nicht verifiziert.") in joined.text
    assert "only verified" not in joined.text and "not verified" not in joined.text
    started = await post_form(client, "/groups/peds", "/groups/peds/threads", title="Fieber", status="Ein Fall")
    assert started.status_code == 403
    assert "kein Mitglied, und nur verifizierte Fachkräfte dürfen beitreten" in started.text
    assert "not a member" not in started.text


async def test_i18n_admin_domain_and_list_reasons_are_translated(app, client):
    await _speaking(app, client, "greta", "de", role="admin")
    bad = await post_form(client, "/admin/domains", "/admin/domains", domain="https://spam.example/", kind="suspend")
    assert bad.status_code == 422 and "Keine Domain: eine URL, keine Domain." in bad.text
    broken = await post_form(client, "/admin/domains/import", "/admin/domains/import", step="preview", format="csv",
                             text=CSV + "good.example,suspend,false,false,,maybe\n")
    assert broken.status_code == 422
    assert "Nichts importiert: Zeile 2: obfuscate muss true oder false sein, nicht &#39;maybe&#39;." in broken.text
    assert "must be" not in broken.text


async def test_i18n_a_list_refused_in_spanish_names_its_line_and_reason(app, client):
    await _speaking(app, client, "lucia", "es", role="admin")
    broken = await post_form(client, "/admin/domains/import", "/admin/domains/import", step="preview", format="json",
                             text='[{"domain": "ok.example"}, {"severity": "suspend"}]')
    assert broken.status_code == 422
    assert "No se ha importado nada: entrada 2: falta el dominio." in broken.text and "missing" not in broken.text


async def test_i18n_a_refused_logo_says_why_in_the_admins_language(app, client):
    await _speaking(app, client, "greta", "de", role="admin")
    page = await client.get("/admin/settings")
    saved = await client.post("/admin/settings", data={
        "csrf_token": csrf_of(page.text), "title": "Curbside", "theme": "default", "accent_choice": "default"},
        files={"logo": ("logo.png", b"not a picture at all", "image/png")})
    assert saved.status_code == 422
    assert "Das Logo: kein Bild (JPEG, PNG, WebP oder GIF)." in saved.text and "not an image" not in saved.text


def _options(html: str) -> list[str]:
    """The options' texts, spaces (a no-break one too) made plain."""
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", html)]


@pytest.mark.parametrize(("locale", "expiry", "context", "poll", "visibility"), [
    ("de", ["Nie", "In 30 Minuten", "In 1 Stunde", "In 1 Woche", "In 30 Tagen"], "Startseite", ["5 Minuten", "7 Tage"],
     "Nur für Mitglieder: diese Gemeinschaft; verlässt sie nie"),
    ("fr", ["Jamais", "Dans 30 minutes", "Dans 1 heure", "Dans 1 semaine", "Dans 30 jours"], "Fil d&#39;accueil",
     ["5 minutes", "7 jours"], "Réservé aux membres : cette communauté ; ne la quitte jamais")])
async def test_i18n_choices_built_in_python_speak_the_members_language(app, client, locale, expiry, context, poll,
                                                                        visibility):
    await _speaking(app, client, "mira", locale)
    form = await client.get("/settings/filters/new")
    assert form.status_code == 200
    assert set(expiry) <= set(_options(form.text)) and context in form.text
    assert "Home timeline" not in form.text and "1 week" not in form.text
    compose = await client.get("/compose")
    assert compose.status_code == 200
    shown = _options(compose.text)
    assert set(poll) <= set(shown) and visibility in shown
    assert "1 hour" not in shown and "anyone, in public timelines" not in compose.text


async def test_i18n_notices_and_choices_of_the_lists_import_and_messages_pages_are_translated(app, client):
    await _speaking(app, client, "hans", "de")
    lists = await client.get("/lists?notice=saved")
    assert lists.status_code == 200 and "Die Liste ist gespeichert." in lists.text
    assert "Mitglieder dieser Liste" in _options(lists.text) and "Members of this list" not in lists.text
    missing = await client.get("/lists/424242")
    assert missing.status_code == 404 and "Diese Liste gibt es nicht." in missing.text
    imports = await client.get("/settings/import")
    assert "Lesezeichen (bookmarks.csv)" in _options(imports.text) and "Bookmarks (" not in imports.text
    hidden = await client.get("/messages?notice=hidden")
    assert "Die Unterhaltung ist ausgeblendet." in hidden.text and "is hidden" not in hidden.text
