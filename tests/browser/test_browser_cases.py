"""Case discussions in real Chromium, without JavaScript: a moderator opens a case in a group from its form, a
reply answers it, the author accepts that answer, and the case shows resolved with the answer on top; the cases
list, the open-a-case form and the case's page pass axe-core in both shipped themes, and are saved as
screenshots."""
import pytest

from tests.browser.test_browser_groups import CARDIOLOGY, log_in, society  # noqa: F401 (the module's instance)
from tests.support.browser import check_page, submit

pytestmark = pytest.mark.integration


def open_case(page, base_url: str) -> str:
    page.goto(base_url + "/groups/heart/cases/new")
    page.get_by_label("Title").fill("Resistant hypertension despite four agents")
    page.get_by_label("Question").fill("Would you add spironolactone or refer for renal denervation?")
    page.get_by_label("Presentation").fill("BP 168/96 on four agents at full dose, adherent, normal potassium.")
    page.locator("#f-specialty").select_option(CARDIOLOGY)
    page.get_by_label("Age band").select_option("60-74")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("I confirm this case is de-identified").check()
    submit(page, page.get_by_role("button", name="Open the case"))
    return page.url


def test_browser_cases_open_answer_resolve_in_both_themes(society, page, screenshots):  # noqa: F811
    log_in(page, society.base_url)
    thread = open_case(page, society.base_url)
    assert "/groups/heart/threads/" in thread
    assert page.locator("#case .badge-open").is_visible()
    page.locator("#f-status").fill("Spironolactone first: it worked best in PATHWAY-2.")
    submit(page, page.get_by_role("button", name="Reply", exact=True))
    submit(page, page.get_by_role("button", name="Accept this answer"))
    assert page.locator("#case .badge-resolved").is_visible()
    assert "PATHWAY-2" in page.locator("#case .case-accepted").inner_text()
    page.goto(society.base_url + "/cases")
    page.get_by_label("State").select_option("resolved")
    submit(page, page.get_by_role("button", name="Show"))
    assert page.get_by_role("link", name="Resistant hypertension despite four agents").is_visible()
    for theme in ("default", "society"):
        page.goto(society.base_url + "/admin/settings")
        page.get_by_label("Theme", exact=True).select_option(theme)
        submit(page, page.get_by_role("button", name="Save the site settings"))
        for name, path in (("cases", "/cases"), ("group-cases", "/groups/heart/cases"),
                           ("case-new", "/groups/heart/cases/new"), ("case", thread)):
            page.goto(path if path.startswith("http") else society.base_url + path)
            check_page(page, screenshots(theme), name)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(thread)
        check_page(page, screenshots(theme), "case-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        page.set_viewport_size({"width": 1280, "height": 900})
