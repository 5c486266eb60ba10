#!/usr/bin/env bash
# Tokens, roles and the access matrix, end to end: the real `hotspot` binary on a copy
# of the demo database, curl as the client. For every route x role (none, planner,
# analyst in scope, analyst out of scope, operator, expired, revoked, malformed) it
# asserts the status, and that what an analyst or the public gets holds no commune
# code of another province. Then: revocation through NOTIFY on the running server,
# the audit rows against the requests, `hotspot audit`, and SIGTERM flushing the audit.
source "$(dirname "$0")/lib.sh"
hs_test_tmp access

# A private copy of the demo data (tokens are writes; the shared database is read-only).
hs_demo_copy access
H() { "$HOTSPOT_BIN" --db "$DB" "$@"; }

# Two provinces: the analyst's (P1) and another (P2), with their commune codes.
P1=$(hs_largest_province "$DB")
P2=$(q "$DB" "SELECT parent_code FROM hs.unit WHERE level='commune' AND parent_code <> '$P1' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
q "$DB" "SELECT code FROM hs.unit WHERE parent_code = '$P2'" >"$T/p2_codes"
[[ -n $P1 && -n $P2 && -s $T/p2_codes ]] || fail "demo data has no two provinces with communes"
ok "analyst province $P1, other province $P2 ($(wc -l <"$T/p2_codes") communes)"

# ---- tokens -----------------------------------------------------------------------
# The copy holds the fixture's token: start from none.
q "$DB" "DELETE FROM hs.access_token" >/dev/null
lastid() { q "$DB" "SELECT max(id) FROM hs.access_token"; }
PLANNER=$(H token create --role planner --note "test planner" 2>/dev/null); PLANNER_ID=$(lastid)
ANALYST=$(H token create --role analyst --provinces "$P1" --note "test analyst" 2>/dev/null); ANALYST_ID=$(lastid)
OPERATOR=$(H token create --role operator 2>/dev/null); OPERATOR_ID=$(lastid)
EXPIRED=$(H token create --role planner --expires 1 2>/dev/null); EXPIRED_ID=$(lastid)
REVOKED=$(H token create --role planner 2>/dev/null); REVOKED_ID=$(lastid)
[[ $PLANNER =~ ^hs1_[0-9a-f]{64}$ ]] || fail "token format: '$PLANNER'"
ok "token create prints a 256-bit token once"
q "$DB" "UPDATE hs.access_token SET expires_at = now() - interval '1 second' WHERE id = $EXPIRED_ID" >/dev/null
H token revoke "$REVOKED_ID" >/dev/null
expect_eq "only hashes stored" "$(q "$DB" "SELECT count(*) FROM hs.access_token WHERE position(convert_to('$PLANNER','UTF8') in hash) > 0 OR note LIKE '%hs1_%'")" 0
expect_eq "token list states" "$(H token list | awk 'NR>1 {print $2 ":" $5}' | tr '\n' ' ')" "planner:active analyst:active operator:active planner:expired planner:revoked "
H token create --role analyst 2>"$T/err" >/dev/null && fail "analyst without provinces accepted"
grep -q -- "--provinces" "$T/err" || fail "analyst without provinces: $(cat "$T/err")"
H token create --role analyst --provinces NOPE 2>"$T/err" >/dev/null && fail "unknown province accepted"
H token create --role root 2>/dev/null >/dev/null && fail "role root accepted"
ok "token create rejects bad roles and provinces"

# ---- server -----------------------------------------------------------------------
# The viewer, from a copy of web/ plus one test page that signs in the way a user does
# (the token into sessionStorage) and goes to the dashboard in the same tab.
cp -r "$HS_SOURCE_DIR/web" "$T/web"
printf '<!doctype html><script>sessionStorage.setItem("hotspot138.token", "%s"); location.replace("/");</script>\n' \
  "$ANALYST" >"$T/web/signin-test.html"
hs_server_start "$T/server.log" --web "$T/web"

# call ROLE PATH: prints the status; body in $T/body, headers in $T/hdr.
call() {
  local auth=()
  case $1 in
    none) ;;
    planner) auth=(-H "Authorization: Bearer $PLANNER") ;;
    analyst) auth=(-H "Authorization: Bearer $ANALYST") ;;
    operator) auth=(-H "Authorization: Bearer $OPERATOR") ;;
    expired) auth=(-H "Authorization: Bearer $EXPIRED") ;;
    revoked) auth=(-H "Authorization: Bearer $REVOKED") ;;
    malformed) auth=(-H "Authorization: Bearer ${PLANNER}x") ;;
    basic) auth=(-H "Authorization: Basic dXNlcjpwYXNz") ;;
  esac
  curl -s --max-time 120 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "${auth[@]}" "$U$2"
}
# no_p2 WHAT: the last body names no commune of the other province.
no_p2() {
  if grep -a -F -w -q -f "$T/p2_codes" "$T/body"; then
    fail "$1: body holds a commune code of province $P2: $(grep -a -o -F -w -f "$T/p2_codes" "$T/body" | head -3 | tr '\n' ' ')"
  fi
}

