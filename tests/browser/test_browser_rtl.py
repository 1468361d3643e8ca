"""Right-to-left readiness (issue 19): the themes' CSS uses logical properties, so a page with dir="rtl" mirrors.
No right-to-left catalog exists yet, so the test forces the attribute on the English pages."""
import pytest

from tests.support.browser import check_page
from tests.support.instances import Instance

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def society(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("browser-rtl") / "a",
                        env={"CURBSIDE_INSTANCE_NAME": "Society of Cardiology"}).start()
    try:
        yield instance
    finally:
        instance.stop()


def _edges(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    return box["x"], box["x"] + box["width"]


@pytest.mark.parametrize("path", ["/", "/about", "/login"])
def test_browser_pages_mirror_with_dir_rtl(society, page, screenshots, path):
    page.goto(society.base_url + path)
    width = page.viewport_size["width"]
    brand_ltr = _edges(page, ".brand")
    page.evaluate("document.documentElement.setAttribute('dir', 'rtl')")
    brand_rtl = _edges(page, ".brand")
    # The brand sits at the start of the header: the left edge in LTR, the right edge in RTL.
    assert brand_ltr[0] < width / 4 and brand_rtl[1] > width * 3 / 4, (brand_ltr, brand_rtl)
    # Nothing spills sideways out of the page once mirrored.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The skip link stays out of sight until focused, on the start side.
    skip = _edges(page, ".skip-link")
    assert skip[0] > width, skip
    name = "rtl-" + (path.strip("/") or "landing")
    check_page(page, screenshots("default"), name)
