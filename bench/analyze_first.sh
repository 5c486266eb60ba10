#!/usr/bin/env bash
# Time of the FIRST /api/analyze answer after a data change (issue 11: under 100 ms on
# the demo communes). See docs/benchmarks.md.
#
#   bash bench/analyze_first.sh                 # ROUNDS=7 changes
#   HOTSPOT_BIN=$PWD/build-rel/hotspot ROUNDS=11 bash bench/analyze_first.sh
#
# A throwaway cluster gets the demo (`hotspot db demo`, 3,297 communes, 70 months);
# `hotspot serve` runs on 127.0.0.1 with a planner token. Each round changes one
# commune's cases in the last month with psql (UPDATE hs.case_month: the trigger
# bumps hs.data_version and sends NOTIFY hs_data_changed), waits until the server's
# /readyz reports the new version (the NOTIFY path, server/db/hs_dbwatch), then times
# GET /api/analyze (default query: communes, last 12 months, eb_rate, Gi* and LISA with
# 999 permutations, CSV) with curl's time_total, then the same request again (a cache
# hit). The change alternates +1/-1 so the data stays the demo's. Every round is
# printed; the script writes bench/results/analyze_first.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
ROUNDS=${ROUNDS:-7}
QUERY=${QUERY:-/api/analyze}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"

hs_bench_setup af
hs_bench_token
printf 'header = "%s"\n' "$AUTH" >"$WORK/.curlrc"
export CURL_HOME=$WORK
psql_q() { hs_bench_psql "$1"; }
hs_bench_serve --quiet
U=$HS_URL

# GET -> "seconds http_code" (body to a file, checked for rows).
get() {
  curl -s -o "$WORK/body" -w '%{time_total} %{http_code}' "$U$1"
}
served_version() { curl -s "$U/readyz" | sed -n 's/.*"data_version": *\([0-9]*\).*/\1/p'; }
# CPU milliseconds the server process has used (all threads, user + system), from
# /proc: the machine is shared, so wall time alone says little. Resolution 1 tick.
TICK=$(getconf CLK_TCK)
server_cpu_ms() { awk -v t="$TICK" '{print ($14 + $15) * 1000 / t}' "/proc/$HS_PID/stat"; }

# The very first request of the process (cold: nothing cached anywhere).
read -r cold code <<<"$(get "$QUERY")"
[ "$code" = 200 ] || hs_die "GET $QUERY answered $code: $(head -c 300 "$WORK/body")"
rows=$(($(wc -l <"$WORK/body") - 1))

UNIT=$(psql_q "SELECT min(unit_code) FROM hs.case_month WHERE period = (SELECT max(period) FROM hs.case_month)")
MD="$OUT/analyze_first.md"
{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "GET $QUERY ($rows rows); process's first request (cold): $(awk -v t="$cold" 'BEGIN{printf "%.1f", t*1000}') ms"
  echo
  echo "| round | data version | wait for NOTIFY ms | first answer ms | server CPU ms | second (cached) ms |"
  echo "| --- | --- | --- | --- | --- | --- |"
} >"$MD"
firsts="" cpus=""
for r in $(seq 1 "$ROUNDS"); do
  d=$((r % 2 == 1 ? 1 : -1))
  t0=$(date +%s%N)
  v=$(psql_q "UPDATE hs.case_month SET cases = cases + ($d) WHERE unit_code = '$UNIT' AND period = (SELECT max(period) FROM hs.case_month); SELECT version FROM hs.data_version")
  v=$(tail -1 <<<"$v")
  for _ in $(seq 1 500); do
    [ "$(served_version)" = "$v" ] && break
    sleep 0.01
  done
  [ "$(served_version)" = "$v" ] || hs_die "the server never reported data version $v"
  t1=$(date +%s%N)
  c0=$(server_cpu_ms)
  read -r first code <<<"$(get "$QUERY")"
  c1=$(server_cpu_ms)
  [ "$code" = 200 ] || hs_die "GET $QUERY answered $code after the change"
  read -r second _ <<<"$(get "$QUERY")"
  wait_ms=$(( (t1 - t0) / 1000000 ))
  f=$(awk -v t="$first" 'BEGIN{printf "%.1f", t*1000}')
  s=$(awk -v t="$second" 'BEGIN{printf "%.2f", t*1000}')
  cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.0f", b - a}')
  echo "| $r | $v | $wait_ms | $f | $cpu | $s |" >>"$MD"
  firsts+="$f"$'\n'
  cpus+="$cpu"$'\n'
done
med=$(sort -g <<<"${firsts%$'\n'}" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
best=$(sort -g <<<"${firsts%$'\n'}" | head -1)
worst=$(sort -g <<<"${firsts%$'\n'}" | tail -1)
cmed=$(sort -g <<<"${cpus%$'\n'}" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
{
  echo
  echo "First answer after a change: median **$med ms** (best $best, worst $worst) over $ROUNDS changes;" \
       "median server CPU $cmed ms (PostgreSQL's share not included); goal < 100 ms."
} >>"$MD"
cat "$MD"
