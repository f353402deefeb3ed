#!/usr/bin/env bash
# Every test on a fresh machine: set up, lint (ruff, sqlfluff), then pytest (Python
# unit tests, and dbt builds through real Spark Thrift servers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== ruff"
.venv/bin/ruff check src tests scripts
.venv/bin/ruff format --check src tests scripts
echo "== mypy"
.venv/bin/mypy src
echo "== sqlfluff"
.venv/bin/sqlfluff lint models analyses tests --disable-progress-bar --nocolor
echo "== pytest"
exec .venv/bin/pytest "$@"
