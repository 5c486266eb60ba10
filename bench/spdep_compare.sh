#!/usr/bin/env bash
# Side-by-side timing of Hotspot138's Gi* + local Moran against R spdep 1.2-7
# (localG_perm + localmoran_perm, serial), 999 permutations, on queen grids 27x27,
# 103x103 and 317x317 and on the demo communes, in ONE run on the same machine.
# See docs/benchmarks.md.
#
#   bash bench/spdep_compare.sh            # spdep skipped at 317x317 (takes minutes)
#   SPDEP_317_PERMS=99 bash bench/spdep_compare.sh
#                                           # spdep at 317x317 with 99 permutations,
#                                           # extrapolated linearly to 999 (labelled)
#   SIDES="27 103" REPEAT=3 DEMO=0 bash bench/spdep_compare.sh
#   SIDES=103 DEMO=0 bash bench/spdep_compare.sh   # the whole-process row alone (+ 103)
#
# DEMO=1 (default) adds the demo communes row: a throwaway PostgreSQL cluster is
# started, `hotspot db migrate && hotspot db demo` loads the synthetic demo, and the
# commune adjacency (hs.unit_adjacency) and each commune's total cases (hs.case_month,
# all months) are exported to CSV with psql; both sides then read those files. The
# cluster is removed at exit. HOTSPOT_BIN may name an existing hotspot binary.
#
# WHOLE=1 (default) adds the whole-process row (issue 11): the 103x103 queen grid is
# loaded into PostGIS as square communes (bench/grid_load.sql: 10,609 units, 24 months
# of counts; adjacency by hs.refresh_derived), then `hotspot analyze --out FILE`
# (PostGIS -> Gi* and LISA with 999 permutations, global Moran, trend, risk -> CSV,
# the process from exec to exit) is timed WHOLE_RUNS times against spdep's
# statistics-only time at n = 10,609 from the same run. The first run after the
# import (nothing cached) is shown apart from the best and median of the rest.
# BASE_BIN=/path/to/older/hotspot adds a row for that binary, its runs interleaved with
# HOTSPOT_BIN's in the same minutes (old versus new on a shared machine); both files
# it writes are compared byte for byte.
#
# Installs r-base-core and r-cran-spdep with apt-get when missing (tests never need R).
# Writes bench/results/spdep_compare.md (gitignored) and prints it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIDES=${SIDES:-"27 103 317"}
PERMS=999
REPEAT=${REPEAT:-1}
SPDEP_317_PERMS=${SPDEP_317_PERMS:-0}
DEMO=${DEMO:-1}
WHOLE=${WHOLE:-1}
WHOLE_RUNS=${WHOLE_RUNS:-7}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"

if ! Rscript -e 'quit(status = !requireNamespace("spdep", quietly = TRUE))' >/dev/null 2>&1; then
  echo "spdep_compare: installing r-base-core r-cran-spdep" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    r-base-core r-cran-spdep >/dev/null
fi

BUILD="$ROOT/build-bench"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$BUILD" bench_analysis -j2 >/dev/null
BENCH="$BUILD/bench/bench_analysis"

# spdep timing: elapsed and CPU (user + system) of localG_perm + localmoran_perm.
# Arguments: "grid" side nsim, or "csv" values.csv pairs.csv nsim (bench_analysis's
# --values/--pairs format: 0-based pairs, isolated units allowed).
r_time() {
  Rscript --vanilla - "$@" <<'RS'
suppressMessages(library(spdep))
a <- commandArgs(TRUE)
set.seed(1)
if (a[1] == "grid") {
  side <- as.integer(a[2]); nsim <- as.integer(a[3])
  nb <- cell2nb(side, side, type = "queen")
  x <- rnorm(side * side, 20, 5)
} else {
  x <- read.csv(a[2])$x; p <- read.csv(a[3]); nsim <- as.integer(a[4]); n <- length(x)
  from <- c(p$a, p$b) + 1L; to <- c(p$b, p$a) + 1L
  nb <- lapply(split(to, factor(from, levels = seq_len(n))),
               function(v) if (length(v)) sort(unique(as.integer(v))) else 0L)
  names(nb) <- NULL
  class(nb) <- "nb"; attr(nb, "region.id") <- as.character(seq_len(n)); attr(nb, "sym") <- TRUE
}
lwB <- nb2listw(include.self(nb), style = "B", zero.policy = TRUE)
lwW <- nb2listw(nb, style = "W", zero.policy = TRUE)
t1 <- system.time(g <- localG_perm(x, lwB, nsim = nsim, zero.policy = TRUE, iseed = 1))
t2 <- system.time(l <- localmoran_perm(x, lwW, nsim = nsim, mlvar = FALSE, zero.policy = TRUE,
                                       iseed = 1))
cat(sprintf("%.3f,%.3f,%.3f,%.3f\n", t1[["elapsed"]], t1[["user.self"]] + t1[["sys.self"]],
            t2[["elapsed"]], t2[["user.self"]] + t2[["sys.self"]]))
RS
}

