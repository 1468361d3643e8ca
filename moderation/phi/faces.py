"""Human faces, with the frontal-face Haar cascade that ships inside opencv-python-headless
(cv2.data.haarcascades): no model is downloaded. Frontal faces only; profiles and faces partly
covered are missed (the README says so)."""
from __future__ import annotations

import threading

import cv2
import numpy as np

_CASCADE_FILE = "haarcascade_frontalface_default.xml"
_local = threading.local()
_MIN_SHARE = 0.07  # a face smaller than this share of the shorter side is not identifiable here
_NEIGHBOURS = 6  # how many overlapping detections make a face: fewer, and textures pass for faces


def _cascade() -> cv2.CascadeClassifier:
    cascade = getattr(_local, "cascade", None)
    if cascade is None:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + _CASCADE_FILE)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's {_CASCADE_FILE} could not be loaded")
        _local.cascade = cascade
    return cascade


def find_faces(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of frontal faces in a grey image, in its pixels."""
    side = max(24, int(_MIN_SHARE * min(gray.shape)))
    # No histogram equalisation: over a whole photo it flattens the face's own contrast (misses on dev).
    found = _cascade().detectMultiScale(gray, scaleFactor=1.15, minNeighbors=_NEIGHBOURS,
                                        minSize=(side, side))
    return [tuple(int(v) for v in box) for box in found]