PUB=("/" "/web/app.js" "/healthz" "/readyz")
# The dashboard: without --release (as here) the public gets 404 no_release (it gets
# exactly the current release, test_release.sh); a token holder the presets.
DASH=("/dashboard/hotspots.png")
OPS=("/metrics")
META=("/api/meta")
# Case-data routes: national commune detail (as planners ask for it).
DATA=("/api/analyze?permutations=9&format=json" "/api/priorities?top=5&format=csv"
      "/api/scan?permutations=9&format=json" "/api/emerging?format=json"
      "/api/units?level=commune")
# Scoped case data (tiles, maps): an analyst's national view is drawn at their own
# detail (their communes, other provinces at province level: test_analyst_tiles.sh,
# test_analyst_maps.sh); asking for another province's detail stays 403.
SCOPED=("/tiles/gistar/7/101/56.png" "/tiles/gistar.json" "/maps/rate.png?size=300x300"
        "/maps/gistar.svg?size=300x300" "/maps/rate.pdf?size=300x300")
n=0
# row ROLE WANT PATH...
row() {
  local role=$1 want=$2 p got
  shift 2
  for p in "$@"; do
    got=$(call "$role" "$p")
    [[ $got == "$want" ]] || fail "$role $p: status $got, want $want: $(head -c 300 "$T/body")"
    case $want in
      401) grep -q '"unauthorized"' "$T/body" || fail "$role $p: 401 body not JSON: $(head -c 200 "$T/body")" ;;
      403) grep -q '"forbidden"' "$T/body" || fail "$role $p: 403 body: $(head -c 200 "$T/body")" ;;
    esac
    [[ $role == planner ]] || no_p2 "$role $p"
    grep -qi '^X-Cache:' "$T/hdr" && [[ $role != planner && $role != operator ]] &&
      fail "$role $p: X-Cache header shown"
    n=$((n + 1))
  done
}
for role in none planner analyst operator expired revoked malformed basic; do
  case $role in
    none)
      row none 200 "${PUB[@]}"; row none 404 "${DASH[@]}"
      grep -q '"no_release"' "$T/body" || fail "public /dashboard/ without a release: $(head -c 300 "$T/body")"
      row none 401 "${OPS[@]}" "${META[@]}" "${DATA[@]}" "${SCOPED[@]}" ;;
    planner)
      row planner 200 "${PUB[@]}" "${DASH[@]}" "${OPS[@]}" "${META[@]}" "${DATA[@]}" "${SCOPED[@]}" ;;
    analyst)
      row analyst 200 "${PUB[@]}" "${DASH[@]}" "${META[@]}"
      row analyst 403 "${OPS[@]}" "${DATA[@]}" # national commune detail: not theirs
      row analyst 200 "${SCOPED[@]}"            # national view, their scope
      for p in "${DATA[@]}" "${SCOPED[@]}"; do
        s='&'; [[ $p == *\?* ]] || s='?'
        row analyst 200 "$p${s}province=$P1"      # in scope
        row analyst 403 "$p${s}province=$P2"      # another province
        row analyst 400 "$p${s}province=$P1&province=$P2"
        if [[ $p != *level=* ]]; then
          row analyst 403 "$p${s}level=commune&province=$P2"
          row analyst 200 "$p${s}level=province" # national, province level
        fi
      done ;;
    operator)
      row operator 200 "${PUB[@]}" "${DASH[@]}" "${OPS[@]}"; row operator 403 "${META[@]}" "${DATA[@]}" "${SCOPED[@]}" ;;
    *)
      # A bad token is refused everywhere but the public pages it has no business on.
      row "$role" 401 "${OPS[@]}" "${META[@]}" "${DATA[@]}" "${SCOPED[@]}" "/healthz" ;;
  esac
