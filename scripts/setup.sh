#!/usr/bin/env bash
# One-time (and idempotent) set-up: checks Java 17+, creates .venv and installs the
# pinned packages. Re-running it with nothing changed takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
    echo "error: Java 17+ is needed for Spark. On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
fi
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
    echo "error: Java 17+ is needed for Spark, found '${java_major:-unknown}'. On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python 3.11+ is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi

stamp=.venv/.pulse-setup
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/pulse ]; then
    echo "setup: .venv is up to date"
    exit 0
fi

[ -d .venv ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
echo "$want" > "$stamp"
echo "setup: installed $(wc -l < requirements.lock) pinned packages into .venv"
