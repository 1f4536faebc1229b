#!/usr/bin/env bash
# A throwaway PostgreSQL server for the batch tests: initdb into a data folder, trust auth, listening on
# 127.0.0.1 only, unix socket inside the data folder. Idempotent.
#
#   scripts/pg-test-server.sh start    # prints the SQLAlchemy URL of the test database on stdout
#   scripts/pg-test-server.sh stop     # stops the server (the data folder is kept; `clean` removes it)
#   scripts/pg-test-server.sh status|url|clean
#
# Environment: PGTEST_DIR (default: .pg in the repository), PGTEST_PORT (default 54329; a running
# server keeps the port it was started on, recorded in PGTEST_DIR/port).
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user (created
# if missing, `nobody` as a last resort), the data folder is handed to that user, and a temp folder
# is used instead when that user cannot reach the repository.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${PGTEST_DIR:-$REPO/.pg}"
PORT="${PGTEST_PORT:-54329}"
DB="allocate_test"
DATA="$DIR/data"
LOG="$DIR/server.log"

find_bin() {
    local candidate
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

install_server() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "pg-test-server: no PostgreSQL server binaries (initdb, pg_ctl) and no apt-get to install them" >&2
        exit 1
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "pg-test-server: installing the postgresql package" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

BIN="$(find_bin || true)"

# PostgreSQL never runs as root: as root, the cluster belongs to the `postgres` system user.
RUN_USER=""
if [ "$(id -u)" -eq 0 ]; then
    RUN_USER="postgres"
    if ! id "$RUN_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER" 2>/dev/null || RUN_USER="nobody"
    fi
    # That user must reach the data folder; if a parent folder is closed to it, use a temp folder.
    if ! su -s /bin/sh "$RUN_USER" -c "test -x '$(dirname "$DIR")'" 2>/dev/null; then
        DIR="${TMPDIR:-/tmp}/allocate-pg-$PORT"
        DATA="$DIR/data"
        LOG="$DIR/server.log"
    fi
fi

# Run a server command as the user who owns the cluster.
as_owner() {
    if [ -n "$RUN_USER" ]; then
        chown -R "$RUN_USER" "$DIR"
        su -s /bin/sh "$RUN_USER" -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
}

# A running server keeps the port it was started on.
use_running_port() {
    if [ -f "$DIR/port" ]; then
        PORT="$(cat "$DIR/port")"
    fi
}

running() {
    [ -n "$BIN" ] && [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    if [ -z "$BIN" ]; then
        install_server
        BIN="$(find_bin)" || { echo "pg-test-server: initdb/pg_ctl still not found" >&2; exit 1; }
    fi
    mkdir -p "$DIR"
    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
        mkdir -p "$DATA"
        chmod 700 "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    fi
    if running; then
        use_running_port
    else
        echo "$PORT" >"$DIR/port"
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >/dev/null || { cat "$LOG" >&2; exit 1; }
    fi
    if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
    fi
    url
}

stop() {
    if running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -w -t 60 -m fast stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if running; then use_running_port; echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
    url) use_running_port; url ;;
    clean) stop; rm -rf "$DIR" ;;
    *) echo "usage: $0 start|stop|status|url|clean" >&2; exit 2 ;;
esac