done
# Per-role caps: only planners choose seeds; analysts get bounded permutations and sizes.
row analyst 403 "/api/scan?permutations=9999&province=$P1" "/api/scan?permutations=9&seed=5&province=$P1" \
  "/maps/rate.png?size=3000x300&province=$P1"
row planner 200 "/api/scan?permutations=9&seed=5&format=json"
ok "access matrix: $n requests, every status as specified, no other province's communes"

# Answers to a token stay out of shared caches; public ones may be shared.
call planner "/tiles/gistar/7/101/56.png" >/dev/null
grep -qi '^Cache-Control: private, max-age=300' "$T/hdr" || fail "authenticated tile: $(grep -i cache-control "$T/hdr")"
call none "/web/app.js" >/dev/null
grep -qi '^Cache-Control:' "$T/hdr" && ! grep -qi '^Cache-Control: private' "$T/hdr" ||
  fail "public file: $(grep -i cache-control "$T/hdr")"
ok "Cache-Control private for answers to a token, not private for the public"

# A public request takes no free parameters.
for p in "/dashboard/hotspots.png?classes=fixed:0.5" "/dashboard/hotspots.png?seed=2" "/?bbox=1,2,3,4" "/healthz?x=1"; do
  expect_eq "public $p" "$(call none "$p")" 400
done
grep -q 'WWW-Authenticate: Bearer' <(call none /api/meta >/dev/null; cat "$T/hdr") || fail "401 without WWW-Authenticate"
call none /api/meta >/dev/null
grep -q "$PLANNER" "$T/server.log" && fail "a token reached the log"
ok "401 carries WWW-Authenticate; tokens never logged"

# ---- the viewer, signed in as the analyst, in headless Chromium ----------------------
if command -v chromium >/dev/null; then
  chrome() {
    timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir="$T/chrome" --enable-logging=stderr --v=0 --window-size=1280,900 \
      --virtual-time-budget=20000 "$@" 2>>"$T/chrome.log"
  }
  LOG_BEFORE=$(wc -l <"$T/server.log")
  chrome --dump-dom "$U/web/signin-test.html" >"$T/dom.html" || fail "chromium failed: $(tail -5 "$T/chrome.log")"
  grep -q "role: analyst ($P1)" "$T/dom.html" || fail "viewer not signed in as the analyst: $(grep -o '<span id="who"[^<]*' "$T/dom.html")"
  grep -q 'class="reason"' "$T/dom.html" || fail "viewer shows no priorities: $(grep -o '<p id="status"[^<]*' "$T/dom.html")"
  chrome --screenshot="$T/viewer.png" "$U/web/signin-test.html" >/dev/null || true
  [[ -s $T/viewer.png ]] || fail "no screenshot"
  mkdir -p "${HS_BUILD_DIR:-$T}/test-artifacts" && cp "$T/viewer.png" "${HS_BUILD_DIR:-$T}/test-artifacts/viewer-analyst.png"
  if grep -E 'CONSOLE|Uncaught|Failed to load' "$T/chrome.log" | grep -vi 'favicon' | grep -q .; then
    fail "console errors or failed requests in the viewer: $(grep -E 'CONSOLE|Uncaught|Failed' "$T/chrome.log" | head -5)"
  fi
  # Nothing the page asked for was refused, and the token never went into a URL.
  grep -q "$ANALYST" "$T/server.log" && fail "the token reached the server log (in a URL?)"
  tail -n +"$((LOG_BEFORE + 1))" "$T/server.log" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
bad = [(d["path"], d["status"]) for d in rows if d["status"] >= 400 and d["path"] != "/favicon.ico"]
assert len(rows) > 5 and not bad, (len(rows), bad[:5])' || fail "the viewer made failed requests"
  ok "viewer signed in as analyst ($P1) in headless Chromium: priorities shown, no console errors; screenshot in test-artifacts/viewer-analyst.png"
else
  echo "skip - chromium not installed"
fi

# ---- revocation reaches the running server ----------------------------------------
expect_eq "analyst before revoke" "$(call analyst "/api/meta")" 200
H token revoke "$ANALYST_ID" >/dev/null
got=
for _ in $(seq 1 50); do
  got=$(call analyst "/api/meta")
  [[ $got == 401 ]] && break
  sleep 0.1
done
expect_eq "analyst refused after revoke (NOTIFY, no restart)" "$got" 401

