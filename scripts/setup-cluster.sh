#!/usr/bin/env bash
# Set-up for `pulse cluster` (idempotent): the Python environment, Debian's PostgreSQL
# and its JDBC driver, then a PostgreSQL cluster of our own under $PULSE_HOME/cluster
# (initdb, loopback only, generated 0600 credentials, Hive schema). Skips what exists.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

need=()
[ -x "${PULSE_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ] || need+=(postgresql)
[ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        echo "error: install ${need[*]} (apt-get install -y ${need[*]}) as root" >&2
        exit 1
    fi
    SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
else
    echo "setup-cluster: postgresql and libpostgresql-jdbc-java are installed"
fi

# initdb + start + role/database + Hive schema; then stop again (`pulse cluster start`
# starts it with the rest).
.venv/bin/python - <<'PY'
from pulse.cluster import Cluster

metastore = Cluster.from_env().metastore
was_running = metastore.pid() is not None
metastore.start()
if not metastore.schema_ready():
    metastore.create_schema()
    print("setup-cluster: Hive metastore schema created in PostgreSQL")
if not was_running:
    metastore.stop()
print(f"setup-cluster: metastore ready ({metastore.data_dir}), credentials in "
      f"{metastore.credentials_file} (0600)")
PY
