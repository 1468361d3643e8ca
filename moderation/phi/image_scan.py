"""The patient-privacy guard over an image: text burned into it (OCR, then the text detector) and faces.

`scan_image` never says "clean" unless everything it was meant to check was checked: without the OCR
engine, past the time cap, or on a detector error it says "unchecked" or "failed" with a reason, and
the instance's policy decides what that means for the post (server/ asks `decide`). Boxes are in the
pixels of the image given. CPU-bound: call it in a worker thread.
"""
from __future__ import annotations

import math
import time

import cv2
import numpy as np
from PIL import Image

from . import ocr
from .faces import find_faces
from .image_findings import ImageFinding, ImageScan
from .image_text import find_text_phi, read_blocks

cv2.setNumThreads(1)  # scans run one per worker thread already

MAX_PIXELS = 2_500_000  # larger images are read scaled down to this
FACE_SIDE = 480  # faces are looked for in a copy this wide at most: a face that identifies is not tiny
TIME_CAP = 2.0  # seconds of OCR per image; past it the image is "failed" unless something was found


def scan_image(image: Image.Image, *, time_cap: float = TIME_CAP) -> ImageScan:
    """Look for faces and identifiers written in `image` (any mode); never raises for image content."""
    try:
        rgb = np.asarray(image.convert("RGB"))
        faces = _faces(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
        if not ocr.available():
            return _verdict(faces, complete=False, reason=f"text in images is not read: {ocr.missing_reason()}")
        # The brightest channel: ink stays dark in it while a red ECG grid or a coloured UI turns light.
        texts, finished = _texts(rgb.max(axis=2), time.monotonic() + time_cap)
        return _verdict(faces + texts, complete=finished, reason="" if finished else "it took too long to read")
    except Exception as exc:  # a detector's failure must never pass an image as clean
        return ImageScan("failed", [], f"the detector failed ({type(exc).__name__})")


def _verdict(findings: list[ImageFinding], *, complete: bool, reason: str) -> ImageScan:
    if findings:
        return ImageScan("found", findings, reason)
    return ImageScan("clean" if complete else ("unchecked" if "not read" in reason else "failed"), [], reason)


def _scaled(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return gray
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _faces(gray: np.ndarray) -> list[ImageFinding]:
    factor = min(1.0, FACE_SIDE / max(gray.shape))
    return [ImageFinding("face", _back(box, factor)) for box in find_faces(_scaled(gray, factor))]


def _texts(gray: np.ndarray, deadline: float) -> tuple[list[ImageFinding], bool]:
    factor = min(1.0, math.sqrt(MAX_PIXELS / gray.size))
    lines, finished = read_blocks(_scaled(gray, factor), deadline)
    return [ImageFinding(f.kind, _back(f.box, factor), f.text, _back(f.area, factor))
            for f in find_text_phi(lines)], finished


def _back(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    return tuple(int(round(v / factor)) for v in box)
