#!/usr/bin/env bash
# Soak: `hotspot serve` under wrk at 64 connections for DURATION seconds (default 600)
# on loopback, with a mixed load (bench/soak.lua: cached tiles, uncached tiles z5-z10,
# API calls over random windows, maps) and a real data change every minute
# (`hotspot import cases` of one row, whose NOTIFY makes the server drop its caches).
# Reports the answers by status, wrk's socket errors and timeouts, latency, the data
# versions the server saw, and the RSS of the server and of its PostgreSQL backends at
# the start (after a warm-up), once a minute and at the end. See docs/reliability.md.
#
#   bash bench/soak.sh                  # 10 minutes
#   DURATION=120 bash bench/soak.sh     # a short check
#   CONNS=64 THREADS=2 HS_THREADS=2 HOTSPOT_BIN=build-bench/hotspot bash bench/soak.sh
#
# Exit status 1 when any answer was neither 200 nor a deliberate 503, or wrk saw a
# socket error or timeout, or the server died. Writes bench/results/soak.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib.sh
source "$ROOT/scripts/lib.sh"
DURATION=${DURATION:-600}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
HS_THREADS=${HS_THREADS:-$(nproc)}
CHANGE_EVERY=${CHANGE_EVERY:-60}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
command -v wrk >/dev/null || hs_die "wrk is missing (scripts/test installs HS_TEST_PACKAGES)"

BUILD="$ROOT/build-bench"
if [ -z "${HOTSPOT_BIN:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target hotspot -j2 >/dev/null
  HOTSPOT_BIN="$BUILD/hotspot"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-soak.XXXXXX")
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-soak-pg.XXXXXX")
HS_PID="" CH_PID=""
# Every step may fail (a process already gone) without stopping the rest: under
# set -e a failing kill here used to skip the cluster's removal.
cleanup() {
  if [ -n "$CH_PID" ]; then kill "$CH_PID" 2>/dev/null || true; fi
  if [ -n "$HS_PID" ]; then kill "$HS_PID" 2>/dev/null || true; wait "$HS_PID" 2>/dev/null || true; fi
  hs_tmp_cluster_stop "$PGDIR" || true
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
hs_tmp_cluster_start "$PGDIR"
DB="host=$PGDIR user=hotspot dbname=postgres"
export HOTSPOT_DB=$DB
unset HOTSPOT_HOME
q() { "$HS_PG_BINDIR/psql" "$DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
"$HOTSPOT_BIN" db migrate >/dev/null
"$HOTSPOT_BIN" db demo >/dev/null
TOKEN=$("$HOTSPOT_BIN" token create --role planner --note soak 2>/dev/null)
FIRST=$(q "SELECT to_char(min(period), 'YYYY-MM') FROM hs.case_month")
LAST=$(q "SELECT to_char(max(period), 'YYYY-MM') FROM hs.case_month")
UNIT=$(q "SELECT code FROM hs.unit WHERE level = 'commune' ORDER BY code LIMIT 1")

"$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads "$HS_THREADS" --quiet 2>"$WORK/hotspot.log" &
HS_PID=$!
PORT=""
for _ in $(seq 1 300); do
  PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/hotspot.log")
  [ -n "$PORT" ] && break
  kill -0 "$HS_PID" 2>/dev/null || { cat "$WORK/hotspot.log" >&2; hs_die "hotspot serve exited"; }
  sleep 0.1
done
[ -n "$PORT" ] || hs_die "hotspot serve did not start"
U="http://127.0.0.1:$PORT"
AUTH="Authorization: Bearer $TOKEN"

# RSS in KiB: of the server, and the sum and count of its PostgreSQL backends (every
# backend connected to the database: the server's pool and its LISTEN session).
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
pg_rss() {
  local pids sum=0 n=0 p
  pids=$(q "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
  for p in $pids; do sum=$((sum + $(rss_of "$p"))); n=$((n + 1)); done
  echo "$sum $n"
}
version() { curl -s "$U/readyz" | sed -n 's/.*"data_version":\([0-9]*\).*/\1/p'; }

# Preflight: every kind of request once (must be 200), which also warms the cache.
for p in /tiles/gistar/6/50/28.png /tiles/gistar/6/51/29.png /tiles/gistar/7/101/56.png \
  /tiles/rate/6/50/28.png /tiles/rate/7/102/57.png /tiles/gistar/5/25/14.png /tiles/rate/5/25/14.png \
  /tiles/gistar/6/50/29.png /tiles/lisa/8/203/113.png /tiles/eb_rate/10/812/454.png \
  "/api/analyze?from=$FIRST&to=$LAST&permutations=99" "/api/priorities?top=10&from=$FIRST&to=$LAST&permutations=99" \
  /api/units?level=province /api/meta "/api/emerging?from=$FIRST&to=$LAST" \
  "/maps/lisa.svg?size=300x300&from=$FIRST&to=$LAST" "/maps/eb_rate.png?size=240x320&from=$FIRST&to=$LAST"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 -H "$AUTH" "$U$p")
  [ "$code" = 200 ] || hs_die "preflight $p answered $code"
done
# Warm-up, then the start figures.
SOAK_TOKEN=$TOKEN SOAK_FIRST=$FIRST SOAK_LAST=$LAST wrk -t"$THREADS" -c"$CONNS" -d10s --timeout 60s \
  -s "$ROOT/bench/soak.lua" "$U" >/dev/null
RSS0=$(rss_of "$HS_PID")
read -r PG0 NPG0 <<<"$(pg_rss)"
V0=$(version)

# A data change every CHANGE_EVERY seconds: one row, a different value each time.
(
  i=0
  while sleep "$CHANGE_EVERY"; do
    i=$((i + 1))
    printf 'unit_code,period,cases,victims,suspects\n%s,%s,%d,1,1\n' "$UNIT" "$LAST" $((i % 7 + 1)) \
      >"$WORK/change.csv"
    "$HOTSPOT_BIN" import cases "$WORK/change.csv" >>"$WORK/changes.log" 2>&1 ||
      echo "data change $i FAILED" >>"$WORK/changes.log"
    # RSS once a minute: flat means a plateau after the response cache has filled.
    echo "$(rss_of "$HS_PID") $(pg_rss | cut -d' ' -f1)" >>"$WORK/rss.log"
  done
) &
CH_PID=$!

echo "soak: wrk -t$THREADS -c$CONNS -d${DURATION}s on $U, server threads $HS_THREADS, data change every ${CHANGE_EVERY}s"
set +e
SOAK_TOKEN=$TOKEN SOAK_FIRST=$FIRST SOAK_LAST=$LAST wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
  --timeout 60s --latency -s "$ROOT/bench/soak.lua" "$U" >"$WORK/wrk.out" 2>&1
WRK_RC=$?
set -e
kill "$CH_PID" 2>/dev/null || true
wait "$CH_PID" 2>/dev/null || true
CH_PID=""
alive=yes
kill -0 "$HS_PID" 2>/dev/null || alive=no
RSS1=$(rss_of "$HS_PID")
read -r PG1 NPG1 <<<"$(pg_rss)"
V1=$(version)
nchanges=$(grep -c 'rows into hs.case_month' "$WORK/changes.log" 2>/dev/null || true)
failed_changes=$(grep -c FAILED "$WORK/changes.log" 2>/dev/null || true)

ok=0 d503=0 other=0 others=""
while read -r _ code n; do
  case $code in
  200 | 304) ok=$((ok + n)) ;;
  503) d503=$((d503 + n)) ;;
  *) other=$((other + n)); others="$others $code:$n" ;;
  esac
