"""The visitor's side in a real browser: the landing page and the login form work, pass axe-core, work
by keyboard, and run no inline script under the Content-Security-Policy."""
import pytest

from tests.support.browser import check_page, keyboard_reaches
from tests.support.instances import Instance

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def society(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("browser-public") / "a",
                        env={"CURBSIDE_INSTANCE_NAME": "Society of Cardiology"}).start()
    instance.cli("accounts", "create", "ada", "--email", "ada@example.org", "--password-stdin",
                 input="correct horse battery\n")
    try:
        yield instance
    finally:
        instance.stop()


def test_browser_landing_page_is_accessible_and_shows_the_society(society, page, screenshots):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(society.base_url + "/")
    assert page.locator("h1").first.inner_text() == "Society of Cardiology"
    check_page(page, screenshots("default"), "landing")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_browser_login_by_keyboard(society, page):
    page.goto(society.base_url + "/login")
    assert keyboard_reaches(page, "#f-username")
    page.keyboard.type("ada")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password here")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "invalid username or password" in page.locator("[role=alert]").inner_text()
    check_page(page, None, "login-error")
