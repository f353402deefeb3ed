"""What a bench run measured, the targets met or missed, and the table/markdown/CSV of it."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field

from rich.table import Table

GENERATE_TARGET = 1_000_000.0  # events/s
LOAD_TARGET = 200_000.0  # rows/s
FULL_VS_PYSPARK = 3.0
INCREMENTAL_VS_FULL = 0.10
INCREMENTAL_GROWTH = 1.3
TARGET_HISTORY = 365


@dataclass
class BuildTiming:
    """One dbt invocation: wall seconds, and what run_results.json says about its nodes."""

    command: str
    seconds: float
    node_seconds: dict[str, float] = field(default_factory=dict)

    def kind_seconds(self, kind: str) -> float:
        return sum(s for n, s in self.node_seconds.items() if n.startswith(f"{kind}."))

    def kind_count(self, kind: str) -> int:
        return sum(1 for n in self.node_seconds if n.startswith(f"{kind}."))

    def top(self, n: int = 10) -> list[tuple[str, float]]:
        return sorted(self.node_seconds.items(), key=lambda kv: -kv[1])[:n]


@dataclass
class BaselineSummary:
    engine: str
    seconds: list[float]
    startup_seconds: float
    peak_rss_bytes: int | None
    compared_rows: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Target:
    name: str
    measured: float | None
    limit: float
    unit: str
    met: bool | None
    note: str = ""


@dataclass
class BenchResult:
    scale: str
    days: int
    events: int = 0
    rows_generated: int = 0
    generate_seconds: float = 0.0
    rows_loaded: int = 0
    load_seconds: float = 0.0
    rows_bulk_loaded: int = 0  # every landed file in one load, into a scratch lake
    bulk_load_seconds: float = 0.0
    full_build: BuildTiming | None = None  # the full build of the longest history
    full_builds: dict[int, BuildTiming] = field(default_factory=dict)  # history -> build
    full_run: BuildTiming | None = None
    incrementals: dict[int, list[BuildTiming]] = field(default_factory=dict)
    server_peak_rss_bytes: int | None = None
    baselines: dict[str, BaselineSummary] = field(default_factory=dict)
    layout: dict[str, float] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def generate_rate(self) -> float:
        return self.events / self.generate_seconds if self.generate_seconds else 0.0

    @property
    def load_rate(self) -> float:
        return self.rows_loaded / self.load_seconds if self.load_seconds else 0.0

    @property
    def bulk_load_rate(self) -> float:
        return self.rows_bulk_loaded / self.bulk_load_seconds if self.bulk_load_seconds else 0.0

    def incremental_median(self, history: int) -> float | None:
        runs = self.incrementals.get(history)
        return statistics.median(r.seconds for r in runs) if runs else None


def _ratio_target(
    name: str, measured: float | None, base: float | None, limit: float, note: str = ""
) -> Target:
    if measured is None or not base:
        return Target(name, None, limit, "x", None, note or "not measured")
    ratio = measured / base
    return Target(name, ratio, limit, "x", ratio <= limit, note)


def targets(result: BenchResult) -> list[Target]:
    """The issue's targets; a ratio measured at a smaller history is marked as such."""
    full = result.full_build.seconds if result.full_build else None
    pyspark = result.baselines.get("pyspark")
    histories = sorted(result.incrementals)
    longest = histories[-1] if histories else None
    at = (
        ""
        if longest == TARGET_HISTORY
        else f"at {longest} days of history, not {TARGET_HISTORY}"
        if longest
        else ""
    )
    growth = None
    if TARGET_HISTORY in result.incrementals and 30 in result.incrementals:
        growth = _ratio_target(
            "incremental at 365 days / at 30 days",
            result.incremental_median(TARGET_HISTORY),
            result.incremental_median(30),
            INCREMENTAL_GROWTH,
        )
    return [
        _ratio_target(
            "full build / PySpark job (a)",
            full,
            pyspark.median if pyspark else None,
            FULL_VS_PYSPARK,
        ),
        _ratio_target(
            "one-day incremental / full build",
            result.incremental_median(longest) if longest else None,
            full,
            INCREMENTAL_VS_FULL,
            at,
        ),
        growth
        or Target(
            "incremental at 365 days / at 30 days",
            None,
            INCREMENTAL_GROWTH,
            "x",
            None,
            "not measured at this scale (needs 30 and 365 days of history)",
        ),
        Target(
            "generate throughput",
            result.generate_rate,
            GENERATE_TARGET,
            "events/s",
            result.generate_rate >= GENERATE_TARGET,
        ),
        Target(
            "load throughput (bulk: every landed file in one load)",
            result.bulk_load_rate,
            LOAD_TARGET,
            "rows/s",
            result.bulk_load_rate >= LOAD_TARGET,
        ),
        Target(
            "load throughput (daily batches, as the builds above)",
            result.load_rate,
            LOAD_TARGET,
            "rows/s",
            result.load_rate >= LOAD_TARGET,
        ),
    ]


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:,.1f}"
    if unit in ("x", "share"):
        return f"{value:.2f}"
    if unit == "GiB":
        return f"{value:.2f}"
    if unit == "MB":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def metrics(result: BenchResult) -> list[tuple[str, str, float, str]]:
    """(section, metric, value, unit) rows: the one source of the table, markdown and CSV."""
    rows: list[tuple[str, str, float, str]] = [
        ("data", "days", result.days, "days"),
        ("data", "events generated", result.events, "events"),
        ("data", "rows generated (all tables)", result.rows_generated, "rows"),
        ("generate", "seconds", result.generate_seconds, "s"),
        ("generate", "throughput", result.generate_rate, "events/s"),
        ("load", "rows loaded", result.rows_loaded, "rows"),
        ("load", "seconds", result.load_seconds, "s"),
        ("load", "throughput", result.load_rate, "rows/s"),
        ("load bulk", "rows loaded", result.rows_bulk_loaded, "rows"),
        ("load bulk", "seconds", result.bulk_load_seconds, "s"),
        ("load bulk", "throughput", result.bulk_load_rate, "rows/s"),
    ]
    for name, value in result.layout.items():
        unit = "MB" if "MB" in name else "files"
        rows.append(("layout", name, value, unit))
    full = result.full_build
    if full:
        rows += [
            ("full build", f"`{full.command}` wall", full.seconds, "s"),
            ("full build", "models", full.kind_count("model"), "nodes"),
            ("full build", "model node-seconds", full.kind_seconds("model"), "s"),
            ("full build", "data tests", full.kind_count("test"), "nodes"),
            ("full build", "test node-seconds", full.kind_seconds("test"), "s"),
            ("full build", "unit tests", full.kind_count("unit_test"), "nodes"),
            ("full build", "unit test node-seconds", full.kind_seconds("unit_test"), "s"),
        ]
    if result.full_run:
        rows.append(
            ("full build", f"`{result.full_run.command}` wall", result.full_run.seconds, "s")
        )
    for history, timing in sorted(result.full_builds.items()):
        rows.append(("full build", f"full build of {history} days", timing.seconds, "s"))
    for history, runs in sorted(result.incrementals.items()):
        median = result.incremental_median(history) or 0.0
        rows.append(
            ("incremental", f"one day after {history} days (median of {len(runs)})", median, "s")
        )
        built = result.full_builds.get(history, full)
        if built:
            rows.append(
                (
                    "incremental",
                    f"after {history} days / full build of {history} days",
                    median / built.seconds,
                    "x",
                )
            )
    if result.server_peak_rss_bytes:
        rows.append(
            ("memory", "Spark server peak RSS", result.server_peak_rss_bytes / 2**30, "GiB")
        )
    for key, base in result.baselines.items():
        section = f"baseline {key}"
        rows.append(
            (section, f"median of {len(base.seconds)} runs ({base.engine})", base.median, "s")
        )
        rows.append((section, "session start-up (not in the median)", base.startup_seconds, "s"))
        rows.append((section, "rows checked equal to the marts", base.compared_rows, "rows"))
        if base.peak_rss_bytes:
            rows.append((section, "peak RSS", base.peak_rss_bytes / 2**30, "GiB"))
        if full:
            rows.append((section, "full build / this baseline", full.seconds / base.median, "x"))
    return rows


