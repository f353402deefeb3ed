"""Helpers for the golden tests: reference files (skip when absent) and SQL over Thrift."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from warehouse import REFERENCE, Warehouse

# The select arguments of each domain's models (staging -> marts), for `dbt build`.
DOMAINS = {
    "flyers": ["path:models/staging/flyers", "path:models/marts/merchants"],
    "marketing": [
        "path:models/staging/marketing",
        "path:models/intermediate/marketing",
        "path:models/marts/marketing",
    ],
    "play_store": [
        "path:models/staging/play_store",
        "path:models/intermediate/play_store",
        "path:models/marts/apps",
    ],
}


# The conformed core every domain feeds: fct_events (with every staging model and the
# event_types seed it reads), dim_actors and dim_dates.
CORE = ["+fct_events", "+dim_actors", "dim_dates"]


def build_domain(wh: Warehouse, domain: str, variables: dict[str, object] | None = None) -> str:
    """Register the raw tables and `dbt build` one domain's models, the conformed core, and
    their data tests (the unit tests do not depend on data; the project's `dbt build` runs
    them)."""
    selection = ["--select", *DOMAINS[domain], *CORE, "--exclude", "test_type:unit"]
    selection += ["--indirect-selection", "cautious"]  # tests whose parents are all built
    return wh.build(*selection, variables=variables)


def reference(*parts: str) -> Path:
    """A file or folder of ../shared/reference-data; skips the test when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (see ../shared/reference-data/README.md)")
    return path


def read_reference_csv(*parts: str) -> pd.DataFrame:
    """A reference CSV with every column as text, empty cells as ''."""
    return pd.read_csv(reference(*parts), dtype=str, keep_default_na=False)


def compiled_sql(wh: Warehouse, model_path: str) -> str:
    """The SQL dbt compiled for a model (run `build` or `compile` first)."""
    path = wh.state.engine_dir(wh.target) / "target" / "compiled" / "pulse" / model_path
    return path.read_text()


def replace_relation(sql: str, relation: str, replacement: str) -> str:
    """Point compiled SQL at another relation (`marts.fct_x` with or without backticks)."""
    schema, name = relation.split(".")
    pattern = rf"`?{re.escape(schema)}`?\.`?{re.escape(name)}`?"
    new, count = re.subn(pattern, replacement, sql)
    assert count, f"{relation} not found in the compiled SQL"
    return new


def half_up(value: Decimal | int | str, places: str = "0.01") -> str:
    """Text of a value rounded half-up, as DECIMAL(18,2) prints it."""
    return str(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def check_conformed(wh: Warehouse, source: str, space: str, events: pd.DataFrame) -> None:
    """fct_events and dim_actors over one reference source, against pandas.

    `events` holds the source's distinct valid rows with columns `actor` and `ts` (UTC):
    fct_events has exactly one row per event, and dim_actors one row per actor with its
    first and last event time.
    """
    assert len(events) > 0
    got = wh.query(f"select count(*) as n from marts.fct_events where source = '{source}'")
    assert int(got["n"][0]) == len(events)
    actors = wh.query(
        "select actor_id as actor, cast(first_seen_at as string) as first_seen, "
        "cast(last_seen_at as string) as last_seen, event_count "
        f"from marts.dim_actors where identity_space = '{space}'"
    ).set_index("actor")
    span = events.groupby("actor")["ts"].agg(["min", "max", "size"])
    assert set(actors.index) == set(span.index)
    joined = span.join(actors)
    assert (pd.to_datetime(joined["first_seen"]) == joined["min"]).all()
    assert (pd.to_datetime(joined["last_seen"]) == joined["max"]).all()
    assert (joined["event_count"].astype(int) == joined["size"]).all()
