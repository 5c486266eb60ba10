# Shared set-up for the importer integration tests (sourced, not run by ctest).
#
# Creates a database with a random name inside the PostGIS server of $HOTSPOT_DB,
# migrates it, points HOTSPOT_DB at it, and drops it on exit (also on failure).
# Provides: ok/fail/expect helpers, `state` (row counts and a digest of every hs
# table's content, to prove a failed import changed nothing) and $WORK (a temp dir).
set -u

: "${HOTSPOT_BIN:?HOTSPOT_BIN must name the hotspot binary (ctest sets it)}"
: "${HS_SOURCE_DIR:?HS_SOURCE_DIR must name the source tree (ctest sets it)}"
: "${HOTSPOT_DB:?HOTSPOT_DB must name a throwaway PostGIS server (scripts/test sets it)}"

FIX="$HS_SOURCE_DIR/tests/fixtures"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hs_import_test.XXXXXX")
SERVER_DB="$HOTSPOT_DB"
TEST_DBNAME="hs_test_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
FAILS=0

# The conninfo of the test database: a URI gets its path replaced, a key=value
# string gets dbname appended (libpq lets a later keyword win).
case "$SERVER_DB" in
postgres://* | postgresql://*)
    TEST_DB=$(printf '%s' "$SERVER_DB" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$TEST_DBNAME#")
    ;;
*) TEST_DB="$SERVER_DB dbname=$TEST_DBNAME" ;;
esac

cleanup() {
    psql "$SERVER_DB" -qAtX -c "DROP DATABASE IF EXISTS $TEST_DBNAME WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

q() { psql "$TEST_DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

ok() { printf 'ok   %s\n' "$1"; }
fail() {
    printf 'FAIL %s\n' "$1"
    FAILS=$((FAILS + 1))
}
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
# expect_grep WHAT FILE FIXED-STRING
expect_grep() {
    if grep -qF -- "$3" "$2"; then
        ok "$1"
    else
        fail "$1: '$3' not in output:"
        sed 's/^/     | /' "$2"
    fi
}
finish() {
    if [ "$FAILS" -gt 0 ]; then
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}

# The state of everything the importers may touch, in one query: row counts of
# hs.unit, hs.unit_population, hs.case_month, hs.outreach_month, then a digest of
# their content. A failed import must leave it identical.
state() {
    q "SELECT (SELECT count(*) FROM hs.unit) || ' ' || (SELECT count(*) FROM hs.unit_population)
           || ' ' || (SELECT count(*) FROM hs.case_month) || ' ' || (SELECT count(*) FROM hs.outreach_month)
           || ' ' || md5(
              (SELECT coalesce(md5(string_agg(u::text, '|' ORDER BY code)), '-') FROM hs.unit u)
           || (SELECT coalesce(md5(string_agg(p::text, '|' ORDER BY unit_code, year)), '-') FROM hs.unit_population p)
           || (SELECT coalesce(md5(string_agg(c::text, '|' ORDER BY unit_code, period)), '-') FROM hs.case_month c)
           || (SELECT coalesce(md5(string_agg(o::text, '|' ORDER BY unit_code, period)), '-') FROM hs.outreach_month o))"
}
# Row counts only (the first four fields of state).
counts() { state | cut -d' ' -f1-4; }

# run NAME ARGS...: runs hotspot, keeps stdout+stderr in $WORK/NAME.out, sets $RC.
run() {
    local name=$1
    shift
    HOTSPOT_DB="$TEST_DB" "$HOTSPOT_BIN" "$@" >"$WORK/$name.out" 2>&1
    RC=$?
}

psql "$SERVER_DB" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $TEST_DBNAME" >/dev/null ||
    { echo "cannot create a test database in $SERVER_DB"; exit 1; }

# Migrations: `hotspot db migrate` where that command exists; otherwise each
# sql/NNN_*.sql in order, each in one transaction, as migrate would.
if "$HOTSPOT_BIN" --help 2>/dev/null | grep -qE '^ +db '; then
    HOTSPOT_DB="$TEST_DB" "$HOTSPOT_BIN" db migrate >"$WORK/migrate.out" 2>&1 ||
        { cat "$WORK/migrate.out"; echo "hotspot db migrate failed"; exit 1; }
else
    for f in "$HS_SOURCE_DIR"/sql/[0-9]*.sql; do
        psql "$TEST_DB" -qX -v ON_ERROR_STOP=1 -1 -f "$f" >/dev/null ||
            { echo "applying $f failed"; exit 1; }
    done
fi
# Units imports end with hs.refresh_derived() (sql/002_derived.sql). A tree without
# that migration still gets the importers tested: an empty stand-in, in this
# throwaway database only.
if [ "$(q "SELECT to_regprocedure('hs.refresh_derived()') IS NULL")" = t ]; then
    q "CREATE FUNCTION hs.refresh_derived() RETURNS void LANGUAGE sql AS 'SELECT NULL::void'"
fi
