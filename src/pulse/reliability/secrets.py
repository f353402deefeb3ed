"""A small secret scanner: credentials that must never be in the repository, the docs
site or the logs. Run by tests/python/test_security.py (the repository) and by
`pulse check-reliability` (the generated docs site and the logs under PULSE_HOME).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# What a leaked credential looks like. Names, not values, are fine: `token: "{{ env_var(...) }}"`.
PATTERNS: dict[str, re.Pattern[str]] = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "Databricks token": re.compile(r"\bdapi[0-9a-f]{32}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s:@'\"{}]+@"),
    "credential assignment": re.compile(
        r"(?i)\b(?:password|passwd|secret|token|api_?key|access_?key)[\"']?\s*[:=]\s*"
        r"[\"']([^\"'{}\s$<>]{8,})[\"']"
    ),
}
TEXT_LIMIT = 5 << 20  # larger files are data, not configuration
_BINARY_SUFFIXES = (".parquet", ".gz", ".zip", ".jar", ".png", ".jpg", ".ico", ".pyc")


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.excerpt}"


def scan_text(text: str, path: Path) -> Iterator[Finding]:
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in PATTERNS.items():
            match = pattern.search(line)
            if match:
                yield Finding(path, number, kind, _mask(match.group(0)))


def scan_files(paths: Iterable[Path]) -> list[Finding]:
    findings: list[Finding] = []
    for path in paths:
        if path.suffix.lower() in _BINARY_SUFFIXES or not path.is_file():
            continue
        try:
            if path.stat().st_size > TEXT_LIMIT:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\x00" in data[:8192]:
            continue  # binary
        findings.extend(scan_text(data.decode("utf-8", "replace"), path))
    return findings


def repository_files(root: Path) -> list[Path]:
    """Files git tracks or would track (ignored ones, such as .venv and .pulse, excluded)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [root / name for name in listed.split("\0") if name]


def state_files(home: Path) -> list[Path]:
    """The docs site and the logs under PULSE_HOME (what the issue says must be clean)."""
    found: list[Path] = []
    for pattern in ("*/target/index.html", "*/target/manifest.json", "*/target/catalog.json"):
        found += home.glob(pattern)
    for pattern in ("*/logs/*", "*/target/run_results.json"):
        found += home.glob(pattern)
    return sorted(set(found))


def _mask(text: str) -> str:
    return text if len(text) <= 12 else text[:8] + "…"