MD="$OUT/spdep_compare.md"
{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "spdep $(Rscript -e 'cat(as.character(packageVersion("spdep")))'), R $(Rscript -e 'cat(R.version$major, R.version$minor, sep=".")')"
  echo
  echo "| n | spdep localG_perm s (cpu) | spdep localmoran_perm s (cpu) | spdep total s (cpu) | ours 1 thread s (cpu) | ours 2 threads s (cpu) | ratio wall (2 thr) | ratio cpu (1 thr) |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$MD"

# row LABEL "R_RESULT" BENCH_ARGS...: times our side and writes one table row.
row() {
  local label=$1 rt=$2
  shift 2
  local o1 o2 w1 c1 w2 c2
  o1=$("$BENCH" "$@" --perms $PERMS --threads 1 --repeat "$REPEAT")
  o2=$("$BENCH" "$@" --perms $PERMS --threads 2 --repeat "$REPEAT")
  w1=$(echo "$o1" | cut -d, -f6); c1=$(echo "$o1" | cut -d, -f7)
  w2=$(echo "$o2" | cut -d, -f6); c2=$(echo "$o2" | cut -d, -f7)
  if [ -n "$rt" ]; then
    IFS=, read -r ge gc le lc <<<"$rt"
    tw=$(awk -v a="$ge" -v b="$le" 'BEGIN{printf "%.3f", a+b}')
    tc=$(awk -v a="$gc" -v b="$lc" 'BEGIN{printf "%.3f", a+b}')
    rw=$(awk -v a="$tw" -v b="$w2" 'BEGIN{printf "%.0fx", a/b}')
    rc=$(awk -v a="$tc" -v b="$c1" 'BEGIN{printf "%.0fx", a/b}')
    echo "| $label | $ge ($gc) | $le ($lc) | $tw ($tc) | $w1 ($c1) | $w2 ($c2) | $rw | $rc |" >> "$MD"
  else
    echo "| $label | skipped | skipped | skipped (set SPDEP_317_PERMS) | $w1 ($c1) | $w2 ($c2) | - | - |" >> "$MD"
  fi
}

for s in $SIDES; do
  n=$((s * s))
  label="$n ($s×$s grid)"
  if [ "$s" -ge 300 ]; then
    if [ "$SPDEP_317_PERMS" -gt 0 ]; then
      rt=$(r_time grid "$s" "$SPDEP_317_PERMS")
      f=$(awk -v p="$SPDEP_317_PERMS" 'BEGIN{print 999/p}')
      rt=$(echo "$rt" | awk -F, -v f="$f" '{printf "%.3f,%.3f,%.3f,%.3f", $1*f, $2*f, $3*f, $4*f}')
      label="$label (spdep run at $SPDEP_317_PERMS perms, x$(printf %.2f "$f") extrapolated)"
    else
      rt=""
    fi
  else
    rt=$(r_time grid "$s" $PERMS)
  fi
  [ "$s" = 103 ] && RT103=$rt
  row "$label" "$rt" --side "$s"
done

if [ "$DEMO" = 1 ] || [ "$WHOLE" = 1 ]; then
  # shellcheck source=../scripts/lib.sh
  source "$ROOT/scripts/lib.sh"
  HOTSPOT_BIN=${HOTSPOT_BIN:-$BUILD/hotspot}
  [ -x "$HOTSPOT_BIN" ] || make -C "$BUILD" hotspot -j2 >/dev/null
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-bench.XXXXXX")
  trap 'hs_tmp_cluster_stop "$PGDIR"' EXIT
  hs_tmp_cluster_start "$PGDIR"
fi

if [ "$DEMO" = 1 ]; then
  "$HS_PG_BINDIR/psql" -h "$PGDIR" -U hotspot -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE hotspot_bench" >/dev/null
  DB="host=$PGDIR user=hotspot dbname=hotspot_bench"
  "$HOTSPOT_BIN" --db "$DB" db migrate >/dev/null
  "$HOTSPOT_BIN" --db "$DB" db demo >/dev/null
  # unit i = the i-th commune by code; x = its cases over all months
  (cd "$PGDIR" && "$HS_PG_BINDIR/psql" -h "$PGDIR" -U hotspot -d hotspot_bench -qAt \
    -v ON_ERROR_STOP=1 <<'SQL'
CREATE TEMP VIEW cu AS
  SELECT code, (row_number() OVER (ORDER BY code) - 1)::int AS idx FROM hs.unit WHERE level = 'commune';
\copy (SELECT coalesce(sum(c.cases), 0) AS x FROM cu LEFT JOIN hs.case_month c ON c.unit_code = cu.code GROUP BY cu.idx ORDER BY cu.idx) TO 'values.csv' WITH (FORMAT csv, HEADER)
\copy (SELECT ia.idx AS a, ib.idx AS b FROM hs.unit_adjacency j JOIN cu ia ON ia.code = j.a JOIN cu ib ON ib.code = j.b WHERE ia.idx < ib.idx ORDER BY 1, 2) TO 'pairs.csv' WITH (FORMAT csv, HEADER)
SQL
  )
  n=$(($(wc -l < "$PGDIR/values.csv") - 1))
  rt=$(r_time csv "$PGDIR/values.csv" "$PGDIR/pairs.csv" $PERMS)
  row "$n (demo communes, total cases)" "$rt" --values "$PGDIR/values.csv" --pairs "$PGDIR/pairs.csv"
fi

if [ "$WHOLE" = 1 ]; then
  [ -n "${RT103:-}" ] || RT103=$(r_time grid 103 $PERMS)
  "$HS_PG_BINDIR/psql" -h "$PGDIR" -U hotspot -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE hotspot_grid" >/dev/null
  GDB="host=$PGDIR user=hotspot dbname=hotspot_grid"
  "$HOTSPOT_BIN" --db "$GDB" db migrate >/dev/null
  "$HS_PG_BINDIR/psql" -h "$PGDIR" -U hotspot -d hotspot_grid -qX -v side=103 -v months=24 \
    -f "$ROOT/bench/grid_load.sql" >/dev/null
  # whole THREADS: "wall cpu" of one `hotspot analyze` process (cpu = its user + system;
  # the PostgreSQL backend's share is not in it, the wall time is).
  whole() { # THREADS [BINARY [OUTPUT]]
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -o "$PGDIR/time.out" -f '%U %S' "${2:-$HOTSPOT_BIN}" --db "$GDB" analyze \
      --threads "$1" --out "$PGDIR/${3:-grid.csv}" 2>"$PGDIR/whole.err" >/dev/null ||
      { cat "$PGDIR/whole.err" >&2; hs_die "hotspot analyze failed on the grid"; }
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" -v c="$(tail -1 "$PGDIR/time.out")" \
      'BEGIN{split(c, u, " "); printf "%.4f %.4f\n", (b-a)/1e9, u[1]+u[2]}'
  }
  [ -x /usr/bin/time ] || hs_die "/usr/bin/time is missing (Debian package time)"
  first=$(whole 2)
  rows=$(($(wc -l <"$PGDIR/grid.csv") - 1))
  [ "$rows" = 10609 ] || hs_die "hotspot analyze wrote $rows rows, expected 10609"
  stats() { # lines "wall cpu" on stdin -> "best_wall median_wall cpu_of_best"
    sort -g | awk '{w[NR]=$1; c[NR]=$2} END{printf "%.4f %.4f %.4f", w[1], w[int((NR+1)/2)], c[1]}'
  }
  r2="" r1="" o2="" o1=""
  for _ in $(seq 1 "$WHOLE_RUNS"); do
    r2+="$(whole 2)"$'\n'
    r1+="$(whole 1)"$'\n'
    if [ -n "${BASE_BIN:-}" ]; then
      o2+="$(whole 2 "$BASE_BIN" base.csv)"$'\n'
      o1+="$(whole 1 "$BASE_BIN" base.csv)"$'\n'
    fi
  done
  if [ -n "${BASE_BIN:-}" ]; then
    cmp -s "$PGDIR/grid.csv" "$PGDIR/base.csv" || hs_die "HOTSPOT_BIN and BASE_BIN wrote different CSV"
  fi
  read -r b2 m2 c2 <<<"$(stats <<<"${r2%$'\n'}")"
  read -r b1 m1 c1 <<<"$(stats <<<"${r1%$'\n'}")"
  IFS=, read -r ge gc le lc <<<"$RT103"
  tw=$(awk -v a="$ge" -v b="$le" 'BEGIN{printf "%.3f", a+b}')
  tc=$(awk -v a="$gc" -v b="$lc" 'BEGIN{printf "%.3f", a+b}')
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0fx", a/b}'; }
  read -r fw fc <<<"$first"
  {
    echo
    echo "Whole process at n = 10,609 (103×103 queen grid in PostGIS, 24 months): \`hotspot analyze --out FILE\`"
    echo "from exec to exit (query, weights, rates, Gi* + LISA 999 perms, global Moran 999 perms, trend, risk, CSV),"
    echo "$WHOLE_RUNS runs per thread count after a first run that fills the cache; against spdep's statistics alone."
    echo
    echo "| | spdep stats only s (cpu) | ours first run after import s (cpu) | ours 2 threads best / median s (cpu) | ours 1 thread best / median s (cpu) | ratio best (2 thr) | ratio median (2 thr) | ratio best (1 thr) | ratio cpu (1 thr) |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    echo "| whole process, n = 10,609 | $tw ($tc) | $fw ($fc) | $b2 / $m2 ($c2) | $b1 / $m1 ($c1) | $(ratio "$tw" "$b2") | $(ratio "$tw" "$m2") | $(ratio "$tw" "$b1") | $(ratio "$tc" "$c1") |"
    if [ -n "${BASE_BIN:-}" ]; then
      read -r ob2 om2 oc2 <<<"$(stats <<<"${o2%$'\n'}")"
      read -r ob1 om1 oc1 <<<"$(stats <<<"${o1%$'\n'}")"
      echo "| BASE_BIN, same minutes | $tw ($tc) | - | $ob2 / $om2 ($oc2) | $ob1 / $om1 ($oc1) | $(ratio "$tw" "$ob2") | $(ratio "$tw" "$om2") | $(ratio "$tw" "$ob1") | $(ratio "$tc" "$oc1") |"
    fi
    echo
    echo "Stage times of one more run (\`--timing\`, ms):"
    "$HOTSPOT_BIN" --db "$GDB" analyze --timing --out "$PGDIR/grid.csv" 2>&1 >/dev/null |
      sed -n 's/^hotspot timing: *\([a-z]*\) *\([0-9.]*\) ms/\1 \2/p' | tr '\n' ' ' | sed 's/^/    /'
    echo
  } >>"$MD"
fi

{
  echo
  echo "Ours: bench_analysis (hs_local_both: Gi* + LISA, analytic + 999-permutation p, FDR, bins, quadrants)."
  echo "Each cell: wall seconds (CPU seconds, user + system). Ratio cpu = spdep CPU seconds / our"
  echo "1-thread CPU seconds (robust to other load); ratio wall uses our 2-thread wall time."
} >> "$MD"
cat "$MD"
