#!/usr/bin/env bash
# ctest fixture (not a test of its own): loads the demo data ONCE into a shared
# database, hotspot_demo_shared, that the read-only integration tests use through
# hs_demo_db (lib.sh). Tests that write must make their own database (hs_test_db).
source "$(dirname "$0")/lib.sh"
HS_TEST_NAME=setup_demo_db
name=hotspot_demo_shared
"$PSQL" "$HOTSPOT_DB" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
  -c "CREATE DATABASE $name" >/dev/null
db="$HOTSPOT_DB dbname=$name"
"$HOTSPOT_BIN" --db "$db" db migrate >/dev/null
"$HOTSPOT_BIN" --db "$db" db demo | tail -2
ok "demo loaded into $name"
# One planner token for the read-only tests that call the server (hs_planner_curl in
# lib.sh): the fixture is the only writer of the shared database.
"$HOTSPOT_BIN" --db "$db" token create --role planner --note "integration tests" 2>/dev/null \
  >"$HS_BUILD_DIR/demo_planner_token"
ok "planner token for the read-only tests in $HS_BUILD_DIR/demo_planner_token"
