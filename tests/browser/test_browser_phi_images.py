"""Issue 15, in real Chromium: a member attaches an X-ray with a patient label burned in; the compose page
outlines what the guard found over the image and offers to blur it; the blurred copy posts."""
import pytest

from tests.support.browser import check_page, submit
from tests.support.images import labelled_xray
from tests.support.instances import Instance

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def society(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("phi-images") / "a").start()
    try:
        instance.cli("accounts", "create", "dana", "--email", "dana@example.org", "--password-stdin",
                     input=PASSWORD + "\n")
        yield instance
    finally:
        instance.stop()


def test_browser_phi_images_boxes_drawn_and_blur_offered(society, page, screenshots, tmp_path):
    film = tmp_path / "film.png"
    film.write_bytes(labelled_xray())
    page.goto(society.base_url + "/login")
    page.get_by_label("Username or email").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Log in"))
    page.goto(society.base_url + "/compose")
    page.get_by_label("Your post").fill("Old film, new question")
    page.locator('input[name="media_file_1"]').set_input_files(str(film))
    submit(page, page.get_by_role("button", name="Post", exact=True))
    boxes = page.locator("svg.phi-boxes rect.phi-box")
    assert boxes.count() >= 2 and "4482913" in page.locator(".phi-image").inner_text()
    assert boxes.first.bounding_box()["width"] > 0
    check_page(page, screenshots("default"), "compose-image-findings")
    submit(page, page.get_by_role("button", name="Blur the outlined areas of image 1"))
    assert "Image 1 was blurred" in page.content()
    check_page(page, screenshots("default"), "compose-image-blurred")
    submit(page, page.get_by_role("button", name="Post", exact=True))
    assert "/statuses/" in page.url and "Old film, new question" in page.content()
