"""Drop accidental identical rows, on the integer codes the text is made from."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray


def first_of_each(codes: Sequence[tuple[NDArray[np.integer], int]]) -> NDArray[np.bool_]:
    """Mask keeping the first row of every group of rows with equal codes.

    ``codes`` are (values in [0, radix), radix) per column; together they determine the
    row's text. The codes are packed into one int64 when they fit and hashed (pandas'
    ``duplicated``, linear time) rather than sorted.
    """
    n = len(codes[0][0])
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    capacity = 1
    for _, radix in codes:
        capacity *= max(1, radix)
    if capacity < 2**62:
        key = np.zeros(n, dtype=np.int64)
        for values, radix in codes:
            key = key * max(1, radix) + values.astype(np.int64)
        duplicated = pd.Series(key, copy=False).duplicated(keep="first")
    else:
        frame = pd.DataFrame({i: values for i, (values, _) in enumerate(codes)}, copy=False)
        duplicated = frame.duplicated(keep="first")
    return ~duplicated.to_numpy(dtype=np.bool_)
