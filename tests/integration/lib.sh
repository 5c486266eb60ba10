# Helpers for tests/integration/test_*.sh (sourced; not a test itself).
# shellcheck shell=bash
set -euo pipefail

: "${HOTSPOT_BIN:?HOTSPOT_BIN is not set (run through ctest / scripts/test)}"
: "${HS_SOURCE_DIR:?HS_SOURCE_DIR is not set}"
: "${HOTSPOT_DB:?HOTSPOT_DB is not set: run the tests with scripts/test, which provides a throwaway PostGIS}"

PSQL=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
# Servers started by the tests give heavy requests 10 minutes, not the default 60 s:
# sanitizer builds on shared cores can take longer than that for one scan map. The
# budget itself is tested in test_fairness.sh (which unsets this).
export HOTSPOT_HEAVY_BUDGET=${HOTSPOT_HEAVY_BUDGET:-600}
# ...and keep their normal CPU priority: on a machine shared with other builds, heavy
# threads a nice level lower crawl (test_fairness sets its own).
export HOTSPOT_HEAVY_NICE=${HOTSPOT_HEAVY_NICE:-0}
HS_TEST_NAME=$(basename "$0" .sh)
HS_TEST_DBS=()

fail() { echo "FAIL ($HS_TEST_NAME): $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# hs_test_db SUFFIX: creates an empty database of our own in the HOTSPOT_DB cluster
# and prints its conninfo, so tests never see each other's data. Dropped at exit:
# called as DB=$(hs_test_db x) it runs in a subshell, where HS_TEST_DBS is lost, so
# hs_test_cleanup also drops every database named after this test and this $$ (the
# same in a subshell).
hs_test_db() {
  local name="t_${HS_TEST_NAME#test_}_$1_$$"
  "$PSQL" "$HOTSPOT_DB" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  HS_TEST_DBS+=("$name")
  printf '%s dbname=%s' "$HOTSPOT_DB" "$name"
}

# hs_demo_db: conninfo of the shared demo database loaded once by setup_demo_db.sh
# (the ctest fixture "demo"). Read-only: never write to it.
hs_demo_db() {
  printf '%s dbname=hotspot_demo_shared' "$HOTSPOT_DB"
}

hs_test_cleanup() {
  local d
  mapfile -t -O "${#HS_TEST_DBS[@]}" HS_TEST_DBS < <("$PSQL" "$HOTSPOT_DB" -qAt -c \
    "SELECT datname FROM pg_database WHERE datname LIKE 't\\_${HS_TEST_NAME#test_}\\_%\\_$$'" 2>/dev/null)
  for d in "${HS_TEST_DBS[@]}"; do
    "$PSQL" "$HOTSPOT_DB" -qAt -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
}

# q CONNINFO SQL: one value, unaligned.
q() { "$PSQL" "$1" -qAtX -v ON_ERROR_STOP=1 -c "$2"; }

# expect_eq WHAT GOT WANT
expect_eq() { [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"; ok "$1 = $3"; }
# expect_between WHAT GOT LO HI (integers or decimals)
expect_between() {
  awk -v x="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(x >= lo && x <= hi) }' ||
    fail "$1: got $2, want between $3 and $4"
  ok "$1 = $2 (in $3..$4)"
}

# hs_planner_curl DIR [TOKEN]: makes every later curl in this test send the planner
# token (of the shared demo database unless TOKEN is given) as an Authorization
# header, through a curl config file in DIR ($CURL_HOME/.curlrc). Never in URLs.
hs_planner_curl() {
  local tok=${2:-$(cat "${HS_BUILD_DIR:?}/demo_planner_token")}
  printf 'header = "Authorization: Bearer %s"\n' "$tok" >"$1/.curlrc"
  export CURL_HOME=$1
}

# hs_wait_port LOG PID: waits (up to 60 s) for `hotspot serve --listen 127.0.0.1:0` to
# print its port in LOG; sets PORT and U (the base URL). Fails with the server's log
# when the server exits or never says where it listens.
hs_wait_port() {
  local log=$1 pid=$2
  PORT=
  for _ in $(seq 1 600); do
    PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" 2>/dev/null | head -1 || true) # the log may not exist yet
    [[ -n $PORT ]] && break
    kill -0 "$pid" 2>/dev/null || fail "server died: $(cat "$log")"
    sleep 0.1
  done
  [[ -n $PORT ]] || fail "server did not start: $(cat "$log")"
  U="http://127.0.0.1:$PORT"
}

# ---- set-up shared by the tests that run a server on a copy of the demo data --------
# (test_access.sh; test_analyst_tiles.sh and others can adopt them.)

# hs_test_tmp NAME: the test's temporary directory in T (/tmp/hs_NAME.XXXXXX) and an
# EXIT trap (hs_test_exit) that stops the server hs_server_start left running, drops
# the test's databases and removes T.
hs_test_tmp() {
  T=$(mktemp -d "/tmp/hs_$1.XXXXXX")
  SERVER_PID=
  trap hs_test_exit EXIT
}

hs_test_exit() {
  [[ -n ${SERVER_PID:-} ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  hs_test_cleanup
  rm -rf "$T"
}

# hs_demo_copy NAME: a private copy of the shared demo database, for tests that write
# (tokens, audit rows): the shared one is read-only. Sets DB to its conninfo; dropped
# at exit with the test's other databases. (Not through $(...): the subshell would
# lose its name from HS_TEST_DBS.)
hs_demo_copy() {
  local name="t_$1_$$"
  "$PSQL" "$HOTSPOT_DB" -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $name TEMPLATE hotspot_demo_shared" >/dev/null
  HS_TEST_DBS+=("$name")
  DB="$HOTSPOT_DB dbname=$name"
}

# hs_largest_province CONNINFO: the province with the most communes (ties: lowest code).
hs_largest_province() {
  q "$1" "SELECT parent_code FROM hs.unit WHERE level='commune' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
}

# hs_server_start LOG [SERVE ARGS...]: `hotspot --db $DB serve` on a free loopback port
# with 2 threads (and ARGS) in the background, its output in LOG; sets SERVER_PID, and
# PORT and U once it listens (hs_wait_port).
hs_server_start() {
  local log=$1
  shift
  "$HOTSPOT_BIN" --db "$DB" serve --listen 127.0.0.1:0 --threads 2 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  hs_wait_port "$log" "$SERVER_PID"
}

# hs_server_stop LOG: SIGTERM to the server of hs_server_start; fails unless it exits 0
# with no sanitizer report in LOG.
hs_server_stop() {
  local log=$1 st=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || st=$?
  SERVER_PID=
  [[ $st == 0 ]] || fail "server exit status $st after SIGTERM: $(tail -20 "$log")"
  if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$log"; then
    fail "sanitizer report in the server log: $(grep -A20 -E 'AddressSanitizer|runtime error|LeakSanitizer' "$log" | head -30)"
  fi
}

# hs_metric NAME: the value of one series of the server at $U (NAME with its labels, as
# /metrics prints it), 0 when absent. hs_wait_metric NAME VALUE SECONDS: waits until it
# equals VALUE, else fails saying what it was.
hs_metric() {
  curl -s -m 10 "$U/metrics" | awk -v m="$1" '$1 == m { print $2; f = 1 } END { if (!f) print 0 }'
}
hs_wait_metric() {
  local i
  for i in $(seq 1 $(($3 * 10))); do
    [[ $(hs_metric "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  fail "$1 did not reach $2 within $3 s (now $(hs_metric "$1"))"
}
