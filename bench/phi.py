"""Benchmark the PHI detector on the labelled corpus: accuracy and time per post.

Run from the repository root: python bench/phi.py [--misses]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation.phi import KINDS, find_phi  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "phi_dev.jsonl"
ROUNDS = 20


def load() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(posts: list[dict], show_misses: bool) -> None:
    caught = false_alarms = 0
    kind_total, kind_found = Counter(), Counter()
    for post in posts:
        found = {f.kind for f in find_phi(post["text"])}
        if post["has_phi"]:
            kind_total.update(post["kinds"])
            kind_found.update(k for k in post["kinds"] if k in found)
            missed = set(post["kinds"]) - found
            caught += not missed
            if missed and show_misses:
                print(f"  MISS {sorted(missed)}: {post['text']}")
        elif found:
            false_alarms += 1
            if show_misses:
                print(f"  FALSE {sorted(found)}: {post['text']}")
    with_phi = sum(p["has_phi"] for p in posts)
    clean = len(posts) - with_phi
    print(f"posts: {len(posts)} ({with_phi} with identifiers, {clean} clean)")
    print(f"recall (every labelled kind found): {caught / with_phi:.3f}")
    print(f"false-alarm rate on clean posts:    {false_alarms / clean:.3f}")
    print("per-kind recall:")
    for kind in KINDS:
        if kind_total[kind]:
            print(f"  {kind:22s} {kind_found[kind] / kind_total[kind]:.3f}  (n={kind_total[kind]})")


def time_posts(posts: list[dict]) -> None:
    texts = [p["text"] for p in posts]
    for text in texts:  # warm caches
        find_phi(text)
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            t0 = time.perf_counter_ns()
            find_phi(text)
            samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    mean_len = statistics.mean(len(t) for t in texts)
    print(f"time per post: mean {statistics.mean(samples):.1f} us, p99 {p99:.1f} us "
          f"(mean post {mean_len:.0f} chars, {len(samples)} runs)")
    print(f"os.cpu_count(): {os.cpu_count()}")


if __name__ == "__main__":
    corpus = load()
    evaluate(corpus, show_misses="--misses" in sys.argv)
    time_posts(corpus)
