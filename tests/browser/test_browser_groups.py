"""Groups in real Chromium, without JavaScript doing any of it: a member finds a group in the directory by
specialty, joins, starts a thread, replies, and answers a reply (nested under it); the directory, the group
page and the thread page pass axe-core in both shipped themes, and are saved as screenshots."""
import pytest

from tests.support.browser import check_page, submit
from tests.support.instances import Instance

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
CARDIOLOGY = "207RC0000X"


@pytest.fixture(scope="module")
def society(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("browser-groups") / "a",
                        env={"CURBSIDE_INSTANCE_NAME": "Society of Cardiology"}).start()
    instance.cli("accounts", "create", "ada", "--email", "ada@example.org", "--role", "admin", "--password-stdin",
                 input=PASSWORD + "\n")
    instance.cli("groups", "create", "heart", "--title", "Heart failure", "--description",
                 "HFrEF, HFpEF and everything between.", "--specialty", CARDIOLOGY)
    instance.cli("groups", "create", "club", "--title", "Journal club", "--join", "approval")
    instance.cli("groups", "create", "staff", "--title", "Staff room", "--members-only")
    instance.cli("groups", "moderators", "add", "heart", "ada")
    try:
        yield instance
    finally:
        instance.stop()


def log_in(page, base_url: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Log in"))


def test_browser_groups_thread_with_nested_replies_in_both_themes(society, page, screenshots):
    log_in(page, society.base_url)
    page.goto(society.base_url + "/groups")
    page.get_by_label("Specialty").select_option(CARDIOLOGY)
    submit(page, page.get_by_role("button", name="Show"))
    assert page.get_by_role("link", name="Heart failure").is_visible()
    assert page.get_by_role("link", name="Journal club").count() == 0
    submit(page, page.get_by_role("link", name="Heart failure"))
    submit(page, page.get_by_role("button", name="Join the group"))
    assert page.get_by_text("You are a member of this group.").is_visible()
    page.get_by_label("Title").fill("SGLT2 inhibitors in HFpEF")
    page.locator("#f-status").fill("Who starts them at discharge?")
    submit(page, page.get_by_role("button", name="Start the thread"))
    assert page.locator("h1").inner_text() == "SGLT2 inhibitors in HFpEF"
    thread = page.url
    page.locator("#f-status").fill("Yes, unless the eGFR is below 20.")
    submit(page, page.get_by_role("button", name="Reply", exact=True))
    submit(page, page.locator(".reply-node .reply-link a").first)
    page.locator("#f-status").fill("And the dose is the same for HFrEF.")
    submit(page, page.get_by_role("button", name="Reply", exact=True))
    nested = page.locator(".reply-node.depth-1 .reply-node.depth-2")
    assert "dose is the same" in nested.inner_text()
    for theme in ("default", "society"):
        page.goto(society.base_url + "/admin/settings")
        page.get_by_label("Theme", exact=True).select_option(theme)
        submit(page, page.get_by_role("button", name="Save the site settings"))
        for name, path in (("groups-directory", "/groups"), ("group", "/groups/heart"), ("group-thread", thread)):
            page.goto(path if path.startswith("http") else society.base_url + path)
            check_page(page, screenshots(theme), name)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(thread)
        check_page(page, screenshots(theme), "group-thread-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        page.set_viewport_size({"width": 1280, "height": 900})


def use_theme(page, base_url: str, theme: str) -> None:
    page.goto(base_url + "/admin/settings")
    page.get_by_label("Theme", exact=True).select_option(theme)
    submit(page, page.get_by_role("button", name="Save the site settings"))


def test_browser_groups_moderator_view_in_both_themes(society, page, screenshots):
    """The group's moderator pins and locks a thread from its page (forms in a <details>, no JavaScript), sees
    the marks and the notice, and the moderator's view of the group and the thread passes axe in both themes."""
    log_in(page, society.base_url)
    use_theme(page, society.base_url, "default")
    page.goto(society.base_url + "/groups/heart")
    if page.get_by_role("button", name="Join the group").count():
        submit(page, page.get_by_role("button", name="Join the group"))
    page.get_by_label("Title").fill("Rules of this group")
    page.locator("#f-status").fill("Be kind; de-identify every case.")
    submit(page, page.get_by_role("button", name="Start the thread"))
    thread = page.url
    page.locator(".post-moderation summary").first.click()
    submit(page, page.get_by_role("button", name="Pin the thread"))
    assert page.get_by_text("The thread is pinned to the top of the group.").is_visible()
    page.locator(".post-moderation summary").first.click()
    page.locator(".post-moderation").first.get_by_label("Reason (optional)").first.fill("Read only")
    submit(page, page.get_by_role("button", name="Lock the thread"))
    assert page.get_by_text("This thread is locked: it takes no new replies.").is_visible()
    assert page.locator("#reply-title").count() == 0
    assert page.locator(".thread-marks .badge-pinned").is_visible()
    page.goto(society.base_url + "/groups/heart")
    assert page.locator(".thread-entry-title").first.inner_text() == "Rules of this group"
    assert page.get_by_role("heading", name="Banned").is_visible()
    for theme in ("default", "society"):
        use_theme(page, society.base_url, theme)
        page.goto(society.base_url + "/groups/heart")
        check_page(page, screenshots(theme), "group-moderator")
        page.goto(thread)
        page.locator(".post-moderation summary").first.click()  # axe checks the opened forms too
        check_page(page, screenshots(theme), "group-thread-moderator")
    submit(page, page.get_by_role("button", name="Unlock the thread"))
    assert page.locator("#reply-title").count() == 1
