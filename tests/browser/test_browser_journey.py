"""Issue 7, done when: in real Chromium, a clinician signs up on society A (confirming by mail from a real
SMTP server), asks to be verified (a wrong NPI check digit is explained first), a moderator approves, the
badge shows; she posts, follows a colleague on instance B, and sees his reply. Every page passes axe-core;
screenshots of the main pages in both shipped themes land in test-artifacts/screenshots/."""
import re

import pytest

from tests.support.browser import check_page, submit
from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
VALID_NPI, WRONG_NPI = "1234567893", "1234567890"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("journey")
    with SmtpServer() as smtp:
        a = Instance(root / "a", env={"CURBSIDE_REGISTRATION_MODE": "open", "CURBSIDE_SMTP_URL": smtp.url,
                                      "CURBSIDE_SMTP_FROM": "welcome@cardiology.test",
                                      "CURBSIDE_INSTANCE_NAME": "Society of Cardiology"}).start()
        b = Instance(root / "b", env={"CURBSIDE_INSTANCE_NAME": "Hospital B"}).start()
        try:
            a.cli("accounts", "create", "mod", "--email", "mod@example.org", "--role", "admin", "--password-stdin",
                  input=PASSWORD + "\n")
            b.cli("accounts", "create", "bob", "--email", "bob@example.org")
            bob = Client(b.base_url,
                         b.cli("tokens", "create", "bob", "--scopes", "read", "write", "follow").stdout.strip())
            yield {"A": a, "B": b, "smtp": smtp, "bob": bob}
        finally:
            a.stop()
            b.stop()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Log in"))


def reload_until(page, text: str, timeout: float = 30.0) -> None:
    def shown():
        page.reload()
        return text in page.content()
    eventually(shown, timeout=timeout, interval=1.0)


def test_browser_journey_signup_verification_post_follow_reply(world, browser, screenshots):
    a, smtp, bob = world["A"], world["smtp"], world["bob"]
    shots = screenshots("default")
    dana = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    dana.set_default_timeout(15_000)

    dana.goto(a.base_url + "/")
    check_page(dana, shots, "landing")
    dana.goto(a.base_url + "/signup")
    dana.get_by_label("Username").fill("dana")
    dana.get_by_label("Email address").fill("dana@example.org")
    dana.get_by_label("Password", exact=True).fill(PASSWORD)
    dana.get_by_label("Password again").fill(PASSWORD)
    check_page(dana, shots, "signup")
    dana.get_by_label(re.compile("I agree to the community rules")).check()
    submit(dana, dana.get_by_role("button", name="Create account"))
    [mail] = smtp.mailbox.wait_for("dana@example.org")
    link = re.search(r"https?://\S+/confirm/[A-Za-z0-9_\-]+", mail.get_content())[0]
    dana.goto(link)
    submit(dana, dana.get_by_role("button", name=re.compile("Confirm")))

    dana.goto(a.base_url + "/verification")
    dana.get_by_label("Profession").select_option("physician")
    dana.get_by_label("Specialty").select_option("207RC0000X")
    dana.get_by_label("Credential").select_option("npi")
    dana.get_by_label("Jurisdiction").fill("US-CA")
    dana.get_by_label("Licence or registration number").fill(WRONG_NPI)
    dana.get_by_role("button", name="Send request").click()
    assert "check digit" in dana.locator("[role=alert]").first.inner_text()
    dana.get_by_label("Licence or registration number").fill(VALID_NPI)
    submit(dana, dana.get_by_role("button", name="Send request"))
    check_page(dana, shots, "verification")

    mod = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    mod.set_default_timeout(15_000)
    log_in(mod, a.base_url, "mod")
    mod.goto(a.base_url + "/admin/verifications")
    check_page(mod, shots, "verification-queue")
    submit(mod, mod.get_by_role("link", name=re.compile("dana")).first)
    submit(mod, mod.get_by_role("button", name="Approve"))

    dana.goto(a.base_url + "/@dana")
    assert "Verified physician" in dana.content()
    dana.goto(a.base_url + "/home")
    dana.get_by_label("Your post").fill("Curbside question: QT prolongation on low-dose haloperidol, anyone?")
    submit(dana, dana.get_by_role("button", name="Post", exact=True))
    article = dana.locator("article").filter(has_text="QT prolongation")
    assert article.count() == 1
    post_id = re.search(r"/statuses/(\d+)/favourite", article.first.inner_html())[1]
    check_page(dana, shots, "home")

    dana.goto(a.base_url + "/search")
    dana.get_by_label(re.compile("Words, accounts")).fill(f"@bob@{world['B'].domain}")
    submit(dana, dana.get_by_role("button", name="Search"))
    submit(dana, dana.get_by_role("link", name=re.compile("bob")).first)
    submit(dana, dana.get_by_role("button", name="Follow"))
    eventually(lambda: (dana.reload(), dana.get_by_role("button", name="Unfollow").count() == 1)[1], timeout=30)
    check_page(dana, shots, "profile")

    # Bob finds Dana's post by its address and replies; the reply reaches A.
    found = bob.get("/api/v2/search", q=f"{a.base_url}/users/dana/statuses/{post_id}", resolve="true",
                    type="statuses")["statuses"]
    assert found, "B could not resolve Dana's post"
    bob.status(f"@dana@{a.domain} Seen it twice; check the baseline QTc first.", in_reply_to_id=found[0]["id"])
    dana.goto(a.base_url + "/notifications")
    reload_until(dana, "baseline QTc")
    check_page(dana, shots, "notifications")


MAIN_PAGES = {"home": "/home", "profile": "/@dana", "compose": "/compose",
              "verification-queue": "/admin/verifications?state=approved", "domain-policies": "/admin/domains",
              "directory": "/directory", "admin-dashboard": "/admin", "messages": "/messages", "lists": "/lists",
              "aliases": "/settings/aliases", "migration": "/settings/migration", "import": "/settings/import",
              "announcements": "/admin/announcements"}


def test_browser_main_pages_in_both_themes(world, browser, screenshots):
    """Runs after the journey (same module): the admin switches themes from the settings page; every main
    page, in each theme, passes axe-core and is saved as a screenshot."""
    a = world["A"]
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.set_default_timeout(15_000)
    log_in(admin, a.base_url, "mod")
    admin.goto(a.base_url + "/admin/domains")
    admin.get_by_label("Domain", exact=True).fill("spam.example")
    submit(admin, admin.get_by_role("button", name="Save the policy"))
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    for theme in ("default", "society"):
        admin.goto(a.base_url + "/admin/settings")
        admin.get_by_label("Theme", exact=True).select_option(theme)
        submit(admin, admin.get_by_role("button", name="Save the site settings"))
        assert theme in admin.locator("#f-theme").input_value()
        visitor.goto(a.base_url + "/")
        check_page(visitor, screenshots(theme), "landing")
        for name, path in MAIN_PAGES.items():
            admin.goto(a.base_url + path)
            check_page(admin, screenshots(theme), name)
        admin.set_viewport_size({"width": 390, "height": 844})
        admin.goto(a.base_url + "/home")
        check_page(admin, screenshots(theme), "home-phone")
        assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        admin.set_viewport_size({"width": 1280, "height": 900})
    assert "society.css" in visitor.content()  # visitors see the theme the admin chose
