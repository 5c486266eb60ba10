#!/usr/bin/env bash
# Soak: `hotspot serve` under wrk at 64 connections for DURATION seconds (default 600)
# on loopback, with a mixed load (bench/soak.lua: cached tiles, uncached tiles z5-z10,
# API calls over random windows, maps) and a real data change every minute
# (`hotspot import cases` of one row, whose NOTIFY makes the server drop its caches).
# Reports the answers by status, wrk's socket errors and timeouts, latency, the data
# versions the server saw, and ONE ROW A MINUTE of memory: the server's RSS, its
# response cache's bytes (from /metrics) and RSS minus those, the PostgreSQL backends'
# PSS and Private_Dirty (sum and max, from /proc/PID/smaps_rollup: their RSS counts
# the shared buffers they touched, which is not theirs), requests and errors so far.
# See docs/reliability.md.
#
#   bash bench/soak.sh                  # 10 minutes
#   DURATION=900 bash bench/soak.sh     # 15 minutes
#   DURATION=120 bash bench/soak.sh     # a short check (no flatness verdict)
#   CONNS=64 THREADS=2 HS_THREADS=2 HOTSPOT_BIN=build-bench/hotspot bash bench/soak.sh
#
# Flatness: "after warm-up" is the row FLAT_WINDOW seconds (default 300) before the
# end; memory is flat when the server RSS and the backends' PSS and Private_Dirty sums each
# grew less than FLAT_PCT percent (default 5)
# from there to the end. Runs shorter than 2 x FLAT_WINDOW give no verdict.
# PROBE=1 (default): after the load, the server's glibc heap (malloc_stats through
# gdb, then malloc_trim(0) and its RSS again: how much of the RSS is freed memory
# glibc kept) and every backend's memory contexts (pg_log_backend_memory_contexts).
#
# Exit status 1 when any answer was neither 200 nor a deliberate 503, or wrk saw a
# socket error or timeout, or the server died, or memory was not flat.
# Writes bench/results/soak.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-600}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
HS_THREADS=${HS_THREADS:-$(nproc)}
CHANGE_EVERY=${CHANGE_EVERY:-60}
SAMPLE_EVERY=${SAMPLE_EVERY:-60}
FLAT_WINDOW=${FLAT_WINDOW:-300}
FLAT_PCT=${FLAT_PCT:-5}
PROBE=${PROBE:-1}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
command -v wrk >/dev/null || hs_die "wrk is missing (scripts/test installs HS_TEST_PACKAGES)"

hs_bench_setup soak
hs_bench_token soak
q() { hs_bench_psql "$1"; }
FIRST=$(q "SELECT to_char(min(period), 'YYYY-MM') FROM hs.case_month")
LAST=$(q "SELECT to_char(max(period), 'YYYY-MM') FROM hs.case_month")
UNIT=$(q "SELECT code FROM hs.unit WHERE level = 'commune' ORDER BY code LIMIT 1")
hs_bench_serve --threads "$HS_THREADS" --quiet
U=$HS_URL

# Memory in KiB. smaps_rollup sums every mapping; a backend's shared buffers are in
# its Rss but split among the processes sharing them in Pss, and absent from
# Private_Dirty (its own heap: memory contexts, catalog and plan caches, work_mem).
kib() { awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "$1" 2>/dev/null || echo 0; }
# Every client backend of the database but this script's own (the server's pool,
# its LISTEN session, the audit and token writers).
pg_pids() {
  q "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
     AND backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid"
}
# metric NAME: its value in the last /metrics answer, 0 when absent (one field a column).
metric() { awk -v m="$1" '$1 == m { v = $2 } END { print v == "" ? 0 : v }' "$WORK/metrics"; }
version() { curl -s --max-time 20 "$U/readyz" | sed -n 's/.*"data_version":\([0-9]*\).*/\1/p'; }

# sample T: one row of $WORK/rows (all KiB but cache bytes):
# t rss anon cache_bytes cache_entries n_pg pg_rss pg_pss pg_pss_max pg_pd pg_pd_max
# requests errors load1 version
sample() {
  local t=$1 rss anon p n=0 r s d srss=0 spss=0 mpss=0 spd=0 mpd=0 req err ver
  rss=$(kib "/proc/$HS_PID/status" VmRSS)
  anon=$(kib "/proc/$HS_PID/status" RssAnon)
  for p in $(pg_pids); do
    r=$(kib "/proc/$p/smaps_rollup" Rss)
    s=$(kib "/proc/$p/smaps_rollup" Pss)
    d=$(kib "/proc/$p/smaps_rollup" Private_Dirty)
    n=$((n + 1)) srss=$((srss + r)) spss=$((spss + s)) spd=$((spd + d))
    if ((s > mpss)); then mpss=$s; fi
    if ((d > mpd)); then mpd=$d; fi
  done
  curl -s --max-time 20 -H "$AUTH" -o "$WORK/metrics" "$U/metrics" || : >"$WORK/metrics"
  # Requests and answers other than 200, 304 and 503 the server counted so far.
  read -r req err < <(awk '/^hotspot_http_requests_total\{/ {
      st = $1; sub(/.*status="/, "", st); sub(/".*/, "", st); r += $2
      if (st != "200" && st != "304" && st != "503") e += $2 }
    END { print r + 0, e + 0 }' "$WORK/metrics")
  ver=$(metric hotspot_data_version)
  [ "$ver" != 0 ] || ver="?"
  echo "$t $rss $anon $(metric hotspot_cache_bytes) $(metric hotspot_cache_entries) $n $srss $spss $mpss" \
    "$spd $mpd $req  $err $(cut -d' ' -f1 /proc/loadavg) $ver" >>"$WORK/rows"
}

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
# Warm-up: the first requests of every worker create its DB connection and contexts.
SOAK_TOKEN=$TOKEN SOAK_FIRST=$FIRST SOAK_LAST=$LAST wrk -t"$THREADS" -c"$CONNS" -d10s --timeout 60s \
  -s "$ROOT/bench/soak.lua" "$U" >/dev/null
