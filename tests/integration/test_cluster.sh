#!/usr/bin/env bash
# The embedded cluster: db status/start/stop on a HOTSPOT_HOME of our own, with the
# fallbacks for a home the postgres user cannot traverse and a socket path too long.
source "$(dirname "$0")/lib.sh"
unset HOTSPOT_DB
HOMES=()
cleanup() {
  local h d s
  set +e
  for h in "${HOMES[@]}"; do
    d=$(HOTSPOT_HOME=$h "$HOTSPOT_BIN" db status 2>/dev/null | sed -n 's/^data: *\([^ ]*\).*/\1/p' || true)
    HOTSPOT_HOME=$h "$HOTSPOT_BIN" db stop >/dev/null 2>&1 || true
    s=$(HOTSPOT_HOME=$h "$HOTSPOT_BIN" db status 2>/dev/null | sed -n 's/^socket: *\([^ ]*\).*/\1/p' || true)
    [[ $d == /var/tmp/hotspot-*/pgdata ]] && rm -rf -- "$(dirname "$d")"
    [[ $s == /tmp/hotspot-* ]] && rm -rf -- "$s"
    rm -rf -- "$h"
  done
  [[ -n ${H2P:-} ]] && rm -rf -- "$H2P"
  return 0
}
trap cleanup EXIT

H1=$(mktemp -d "${TMPDIR:-/tmp}/hs-home.XXXXXX") # 0700: postgres cannot enter it
HOMES+=("$H1")
export HOTSPOT_HOME=$H1
set +e
HOTSPOT_HOME=$H1 "$HOTSPOT_BIN" db status >/dev/null
st=$?
set -e
expect_eq "status before start (3 = stopped)" "$st" 3
"$HOTSPOT_BIN" db start
status=$("$HOTSPOT_BIN" db status)
grep -q '^state: *running' <<<"$status" || fail "not running after start: $status"
if ((EUID == 0)); then
  grep -q "postgres user cannot traverse" <<<"$status" || fail "no data fallback note as root: $status"
  [[ -L $H1/pgdata ]] || fail "$H1/pgdata is not a symlink to the fallback"
  ok "data directory fallback for a home postgres cannot enter"
else
  [[ -f $H1/pgdata/PG_VERSION ]] || fail "no cluster in $H1/pgdata"
fi
"$HOTSPOT_BIN" db start >/dev/null   # idempotent
ok "second start is harmless"
out=$("$HOTSPOT_BIN" db migrate)
grep -q "applied 001_schema.sql" <<<"$out" || fail "migrate on the embedded cluster: $out"
conninfo=$(sed -n 's/^conninfo: *//p' <<<"$status")
expect_eq "listens on no TCP address" "$(q "$conninfo" "SHOW listen_addresses")" ""
expect_eq "database name" "$(q "$conninfo" "SELECT current_database() || ' ' || current_user")" "hotspot hotspot"
"$HOTSPOT_BIN" db stop
set +e
"$HOTSPOT_BIN" db status >/dev/null
st=$?
set -e
expect_eq "status after stop" "$st" 3
"$HOTSPOT_BIN" db stop >/dev/null
ok "stopping a stopped cluster is harmless"
# A command needing the database starts it again on its own.
"$HOTSPOT_BIN" db migrate | grep -q "up to date" || fail "implicit start failed"
ok "implicit start by a command"

# An unclean shutdown (the postmaster killed with SIGKILL, a stale postmaster.pid and
# shared memory left behind): db start recovers the cluster, committed data intact.
q "$conninfo" "CREATE TABLE crash_probe (v int); INSERT INTO crash_probe VALUES (42)" >/dev/null
pgdata=$(sed -n 's/^data: *\([^ ]*\).*/\1/p' <<<"$status")
pm=$(head -1 "$pgdata/postmaster.pid")
kill -9 "$pm"
for _ in $(seq 1 100); do kill -0 "$pm" 2>/dev/null || break; sleep 0.05; done
[[ -f $pgdata/postmaster.pid ]] || fail "expected a stale postmaster.pid after SIGKILL"
"$HOTSPOT_BIN" db start >/dev/null || fail "db start after an unclean shutdown failed"
"$HOTSPOT_BIN" db status | grep -q '^state: *running' || fail "not running after recovery"
expect_eq "data committed before the crash survives" "$(q "$conninfo" "SELECT v FROM crash_probe")" 42
ok "db start recovers after SIGKILL of the postmaster"
"$HOTSPOT_BIN" db stop >/dev/null

# A home whose socket path would pass the unix socket limit.
H2P=$(mktemp -d "${TMPDIR:-/tmp}/hs-home-with-a-rather-long-name-XXXXXX")
chmod 755 "$H2P"
H2=$H2P/$(printf 'x%.0s' {1..70})
mkdir -p "$H2"
HOMES+=("$H2")
export HOTSPOT_HOME=$H2
"$HOTSPOT_BIN" db start >/dev/null
status=$("$HOTSPOT_BIN" db status)
grep -q "unix socket path limit" <<<"$status" || fail "no socket fallback note: $status"
grep -q '^socket: */tmp/hotspot-' <<<"$status" || fail "socket not under /tmp: $status"
grep -q '^state: *running' <<<"$status" || fail "not running: $status"
ok "socket fallback for a long home path"
"$HOTSPOT_BIN" db stop >/dev/null

# --db / HOTSPOT_DB means an external server: db start refuses to manage it.
set +e
out=$(HOTSPOT_DB="host=/nonexistent" "$HOTSPOT_BIN" db start 2>&1)
st=$?
set -e
expect_eq "db start with HOTSPOT_DB exits 2" "$st" 2
grep -q "external database" <<<"$out" || fail "unclear message: $out"
