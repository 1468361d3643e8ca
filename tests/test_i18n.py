"""Languages (issue 19): which locale a page, a mail or a push speaks (the member's, else the browser's,
else the instance's), the preferences page, registration's `locale`, dates and numbers in CLDR's forms,
and catalogs compiled from their .po when the .mo is missing or stale."""
import dataclasses
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from sqlalchemy import select

from moderation.errors import ServiceError
from server import i18n
from server.convert.notification_to_push import notification_to_push
from server.db.models import Account, Actor, Notification
from server.i18n import N_, catalogs
from server.services.instance.settings import set_registration_mode
from server.services.verification import workflow as verification
from server.settings import SettingsError, load_settings
from server.web import case_views, professions
from tests.support.apps import client_of, running_app
from tests.support.members import PASSWORD, app_token, bearer, member
from tests.support.smtp import link_in
from tests.support.web import csrf_of, form_token, log_in

ADDICTION_RN = "163WA0400X"  # a nursing specialty: one of the NUCC names outside the old hand list of 40


async def _locale_of(app, username: str) -> str | None:
    async with app.state.sessions() as session:
        return (await session.execute(select(Account.locale).join(Actor, Actor.id == Account.actor_id)
                                      .where(Actor.username == username))).scalar_one()


async def _member(app, username: str, locale: str | None = None, **kwargs):
    made = await member(app, username, **kwargs)
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).join(Actor, Actor.id == Account.actor_id)
                                         .where(Actor.username == username))).scalar_one()
        account.locale = locale
        await session.commit()
    return made


def _lang(html: str) -> str:
    return html.split("<html ", 1)[1].split(">", 1)[0]


def test_i18n_locale_choice_member_then_browser_then_default():
    assert i18n.choose_locale("de", "fr-CH, es;q=0.9", "en") == "de"
    assert i18n.choose_locale(None, "fr-CH, es;q=0.9", "en") == "fr"
    assert i18n.choose_locale(None, "pt-BR, es;q=0.5, fr;q=0.9", "en") == "fr"  # q, not order, ranks
    assert i18n.choose_locale("xx-YY", "es-MX", "de") == "es"  # a stored tag no longer offered falls through
    assert i18n.choose_locale(None, "pt-BR, ja;q=0.8, *;q=0.1", "de") == "de"
    assert i18n.choose_locale(None, "fr;q=0, de;q=abc", "en") == "en"  # refused and unreadable weights
    assert i18n.choose_locale(None, None, "es") == "es"
    assert i18n.supported("DE_at") == "de" and i18n.supported("klingon") is None


@pytest.mark.parametrize(("locale", "day", "count"), [
    ("de", "14. März 2026", "1.234"), ("fr", "14 mars 2026", "1\u202f234"),
    ("es", "14 de marzo de 2026", "1.234"), ("en", "March 14, 2026", "1,234")])
def test_i18n_dates_and_counts_in_the_locales_forms(locale, day, count):
    with i18n.use_locale(locale):
        assert i18n.format_date(date(2026, 3, 14)) == day
        assert i18n.format_number(1234) == count
        assert "2026" in i18n.format_datetime(datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc))
        assert i18n.text_direction() == "ltr"
    assert i18n.text_direction("ar") == "rtl" and i18n.language_name("de") == "Deutsch"


def test_i18n_templates_get_the_filters_and_gettext(tmp_path):
    from server.web.themes import Themes

    env = Themes(tmp_path).environment("default")
    template = env.from_string('{{ when|format_date }} · {{ n|format_number }} · {{ _("There is no such page.") }}'
                               ' · {{ ngettext("%(num)d member", "%(num)d members", n) }}')
    with i18n.use_locale("de"):
        assert template.render(when=date(2026, 3, 14), n=1234) == ("14. März 2026 · 1.234 · Diese Seite gibt es "
                                                                    "nicht. · 1234 members")


