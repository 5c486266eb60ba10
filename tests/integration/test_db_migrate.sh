#!/usr/bin/env bash
# Migrations: apply to an empty database, idempotent, refuse edited files, roll
# back a failing file completely.
source "$(dirname "$0")/lib.sh"
SRC=$(mktemp -d)
trap 'hs_test_cleanup; rm -rf "$SRC"' EXIT

DB=$(hs_test_db m)
out=$(HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate)
grep -q '^applied 001_schema.sql$' <<<"$out" || fail "first run did not apply 001: $out"
grep -q '^applied 002_derived.sql$' <<<"$out" || fail "first run did not apply 002: $out"
n=$(ls "$HS_SOURCE_DIR"/sql/[0-9][0-9][0-9]_*.sql | wc -l)
expect_eq "recorded migrations" "$(q "$DB" "SELECT count(*) FROM hs.migration")" "$n"
expect_eq "postgis present" "$(q "$DB" "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")" 1

before=$(q "$DB" "SELECT string_agg(version || ':' || checksum || ':' || applied_at, ',' ORDER BY version) FROM hs.migration")
out=$(HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate)
expect_eq "second run output" "$out" "database is up to date"
expect_eq "second run changes nothing" "$(q "$DB" "SELECT string_agg(version || ':' || checksum || ':' || applied_at, ',' ORDER BY version) FROM hs.migration")" "$before"

# A copy of the source tree with an edited, applied migration.
mkdir -p "$SRC/sql"
cp "$HS_SOURCE_DIR"/sql/*.sql "$SRC/sql/"
echo "-- edited after the fact" >>"$SRC/sql/002_derived.sql"
if out=$(HOTSPOT_SOURCE_DIR=$SRC HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate 2>&1); then
  fail "an edited applied migration was accepted: $out"
fi
grep -q "002_derived.sql was changed after migration 002" <<<"$out" || fail "unclear checksum message: $out"
ok "edited migration refused: $out"
cp "$HS_SOURCE_DIR/sql/002_derived.sql" "$SRC/sql/"

# A failing new migration leaves nothing behind, and names its file.
printf 'CREATE TABLE hs.half_done (x int);\nSELECT no_such_function();\n' >"$SRC/sql/900_broken.sql"
if out=$(HOTSPOT_SOURCE_DIR=$SRC HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate 2>&1); then
  fail "a broken migration succeeded: $out"
fi
grep -q "900_broken.sql" <<<"$out" || fail "error does not name the file: $out"
expect_eq "broken migration rolled back" "$(q "$DB" "SELECT to_regclass('hs.half_done') IS NULL AND NOT EXISTS (SELECT 1 FROM hs.migration WHERE version = 900)")" t

# A good new migration is applied once.
rm "$SRC/sql/900_broken.sql"
echo "CREATE TABLE hs.extra_test (x int);" >"$SRC/sql/901_extra.sql"
out=$(HOTSPOT_SOURCE_DIR=$SRC HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate)
expect_eq "new migration output" "$out" $'applied 901_extra.sql\n1 migration(s) applied'

# Two files with one version number are refused before anything runs.
echo "SELECT 1;" >"$SRC/sql/901_twin.sql"
if out=$(HOTSPOT_SOURCE_DIR=$SRC HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate 2>&1); then
  fail "duplicate version accepted"
fi
grep -q "share version 901" <<<"$out" || fail "unclear duplicate message: $out"
ok "duplicate version refused"

# Concurrent runs on an empty database: the advisory lock serialises them.
DB2=$(hs_test_db c)
HOTSPOT_DB=$DB2 "$HOTSPOT_BIN" db migrate >"$SRC/a.out" 2>&1 &
pid=$!
HOTSPOT_DB=$DB2 "$HOTSPOT_BIN" db migrate >"$SRC/b.out" 2>&1 || fail "concurrent run b failed: $(cat "$SRC/b.out")"
wait "$pid" || fail "concurrent run a failed: $(cat "$SRC/a.out")"
expect_eq "concurrent runs applied each file once" "$(cat "$SRC/a.out" "$SRC/b.out" | grep -c '^applied ')" "$n"