# ---- audit ------------------------------------------------------------------------
before=$(q "$DB" "SELECT count(*) FROM hs.audit")
for i in 1 2 3; do call planner "/api/units?level=province" >/dev/null; done
call operator "/metrics" >/dev/null
got=
# wait_audit N: until N rows have come since `before` (4 s at most: the flush is 1 s);
# sets got to the count.
wait_audit() {
  for _ in $(seq 1 40); do
    got=$(q "$DB" "SELECT count(*) FROM hs.audit")
    [[ $((got - before)) -ge $1 ]] && return 0
    sleep 0.1
  done
}
wait_audit 4
expect_eq "four requests, four new audit rows (within the flush interval)" "$((got - before))" 4
expect_eq "audit row fields" "$(q "$DB" "SELECT token_id || ' ' || role || ' ' || route || ' ' || params || ' ' || status || ' ' || (bytes > 0) FROM hs.audit ORDER BY id DESC OFFSET 1 LIMIT 1")" \
  "$PLANNER_ID planner /api/units level=province 200 true"
expect_eq "audit time is the request's (UTC, within a minute of the database's clock)" \
  "$(q "$DB" "SELECT abs(extract(epoch FROM now() - at)) < 60 FROM hs.audit ORDER BY id DESC OFFSET 1 LIMIT 1")" t
# The rows go in by COPY: a query with COPY's escape character (a backslash, which
# the server accepts in a value) is stored as it was sent.
expect_eq "a level with a backslash: status" "$(call planner '/api/units?level=a\b')" 400
wait_audit 5
expect_eq "audit params with a backslash, verbatim" \
  "$(q "$DB" "SELECT params || ' ' || status FROM hs.audit ORDER BY id DESC LIMIT 1")" 'level=a\b 400'
# A raw byte that is not UTF-8 in the query string (its decoded values may be fine:
# \xC3 then %A9 decodes to an e-acute) is stored as '?': a row the database refused as
# text would fail every later write of the audit.
raw=$(python3 - "$PORT" "$PLANNER" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"GET /api/units?level=a\xc3%A9 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
          + sys.argv[2].encode() + b"\r\nConnection: close\r\n\r\n")
print(s.recv(64).split(b" ")[1].decode())
PY
)
expect_eq "a raw non-UTF-8 byte in the query: status" "$raw" 400
expect_eq "and a normal request after it" "$(call planner '/api/units?level=province')" 200
wait_audit 7
expect_eq "both audited, the byte as '?'" \
  "$(q "$DB" "SELECT string_agg(params || ' ' || status, ' | ' ORDER BY id) FROM (SELECT * FROM hs.audit ORDER BY id DESC LIMIT 2) r")" \
  'level=a?%A9 400 | level=province 200'
expect_eq "no audit row for public requests" "$(q "$DB" "SELECT count(*) FROM hs.audit WHERE token_id = 0 OR role = 'public'")" 0
expect_eq "no token text in the audit" "$(q "$DB" "SELECT count(*) FROM hs.audit WHERE params LIKE '%hs1_%'")" 0
H audit --token "$OPERATOR_ID" --format csv >"$T/audit.csv"
expect_eq "hotspot audit --token (csv rows of that token only)" "$(tail -n +2 "$T/audit.csv" | cut -d, -f3 | sort -u)" "$OPERATOR_ID"
head -1 "$T/audit.csv" | grep -q '^id,at,token_id,role,route,params,provinces,status,bytes,duration_ms$' || fail "csv header: $(head -1 "$T/audit.csv")"
H audit --from 2000-01-01 --format json | python3 -c "import json,sys; r=json.load(sys.stdin); assert len(r) >= 4 and 'token' not in r[0] and r[0]['route'], r[:1]" ||
  fail "hotspot audit --format json"
ok "hotspot audit reads the rows (csv and json)"

# SIGTERM flushes what is queued.
before=$(q "$DB" "SELECT count(*) FROM hs.audit")
call planner "/api/meta" >/dev/null
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"; st=$?
SERVER_PID=
expect_eq "exit status after SIGTERM" "$st" 0
expect_eq "audit flushed at shutdown" "$(( $(q "$DB" "SELECT count(*) FROM hs.audit") - before ))" 1

# The log: one JSON line per request, with role and token id, never a token.
python3 - "$T/server.log" <<'PY' || fail "log lines are not one JSON object per request"
import json, sys
n = 0
for line in open(sys.argv[1]):
    if line.startswith('{'):
        d = json.loads(line)
        assert {'id', 'route', 'role', 'token_id', 'status', 'bytes', 'queue_ms', 'total_ms'} <= d.keys(), d
        n += 1
assert n > 100, n
PY
ok "access log: JSON lines with route, role, token id, queue and total time"