V0=$(version)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# A data change every CHANGE_EVERY seconds, half a period out of phase with the
# samples so every row sees a cache refilled for the same time: one row, a different
# value each time.
(
  i=0
  sleep $((CHANGE_EVERY / 2))
  while :; do
    i=$((i + 1))
    printf 'unit_code,period,cases,victims,suspects\n%s,%s,%d,1,1\n' "$UNIT" "$LAST" $((i % 7 + 1)) \
      >"$WORK/change.csv"
    "$HOTSPOT_BIN" import cases "$WORK/change.csv" >>"$WORK/changes.log" 2>&1 ||
      echo "data change $i FAILED" >>"$WORK/changes.log"
    sleep "$CHANGE_EVERY"
  done
) &
CH_PID=$!
hs_bench_track "$CH_PID"

echo "soak: wrk -t$THREADS -c$CONNS -d${DURATION}s on $U, server threads $HS_THREADS," \
  "data change every ${CHANGE_EVERY}s, load average $LOAD0"
SOAK_TOKEN=$TOKEN SOAK_FIRST=$FIRST SOAK_LAST=$LAST wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
  --timeout 60s --latency -s "$ROOT/bench/soak.lua" "$U" >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
hs_bench_track "$WRK_PID"
T0=$(date +%s)
sample 0
next=$SAMPLE_EVERY
while kill -0 "$WRK_PID" 2>/dev/null; do
  sleep 1
  now=$(($(date +%s) - T0))
  if ((now >= next && now < DURATION)); then
    sample "$next"
    printf 'soak: t=%ss %s\n' "$next" "$(tail -1 "$WORK/rows")"
    next=$((next + SAMPLE_EVERY))
  fi
