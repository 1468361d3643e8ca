"""Generate the labelled image set of the patient-privacy guard (synthetic, license-clean).

    python tests/data/phi_images/generate.py

Writes dev/ and heldout/ JPEGs (about a megapixel each) and labels.jsonl: for each image its split,
background, whether it identifies a patient (`phi`) and what was drawn. Backgrounds are drawn here
(X-ray-like, ECG-like, screenshot) or taken from scikit-image's bundled photos (public domain or
CC0: coffee, chelsea, rocket, astronaut); faces are the astronaut's (NASA, public domain). Labels
use fonts that ship with Debian (DejaVu, Liberation). The held-out split uses other fonts, other
label wordings and another seed: the detector is never tuned on it.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage import data as skdata

HERE = Path(__file__).parent
SIZE = (1152, 864)  # ~1 megapixel
FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {
    "dev": ["dejavu/DejaVuSans.ttf", "dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSans-Bold.ttf",
            "liberation/LiberationSans-Regular.ttf", "dejavu/DejaVuSansCondensed.ttf"],
    "heldout": ["liberation/LiberationMono-Regular.ttf", "dejavu/DejaVuSerif.ttf",
                "liberation/LiberationSerif-Regular.ttf", "liberation/LiberationSansNarrow-Regular.ttf"],
}
GIVEN = ["John", "Mary", "Robert", "Patricia", "Michael", "Linda", "David", "Susan", "James", "Karen",
         "Ahmed", "Priya", "Chen", "Olga", "Miguel", "Fatima", "Thomas", "Emma", "Hiroshi", "Grace"]
FAMILY = ["Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Wilson",
          "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Nguyen", "Patel", "Kowalski", "O'Brien"]
LABELS = {
    "dev": [["Name: {FAMILY}, {GIVEN}", "DOB: {dob}", "MRN: {mrn}"],
            ["{FAMILY}, {GIVEN}", "DOB {dob}", "MRN {mrn}"],
            ["Patient: {Given} {Family}", "MRN: {mrn}"],
            ["ID: {mrn}  DOB: {dob}"]],
    "heldout": [["PT: {FAMILY} {GIVEN}", "D.O.B. {dob}", "Hosp No: {mrn}"],
                ["{Given} {Family}  DOB {dob}"],
                ["Patient ID {mrn}", "Born {dob}"],
                ["MRN {mrn}  {FAMILY}, {GIVEN}"]],
}
NEGATIVES = {
    "xray": [["L"], ["R"], ["AP erect"], ["PA"], ["Portable", "Supine"], ["Fig. 2"], ["1 cm"]],
    "ecg": [["25 mm/s  10 mm/mV"], ["Fig. 2"], ["HR 72 bpm  PR 160 ms  QRS 92 ms"]],
    "screenshot": [["Haemoglobin 12.1 g/dL", "Creatinine 88 umol/L", "CRP 14 mg/L"],
                   ["Fig. 2: axial T2, 5 mm slices"], ["Troponin 0.02 ng/mL", "Potassium 4.1 mmol/L"]],
    "photo": [["Fig. 2"], ["1 cm"], ["L"], ["R"]],
}
LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def xray(rng: random.Random) -> Image.Image:
    w, h = SIZE
    base = Image.new("L", SIZE, rng.randint(5, 30))
    draw = ImageDraw.Draw(base)
    cx = w // 2 + rng.randint(-80, 80)
    for dx in (-1, 1):
        draw.ellipse((cx + dx * 60 - (dx > 0) * 0 - 200 * (dx < 0), 120, cx + dx * 260 + 200 * (dx < 0) - 200,
                      h - 80), fill=rng.randint(90, 140))
    for i in range(10):
        y = 160 + i * 55
        draw.arc((cx - 330, y, cx + 330, y + 200), 200, 340, fill=rng.randint(150, 200), width=12)
    draw.rectangle((cx - 22, 60, cx + 22, h - 40), fill=rng.randint(170, 220))
    image = base.filter(ImageFilter.GaussianBlur(rng.uniform(6, 14)))
    noise = np.random.default_rng(rng.randint(0, 10**6)).normal(0, rng.uniform(4, 12), (h, w))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype("uint8")).convert("RGB")


def ecg(rng: random.Random, draw_leads: bool = True) -> Image.Image:
    image = Image.new("RGB", SIZE, (255, rng.randint(235, 248), rng.randint(235, 248)))
    draw = ImageDraw.Draw(image)
    for x in range(0, SIZE[0], 8):
        draw.line((x, 0, x, SIZE[1]), fill=(250, 200, 200) if x % 40 else (240, 150, 150))
    for y in range(0, SIZE[1], 8):
        draw.line((0, y, SIZE[0], y), fill=(250, 200, 200) if y % 40 else (240, 150, 150))
    font = ImageFont.truetype(str(FONT_DIR / "dejavu/DejaVuSans.ttf"), 18)
    for row in range(4):
        base = 150 + row * 180
        points = []
        for x in range(0, SIZE[0], 3):
            phase = (x + row * 37) % 160
            y = (base - (70 if 60 < phase < 66 else 0) + (20 if 66 <= phase < 70 else 0)
                 - (12 if 100 < phase < 125 else 0))
            points.append((x, y + rng.randint(-1, 1)))
        draw.line(points, fill=(20, 20, 20), width=2)
        if draw_leads:
            for col in range(3):
                draw.text((10 + col * 380, base - 60), LEADS[(row * 3 + col) % 12], fill=(0, 0, 0), font=font)
    return image


def screenshot(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 48), fill=(rng.randint(20, 60), rng.randint(60, 110), rng.randint(120, 180)))
    draw.rectangle((0, 48, 220, SIZE[1]), fill=(236, 238, 242))
    for y in range(80, SIZE[1] - 40, 36):
        draw.rectangle((250, y, 250 + rng.randint(200, 800), y + 10), fill=(225, 228, 232))
    return image


def photo(rng: random.Random) -> Image.Image:
    source = rng.choice([skdata.coffee, skdata.chelsea, skdata.rocket])()
    return Image.fromarray(source).convert("RGB").resize(SIZE)


BACKGROUNDS = {"xray": xray, "ecg": ecg, "screenshot": screenshot, "photo": photo}


def fill_in(template: str, rng: random.Random) -> str:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2015)}"
    return template.format(GIVEN=given.upper(), FAMILY=family.upper(), Given=given, Family=family, dob=dob,
                           mrn=str(rng.randint(1000000, 99999999)))


def render(image: Image.Image, lines: list[str], rng: random.Random, fonts: list[str], taken: list, *,
           small: bool = False) -> list:
    """Draw lines of text as one label: font, size, angle, contrast and corner chosen at random, clear of
    the boxes already `taken`."""
    font = ImageFont.truetype(str(FONT_DIR / rng.choice(fonts)), rng.randint(14, 22) if small else rng.randint(16, 40))
    text = "\n".join(lines)
    probe = ImageDraw.Draw(image).multiline_textbbox((0, 0), text, font=font)
    tw, th = probe[2] + 8, probe[3] + 8
    pixels = np.asarray(image.convert("L"))
    dark = float(pixels.mean()) < 128
    contrast = rng.choice([255, 200, 140, 90])
    layer = Image.new("L", (tw, th), 0)
    ImageDraw.Draw(layer).multiline_text((4, 4), text, fill=255, font=font)
    angle = rng.choice([0, 0, 0, rng.uniform(-8, 8)])
    layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x, y = _place(layer.size, rng, taken)
    region = pixels[y:y + layer.height, x:x + layer.width]
    level = float(region.mean()) if region.size else 128
    ink = min(255, level + contrast) if dark or level < 128 else max(0, level - contrast)
    image.paste(Image.new("RGB", layer.size, (int(ink),) * 3), (x, y), layer)
    taken.append([x, y, layer.width, layer.height])
    return taken[-1]


def _place(size: tuple[int, int], rng: random.Random, taken: list) -> tuple[int, int]:
    w, h = size
    for _ in range(50):
        x = rng.choice([20, SIZE[0] - w - 20, rng.randint(20, max(21, SIZE[0] - w - 20))])
        y = rng.choice([20, SIZE[1] - h - 20, rng.randint(20, max(21, SIZE[1] - h - 20))])
        x, y = max(0, x), max(0, y)
        if not any(x < tx + tw + 10 and tx < x + w + 10 and y < ty + th + 10 and ty < y + h + 10
                   for tx, ty, tw, th in taken):
            break
    return x, y


def paste_face(image: Image.Image, rng: random.Random) -> list:
    face = Image.fromarray(skdata.astronaut()).crop((140, 0, 300, 190))
    scale = rng.uniform(1.2, 3.2)
    face = face.resize((int(face.width * scale), int(face.height * scale)))
    if rng.random() < 0.5:
        face = face.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    x = rng.randint(0, SIZE[0] - face.width)
    y = rng.randint(0, SIZE[1] - face.height)
    image.paste(face, (x, y))
    return [x, y, face.width, face.height]


def make(split: str, index: int, rng: random.Random) -> tuple[Image.Image, dict]:
    background = rng.choice(list(BACKGROUNDS))
    image = BACKGROUNDS[background](rng)
    phi = index % 2 == 0
    drawn, taken = [], []
    if phi and (background == "photo" or (background == "screenshot" and rng.random() < 0.4)):
        drawn.append({"kind": "face", "box": paste_face(image, rng)})
        taken.append(drawn[-1]["box"])
    elif phi:
        lines = [fill_in(t, rng) for t in rng.choice(LABELS[split])]
        drawn.append({"kind": "label", "text": " / ".join(lines),
                      "box": render(image, lines, rng, FONTS[split], taken)})
    for lines in rng.sample(NEGATIVES[background], k=min(2, len(NEGATIVES[background]))):
        drawn.append({"kind": "negative", "text": " / ".join(lines),
                      "box": render(image, lines, rng, FONTS[split], taken, small=True)})
    return image, {"background": background, "phi": phi, "drawn": drawn}


def main() -> None:
    labels = []
    for split, count, seed in (("dev", 60, 15), ("heldout", 40, 1015)):
        rng = random.Random(seed)
        (HERE / split).mkdir(exist_ok=True)
        for index in range(count):
            image, label = make(split, index, rng)
            name = f"{split}/{index:03d}.jpg"
            image.save(HERE / name, quality=75)
            labels.append({"file": name, "split": split, **label})
    with open(HERE / "labels.jsonl", "w") as out:
        for label in labels:
            out.write(json.dumps(label) + "\n")


if __name__ == "__main__":
    main()
