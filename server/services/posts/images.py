"""Uploaded images made safe to publish, with Pillow.

A clinical photo carries more than its pixels: EXIF (camera, time, GPS position), XMP, IPTC, ICC
profiles naming devices, PNG text chunks. Every image is decoded, turned upright by its EXIF
orientation, and rebuilt from its pixels alone into a new image object, so that no metadata can
ride along into the file we write. The type is sniffed from the bytes, never taken from the
client's word. These functions are CPU-bound: call them in a worker thread.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from moderation.errors import ServiceError
from server.i18n import N_
from server.services.posts import blurhash

MAX_BYTES = 16 * 1024 * 1024
MAX_PIXELS = 16_777_216  # the image_matrix_limit /api/v2/instance announces
MAX_SIDE = 1920
SMALL_SIDE = 640
BLURHASH_SIDE = 32
AVATAR_SIDE = 400
HEADER_SIZE = (1500, 500)
LOGO_SIZE = (640, 160)
# What we accept (sniffed), and what each is written back as: a GIF's first frame becomes a PNG.
OUTPUT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
ORIENTATION = 0x0112
# EXIF orientation -> the turn that makes the image upright.
TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
         5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
         8: Image.Transpose.ROTATE_90}
MEDIA_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class Encoded:
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    original: Encoded
    small: Encoded
    blurhash: str


def _open(data: bytes) -> tuple[Image.Image, str]:
    """The image, its header read (type sniffed, size checked) but its pixels not yet decoded."""
    if not data:
        raise ServiceError(N_("the file is empty"))
    if len(data) > MAX_BYTES:
        raise ServiceError(N_("images are at most %(limit)s MB"), values={"limit": MAX_BYTES // (1024 * 1024)})
    try:
        image = Image.open(io.BytesIO(data), formats=list(OUTPUT))
    except Image.DecompressionBombError:
        raise ServiceError(N_("images are at most %(limit)s pixels"), values={"limit": MAX_PIXELS}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ServiceError(N_("not an image (JPEG, PNG, WebP or GIF)")) from None
    if image.width * image.height > MAX_PIXELS:
        raise ServiceError(N_("images are at most %(limit)s pixels"), values={"limit": MAX_PIXELS})
    return image, image.format or ""


def _decode(image: Image.Image, ratio: float) -> tuple[Image.Image, int]:
    """Decode the pixels, a JPEG straight at a reduced scale when `ratio` (wanted / stored) allows;
    with the EXIF orientation, read before decoding."""
    try:
        orientation = int(image.getexif().get(ORIENTATION) or 1)
    except (ValueError, OSError, SyntaxError, KeyError, TypeError):
        orientation = 1  # unreadable EXIF: keep the pixels as stored
    if image.format == "JPEG" and ratio < 1:
        image.draft(image.mode, (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ServiceError(N_("the image is damaged or truncated")) from None
    return image, orientation


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info)


def _pixels_only(image: Image.Image, orientation: int, keep_alpha: bool) -> Image.Image:
    """The image turned upright, as a new image holding pixels and nothing else (every Pillow copy
    carries `info`, where EXIF, XMP and ICC profiles sit, along)."""
    if orientation in TURNS:
        image = image.transpose(TURNS[orientation])
    mode = "RGBA" if keep_alpha else "RGB"
    try:
        converted = image.convert(mode)
    except (ValueError, OSError):
        raise ServiceError(N_("unsupported image mode %(mode)s"), values={"mode": image.mode}) from None
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _scale(image: Image.Image, ratio: float) -> Image.Image:
    if ratio >= 1:
        return image
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _fit_ratio(size: tuple[int, int], side: int) -> float:
    return min(1.0, side / max(size))


def _prepared(data: bytes, ratio_for) -> tuple[Image.Image, str]:
    """Decoded (scaled by `ratio_for(size)`), upright and stripped; and the type to write it as."""
    image, kind = _open(data)
    ratio = ratio_for(image.size)
    alpha = OUTPUT[kind] != "JPEG" and _has_alpha(image)
    image, orientation = _decode(image, ratio)
    scaled = _scale(image, ratio_for(image.size))  # the decoder may have done part of the scaling
    return _pixels_only(scaled, orientation, alpha), OUTPUT[kind]


def _encode(image: Image.Image, kind: str) -> Encoded:
    buffer = io.BytesIO()
    if kind == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    elif kind == "WEBP":
        image.save(buffer, "WEBP", quality=85, method=4)
    else:
        image.save(buffer, "PNG", compress_level=6)
    media_type, extension = MEDIA_TYPES[kind]
    return Encoded(buffer.getvalue(), media_type, extension, image.width, image.height)


def _fit(image: Image.Image, side: int) -> Image.Image:
    return _scale(image, _fit_ratio(image.size, side))


def _blurhash(image: Image.Image) -> str:
    tiny = _fit(image.convert("RGB"), BLURHASH_SIDE)
    raw = tiny.tobytes()
    pixels = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    return blurhash.encode(pixels, tiny.width, tiny.height, 4, 4)


def process_upload(data: bytes) -> ProcessedImage:
    """Decode, turn upright, strip, resize to MAX_SIDE; a SMALL_SIDE preview and its BlurHash."""
    clean, output = _prepared(data, lambda size: _fit_ratio(size, MAX_SIDE))
    small = _fit(clean, SMALL_SIDE)
    return ProcessedImage(_encode(clean, output), _encode(small, output), _blurhash(small))


def process_remote(data: bytes) -> Encoded:
    """Another server's image, kept in our storage: decoded, turned upright, stripped, at most MAX_SIDE a side."""
    clean, output = _prepared(data, lambda size: _fit_ratio(size, MAX_SIDE))
    return _encode(clean, output)


def process_avatar(data: bytes) -> Encoded:
    """A square avatar (centre-cropped), at most AVATAR_SIDE a side, stripped like any upload."""
    clean, output = _prepared(data, lambda size: min(1.0, AVATAR_SIDE / min(size)))
    side = min(AVATAR_SIDE, clean.width, clean.height)
    return _encode(ImageOps.fit(clean, (side, side), Image.Resampling.LANCZOS), output)


def process_header(data: bytes) -> Encoded:
    """A profile header, fitted within HEADER_SIZE (never enlarged), stripped like any upload."""
    clean, output = _prepared(data, lambda size: min(1.0, HEADER_SIZE[0] / size[0], HEADER_SIZE[1] / size[1]))
    return _encode(clean, output)


def process_logo(data: bytes) -> Encoded:
    """The society's logo, fitted within LOGO_SIZE (never enlarged), stripped like any upload."""
    clean, output = _prepared(data, lambda size: min(1.0, LOGO_SIZE[0] / size[0], LOGO_SIZE[1] / size[1]))
    return _encode(clean, output)
