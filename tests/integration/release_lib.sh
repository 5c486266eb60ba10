# Helpers shared by test_release.sh and test_release_attack.sh (sourced after lib.sh).
# shellcheck shell=bash

# release_scaled_db SUFFIX: a database of our own with the demo data, case volumes x12
# in the 17 provinces VN01..VN17, so that many more cells are shown and
# complementary cells are needed (the demo alone is sparse: most quarters are "<5").
# Prints its conninfo.
release_scaled_db() {
  local db
  db=$(hs_test_db "$1")
  "$HOTSPOT_BIN" --db "$db" db migrate >/dev/null || fail "migrate"
  "$HOTSPOT_BIN" --db "$db" db demo >/dev/null || fail "demo"
  q "$db" "UPDATE hs.case_month m SET cases = cases * 12 FROM hs.unit u
            WHERE u.code = m.unit_code AND coalesce(u.parent_code, u.code) <= 'VN17'" >/dev/null
  printf '%s' "$db"
}
