"""Text built per row, vectorised: a CSV line (for quarantine) and a JSON object."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

_CSV_SPECIAL = r'[",\r\n]'
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def csv_lines(columns: Sequence[pa.Array]) -> pa.Array:
    """Each row as one CSV line (fields quoted when needed, null as empty)."""
    fields = []
    for column in columns:
        text = pc.fill_null(column, "")
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        fields.append(pc.if_else(pc.match_substring_regex(text, _CSV_SPECIAL), quoted, text))
    if not fields:
        return pa.array([], pa.string())
    return pc.binary_join_element_wise(*fields, ",")


def json_objects(names: Sequence[str], columns: Sequence[pa.Array]) -> pa.Array:
    """Each row as a JSON object `{"name": "value" or null, ...}`."""
    if any(pc.any(pc.match_substring_regex(c, _OTHER_CONTROL)).as_py() for c in columns):
        return _json_objects_slow(names, columns)
    parts: list[pa.Array | str] = []
    for i, (name, column) in enumerate(zip(names, columns, strict=True)):
        text = column
        for raw, escaped in _JSON_ESCAPES:
            text = pc.replace_substring(text, raw, escaped)
        value = pc.if_else(
            pc.is_null(column), "null", pc.binary_join_element_wise('"', text, '"', "")
        )
        parts += [("," if i else "{") + json.dumps(name, ensure_ascii=False) + ":", value]
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def _json_objects_slow(names: Sequence[str], columns: Sequence[pa.Array]) -> pa.Array:
    rows = zip(*(c.to_pylist() for c in columns), strict=True)
    texts = [json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in rows]
    return pa.array(texts, pa.string())
