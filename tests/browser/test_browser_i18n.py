"""Issue 19 in a real browser: an instance whose default language is German, and a German browser; the
home, compose, verification and admin pages say lang="de", pass axe-core, and are screenshotted (into the
test's temporary folder) for people to look at."""
import pytest

from tests.support.browser import check_page, submit
from tests.support.instances import Instance

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def society(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("browser-i18n") / "a",
                        env={"CURBSIDE_INSTANCE_NAME": "Deutsche Gesellschaft für Kardiologie",
                             "CURBSIDE_DEFAULT_LOCALE": "de"}).start()
    instance.cli("accounts", "create", "anna", "--email", "anna@example.org", "--role", "admin", "--password-stdin",
                 input=PASSWORD + "\n")
    try:
        yield instance
    finally:
        instance.stop()


def test_browser_german_pages_are_german_and_accessible(society, browser, tmp_path):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE").new_page()
    page.set_default_timeout(15_000)
    page.goto(society.base_url + "/login")
    assert page.locator("html").get_attribute("lang") == "de"
    page.fill("#f-username", "anna")
    page.fill("#f-password", PASSWORD)
    submit(page, page.locator("form[action='/login'] button[type=submit]"))
    for name, path in (("home", "/home"), ("compose", "/compose"), ("verification", "/verification"),
                       ("admin", "/admin"), ("preferences", "/settings/preferences")):
        page.goto(society.base_url + path)
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("de", "ltr"), path
        check_page(page, tmp_path, f"de-{name}")
    assert page.locator("#f-locale option[lang=de]").inner_text() == "Deutsch"
    assert {p.name for p in tmp_path.glob("*.png")} >= {"de-home.png", "de-compose.png", "de-verification.png",
                                                         "de-admin.png"}
