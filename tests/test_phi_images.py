"""The privacy guard over images: text burned in, faces, the verdict when it cannot check, and blurring."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import data as skdata

from moderation.phi import image_scan, ocr
from moderation.phi.blur import blur_boxes
from moderation.phi.image_scan import scan_image
from moderation.phi.image_text import read_blocks

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def xray(*labels: tuple[str, tuple[int, int], int]) -> Image.Image:
    """A dark, grainy film with light text drawn on it (text, position, size)."""
    noise = np.random.default_rng(3).normal(25, 8, (864, 1152)).clip(0, 255).astype("uint8")
    image = Image.fromarray(noise).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 150, 850, 800), fill=(110, 110, 110))
    for text, position, size in labels:
        draw.multiline_text(position, text, fill=(230, 230, 230), font=ImageFont.truetype(FONT, size))
    return image


def with_face() -> Image.Image:
    image = Image.new("RGB", (1152, 864), (200, 180, 170))
    image.paste(Image.fromarray(skdata.astronaut()).crop((140, 0, 300, 190)).resize((320, 380)), (600, 200))
    return image


LABEL = ("Name: SMITH, JOHN\nDOB: 03/14/1951\nMRN: 4482913", (40, 40), 26)


def test_scan_finds_burned_in_label_with_boxes():
    scan = scan_image(xray(LABEL, ("R", (1080, 420), 30)))
    assert scan.status == "found"
    kinds = {f.kind: f for f in scan.findings}
    assert {"date", "record_number"} <= set(kinds)
    assert kinds["record_number"].text == "4482913"
    x, y, w, h = kinds["record_number"].box
    assert 40 <= x < 250 and 60 <= y < 140 and 0 < w < 250 and 0 < h < 60


def test_scan_passes_clinical_annotations():
    scan = scan_image(xray(("L", (60, 60), 34), ("AP erect", (900, 40), 24), ("Fig. 2", (40, 800), 20)))
    assert scan.status == "clean", scan.findings


def test_scan_finds_a_face():
    scan = scan_image(with_face())
    assert [f.kind for f in scan.findings] == ["face"]
    x, y, w, h = scan.findings[0].box
    assert 600 <= x + w / 2 <= 920 and 200 <= y + h / 2 <= 580


def test_blurred_boxes_pass_the_guard_again():
    image = xray(LABEL)
    image.paste(with_face().crop((560, 160, 960, 620)), (700, 300))
    scan = scan_image(image)
    assert {"face", "record_number"} <= {f.kind for f in scan.findings}
    blurred = blur_boxes(image, scan.blur_areas())
    assert scan_image(blurred).status == "clean"
    lines, _ = read_blocks(np.asarray(blurred.convert("L")), float("inf"))
    assert not any(word for line in lines for word, *_ in line if word.strip(",") in ("SMITH", "JOHN", "Name:"))
    untouched = np.asarray(blurred)[700:860, 10:200]
    assert np.array_equal(untouched, np.asarray(image)[700:860, 10:200])


def test_scan_without_ocr_is_unchecked_never_clean(monkeypatch):
    monkeypatch.setattr(ocr, "tessdata_dir", lambda: None)
    scan = scan_image(xray(("L", (60, 60), 34)))
    assert scan.status == "unchecked"
    assert "not installed" in scan.reason
    [finding] = scan.guard_findings((1152, 864))
    assert finding.kind == "unchecked" and finding.text.startswith("could not check this image")


def test_scan_detector_failure_is_failed(monkeypatch):
    def broken(*args):
        raise MemoryError
    monkeypatch.setattr(image_scan, "read_blocks", broken)
    scan = scan_image(xray(LABEL))
    assert scan.status == "failed" and scan.guard_findings((10, 10))[0].kind == "unchecked"


def test_scan_time_cap_fails_an_image_it_could_not_finish():
    scan = scan_image(xray(("Portable", (60, 60), 30), ("AP erect", (900, 40), 24)), time_cap=0.0)
    assert scan.status == "failed" and "too long" in scan.reason
