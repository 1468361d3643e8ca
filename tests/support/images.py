"""Test images made with Pillow: a JPEG carrying what a phone camera writes (GPS position, camera, time,
orientation, XMP, an ICC profile), and small plain ones."""
from __future__ import annotations

import io

from PIL import Image, ImageCms

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE, MODEL, DATETIME = 0x010F, 0x0110, 0x0132
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Ward 7 camera"/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')


def camera_jpeg(width: int = 2400, height: int = 1600, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS (Boston), camera make/model, time, orientation; XMP; ICC."""
    image = Image.new("RGB", (width, height), (200, 30, 30))  # left red, right blue: turning shows in pixels
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[DATETIME] = "PhoneMaker", "Phone 15", "2024:05:01 10:00:00"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (42.0, 21.0, 36.0), 3: "W", 4: (71.0, 3.0, 36.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=XMP, quality=90)
    return out.getvalue()


def png_with_text(width: int = 50, height: int = 40, alpha: bool = True) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "patient MRN 4482913")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (10, 120, 10, 128) if alpha else (10, 120, 10))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def plain(kind: str = "PNG", size: tuple[int, int] = (64, 48), colour=(40, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def leaks(data: bytes) -> list[str]:
    """What of the camera's metadata is still in an encoded image (empty when clean)."""
    image = Image.open(io.BytesIO(data))
    found = [k for k in ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "Comment") if image.info.get(k)]
    if image.getexif():
        found.append("EXIF tags")
    found += [marker.decode() for marker in (b"Exif", b"PhoneMaker", b"xmpmeta", b"Ward 7", b"4482913")
              if marker in data]
    return found


def labelled_xray(label: str = "Name: SMITH, JOHN\nDOB: 03/14/1951\nMRN: 4482913", fmt: str = "PNG") -> bytes:
    """A dark grainy film (1152x864) with a patient label burned into its top left corner."""
    import numpy as np
    from PIL import ImageDraw, ImageFont

    noise = np.random.default_rng(3).normal(25, 8, (864, 1152)).clip(0, 255).astype("uint8")
    image = Image.fromarray(noise).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 150, 850, 800), fill=(110, 110, 110))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 26)
    draw.multiline_text((40, 40), label, fill=(230, 230, 230), font=font)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()
