#!/usr/bin/env bash
# The server stays up for everyone (issue 8), on the real server and the demo data:
#  1. cost classes: with four 9,999-permutation scans running (planner token,
#     different seeds so nothing is merged), /healthz and a cached tile answer in
#     under 50 ms (p99 of 200 requests each, new connection per request);
#  2. the heavy queue is bounded: a fifth scan beyond 2 running + 2 waiting gets 503
#     with Retry-After and a JSON body naming the cause;
#  3. queue time is measured: the scans that waited log queue_ms of their wait, and the
#     latency histogram counts them as slow;
#  4. clients that leave: their scans are cancelled (running and waiting);
#  5. a scan past its time budget (heavy-budget = 1 s, from a config file) is stopped
#     with a clear 504 and the server keeps serving; a bad budget value names its line;
#  6. request rates per role: past rate-public (per address, the forwarded one behind
#     --trusted-proxy) and rate-planner (per token) the answer is 429 with Retry-After;
#     /healthz is never limited.
# Isolation, not speed, is tested: 2 HTTP threads and 2 heavy threads on purpose, so
# the test holds on 2 shared cores; the 50 ms bound is generous for a cache hit.
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_fair.XXXXXX)
SERVER_PID=
SCAN_PIDS=()
cleanup() {
  local p
  for p in "${SCAN_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT
DB=$(hs_demo_db)
TOKEN=$(cat "${HS_BUILD_DIR:?}/demo_planner_token")
hs_planner_curl "$T" "$TOKEN"

start_server() { hs_server_start "$T/server.log" "$@"; } # extra serve options...
stop_server() { hs_server_stop "$T/server.log"; }
jerr() { # FIELD FILE: error.FIELD of a JSON error body
  python3 -c 'import json, sys; print(json.load(open(sys.argv[2]))["error"][sys.argv[1]])' "$1" "$2"
}

# ---- 1-4: isolation under four heavy scans ----------------------------------------
# heavy-nice 19: the test machine is shared with other builds (load ~10 on 2 cores); the
# lowest priority for heavy work keeps the measurement about our isolation, not theirs.
start_server --heavy-threads 2 --heavy-queue 2 --heavy-budget 600 --heavy-nice 19 \
  --rate-planner 0 --rate-public 0
ok "server on port $PORT (2 HTTP threads, 2 heavy threads at nice 19, heavy queue 2)"
TILE="$U/tiles/gistar/7/101/56.png"
c=$(curl -s -o /dev/null -m 300 -w '%{http_code}' "$TILE")
expect_eq "tile rendered once (warm-up)" "$c" 200
expect_eq "the tile is a cache hit now" \
  "$(curl -s -o /dev/null -D - -m 30 "$TILE" | sed -n 's/^X-Cache: *//Ip' | tr -d '\r')" HIT

for seed in 101 102 103 104; do
  curl -s -m 900 -o "$T/scan$seed.body" -w '%{http_code}' \
    "$U/api/scan?permutations=9999&seed=$seed" >"$T/scan$seed.code" 2>/dev/null &
  SCAN_PIDS+=($!)
done
hs_wait_metric hotspot_heavy_running 2 60
hs_wait_metric hotspot_heavy_queued 2 60
ok "four scans accepted: 2 running, 2 waiting"

# 2. the fifth heavy request finds the queue full
code=$(curl -s -m 30 -o "$T/busy.body" -D "$T/busy.hdr" -w '%{http_code}' \
  "$U/api/scan?permutations=9999&seed=105")
expect_eq "fifth scan status" "$code" 503
grep -qi '^Retry-After: [0-9]' "$T/busy.hdr" || fail "503 without Retry-After: $(cat "$T/busy.hdr")"
ok "fifth scan has Retry-After: $(sed -n 's/^Retry-After: *//Ip' "$T/busy.hdr" | tr -d '\r')"
expect_eq "fifth scan error code" "$(jerr code "$T/busy.body")" overloaded
jerr message "$T/busy.body" | grep -q 'heavy-work queue is full' ||
  fail "the 503 body does not name the cause: $(cat "$T/busy.body")"
ok "the body names the cause: $(jerr message "$T/busy.body")"

# 1. cheap requests do not wait behind the scans
health=$(python3 "$HS_SOURCE_DIR/tests/integration/fairness_client.py" "$U/healthz" 200)
tile=$(python3 "$HS_SOURCE_DIR/tests/integration/fairness_client.py" "$TILE" 200 "$TOKEN")
echo "# /healthz under 4 scans: $health"
echo "# cached tile under 4 scans: $tile"
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
expect_eq "/healthz answers 200 (of 200)" "$(field ok "$health")" 200
expect_eq "the cached tile answers 200 (of 200)" "$(field ok "$tile")" 200
expect_eq "every tile answer was a cache hit" "$(field hit "$tile")" 200
expect_between "/healthz p99 ms with 4 scans running" "$(field p99_ms "$health")" 0 50
expect_between "cached tile p99 ms with 4 scans running" "$(field p99_ms "$tile")" 0 50
# ...and the scans really were running all along
expect_eq "still 2 scans running after the measurement" "$(hs_metric hotspot_heavy_running)" 2
expect_eq "still 2 scans waiting after the measurement" "$(hs_metric hotspot_heavy_queued)" 2

# 4. clients that leave: every scan is stopped, running or waiting. (After one more
# second, so the waiting scans' queue time is over 1 s however fast the machine.)
sleep 1
t_wait=$(date +%s.%N)
for p in "${SCAN_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${SCAN_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
SCAN_PIDS=()
hs_wait_metric 'hotspot_heavy_cancelled_total{reason="client"}' 4 120
hs_wait_metric hotspot_heavy_running 0 120
ok "all 4 scans cancelled after their clients left ($(awk -v a="$t_wait" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
grep -q 'api/scan: cancelled (.*the client closed the connection)' "$T/server.log" ||
  fail "no log line says why the scans stopped"

# 3. queue time: the scans that waited log their wait; the histogram counts them slow
waited=$(grep '"route":"/api/scan"' "$T/server.log" | sed -n 's/.*"queue_ms":\([0-9.]*\).*/\1/p' | sort -n | tail -1)
expect_between "longest logged queue_ms of a scan (it waited for a worker)" "${waited:-0}" 1000 1000000
slow=$(curl -s "$U/metrics" | awk '$1 == "hotspot_http_request_duration_seconds_bucket{route=\"/api/scan\",le=\"1\"}" { print $2 }')
all=$(hs_metric 'hotspot_http_request_duration_seconds_count{route="/api/scan"}')
expect_eq "scans in the latency histogram (4 cancelled + 1 refused)" "$all" 5
expect_between "scans slower than 1 s in the histogram (the waits count)" "$((all - ${slow:-0}))" 4 5
stop_server

# ---- 5: time budget -----------------------------------------------------------------
# The budget comes from a config file (the documented way); a bad value names its line.
printf 'heavy-budget = 0\n' >"$T/bad.conf"
rc=0
"$HOTSPOT_BIN" serve --config "$T/bad.conf" >"$T/bad.log" 2>&1 || rc=$?
expect_eq "serve with heavy-budget = 0: exit status" "$rc" 2
grep -q 'line 1: heavy-budget must be a number from 0.1 to 86400' "$T/bad.log" ||
  fail "bad heavy-budget not reported with its line: $(cat "$T/bad.log")"
printf '# fairness test\nheavy-threads = 1\nheavy-budget = 1\nrate-planner = 0\n' >"$T/serve.conf"
unset HOTSPOT_HEAVY_BUDGET # lib.sh's longer test budget would override the file
start_server --config "$T/serve.conf"
ok "server on port $PORT (heavy-budget = 1 from a config file)"
t0=$(date +%s.%N)
code=$(curl -s -m 300 -o "$T/budget.body" -w '%{http_code}' "$U/api/scan?permutations=9999&seed=106")
dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect_eq "scan past its budget: status" "$code" 504
expect_eq "scan past its budget: error code" "$(jerr code "$T/budget.body")" timeout
jerr message "$T/budget.body" | grep -q 'time budget of 1 s' ||
  fail "the budget error does not say what happened: $(cat "$T/budget.body")"
ok "budget message: $(jerr message "$T/budget.body")"
# 1 s budget; the generous bound covers the stages between two checks on a loaded box
expect_between "seconds until the over-budget scan was stopped" "$dt" 0.5 30
expect_eq "budget cancellations counted" "$(hs_metric 'hotspot_heavy_cancelled_total{reason="budget"}')" 1
hs_wait_metric hotspot_heavy_running 0 30
expect_eq "the server keeps serving: /healthz" "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$U/healthz")" 200

