#!/usr/bin/env bash
# Side-by-side timing of Hotspot138's Gi* + local Moran against R spdep 1.2-7
# (localG_perm + localmoran_perm, serial), 999 permutations, queen grids 27x27,
# 103x103 and 317x317, in ONE run on the same machine. See docs/benchmarks.md.
#
#   bash bench/spdep_compare.sh            # spdep skipped at 317x317 (takes minutes)
#   SPDEP_317_PERMS=99 bash bench/spdep_compare.sh
#                                           # spdep at 317x317 with 99 permutations,
#                                           # extrapolated linearly to 999 (labelled)
#   SIDES="27 103" REPEAT=3 bash bench/spdep_compare.sh
#
# Installs r-base-core and r-cran-spdep with apt-get when missing (tests never need R).
# Writes bench/results/spdep_compare.md (gitignored) and prints it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIDES=${SIDES:-"27 103 317"}
PERMS=999
REPEAT=${REPEAT:-1}
SPDEP_317_PERMS=${SPDEP_317_PERMS:-0}
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
r_time() { # side nsim
  Rscript --vanilla - "$1" "$2" <<'RS'
suppressMessages(library(spdep))
a <- commandArgs(TRUE); side <- as.integer(a[1]); nsim <- as.integer(a[2])
set.seed(1)
nb <- cell2nb(side, side, type = "queen")
x <- rnorm(side * side, 20, 5)
lwB <- nb2listw(include.self(nb), style = "B"); lwW <- nb2listw(nb, style = "W")
t1 <- system.time(g <- localG_perm(x, lwB, nsim = nsim, iseed = 1))
t2 <- system.time(l <- localmoran_perm(x, lwW, nsim = nsim, mlvar = FALSE, iseed = 1))
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
  echo "| n | spdep localG_perm s (cpu) | spdep localmoran_perm s (cpu) | spdep total s (cpu) | ours 1 thread s (cpu) | ours 2 threads s (cpu) | ratio wall (2 thr) | ratio cpu |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$MD"

for s in $SIDES; do
  n=$((s * s))
  o1=$("$BENCH" --side "$s" --perms $PERMS --threads 1 --repeat "$REPEAT")
  o2=$("$BENCH" --side "$s" --perms $PERMS --threads 2 --repeat "$REPEAT")
  w1=$(echo "$o1" | cut -d, -f6); c1=$(echo "$o1" | cut -d, -f7)
  w2=$(echo "$o2" | cut -d, -f6); c2=$(echo "$o2" | cut -d, -f7)
  note=""
  if [ "$s" -ge 300 ]; then
    if [ "$SPDEP_317_PERMS" -gt 0 ]; then
      rt=$(r_time "$s" "$SPDEP_317_PERMS")
      f=$(awk -v p="$SPDEP_317_PERMS" 'BEGIN{print 999/p}')
      rt=$(echo "$rt" | awk -F, -v f="$f" '{printf "%.3f,%.3f,%.3f,%.3f", $1*f, $2*f, $3*f, $4*f}')
      note=" (spdep run at $SPDEP_317_PERMS perms, x$(printf %.2f "$f") extrapolated)"
    else
      rt=""
    fi
  else
    rt=$(r_time "$s" $PERMS)
  fi
  if [ -n "$rt" ]; then
    IFS=, read -r ge gc le lc <<<"$rt"
    tw=$(awk -v a="$ge" -v b="$le" 'BEGIN{printf "%.3f", a+b}')
    tc=$(awk -v a="$gc" -v b="$lc" 'BEGIN{printf "%.3f", a+b}')
    rw=$(awk -v a="$tw" -v b="$w2" 'BEGIN{printf "%.0fx", a/b}')
    rc=$(awk -v a="$tc" -v b="$c2" 'BEGIN{printf "%.0fx", a/b}')
    echo "| $n$note | $ge ($gc) | $le ($lc) | $tw ($tc) | $w1 ($c1) | $w2 ($c2) | $rw | $rc |" >> "$MD"
  else
    echo "| $n | skipped | skipped | skipped (set SPDEP_317_PERMS) | $w1 ($c1) | $w2 ($c2) | - | - |" >> "$MD"
  fi
done
echo >> "$MD"
echo "Ours: bench_analysis (hs_local_both: Gi* + LISA, analytic + 999-permutation p, FDR, bins, quadrants)." >> "$MD"
echo "Ratio cpu = spdep CPU seconds / our CPU seconds with 2 threads (robust to other load)." >> "$MD"
cat "$MD"
