"""Driving Debian's Chromium with Playwright, and checking pages with axe-core."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

CHROMIUM = "/usr/bin/chromium"
# As root in a container Chromium needs --no-sandbox; the rest keep it off the (closed) network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# axe-core rules are all WCAG A/AA checks and best practices; every violation fails the page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@contextlib.contextmanager
def launch() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def accessibility_violations(page) -> list[str]:
    """axe-core's violations on the page as readable lines (rule, impact, where)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    lines = []
    for violation in results.response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def check_page(page, screenshots: Path | None, name: str) -> None:
    """Assert the page passes axe-core and save a full-page screenshot of it."""
    if screenshots is not None:
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    violations = accessibility_violations(page)
    assert not violations, f"{name}: " + "\n".join(violations)


def submit(page, control) -> None:
    """Click a control that navigates (a form's button, a link) and wait for the new page to load.

    A bare click returns before the navigation starts; acting on the page then (a reload, another click)
    races the navigation and can hit a document that is being replaced."""
    with page.expect_navigation():
        control.click()
    page.wait_for_load_state()


def keyboard_reaches(page, selector: str, limit: int = 60) -> bool:
    """Whether tabbing from the top of the page reaches the element `selector` names."""
    page.keyboard.press("Home")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return True
    return False
