#!/usr/bin/env bash
# Set-up for the BI layer (idempotent): Debian's chromium + chromium-driver for the
# browser check, and Superset in its own venv (.venv-bi) from the exact pins in
# requirements-bi.lock, so its dependencies never meet dbt's. Re-running it with
# nothing changed takes about a second. `--no-browser` skips chromium (what
# `pulse bi start` runs; `pulse check-bi` runs it in full).
set -euo pipefail
cd "$(dirname "$0")/.."

browser=1
[ "${1:-}" = "--no-browser" ] && browser=0

if [ "$browser" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup-bi: installing chromium and chromium-driver (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "warning: chromium/chromedriver missing; \`pulse check-bi\` needs them" \
             "(Debian: sudo apt-get install -y chromium chromium-driver)" >&2
    fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python 3.11+ is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi

stamp=.venv-bi/.pulse-setup
want=$(sha256sum requirements-bi.lock | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv-bi/bin/superset ]; then
    echo "setup-bi: .venv-bi is up to date"
    exit 0
fi

[ -d .venv-bi ] || "$python" -m venv .venv-bi
.venv-bi/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
# --no-deps: the lock is the complete, resolved set (pip freeze of a working install).
.venv-bi/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    -r requirements-bi.lock
.venv-bi/bin/python -m pip check
echo "$want" > "$stamp"
echo "setup-bi: installed $(grep -c '^[^#].*==' requirements-bi.lock) pinned packages into .venv-bi"
