# The prologue the bench scripts share: a Release `hotspot`, a throwaway PostgreSQL
# cluster with the synthetic demo, a planner token, `hotspot serve` on a free loopback
# port, and one cleanup trap that removes all of it. Source it; do not run it.
#
#   source "$ROOT/bench/lib.sh"
#   hs_bench_hotspot_bin            # HOTSPOT_BIN: given, or built in build-bench
#   hs_bench_setup soak             # WORK, PGDIR, trap; cluster + migrate + demo: HOTSPOT_DB
#   hs_bench_token                  # TOKEN (planner), AUTH (its header)
#   hs_bench_serve --threads 2 --quiet   # HS_PID, HS_PORT, HS_URL; log in $WORK/hotspot.log
#   some_tool & hs_bench_track $!   # also stopped by the trap
#
# Used by bench/soak.sh, bench/cached_vs_nginx.sh and bench/analyze_first.sh.
# bench/knn_lisa.sh needs none of it (no database, no server); bench/spdep_compare.sh
# keeps its own cluster, which holds two databases (the demo and the 103x103 grid).
# shellcheck shell=bash
# shellcheck disable=SC2034 # WORK, HS_URL, TOKEN, AUTH... are set for the sourcing script

# shellcheck source=../scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib.sh"

HS_BENCH_BUILD=${HS_BENCH_BUILD:-$HS_ROOT/build-bench}
WORK="" PGDIR="" HS_PID="" HS_PORT="" HS_URL="" TOKEN="" AUTH=""
HS_BENCH_PIDS=()

# HOTSPOT_BIN: the caller's, else `hotspot` built Release in HS_BENCH_BUILD (benchmarks
# of a Debug or sanitizer build would measure the instrumentation).
hs_bench_hotspot_bin() {
  [[ -n ${HOTSPOT_BIN:-} ]] && return 0
  cmake -S "$HS_ROOT" -B "$HS_BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
    hs_die "cmake configure failed (build dir $HS_BENCH_BUILD)"
  cmake --build "$HS_BENCH_BUILD" --target hotspot -j2 >/dev/null ||
    hs_die "build of hotspot failed (build dir $HS_BENCH_BUILD)"
  HOTSPOT_BIN="$HS_BENCH_BUILD/hotspot"
}

# Stops what hs_bench_track and hs_bench_serve started, then the cluster, then WORK.
# Every step may fail (a process already gone) without skipping the rest: under
# set -e a failing kill once left a soak's cluster behind.
hs_bench_cleanup() {
  local p
  for p in "${HS_BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $HS_PID ]]; then
    kill "$HS_PID" 2>/dev/null || true
    wait "$HS_PID" 2>/dev/null || true
  fi
  hs_tmp_cluster_stop "$PGDIR" || true
  [[ -n $WORK ]] && rm -rf -- "$WORK"
  return 0
}

# hs_bench_track PID: stop PID at exit too. hs_bench_untrack PID: it was stopped.
hs_bench_track() { HS_BENCH_PIDS+=("$1"); }
hs_bench_untrack() {
  local p keep=()
  for p in "${HS_BENCH_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  HS_BENCH_PIDS=("${keep[@]}")
}

# hs_bench_setup NAME: WORK and PGDIR (mktemp, named after NAME), the cleanup trap (also
# on INT and TERM, so a killed benchmark leaves nothing), a throwaway cluster with
# `hotspot db migrate` and `hotspot db demo`. Exports HOTSPOT_DB (so every later
# `hotspot` command and hs_bench_psql reach it) and unsets HOTSPOT_HOME.
hs_bench_setup() {
  local name=$1
  [[ -n ${HOTSPOT_BIN:-} ]] || hs_bench_hotspot_bin
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-$name.XXXXXX")
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-$name-pg.XXXXXX")
  trap hs_bench_cleanup EXIT
  trap 'exit 143' INT TERM
  hs_tmp_cluster_start "$PGDIR"
  export HOTSPOT_DB="host=$PGDIR user=hotspot dbname=postgres"
  unset HOTSPOT_HOME
  "$HOTSPOT_BIN" db migrate >/dev/null || hs_die "hotspot db migrate failed"
  "$HOTSPOT_BIN" db demo >/dev/null || hs_die "hotspot db demo failed"
}

# hs_bench_psql SQL: one statement on the bench cluster, unaligned, no headers.
hs_bench_psql() { "$HS_PG_BINDIR/psql" "$HOTSPOT_DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

# hs_bench_token [NOTE]: a planner token (tiles, maps and analyses are not public).
hs_bench_token() {
  TOKEN=$("$HOTSPOT_BIN" token create --role planner --note "${1:-bench}" 2>/dev/null) ||
    hs_die "hotspot token create failed"
  AUTH="Authorization: Bearer $TOKEN"
}

# hs_bench_serve [ARGS...]: `hotspot serve --listen 127.0.0.1:0 ARGS` in the background,
# stderr to $WORK/hotspot.log; waits (up to 60 s: the first start loads the unit
# geometry) for its "listening on" line. Sets HS_PID, HS_PORT and HS_URL.
hs_bench_serve() {
  "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 "$@" 2>"$WORK/hotspot.log" &
  HS_PID=$!
  HS_PORT=""
  for _ in $(seq 1 600); do
    HS_PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/hotspot.log")
    [[ -n $HS_PORT ]] && break
    kill -0 "$HS_PID" 2>/dev/null || { cat "$WORK/hotspot.log" >&2; hs_die "hotspot serve exited"; }
    sleep 0.1
  done
  [[ -n $HS_PORT ]] || hs_die "hotspot serve did not start in 60 s (log: $WORK/hotspot.log)"
  HS_URL="http://127.0.0.1:$HS_PORT"
}
