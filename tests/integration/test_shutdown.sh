#!/usr/bin/env bash
# SIGTERM during requests (issue 8, "Shutdown"), on the real server and the demo data:
#  1. with a slow analysis running on the heavy pool, SIGTERM closes the listening
#     socket at once (new connections are refused), lets the request finish (200, a
#     whole JSON body), flushes the audit (its row is in hs.audit) and exits 0;
#  2. a request still running when the grace period ends is stopped with a 503 that
#     says the server is shutting down, and the server still exits 0.
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_shutdown.XXXXXX)
SERVER_PID=
REQ_PID=
cleanup() {
  [[ -n $REQ_PID ]] && kill "$REQ_PID" 2>/dev/null
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT
DB=$(hs_demo_db)
hs_planner_curl "$T"
start_server() { hs_server_start "$T/server.log" --heavy-threads 1 --rate-planner 0 "$@"; }
running() { curl -s -m 10 "$U/metrics" | awk '$1 == "hotspot_heavy_running" { print $2 }'; }
wait_running() {
  for _ in $(seq 1 600); do [[ $(running) == 1 ]] && return 0; sleep 0.1; done
  fail "the request never started on the heavy pool"
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- 1. SIGTERM while a slow request runs -----------------------------------------
start_server --shutdown-grace 300
ok "server on port $PORT (shutdown-grace 300 s)"
seed=$((1000 + $$ % 50000)) # this run's own audit row
curl -s -m 600 -o "$T/slow.body" -w '%{http_code}' \
  "$U/api/analyze?permutations=999&seed=$seed&format=json" >"$T/slow.code" &
REQ_PID=$!
wait_running
t_term=$(date +%s.%N)
kill -TERM "$SERVER_PID"
refused=
for _ in $(seq 1 100); do
  c=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$U/healthz" || true)
  [[ $c == 000 ]] && { refused=1; break; }
  sleep 0.05
done
[[ -n $refused ]] || fail "new connections still accepted after SIGTERM"
ok "new connections refused $(elapsed "$t_term") s after SIGTERM"
kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before its request finished"
wait "$REQ_PID" || true
REQ_PID=
expect_eq "the request in flight completes" "$(cat "$T/slow.code")" 200
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d' "$T/slow.body" ||
  fail "the body of the request in flight is not whole JSON"
ok "its body is whole JSON ($(wc -c <"$T/slow.body") bytes), $(elapsed "$t_term") s after SIGTERM"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
expect_eq "exit status after SIGTERM" "$rc" 0
grep -q 'SIGTERM received, stopping' "$T/server.log" || fail "no stop message in the log"
grep -q '^hotspot: stopped$' "$T/server.log" || fail "the server did not say it stopped"
expect_eq "the request's audit row was flushed before exit" \
  "$(q "$DB" "SELECT count(*) FROM hs.audit WHERE route = '/api/analyze' AND status = 200 AND params LIKE '%seed=$seed%'")" 1

# ---- 2. past the grace period --------------------------------------------------------
start_server --shutdown-grace 1
ok "server on port $PORT (shutdown-grace 1 s)"
curl -s -m 600 -o "$T/long.body" -w '%{http_code}' \
  "$U/api/scan?permutations=9999&seed=$((seed + 1))" >"$T/long.code" &
REQ_PID=$!
wait_running
t_term=$(date +%s.%N)
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
dt=$(elapsed "$t_term")
expect_eq "exit status after the grace period" "$rc" 0
expect_between "seconds from SIGTERM to exit (grace 1 s + cancel)" "$dt" 0.9 60
wait "$REQ_PID" || true
REQ_PID=
expect_eq "the request past the grace period: status" "$(cat "$T/long.code")" 503
grep -q 'shutting down' "$T/long.body" || fail "the 503 does not say why: $(cat "$T/long.body")"
ok "its body: $(cat "$T/long.body")"
grep -q 'still running after the 1 s grace period' "$T/server.log" || fail "no log line about the grace period"