def _target_cells(t: Target) -> tuple[str, str, str, str]:
    measured = "-" if t.measured is None else _fmt(t.measured, t.unit)
    limit = ("<= " if t.unit == "x" else ">= ") + _fmt(t.limit, t.unit)
    verdict = "n/a" if t.met is None else ("met" if t.met else "missed")
    return measured, f"{limit} {t.unit}", verdict, t.note


def rich_tables(result: BenchResult) -> list[Table]:
    table = Table(title=f"pulse bench --scale {result.scale}")
    for column in ("section", "metric", "value", "unit"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for section, name, value, unit in metrics(result):
        table.add_row(section, name, _fmt(value, unit), unit)
    goals = Table(title="targets")
    for column in ("target", "measured", "limit", "verdict", "note"):
        goals.add_column(column)
    for t in targets(result):
        measured, limit, verdict, note = _target_cells(t)
        style = {"met": "green", "missed": "red"}.get(verdict, "")
        goals.add_row(
            t.name, measured, limit, f"[{style}]{verdict}[/{style}]" if style else verdict, note
        )
    top = Table(title="slowest nodes of the full build (run_results.json)")
    top.add_column("node")
    top.add_column("seconds", justify="right")
    if result.full_build:
        for node, seconds in result.full_build.top(10):
            top.add_row(node, f"{seconds:.1f}")
    return [table, goals, top]


def markdown(result: BenchResult) -> str:
    lines = [f"# pulse bench --scale {result.scale}", ""]
    if result.machine:
        lines += [", ".join(f"{k}: {v}" for k, v in result.machine.items()), ""]
    lines += ["| section | metric | value | unit |", "|---|---|---:|---|"]
    lines += [f"| {s} | {m} | {_fmt(v, u)} | {u} |" for s, m, v, u in metrics(result)]
    lines += [
        "",
        "## Targets",
        "",
        "| target | measured | limit | verdict | note |",
        "|---|---:|---|---|---|",
    ]
    for t in targets(result):
        measured, limit, verdict, note = _target_cells(t)
        lines.append(f"| {t.name} | {measured} | {limit} | **{verdict}** | {note} |")
    if result.full_build:
        lines += ["", "## Slowest nodes of the full build", "", "| node | seconds |", "|---|---:|"]
        lines += [f"| {n} | {s:.1f} |" for n, s in result.full_build.top(10)]
    for history, runs in sorted(result.incrementals.items()):
        lines += ["", f"## Slowest nodes of the one-day incremental after {history} days", ""]
        lines += ["| node | seconds |", "|---|---:|"]
        lines += [f"| {n} | {s:.1f} |" for n, s in runs[-1].top(10)]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def nodes_csv_text(result: BenchResult) -> str:
    """Every node's seconds of every measured dbt command (phase, node, seconds)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["phase", "node", "seconds"])
    phases: list[tuple[str, BuildTiming]] = []
    if result.full_build:
        phases.append(("full build", result.full_build))
    if result.full_run:
        phases.append(("full run", result.full_run))
    for history, runs in sorted(result.incrementals.items()):
        phases += [(f"incremental after {history} days", run) for run in runs]
    for phase, timing in phases:
        for node, seconds in timing.top(len(timing.node_seconds)):
            writer.writerow([phase, node, f"{seconds:.3f}"])
    return buffer.getvalue()


def csv_text(result: BenchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["scale", "section", "metric", "value", "unit"])
    for section, name, value, unit in metrics(result):
        writer.writerow([result.scale, section, name, f"{value:.6g}", unit])
    for t in targets(result):
        measured = "" if t.measured is None else f"{t.measured:.6g}"
        verdict = "n/a" if t.met is None else ("met" if t.met else "missed")
        writer.writerow(
            [result.scale, "target", t.name, measured, f"{t.unit} limit {t.limit:g} {verdict}"]
        )
    return buffer.getvalue()