def test_i18n_default_locale_setting_is_checked_at_startup(tmp_path):
    env = {"CURBSIDE_DATA_DIR": str(tmp_path), "CURBSIDE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    assert load_settings(env).default_locale == "en"
    assert load_settings({**env, "CURBSIDE_DEFAULT_LOCALE": "fr"}).default_locale == "fr"
    with pytest.raises(SettingsError, match="DEFAULT_LOCALE.*no catalog for 'tlh'"):
        load_settings({**env, "CURBSIDE_DEFAULT_LOCALE": "tlh"})


def test_i18n_a_stale_or_missing_mo_is_compiled_from_its_po(tmp_path):
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    old, new = Catalog(locale="de"), Catalog(locale="de")
    old.add("Unblocked.", "Alt")
    new.add("Unblocked.", "Neu")
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, old)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, new)  # written after the .mo: the .mo is stale
    real = catalogs.locales_dir()
    try:
        catalogs.use_locales_dir(tmp_path)
        assert catalogs.available_locales() == ("de", "en")
        assert catalogs.translations("de").gettext("Unblocked.") == "Neu"
        catalogs.use_locales_dir(tmp_path)
        (folder / "messages.mo").unlink()
        assert catalogs.translations("de").gettext("Unblocked.") == "Neu"
    finally:
        catalogs.use_locales_dir(real)


def test_i18n_push_title_in_the_members_language():
    sender = Actor(username="ada", display_name="Dr Ada", icon_url="https://x.test/a.png", summary="")
    pushed = notification_to_push(Notification(id=1, type="follow"), sender, None, access_token="t", locale="de",
                                  base_url="https://curbside.test")
    assert pushed["title"] == "Dr Ada folgt Ihnen jetzt" and pushed["preferred_locale"] == "de"
    english = notification_to_push(Notification(id=2, type="follow"), sender, None, access_token="t", locale="en",
                                   base_url="https://curbside.test")
    assert english["title"] == "Dr Ada is now following you"


async def test_i18n_page_speaks_the_members_then_the_browsers_then_the_instances(settings):
    async with running_app(dataclasses.replace(settings, default_locale="es")) as app, client_of(app) as client:
        visitor = await client.get("/login")
        assert _lang(visitor.text) == 'lang="es" dir="ltr"' and "Accept-Language" in visitor.headers["vary"]
        german = await client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        assert _lang(german.text) == 'lang="de" dir="ltr"'
        await _member(app, "marie", "fr")
        assert (await log_in(client, "marie")).status_code == 303
        page = await client.get("/settings/account", headers={"Accept-Language": "de"})
        assert page.status_code == 200 and _lang(page.text) == 'lang="fr" dir="ltr"'
        missing = await client.get("/settings/export/nothing", headers={"Accept-Language": "de"})
        assert missing.status_code == 404 and "Cet export n&#39;existe pas." in missing.text


async def test_i18n_preferences_page_saves_the_locale_and_the_next_page_speaks_it(app, client):
    await _member(app, "hans")
    await log_in(client, "hans")
    page = await client.get("/settings/preferences")
    assert page.status_code == 200 and 'href="/settings/preferences" aria-current="page"' in page.text
    assert '<option value="de" lang="de">Deutsch</option>' in page.text and ">Français<" in page.text
    token = await form_token(client, "/settings/preferences")
    saved = await client.post("/settings/preferences", data={"csrf_token": token, "locale": "de"})
    assert saved.status_code == 303 and await _locale_of(app, "hans") == "de"
    after = await client.get(saved.headers["location"])
    assert _lang(after.text) == 'lang="de" dir="ltr"' and "Ihre Änderungen sind gespeichert." in after.text
    assert '<option value="de" lang="de" selected>' in after.text
    refused = await client.post("/settings/preferences", data={"csrf_token": token, "locale": "tlh"})
    assert refused.status_code == 422 and "Die Sprache muss eine der folgenden sein: de, en, es, fr" in refused.text
    assert await _locale_of(app, "hans") == "de"
    back = await client.post("/settings/preferences", data={"csrf_token": token, "locale": ""})
    assert back.status_code == 303 and await _locale_of(app, "hans") is None  # the instance's again


