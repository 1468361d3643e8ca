"""The image pipeline: metadata always stripped, orientation applied, sizes capped, previews, BlurHash;
anything but an image refused."""
import io
import math

import pytest
from PIL import Image

from moderation.errors import ServiceError
from server.services.posts import blurhash, images
from tests.support.images import camera_jpeg, leaks, plain, png_with_text


def _open(encoded: images.Encoded) -> Image.Image:
    return Image.open(io.BytesIO(encoded.data))


def test_images_camera_jpeg_loses_gps_exif_xmp_and_icc():
    source = camera_jpeg()
    assert {"EXIF tags", "PhoneMaker", "xmpmeta", "icc_profile"} <= set(leaks(source))
    processed = images.process_upload(source)
    for encoded in (processed.original, processed.small):
        assert leaks(encoded.data) == []
        assert encoded.media_type == "image/jpeg" and _open(encoded).format == "JPEG"


def test_images_orientation_is_applied_and_size_capped():
    processed = images.process_upload(camera_jpeg(2400, 1600, orientation=6))  # 6: turn 90 degrees clockwise
    original, small = processed.original, processed.small
    assert (original.width, original.height) == (1280, 1920)  # upright: taller than wide, longest side 1920
    assert max(small.width, small.height) == images.SMALL_SIDE
    turned = _open(original).convert("RGB")
    top, bottom = turned.getpixel((640, 10)), turned.getpixel((640, 1900))
    assert top[0] > 150 and top[2] < 80  # the red left half is now on top
    assert bottom[2] > 150 and bottom[0] < 80


def test_images_small_image_is_not_enlarged():
    processed = images.process_upload(plain("JPEG", (300, 200)))
    assert (processed.original.width, processed.original.height) == (300, 200)
    assert (processed.small.width, processed.small.height) == (300, 200)


def test_images_png_keeps_transparency_and_loses_its_text_chunks():
    processed = images.process_upload(png_with_text())
    assert processed.original.media_type == "image/png"
    assert _open(processed.original).mode == "RGBA"
    assert leaks(processed.original.data) == []


def test_images_gif_becomes_png_and_webp_stays_webp():
    assert images.process_upload(plain("GIF")).original.media_type == "image/png"
    webp = images.process_upload(plain("WEBP"))
    assert webp.original.media_type == "image/webp" and _open(webp.original).format == "WEBP"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"%PDF-1.7 not an image at all", "not an image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image"),
    (plain("BMP"), "not an image"),
    (camera_jpeg(400, 300)[:3000], "damaged"),
])
def test_images_non_images_are_refused(data, reason):
    with pytest.raises(ServiceError, match=reason):
        images.process_upload(data)


def test_images_too_many_pixels_are_refused_before_decoding():
    huge = io.BytesIO()
    Image.new("L", (5000, 4000)).save(huge, "PNG")
    with pytest.raises(ServiceError, match="pixels"):
        images.process_upload(huge.getvalue())


def test_images_avatar_is_square_and_header_fits():
    avatar = images.process_avatar(camera_jpeg(1200, 800, orientation=1))
    assert (avatar.width, avatar.height) == (images.AVATAR_SIDE, images.AVATAR_SIDE) and leaks(avatar.data) == []
    header = images.process_header(plain("PNG", (3000, 600)))
    assert (header.width, header.height) == (1500, 300)


def _decode_dc(hash_: str) -> tuple[int, int, int]:
    value = 0
    for ch in hash_[2:6]:
        value = value * 83 + blurhash.ALPHABET.index(ch)
    return value >> 16, (value >> 8) & 255, value & 255


def _decode(hash_: str, width: int, height: int) -> list[list[tuple[float, float, float]]]:
    """A small BlurHash decoder (the inverse of the spec's encoder), to check what the hash shows."""
    def num(s):
        v = 0
        for ch in s:
            v = v * 83 + blurhash.ALPHABET.index(ch)
        return v
    size = num(hash_[0])
    cx, cy = size % 9 + 1, size // 9 + 1
    maximum = (num(hash_[1]) + 1) / 166
    colours = [tuple(blurhash.srgb_to_linear(c) for c in _decode_dc(hash_))]
    for i in range(1, cx * cy):
        v = num(hash_[4 + 2 * i:6 + 2 * i])
        colours.append(tuple(math.copysign(((q - 9) / 9) ** 2, q - 9) * maximum
                             for q in (v // 361, (v // 19) % 19, v % 19)))
    rows = []
    for y in range(height):
        row = []
        for x in range(width):
            pixel = [0.0, 0.0, 0.0]
            for j in range(cy):
                for i in range(cx):
                    basis = math.cos(math.pi * x * i / width) * math.cos(math.pi * y * j / height)
                    for k in range(3):
                        pixel[k] += colours[i + j * cx][k] * basis
            row.append(tuple(blurhash.linear_to_srgb(c) for c in pixel))
        rows.append(row)
    return rows


def test_blurhash_of_one_colour_shows_that_colour():
    pixels = [(40, 90, 160)] * (16 * 12)
    hash_ = blurhash.encode(pixels, 16, 12, 4, 3)
    assert len(hash_) == 1 + 1 + 4 + 2 * (4 * 3 - 1) and hash_[0] == blurhash.base83(3 + 2 * 9, 1)
    assert _decode_dc(hash_) == (40, 90, 160)
    # the basis has no half-pixel offset, so even a flat image keeps faint detail: close, not exact
    for row in _decode(hash_, 8, 6):
        for pixel in row:
            assert all(abs(a - b) <= 32 for a, b in zip(pixel, (40, 90, 160)))


def test_blurhash_of_a_two_colour_image_shows_both_sides():
    processed = images.process_upload(camera_jpeg(640, 480, orientation=1))
    decoded = _decode(processed.blurhash, 8, 6)
    left, right = decoded[3][0], decoded[3][7]
    assert left[0] > left[2] + 60 and right[2] > right[0] + 60  # red on the left, blue on the right


def test_blurhash_refuses_bad_component_counts():
    with pytest.raises(ValueError):
        blurhash.encode([(0, 0, 0)], 1, 1, 10, 1)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_images_every_exif_orientation_turns_as_pillow_reads_it(orientation):
    from PIL import ImageOps

    source = camera_jpeg(300, 200, orientation=orientation)
    source_image = Image.open(io.BytesIO(source))
    source_image.paste((30, 200, 30), (0, 0, 60, 40))  # a green top-left corner makes flips visible
    marked = io.BytesIO()
    source_image.save(marked, "JPEG", exif=source_image.getexif().tobytes(), quality=95)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(marked.getvalue())))
    got = _open(images.process_upload(marked.getvalue()).original).convert("RGB")
    assert got.size == expected.size
    for x, y in ((5, 5), (got.width - 5, 5), (5, got.height - 5), (got.width - 5, got.height - 5)):
        assert all(abs(a - b) < 40 for a, b in zip(got.getpixel((x, y)), expected.convert("RGB").getpixel((x, y))))
