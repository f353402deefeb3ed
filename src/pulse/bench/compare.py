"""Equal work: a baseline's outputs must equal the marts', row for row."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

NULL = "<null>"
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00:00)?$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


class BenchMismatch(AssertionError):
    """A baseline computed something else than the marts; the message lists the rows."""


@dataclass(frozen=True)
class Difference:
    output: str
    engine: str
    only_in_marts: pd.DataFrame
    only_in_baseline: pd.DataFrame

    def __str__(self) -> str:
        lines = [
            f"{self.engine} differs from the marts on {self.output}: "
            f"{len(self.only_in_marts)} rows only in the marts, "
            f"{len(self.only_in_baseline)} only in the baseline"
        ]
        for title, frame in (("marts", self.only_in_marts), ("baseline", self.only_in_baseline)):
            if len(frame):
                lines.append(f"  only in the {title} (first 20):")
                lines.extend(f"    {row}" for row in frame.head(20).to_dict("records"))
        return "\n".join(lines)


def canonical(value: Any) -> str:
    """One spelling per value: nulls, dates, and numbers without trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL
    if value is pd.NaT:
        return NULL
    if isinstance(value, pd.Timestamp):
        value = value.isoformat(sep=" ")
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    if text in ("nan", "None", "NaT", "<NA>"):
        return NULL
    date = _DATE.match(text)
    if date:
        return date.group(1)
    if _NUMBER.match(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return text


def normalise(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BenchMismatch(f"missing columns {missing}; got {list(frame.columns)}")
    out = pd.DataFrame({c: [canonical(v) for v in frame[c].tolist()] for c in columns})
    return out.sort_values(columns).reset_index(drop=True)


def difference(
    output: str, engine: str, marts: pd.DataFrame, baseline: pd.DataFrame
) -> Difference | None:
    """Rows (as canonical text) in one frame and not the other, duplicates counted."""
    columns = list(marts.columns)
    left = normalise(marts, columns)
    right = normalise(baseline, columns)
    left["_n"] = left.groupby(columns).cumcount()
    right["_n"] = right.groupby(columns).cumcount()
    merged = left.merge(right, how="outer", on=[*columns, "_n"], indicator=True)
    only_marts = merged[merged["_merge"] == "left_only"][columns].reset_index(drop=True)
    only_base = merged[merged["_merge"] == "right_only"][columns].reset_index(drop=True)
    if len(only_marts) or len(only_base):
        return Difference(output, engine, only_marts, only_base)
    return None


def check(engine: str, marts: dict[str, pd.DataFrame], outputs: dict[str, pd.DataFrame]) -> int:
    """Raise BenchMismatch listing every differing output; return the rows compared."""
    problems = []
    compared = 0
    for name, expected in marts.items():
        if name not in outputs:
            problems.append(f"{engine} did not compute {name}")
            continue
        diff = difference(name, engine, expected, outputs[name])
        if diff is not None:
            problems.append(str(diff))
        compared += len(expected)
    if problems:
        raise BenchMismatch("\n".join(problems))
    return compared