done
set +e
wait "$WRK_PID"
WRK_RC=$?
set -e
hs_bench_untrack "$WRK_PID"
kill "$CH_PID" 2>/dev/null || true
wait "$CH_PID" 2>/dev/null || true
hs_bench_untrack "$CH_PID"
alive=yes
kill -0 "$HS_PID" 2>/dev/null || alive=no
sample $(($(date +%s) - T0))
# The server's own count by status at the end (wrk's counts above are the verdict:
# the server also counts answers to requests wrk abandoned when its runs ended).
srv_status=$(awk '/^hotspot_http_requests_total\{/ { st = $1; sub(/.*status="/, "", st)
    sub(/".*/, "", st); n[st] += $2 }
  END { for (k in n) if (n[k]) printf("%s%s:%d", (c++ ? " " : ""), k, n[k]) }' "$WORK/metrics")
V1=$(version)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
nchanges=$(grep -c 'rows into hs.case_month' "$WORK/changes.log" 2>/dev/null || true)
failed_changes=$(grep -c FAILED "$WORK/changes.log" 2>/dev/null || true)

# Probes, after the load (they stop the server for a moment).
heap="" trim="" pgctx=""
if [ "$PROBE" = 1 ] && [ "$alive" = yes ]; then
  if command -v gdb >/dev/null; then
    before=$(kib "/proc/$HS_PID/status" VmRSS)
    : >"$WORK/gdb.log"
    gdb -p "$HS_PID" -batch -ex 'call (void)malloc_stats()' -ex 'call (int)malloc_trim(0)' \
      >>"$WORK/gdb.log" 2>&1 || true
    after=$(kib "/proc/$HS_PID/status" VmRSS)
    # malloc_stats prints every arena then "Total (incl. mmap):" to the server's stderr.
    heap=$(awk '/^Total \(incl. mmap\):/ { t = 1; next } t && /system bytes/ { s = $4 }
      t && /in use bytes/ { u = $5; t = 0 } /^Arena [0-9]+:/ { a++ }
      END { if (s) printf("%d arenas, %.0f MB obtained from the system, %.0f MB in use", a, s / 1048576, u / 1048576) }' \
      "$WORK/hotspot.log")
    trim="$((before / 1024)) MB -> $((after / 1024)) MB"
  else
    heap="gdb missing"
  fi
  for p in $(pg_pids); do q "SELECT pg_log_backend_memory_contexts($p)" >/dev/null || true; done
  sleep 2
  # "Grand total: N bytes in B blocks; ..." per backend ([pid] in the log prefix).
  pgctx=$(awk '/Grand total:/ { for (i = 1; i <= NF; i++) if ($i == "total:") { v = $(i + 1) / 1048576
      n++; s += v; if (v > m) m = v } }
    /CacheMemoryContext:/ { for (i = 1; i <= NF; i++) if ($i == "CacheMemoryContext:") {
      c = $(i + 1) / 1048576; if (c > cm) cm = c } }
    END { if (n) printf("%d backends, %.1f MB in all, largest %.1f MB (CacheMemoryContext at most %.1f MB)", n, s, m, cm) }' \
    "$PGDIR/log")
fi

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

# The verdict: growth from the row FLAT_WINDOW before the end to the end.
# Columns of rows: 1 t, 2 rss, 3 anon, 4 cache bytes, 6 n_pg, 8 pg_pss, 10 pg_pd.
# RSS - cache is shown but not judged: glibc keeps what a purge freed until it is
# reused or trimmed, so it swings with the phase of the purges, not with a leak.
verdict=$(awk -v w="$FLAT_WINDOW" -v pct="$FLAT_PCT" '
  { t[NR] = $1; rss[NR] = $2; pss[NR] = $8; pd[NR] = $10 }
  END {
    e = NR
    if (t[e] < 2 * w) { print "none (run shorter than 2 x FLAT_WINDOW)"; exit }
    for (i = e; i >= 1; i--) if (t[i] <= t[e] - w) { a = i; break }
    split("server RSS|PG backends PSS (sum)|PG backends Private_Dirty (sum)", name, "|")
    flat = 1; out = ""
    for (k = 1; k <= 3; k++) {
      x0 = (k == 1 ? rss[a] : k == 2 ? pss[a] : pd[a])
      x1 = (k == 1 ? rss[e] : k == 2 ? pss[e] : pd[e])
      g = x0 > 0 ? (x1 - x0) * 100 / x0 : 0
      if (g >= pct) flat = 0
      out = out sprintf("%s%s %+.1f%%", (k > 1 ? "; " : ""), name[k], g)
    }
    printf("%s (t=%ds -> t=%ds: %s; criterion: each < +%s%%)\n", flat ? "flat" : "NOT flat",
           t[a], t[e], out, pct)
  }' "$WORK/rows")

mb() { awk -v k="$1" 'BEGIN { printf("%.0f", k / 1024) }'; }
{
  echo "# Soak ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, bench/soak.lua mix, server --threads $HS_THREADS," \
    "data change every ${CHANGE_EVERY}s; $(nproc) cores, load average at start $LOAD0, at end $LOAD1"
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| requests | $total ($rps req/s) |"
  echo "| 200/304 | $ok |"
  echo "| deliberate 503 | $d503 |"
  echo "| other statuses (errors) | $other${others:+ ($others )} |"
  echo "| socket errors / timeouts | $sock |"
  echo "| the server's /metrics count by status (preflight and warm-up included) | $srv_status |"
  echo "| latency | $lat |"
  echo "| data changes made / failed | $nchanges / $failed_changes |"
  echo "| data version seen by the server | $V0 -> $V1 |"
  echo "| memory: start -> after warm-up -> end | see the table below |"
  echo "| memory flat? | $verdict |"
  [ -n "$heap" ] && echo "| server glibc heap at the end | $heap |"
  [ -n "$trim" ] && echo "| server RSS before -> after malloc_trim(0) | $trim |"
  [ -n "$pgctx" ] && echo "| PG backends' memory contexts at the end | $pgctx |"
  echo "| server alive at the end | $alive |"
  echo
  echo "Memory once a minute (MB; PG = the database's client backends; requests and errors as counted by the server's /metrics):"
  echo
  echo "| t s | server RSS | cache | RSS - cache | PG n | PG RSS sum | PG PSS sum | PG PSS max | PG Private_Dirty sum | PG Private_Dirty max | requests | errors | load1 | data version |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  while read -r t rss _ cb _ n prss pss mpss pd mpd req err load ver; do
    echo "| $t | $(mb "$rss") | $(mb $((${cb:-0} / 1024))) | $(mb $((rss - ${cb:-0} / 1024))) | $n | $(mb "$prss")" \
      "| $(mb "$pss") | $(mb "$mpss") | $(mb "$pd") | $(mb "$mpd") | $req | $err | $load | $ver |"
  done <"$WORK/rows"
} | tee "$OUT/soak.md"

[ "$WRK_RC" = 0 ] || { cat "$WORK/wrk.out"; hs_die "wrk failed"; }
if [ "$other" != 0 ] || [ "$sockerr" != 0 ] || [ "$alive" != yes ] || [ "${failed_changes:-0}" != 0 ]; then
  echo "soak: FAILED"
  exit 1
fi
case $verdict in
"NOT flat"*) echo "soak: FAILED (memory not flat)"; exit 1 ;;
esac
echo "soak: ok"