done < <(grep '^soak-status ' "$WORK/wrk.out")
sock=$(sed -n 's/^soak-errors //p' "$WORK/wrk.out")
lat=$(sed -n 's/^soak-latency //p' "$WORK/wrk.out")
rps=$(sed -n 's/^Requests\/sec: *//p' "$WORK/wrk.out")
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/wrk.out")
sockerr=$(sed -n 's/^soak-errors //p' "$WORK/wrk.out" | tr ' ' '\n' | awk -F= '{ s += $2 } END { print s + 0 }')

{
  echo "# Soak ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, bench/soak.lua mix, server --threads $HS_THREADS, data change every ${CHANGE_EVERY}s"
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| requests | $total ($rps req/s) |"
  echo "| 200/304 | $ok |"
  echo "| deliberate 503 | $d503 |"
  echo "| other statuses (errors) | $other${others:+ ($others )} |"
  echo "| socket errors / timeouts | $sock |"
  echo "| latency | $lat |"
  echo "| data changes made / failed | $nchanges / $failed_changes |"
  echo "| data version seen by the server | $V0 -> $V1 |"
  echo "| server RSS start -> end (KiB) | $RSS0 -> $RSS1 |"
  echo "| PostgreSQL backends RSS start -> end (KiB, sum) | $PG0 ($NPG0 backends) -> $PG1 ($NPG1 backends) |"
  echo "| RSS each minute, server / PostgreSQL backends (KiB) | $(awk '{ printf("%s%s / %s", (NR > 1 ? ", " : ""), $1, $2) }' "$WORK/rss.log" 2>/dev/null) |"
  echo "| server alive at the end | $alive |"
} | tee "$OUT/soak.md"

[ "$WRK_RC" = 0 ] || { cat "$WORK/wrk.out"; hs_die "wrk failed"; }
if [ "$other" != 0 ] || [ "$sockerr" != 0 ] || [ "$alive" != yes ] || [ "${failed_changes:-0}" != 0 ]; then
  echo "soak: FAILED"
  exit 1
fi
echo "soak: ok"
