"""The guard's second signal: a linear model per kind over token features, beside the rules.

The rules find what they were written for; the model (trained by `python -m moderation.phi.train` on the
development corpus only) scores the whole post per kind. A kind the model scores at or above its
threshold that the rules did not find becomes a Finding of that kind, located at the token that
contributed most to the score, so the policy (warn/hold/block) and the API's `phi_findings` see it as
any other finding. The detector asks it only about kinds whose candidate the text shows (model_gate.py).
The weights ship in model_weights.npz (numpy only at run time; no network).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .finding import KINDS, Finding
from .model_features import DIM, features

WEIGHTS = Path(__file__).with_name("model_weights.npz")


class Model:
    """Loaded weights: `w` (DIM x kinds), `b` (kinds), one probability `threshold` for every kind."""

    def __init__(self, w: np.ndarray, b: np.ndarray, threshold: float):
        self.w, self.b, self.threshold = w, b, threshold
        # p >= threshold  <=>  logit >= log(t / (1 - t)): compare logits, skip the exp
        self.cut = float(np.log(threshold / (1.0 - threshold))) if threshold < 1.0 else float("inf")

    def logits(self, text: str) -> np.ndarray:
        ids = np.unique(np.asarray(features(text)[0], dtype=np.int64))
        return self.w[ids].sum(axis=0) + self.b

    def findings(self, text: str, skip: set[str] = frozenset(), taken: list[tuple[int, int]] = (),
                 floor: Mapping[str, float] = MappingProxyType({})) -> list[Finding]:
        """A Finding per kind over threshold (and over its `floor`, if it has one) that is not in `skip`, placed
        on its best token not in `taken`."""
        ids, where, spans = features(text)
        if not ids:
            return []
        ids_a = np.asarray(ids, dtype=np.int64)
        first = np.unique(ids_a, return_index=True)[1]  # presence, as in training
        z = self.w[ids_a[first]].sum(axis=0) + self.b
        found = []
        for k in np.flatnonzero(z >= self.cut):
            p = 1.0 / (1.0 + np.exp(-z[k]))
            if KINDS[k] in skip or p < floor.get(KINDS[k], 0.0):
                continue
            span = _best_token(self.w[ids_a, k], np.asarray(where), spans, taken)
            if span is None:
                continue
            found.append(Finding(KINDS[k], span[0], span[1], text[span[0]:span[1]], f"model: p={p:.2f}"))
            taken = [*taken, span]
        return found


def _best_token(contrib: np.ndarray, where: np.ndarray, spans: list[tuple[int, int]],
                taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of the token whose features add most to the kind's score, clear of spans already taken."""
    per_token = np.bincount(where, weights=contrib, minlength=len(spans))
    for i in np.argsort(-per_token, kind="stable"):
        s, e = spans[i]
        if not any(s < te and ts < e for ts, te in taken):
            return s, e
    return None


@cache
def load(path: Path = WEIGHTS) -> Model:
    """Read the shipped weights once (sparse on disk, dense in memory: DIM x kinds float32)."""
    with np.load(path) as data:
        w = np.zeros((int(data["dim"]), len(KINDS)), dtype=np.float32)
        w[data["rows"], data["cols"]] = data["values"].astype(np.float32)
        return Model(w, data["bias"].astype(np.float32), float(data["threshold"]))


def save(path: Path, w: np.ndarray, b: np.ndarray, threshold: float, prune: float) -> None:
    """Write weights with |w| >= prune, as float16 (their precision is far below what changes a decision)."""
    rows, cols = np.nonzero(np.abs(w) >= prune)
    np.savez_compressed(path, dim=np.int64(DIM), rows=rows.astype(np.int32), cols=cols.astype(np.int8),
                        values=w[rows, cols].astype(np.float16), bias=b.astype(np.float32),
                        threshold=np.float64(threshold), kinds=np.array(KINDS))
