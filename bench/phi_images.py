"""Benchmark the image side of the privacy guard on tests/data/phi_images (built by its generate.py):
recall on images that identify a patient, false alarms on images that do not, time per image.

An image counts as caught when the scan finds anything in it (face or identifier) and as a false alarm
when it finds anything in an image without one; "unchecked" or "failed" count as misses on the first and
alarms on the second, since the member is asked either way. Time is the whole scan of a decoded image
(~1 megapixel), one image after another on one thread. The held-out split is never tuned on.

Run from the repository root: python bench/phi_images.py [--misses dev|heldout]
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from moderation.phi.image_scan import scan_image  # noqa: E402

DATA = ROOT / "tests" / "data" / "phi_images"


def score(split: str, labels: list[dict], show_misses: bool) -> None:
    caught = alarms = positives = negatives = 0
    times = []
    for label in labels:
        image = Image.open(DATA / label["file"]).convert("RGB")
        started = time.perf_counter()
        scan = scan_image(image)
        times.append(time.perf_counter() - started)
        flagged = scan.status != "clean"
        if label["phi"]:
            positives += 1
            caught += flagged
        else:
            negatives += 1
            alarms += flagged
        if show_misses and flagged != label["phi"]:
            print(f"  {label['file']} phi={label['phi']} {scan.status} {[f.as_json() for f in scan.findings]} "
                  f"{scan.reason} drawn={[d.get('text', d['kind']) for d in label['drawn']]}")
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"images {split}: recall {caught / positives:.2f} ({caught}/{positives}), false alarms "
          f"{alarms / negatives:.2f} ({alarms}/{negatives}), time per image median "
          f"{statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


def main(argv: list[str]) -> None:
    show = argv[argv.index("--misses") + 1] if "--misses" in argv else None
    if not (DATA / "dev").is_dir():
        subprocess.run([sys.executable, str(DATA / "generate.py")], check=True)
    labels = [json.loads(line) for line in (DATA / "labels.jsonl").read_text().splitlines() if line.strip()]
    for split in ("dev", "heldout"):
        score(split, [label for label in labels if label["split"] == split], show_misses=show == split)


if __name__ == "__main__":
    main(sys.argv[1:])
