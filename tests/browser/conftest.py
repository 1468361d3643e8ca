"""Browser tests: Debian's Chromium driven by Playwright against real `curbside serve` processes.

Without Chromium they are skipped, unless CURBSIDE_TEST_REQUIRE_BROWSER=1 (as .ci/run sets) makes that a
failure. Screenshots of the main pages land in test-artifacts/screenshots/<theme>/ for people to look at.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, launch

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CURBSIDE_TEST_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    # Module-scoped: Playwright's sync API keeps an event loop running while it is open, which the
    # async tests of other modules would collide with.
    with launch() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots():
    """screenshots(theme) -> the folder for that theme's screenshots."""
    def folder(theme: str = "default") -> Path:
        path = SCREENSHOTS / theme
        path.mkdir(parents=True, exist_ok=True)
        return path
    return folder