async def test_i18n_api_registration_stores_the_best_locale_and_never_refuses_for_it(app, client):
    async with app.state.sessions() as session:
        await set_registration_mode(session, "open")
        await session.commit()
    token = await app_token(app)
    form = {"email": "x@example.org", "password": PASSWORD, "agreement": "true"}
    made = await client.post("/api/v1/accounts", headers=bearer(token),
                             data={**form, "username": "greta", "email": "greta@example.org", "locale": "de-AT"})
    assert made.status_code == 200, made.text
    assert await _locale_of(app, "greta") == "de"
    # Apps send the device's locale: one without a catalog is the instance's, never a 422.
    for username, device in (("kor", "tlh"), ("joao", "pt-BR"), ("yuki", "ja"), ("bad", "x" * 300)):
        made = await client.post("/api/v1/accounts", headers=bearer(token),
                                 data={**form, "username": username, "email": f"{username}@example.org",
                                       "locale": device})
        assert made.status_code == 200, made.text
        assert await _locale_of(app, username) is None
    swiss = await client.post("/api/v1/accounts", headers=bearer(token),
                              data={**form, "username": "heidi", "email": "heidi@example.org", "locale": "fr_CH"})
    assert swiss.status_code == 200 and await _locale_of(app, "heidi") == "fr"
    unset = await client.post("/api/v1/accounts", headers=bearer(token),
                              data={**form, "username": "noel", "email": "noel@example.org"})
    assert unset.status_code == 200 and await _locale_of(app, "noel") is None


async def test_i18n_a_german_members_reset_mail_arrives_in_german(mail_app, mail_client, smtp):
    await _member(mail_app, "greta", "de")
    token = await form_token(mail_client, "/password/forgot")
    asked = await mail_client.post("/password/forgot", data={"csrf_token": token, "login": "greta"},
                                   headers={"Accept-Language": "fr"})  # the asker's browser does not decide
    assert asked.status_code == 200
    [message] = smtp.mailbox.wait_for("greta@example.org")
    assert message["Subject"] == "Setzen Sie Ihr Passwort auf Test Society zurück"
    body = message.get_content()
    assert "Wählen Sie hier ein neues Passwort" in body and "läuft nach einer Stunde ab" in body
    assert link_in(message, "/password/reset/")


