"""Text burned into an image (a label on an X-ray, an ECG's patient strip, a screenshot of a record),
read where it is and run through the text detector.

OCR costs time in proportion to the pixels it reads, so it reads only regions that look like text:
strong edges in short, wide runs (a morphological gradient, thresholded, closed along the line),
grouped into blocks. Each finding's box is the union of the words that make it up, in image pixels.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from . import ocr
from .detector import find_phi

_MIN_LINE_HEIGHT = 7
_MAX_LINE_SHARE = 0.15  # a "line" taller than this share of the image is a shape, not text
_PAD = 6
_MAX_SKEW = 20  # degrees: steeper blocks are left as they are (and their text probably not read)
_OCR_HEIGHT = 32  # Tesseract reads best with lines around this tall: small blocks are scaled up


@dataclass(frozen=True)
class TextFinding:
    """An identifier read in an image: its kind, the text read, its box (x, y, w, h) and the area of the
    block of text it was read in (a label: the name beside a flagged date of birth goes with it)."""

    kind: str
    text: str
    box: tuple[int, int, int, int]
    area: tuple[int, int, int, int]


def text_blocks(gray: np.ndarray) -> list[tuple[tuple[int, int, int, int], int]]:
    """Blocks that look like lines of text: (box (x, y, w, h), median line height), most edges first."""
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)  # film grain and JPEG noise are finer than strokes
    grad = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    level = min(60.0, max(40.0, float(np.percentile(grad, 97))))  # film grain is weaker; faint ink is not
    _, edges = cv2.threshold(grad, level, 255, cv2.THRESH_BINARY)
    runs = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (11, 3)))
    lines = np.zeros_like(runs)
    height, found = gray.shape[0], []
    contours, _ = cv2.findContours(runs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if _MIN_LINE_HEIGHT <= h <= _MAX_LINE_SHARE * height and w >= 1.2 * h:
            if cv2.countNonZero(edges[y:y + h, x:x + w]) >= 0.12 * w * h:
                lines[y:y + h, x:x + w] = 255
                found.append((x + w / 2, y + h / 2, h))
    grouped = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 9)))
    contours, _ = cv2.findContours(grouped, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    blocks = [cv2.boundingRect(c) for c in contours]
    blocks.sort(key=lambda b: -cv2.countNonZero(edges[b[1]:b[1] + b[3], b[0]:b[0] + b[2]]))
    return [(b, _line_height(b, found)) for b in blocks]


def _line_height(box: tuple[int, int, int, int], lines: list[tuple[float, float, int]]) -> int:
    x, y, w, h = box
    inside = [lh for cx, cy, lh in lines if x <= cx < x + w and y <= cy < y + h]
    return int(np.median(inside)) if inside else h


def _prepared(gray: np.ndarray, box: tuple[int, int, int, int], line_height: int) -> tuple[Image.Image, np.ndarray]:
    """The block cropped with a margin, contrast stretched, dark text on light, turned level and scaled
    for Tesseract; with the affine map from its pixels back to `gray`'s."""
    x, y, w, h = box
    x0, y0 = max(0, x - _PAD), max(0, y - _PAD)
    crop = cv2.normalize(gray[y0:y + h + _PAD, x0:x + w + _PAD], None, 0, 255, cv2.NORM_MINMAX)
    if float(np.median(crop)) < 128:
        crop = 255 - crop
    scale = min(3.0, max(1.0, _OCR_HEIGHT / max(1, line_height)))
    centre = (crop.shape[1] / 2, crop.shape[0] / 2)
    forward = cv2.getRotationMatrix2D(centre, _skew(crop), scale)
    size = (int(crop.shape[1] * scale), int(crop.shape[0] * scale))
    forward[:, 2] += (size[0] / 2 - centre[0], size[1] / 2 - centre[1])
    level = cv2.warpAffine(crop, forward, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    back = cv2.invertAffineTransform(forward)
    back[:, 2] += (x0, y0)
    return Image.fromarray(level), back


def _skew(crop: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise) of the text in a block, from the rectangle round its ink."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    points = cv2.findNonZero(ink)
    if points is None or len(points) < 20:
        return 0.0
    (_, _), (w, h), angle = cv2.minAreaRect(points)
    if w < h:
        angle -= 90
    angle = (angle + 45) % 90 - 45
    return angle if 1.0 <= abs(angle) <= _MAX_SKEW else 0.0


def _mapped(box: tuple[int, int, int, int], back: np.ndarray) -> tuple[int, int, int, int]:
    x, y, w, h = box
    corners = np.array([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], dtype=np.float32)
    points = cv2.transform(corners[None], back)[0]
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return int(x0), int(y0), int(round(x1 - x0)), int(round(y1 - y0))


def read_blocks(gray: np.ndarray, deadline: float) -> tuple[list, bool]:
    """OCR every text block until `deadline` (time.monotonic()); returns (lines, finished). Each line
    is a list of words; words are (text, box in `gray`'s pixels)."""
    lines: list = []
    for block, line_height in text_blocks(gray):
        if time.monotonic() > deadline:
            return lines, False
        image, back = _prepared(gray, block, line_height)
        current, number = [], None
        for word in ocr.read_words(image):
            if number is not None and word.line != number:
                lines.append(current)
                current = []
            number = word.line
            current.append((word.text, _mapped(word.box, back), block))
        if current:
            lines.append(current)
    return lines, True


def find_text_phi(lines: list) -> list[TextFinding]:
    """Run the text detector over the lines read (one text, a line per line, so that a cue on one line
    gives context to the next) and locate each finding by the words it covers."""
    text, spans = "", []
    for line in lines:
        for i, (word, box, block) in enumerate(line):
            start = len(text)
            text += word + (" " if i < len(line) - 1 else "\n")
            spans.append((start, start + len(word), box, block))
    found = []
    for f in find_phi(text):
        covered = [(box, block) for s, e, box, block in spans if s < f.end and e > f.start]
        found.append(TextFinding(f.kind, f.text, _union([b for b, _ in covered]), _union([a for _, a in covered])))
    return found


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0
