#!/usr/bin/env bash
# hs.analysis_cache (sql/004_analysis_cache.sql): analysis inputs cached per version
# must never change an answer. On a small grid (bench/grid_load.sql, 12x12): a cached
# run equals the first; after a change of counts (data version bumped, units version
# not) and of a population (both bumped) the answer follows the change and equals a
# run with the cache emptied; a corrupt cached value and a missing table fall back to
# the queries.
source "$(dirname "$0")/lib.sh"
DB=$(hs_test_db c)
T=$(mktemp -d)
trap 'rm -rf "$T"; hs_test_cleanup' EXIT
H() { "$HOTSPOT_BIN" --db "$DB" "$@"; }
"$HOTSPOT_BIN" --db "$DB" db migrate >/dev/null
"$PSQL" "$DB" -qX -v side=12 -v months=12 -f "$HS_SOURCE_DIR/bench/grid_load.sql" >/dev/null
A="--permutations 99"
run() { H analyze $A --out "$T/$1.csv" 2>/dev/null; }
same() { cmp -s "$T/$2.csv" "$T/$3.csv" || fail "$1: $2.csv and $3.csv differ"; ok "$1"; }

run a1
expect_eq "cache rows after the first run (units, series)" \
  "$(q "$DB" "SELECT string_agg(split_part(key, '|', 1), ',' ORDER BY key) FROM hs.analysis_cache")" \
  "series,units"
run a2
same "a cached run equals the first" a1 a2

# Counts change: the series is reloaded, the unit set comes from the cache.
uv=$(q "$DB" "SELECT units_version FROM hs.data_version")
q "$DB" "UPDATE hs.case_month SET cases = cases + 5 WHERE unit_code = 'G000077'
         AND period = (SELECT max(period) FROM hs.case_month)" >/dev/null
expect_eq "a count change leaves units_version" "$(q "$DB" "SELECT units_version FROM hs.data_version")" "$uv"
run a3
cmp -s "$T/a1.csv" "$T/a3.csv" && fail "the answer did not follow the count change"
grep '^G000077,' "$T/a3.csv" | cut -d, -f6 >"$T/c3"
grep '^G000077,' "$T/a1.csv" | cut -d, -f6 >"$T/c1"
expect_eq "count of the changed unit" "$(cat "$T/c3")" "$(($(cat "$T/c1") + 5))"
expect_eq "the stale series row is gone, the unit set kept" \
  "$(q "$DB" "SELECT string_agg(split_part(key, '|', 1), ',' ORDER BY key) FROM hs.analysis_cache")" \
  "series,units"
q "$DB" "DELETE FROM hs.analysis_cache" >/dev/null
run a4
same "after a count change, equal to an uncached run" a3 a4

# Concurrent first runs after a change (several users at once): all succeed, no
# deadlock between their cache writes, all equal.
q "$DB" "UPDATE hs.case_month SET cases = cases - 5 WHERE unit_code = 'G000077'
         AND period = (SELECT max(period) FROM hs.case_month)" >/dev/null
pids=()
for k in 1 2 3 4; do
  H analyze $A --out "$T/p$k.csv" 2>"$T/p$k.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent run failed: $(cat "$T"/p*.err)"; done
for k in 2 3 4; do same "concurrent run $k equals run 1" p1 "p$k"; done
same "after the change back, the first answer again" a1 p1
q "$DB" "UPDATE hs.case_month SET cases = cases + 5 WHERE unit_code = 'G000077'
         AND period = (SELECT max(period) FROM hs.case_month)" >/dev/null

# A population change bumps units_version: the unit set is reloaded.
q "$DB" "UPDATE hs.unit_population SET population = 123456 WHERE unit_code = 'G000077'" >/dev/null
[[ $(q "$DB" "SELECT units_version FROM hs.data_version") != "$uv" ]] ||
  fail "a population change did not bump units_version"
run a5
expect_eq "population of the changed unit" "$(grep '^G000077,' "$T/a5.csv" | cut -d, -f5)" 123456
q "$DB" "DELETE FROM hs.analysis_cache" >/dev/null
run a6
same "after a population change, equal to an uncached run" a5 a6

# A corrupt value is a miss (and is replaced), never a crash or a wrong answer.
q "$DB" "UPDATE hs.analysis_cache SET payload = '\\x48534331deadbeef'::bytea" >/dev/null
run a7
same "corrupt cached values are ignored" a6 a7
expect_eq "corrupt values replaced" \
  "$(q "$DB" "SELECT count(*) FROM hs.analysis_cache WHERE length(payload) > 8")" 2

# A read-only connection (a replica behind serve --db-read, a read-only role) reads the
# cache but never tries to write it.
q "$DB" "DELETE FROM hs.analysis_cache" >/dev/null
"$HOTSPOT_BIN" --db "$DB options='-c default_transaction_read_only=on'" analyze $A \
  --out "$T/ro.csv" 2>"$T/ro.err" || fail "read-only analyze failed: $(cat "$T/ro.err")"
same "read-only connection: same answer" a6 ro
expect_eq "read-only connection wrote nothing" "$(q "$DB" "SELECT count(*) FROM hs.analysis_cache")" 0

# Without the table (a database migrated by an older release) the queries still run.
q "$DB" "DROP TABLE hs.analysis_cache" >/dev/null
run a8
same "no cache table: same answer" a6 a8