async def test_i18n_web_signup_offers_the_negotiated_language_and_mails_in_the_chosen_one(
        mail_app, mail_client, smtp):
    async with mail_app.state.sessions() as session:
        await set_registration_mode(session, "open")
        await session.commit()
    form = await mail_client.get("/signup", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert '<option value="es" selected>Español</option>' in form.text
    token = await form_token(mail_client, "/login")
    done = await mail_client.post("/signup", data={
        "csrf_token": token, "username": "amelie", "email": "amelie@example.org", "password": PASSWORD,
        "password_confirmation": PASSWORD, "agreement": "on", "locale": "fr"})
    assert done.status_code == 200, done.text
    assert await _locale_of(mail_app, "amelie") == "fr"
    [message] = smtp.mailbox.wait_for("amelie@example.org")
    assert message["Subject"] == "Confirmez votre adresse e-mail pour Test Society"
    assert "Bienvenue sur Test Society, @amelie." in message.get_content()


def test_i18n_catalogs_ship_as_package_data():
    root = Path(catalogs.__file__).parent / "locales"
    assert {p.parent.parent.name for p in root.glob("*/LC_MESSAGES/messages.po")} == {"de", "es", "fr"}
    assert shutil.which("pybabel") or (Path(__file__).parents[1] / "babel.cfg").is_file()


async def test_i18n_error_pages_outside_the_web_routes_follow_the_browser(client):
    page = await client.get("/no/such/page/here", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert page.status_code == 404 and '<html lang="fr" dir="ltr">' in page.text and "Introuvable" in page.text


def test_i18n_a_refusal_with_values_keeps_english_for_apps_and_carries_its_msgid():
    refused = ServiceError(N_("a post is at most %(limit)s characters"), values={"limit": 5000})
    assert refused.message == str(refused) == "a post is at most 5000 characters"  # the client API, the CLI
    assert (refused.msgid, refused.values) == ("a post is at most %(limit)s characters", {"limit": 5000})
    with i18n.use_locale("de"):
        assert i18n.filled(refused.msgid, refused.values) == "ein Beitrag hat höchstens 5.000 Zeichen"
    with i18n.use_locale("fr"):
        assert i18n.filled(refused.msgid, refused.values) == "une publication compte au maximum 5\u202f000 caractères"
    assert ServiceError("50% off").message == "50% off"  # a fixed text is never %-formatted


@pytest.mark.parametrize(("locale", "note_refused", "title_refused"), [
    ("de", "Die Anmerkung darf höchstens 1.000 Zeichen haben.", "Ein Titel hat höchstens 200 Zeichen."),
    ("fr", "La note doit compter au maximum 1\u202f000 caractères.", "Un titre compte au maximum 200 caractères.")])
async def test_i18n_form_errors_with_values_are_whole_sentences_in_the_members_language(
        app, client, locale, note_refused, title_refused):
    lena = await _member(app, "lena", locale)
    await log_in(client, "lena")
    page = await client.get("/verification")
    sent = await client.post("/verification", data={
        "csrf_token": csrf_of(page.text), "profession": "physician", "specialty": "207RC0000X",
        "credential_type": "npi", "credential_number": "1234567893", "jurisdiction": "CA", "note": "x" * 1001},
        files={"evidence": ("licence.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert sent.status_code == 422 and note_refused in sent.text and "must be at most" not in sent.text
    listed = await client.post("/lists", data={"csrf_token": csrf_of((await client.get("/lists")).text),
                                               "title": "x" * 201, "replies_policy": "list"})
    assert listed.status_code == 422 and title_refused in listed.text and "at most 200" not in listed.text
    # The client API says the same in English, as Mastodon's apps expect.
    api = await client.post("/api/v1/lists", headers=bearer(lena.token), data={"title": "x" * 201})
    assert api.json()["error"] == "Validation failed: Title is too long (maximum is 200 characters)"


async def test_i18n_a_nursing_specialty_is_translated_in_the_directory_and_on_the_profile(app, client):
    await _member(app, "nina")
    async with app.state.sessions() as session:
        nina = (await session.execute(select(Account).join(Actor, Actor.id == Account.actor_id)
                                      .where(Actor.username == "nina"))).scalar_one()
        await verification.grant(session, app.state.settings, nina, None, profession="nurse", specialty=ADDICTION_RN,
                                 jurisdiction="US-MA", mail=[], via="cli")
        await session.commit()
    await _member(app, "hans", "de")
    await log_in(client, "hans")
    german = "Suchtkrankenpflege (Substanzgebrauchsstörungen)"
    for path in ("/directory", "/@nina"):
        page = await client.get(path, headers={"accept": "text/html"})
        assert page.status_code == 200 and german in page.text, path
        assert "Addiction (Substance Use Disorder) Registered Nurse" not in page.text, path


@pytest.mark.parametrize(("locale", "sex", "group"), [
    ("de", "Divers", "Sonstige Berufe"), ("fr", "Autre", "Autres professions"), ("es", "Otro", "Otras profesiones"),
    ("en", "Other", "Other")])
def test_i18n_other_as_a_sex_and_as_a_group_of_professions_has_its_own_translation(locale, sex, group):
    with i18n.use_locale(locale):
        assert case_views.sex_label("other") == sex
        assert i18n.pgettext("profession group", professions.OTHER_GROUP) == group



def test_i18n_a_resolved_case_and_a_resolved_report_are_said_apart_where_the_language_does():
    with i18n.use_locale("de"):  # a case is solved, a report dealt with
        assert (dict(case_views.state_choices())["resolved"], i18n.pgettext("report state", "Resolved")) == (
            "Gelöst", "Erledigt")
    with i18n.use_locale("es"):  # un caso resuelto, una denuncia resuelta
        assert (dict(case_views.state_choices())["resolved"], i18n.pgettext("report state", "Resolved")) == (
            "Resuelto", "Resuelta")


async def test_i18n_admin_notices_missing_things_and_number_fields_speak_the_admins_language(app, client):
    await _member(app, "claire", "fr", role="admin")
    await log_in(client, "claire")
    saved = await client.get("/admin/members?done=role_saved")
    assert saved.status_code == 200 and "Le rôle est enregistré." in saved.text
    missing = await client.get("/admin/reports/424242")
    assert missing.status_code == 404 and "Ce signalement n&#39;existe pas." in missing.text
    page = await client.get("/admin/members")
    refused = await client.post("/admin/members/invites", data={"csrf_token": csrf_of(page.text), "max_uses": "0"})
    assert refused.status_code == 422
    assert "Le nombre d&#39;utilisations doit être un nombre de 1 à 10\u202f000." in refused.text
