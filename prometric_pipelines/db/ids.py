"""Reproducible row identifiers: UUIDv7 (RFC 9562) built from a row's creation time and seeded bits.

Time-ordered ids keep primary-key inserts near the right edge of the B-tree (fast bulk loads) and
are what current applications generate; the random bits come from the generator's seeded stream,
so the same seed gives the same ids.
"""

from __future__ import annotations

import numpy as np

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)
# character offsets of the 16 bytes in the 36-character text form
_OFFSETS = np.array([0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34])


def uuid7(rng: np.random.Generator, created_ms: np.ndarray) -> np.ndarray:
    """Text UUIDs as numpy `S36` (ASCII bytes), one per creation time in Unix milliseconds."""
    created_ms = np.asarray(created_ms, dtype=np.int64)
    count = created_ms.size
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    for i in range(6):  # 48-bit big-endian millisecond timestamp
        raw[:, i] = (created_ms >> (8 * (5 - i))) & 0xFF
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x70  # version 7
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC variant
    text = np.full((count, 36), ord("-"), dtype=np.uint8)
    pairs = _HEX[raw]  # (count, 16, 2)
    text[:, _OFFSETS] = pairs[:, :, 0]
    text[:, _OFFSETS + 1] = pairs[:, :, 1]
    return text.view("S36").ravel()


def to_ms(timestamps: np.ndarray) -> np.ndarray:
    """datetime64 values → Unix milliseconds."""
    return np.asarray(timestamps).astype("datetime64[ms]").astype(np.int64)
