"""Blurring what the guard found: each box pixelated and then blurred, with a margin, so that neither
OCR nor the face detector finds anything there afterwards (tests/test_phi_images.py checks both)."""
from __future__ import annotations

from PIL import Image, ImageFilter

_MARGIN = 0.15  # of the box's shorter side, at least 4 pixels: letters' edges often stray past the box
_BLOCKS = 6  # the shorter side of a box keeps at most this many blocks of colour


def blur_boxes(image: Image.Image, boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    """A copy of `image` with every box (x, y, w, h) pixelated and blurred; boxes are clipped to it."""
    result = image.copy()
    for box in boxes:
        area = _clipped(box, result.size)
        if area is None:
            continue
        region = result.crop(area)
        side = max(1, min(region.size) // _BLOCKS)
        small = region.resize((max(1, region.width // side), max(1, region.height // side)), Image.Resampling.BOX)
        coarse = small.resize(region.size, Image.Resampling.NEAREST)
        result.paste(coarse.filter(ImageFilter.GaussianBlur(radius=side)), area[:2])
    return result


def _clipped(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    x, y, w, h = (int(v) for v in box)
    margin = max(4, int(_MARGIN * min(w, h)))
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(size[0], x + w + margin), min(size[1], y + h + margin)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
