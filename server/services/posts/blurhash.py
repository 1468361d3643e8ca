"""A BlurHash encoder (https://blurha.sh): the few dozen characters apps paint while an image loads.

Our own rather than a package: the algorithm is short, and it runs on a preview of at most 32 px a
side, where plain Python takes a few milliseconds.
"""
from __future__ import annotations

import math

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def base83(value: int, length: int) -> str:
    return "".join(ALPHABET[(value // 83 ** (length - i - 1)) % 83] for i in range(length))


def srgb_to_linear(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def linear_to_srgb(value: float) -> int:
    v = min(max(value, 0.0), 1.0)
    return int((v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _sign_pow(value: float, exponent: float) -> float:
    return math.copysign(abs(value) ** exponent, value)


def _factors(pixels: list[tuple[int, int, int]], width: int, height: int, cx: int, cy: int) -> list[tuple[float, ...]]:
    linear = [(srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b)) for r, g, b in pixels]
    cos_x = [[math.cos(math.pi * i * x / width) for x in range(width)] for i in range(cx)]
    cos_y = [[math.cos(math.pi * j * y / height) for y in range(height)] for j in range(cy)]
    factors = []
    for j in range(cy):
        for i in range(cx):
            norm = (1 if i == 0 and j == 0 else 2) / (width * height)
            r = g = b = 0.0
            for y in range(height):
                row, fy = y * width, cos_y[j][y]
                for x in range(width):
                    basis = cos_x[i][x] * fy
                    pr, pg, pb = linear[row + x]
                    r, g, b = r + basis * pr, g + basis * pg, b + basis * pb
            factors.append((r * norm, g * norm, b * norm))
    return factors


def encode(pixels: list[tuple[int, int, int]], width: int, height: int, cx: int = 4, cy: int = 4) -> str:
    """The BlurHash of an sRGB image given as rows of (r, g, b), with cx * cy components (1-9 each)."""
    if not (1 <= cx <= 9 and 1 <= cy <= 9) or len(pixels) != width * height or not pixels:
        raise ValueError("blurhash needs 1-9 components a side and width * height pixels")
    dc, *ac = _factors(pixels, width, height, cx, cy)
    out = base83((cx - 1) + (cy - 1) * 9, 1)
    if ac:
        quantised = max(0, min(82, math.floor(max(abs(v) for f in ac for v in f) * 166 - 0.5)))
        maximum = (quantised + 1) / 166
        out += base83(quantised, 1)
    else:
        maximum = 1.0
        out += base83(0, 1)
    out += base83((linear_to_srgb(dc[0]) << 16) + (linear_to_srgb(dc[1]) << 8) + linear_to_srgb(dc[2]), 4)
    for factor in ac:
        r, g, b = (max(0, min(18, math.floor(_sign_pow(v / maximum, 0.5) * 9 + 9.5))) for v in factor)
        out += base83(r * 19 * 19 + g * 19 + b, 2)
    return out
