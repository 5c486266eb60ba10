#!/usr/bin/env bash
# Hostile HTTP: tests/integration/hostile_http.py sends its table of >= 150 raw
# requests (overlong, traversal, NUL, invalid UTF-8, odd numbers, SQL
# metacharacters in every parameter, duplicate/conflicting headers, bad tokens,
# pipelining) to `hotspot serve` on the demo data, with slowloris clients, idle
# half requests and a one-byte-a-second reader running alongside and a good client
# that must keep getting 200s. Then: the server is alive, the demo data unchanged,
# no sanitizer report in the log.
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_hostile.XXXXXX)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT

DB=$(hs_demo_db) # read-only
before=$(q "$DB" "SELECT count(*) || '/' || (SELECT count(*) FROM hs.unit) FROM pg_tables WHERE schemaname = 'hs'")
TIMEOUT=3
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --timeout $TIMEOUT \
  --quiet >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
ok "server on port $PORT"

set +e
HS_PLANNER_TOKEN=$(cat "$HS_BUILD_DIR/demo_planner_token") \
  python3 "$HS_SOURCE_DIR/tests/integration/hostile_http.py" "$PORT" "$TIMEOUT" >"$T/table.log" 2>&1
rc=$?
set -e
grep -E '^(FAIL|info)' "$T/table.log" || true
tail -1 "$T/table.log"
((rc == 0)) || fail "hostile table: $(grep -c '^FAIL' "$T/table.log") failures"
ok "hostile table: $(grep -c '^ok' "$T/table.log") rows answered as expected"

kill -0 "$SERVER_PID" 2>/dev/null || fail "server died: $(tail -20 "$T/server.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
expect_eq "healthz after the table" "$code" 200
after=$(q "$DB" "SELECT count(*) || '/' || (SELECT count(*) FROM hs.unit) FROM pg_tables WHERE schemaname = 'hs'")
expect_eq "demo tables/units unchanged" "$after" "$before"
if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log"; then
  fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|runtime error' "$T/server.log" | head -40)"
fi
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status $? after SIGTERM: $(tail -20 "$T/server.log")"
SERVER_PID=
grep -qE 'AddressSanitizer|LeakSanitizer' "$T/server.log" && fail "sanitizer report at exit"
ok "clean exit"
