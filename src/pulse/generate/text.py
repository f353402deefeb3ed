"""Vectorised construction of string columns as Arrow arrays (no per-row Python)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from pulse.generate.coded import Coded

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fixed_width(chars: NDArray[np.uint8]) -> pa.StringArray:
    """An (n, width) uint8 matrix of ASCII codes as n strings of that width, zero-copy."""
    n, width = chars.shape
    data = np.ascontiguousarray(chars).reshape(-1)
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _hex_chars(raw: NDArray[np.uint8]) -> NDArray[np.uint8]:
    n, width = raw.shape
    out = np.empty((n, width * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 0x0F]
    return out


def hex_ids(rng: np.random.Generator, n: int, hex_len: int) -> pa.StringArray:
    """n random lower-case hex strings of ``hex_len`` characters (distinct in practice)."""
    nbytes = (hex_len + 1) // 2
    raw = np.frombuffer(rng.bytes(n * nbytes), dtype=np.uint8).reshape(n, nbytes)
    return fixed_width(_hex_chars(raw)[:, :hex_len])


def uuids(rng: np.random.Generator, n: int) -> pa.StringArray:
    """n random version-4 UUID strings (8-4-4-4-12)."""
    raw = np.frombuffer(rng.bytes(n * 16), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexes = _hex_chars(raw)
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        out[:, at : at + stop - start] = hexes[:, start:stop]
    return fixed_width(out)


def ints(values: NDArray[np.integer]) -> pa.Array:
    """Decimal text of integers."""
    return pc.cast(pa.array(values), pa.string())


def padded(prefix: str, values: NDArray[np.integer], width: int) -> pa.Array:
    """``prefix`` + zero-padded decimal, e.g. ``u000042``; wider numbers keep all digits."""
    digits = pc.utf8_lpad(ints(values), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def labels(values: Sequence[str]) -> pa.StringArray:
    return pa.array(list(values), type=pa.string())


def take(dictionary: pa.Array, indices: NDArray[np.integer]) -> pa.Array:
    """``dictionary[indices]`` for an index array."""
    return pc.take(dictionary, pa.array(np.asarray(indices, dtype=np.int32)))


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and scalar strings."""
    return pc.binary_join_element_wise(*parts, "")


def where(mask: NDArray[np.bool_], if_true: pa.Array | str, if_false: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(mask), if_true, if_false)


def empty(n: int) -> pa.StringArray:
    """n empty strings."""
    offsets = np.zeros(n + 1, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(b"")])


def coded(dictionary: pa.Array, codes: NDArray[np.integer]) -> Coded:
    """A column of ``dictionary[codes]``, left coded until rendering."""
    return Coded(dictionary, np.asarray(codes, dtype=np.int32))
