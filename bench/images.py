#!/usr/bin/env python3
"""Processing an uploaded phone photo (12 MP JPEG with EXIF and GPS): strip, turn upright, resize, preview,
blurhash. Prints the time per upload.

Usage: .venv/bin/python bench/images.py [runs]
"""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server.services.posts import images  # noqa: E402
from tests.support.images import camera_jpeg  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    source = camera_jpeg(4000, 3000)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        images.process_upload(source)
        times.append((time.perf_counter() - started) * 1000)
    print(f"cores: {os.cpu_count()}")
    print(f"12 MP phone photo ({len(source) // 1024} KB): median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms over {runs} uploads")


if __name__ == "__main__":
    main()