stop_server

# ---- 6: request rates ------------------------------------------------------------------
start_server --rate-public 2 --rate-planner 1 --trusted-proxy 127.0.0.1
ok "server on port $PORT (rate-public 2/s, rate-planner 1/s, trusted proxy 127.0.0.1)"
# the planner token gets a burst of 2 at 1/s; /healthz is never limited
codes=""
for _ in 1 2 3; do codes+="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$U/api/whoami") "; done
expect_eq "planner at 1/s (burst 2): three quick requests" "$codes" "200 200 429 "
curl -s -m 10 -D "$T/rl.hdr" -o "$T/rl.body" "$U/api/whoami" >/dev/null
grep -qi '^Retry-After: [0-9]' "$T/rl.hdr" || fail "429 without Retry-After"
expect_eq "429 error code" "$(jerr code "$T/rl.body")" rate_limited
jerr message "$T/rl.body" | grep -q 'rate-planner' || fail "429 body does not name the setting"
export CURL_HOME=$T/nobody # the public: no token
mkdir -p "$CURL_HOME"
codes=""
for _ in 1 2 3 4 5 6; do codes+="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$U/api/whoami") "; done
[[ $codes == *429* ]] || fail "the public at 2/s (burst 4) was never limited: $codes"
ok "the public at 2/s (burst 4): $codes"
# Behind the trusted proxy, the client is the last X-Forwarded-For address (what the
# proxy saw); what the client put further left does not count.
xff() { curl -s -m 10 -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $1" "$U/api/whoami"; }
codes=""
for i in 1 2 3 4 5 6; do codes+="$(xff "198.51.100.$i, 192.0.2.7") "; done
[[ $codes == *429* ]] || fail "a client behind the proxy was never limited: $codes"
ok "one client behind the proxy, left-hand addresses varied: $codes"
expect_eq "another client behind the same proxy" "$(xff 192.0.2.8)" 200
grep -q '"ip":"192.0.2.7"' "$T/server.log" || fail "the log does not show the forwarded client"
codes=""
for _ in $(seq 1 20); do codes+="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$U/healthz")"; done
expect_eq "/healthz is never rate-limited (20 quick requests)" "$codes" "$(printf '200%.0s' $(seq 1 20))"
stop_server
