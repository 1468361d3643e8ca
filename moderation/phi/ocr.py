"""Tesseract, in process (tesserocr), with Debian's `tesseract-ocr-eng` language data.

The engine is loaded once per thread (a TessBaseAPI is not thread-safe) and never downloads
anything: without the language data `available()` is False and images are reported unchecked.
"""
from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass

from PIL import Image

_TESSDATA_GLOBS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata")
_MIN_CONFIDENCE = 40.0  # below this Tesseract is reading texture, not letters
_local = threading.local()


@dataclass(frozen=True)
class Word:
    """A word read in an image: its text and box (x, y, w, h) in that image's pixels."""

    text: str
    box: tuple[int, int, int, int]
    line: int


def tessdata_dir() -> str | None:
    """Where English language data is installed (TESSDATA_PREFIX first), or None."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    for pattern in _TESSDATA_GLOBS:
        candidates += sorted(glob.glob(pattern), reverse=True)
    return next((c for c in candidates if c and os.path.isfile(os.path.join(c, "eng.traineddata"))), None)


def available() -> bool:
    """Whether OCR can run here: the tesserocr binding imports and English data is installed."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return tessdata_dir() is not None


def missing_reason() -> str:
    """One line saying what is missing for OCR ("" when nothing is)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "the tesserocr package is not installed"
    if tessdata_dir() is None:
        return "Tesseract's English data is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
    return ""


def _api():
    api = getattr(_local, "api", None)
    if api is None:
        import tesserocr
        api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="eng", psm=tesserocr.PSM.SINGLE_BLOCK)
        _local.api = api
    return api


def read_words(image: Image.Image) -> list[Word]:
    """Words Tesseract reads in a small grey image (a text region), with their boxes and line numbers."""
    import tesserocr
    api = _api()
    api.SetImage(image)
    api.Recognize()
    if not api.GetUTF8Text().strip():
        return []
    words: list[Word] = []
    level, line = tesserocr.RIL.WORD, 0
    iterator = api.GetIterator()
    while iterator is not None:
        text = (iterator.GetUTF8Text(level) or "").strip()
        box = iterator.BoundingBox(level)
        if text and box and iterator.Confidence(level) >= _MIN_CONFIDENCE:
            x0, y0, x1, y1 = box
            words.append(Word(text, (x0, y0, x1 - x0, y1 - y0), line))
        if iterator.IsAtFinalElement(tesserocr.RIL.TEXTLINE, level):
            line += 1
        if not iterator.Next(level):
            break
    return words
