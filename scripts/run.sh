#!/usr/bin/env bash
# The main job on a fresh machine: set up, then `pulse run` (server, sample data, load,
# dbt build, docs, summary). Extra arguments go to `pulse run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pulse run "$@"
