#!/usr/bin/env bash
# End-to-end test of `hotspot serve`: framing, errors, caching/ETag, metrics, static
# files, a flood of malformed requests, LISTEN/NOTIFY, and a database outage.
#
# Uses its own tiny PostgreSQL cluster (so it may stop and restart it); when that
# is impossible (root without a `postgres` user, no initdb) it falls back to a
# fresh database in $HOTSPOT_DB's cluster and skips the outage part.
# Every wait is a bounded poll; nothing sleeps for a fixed long time.
set -euo pipefail

BIN=${HOTSPOT_BIN:?HOTSPOT_BIN must point to the hotspot binary}
SRC=${HS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/hs_http.XXXXXX)
chmod 755 "$T"
SERVER_PID=
OWN_CLUSTER=0
FAILS=0

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$OWN_CLUSTER" = 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1 || true
    elif [ -n "${DBNAME:-}" ]; then
        psql "${HOTSPOT_DB_ADMIN}" -qc "DROP DATABASE IF EXISTS $DBNAME" >/dev/null 2>&1 || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

# ---- database ----
if [ -x "$PGBIN/initdb" ] && { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }; then
    mkdir -p "$T/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$T/pg"
    as_pg "$PGBIN/initdb" -D "$T/pg/data" -U hotspot --auth=trust >/dev/null
    pg_start() {
        as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -w -t 30 \
            -o "-k $T/pg -c listen_addresses='' -c fsync=off" -l "$T/pg/log" start >/dev/null
    }
    pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -w -t 30 -m fast stop >/dev/null; }
    pg_start
    OWN_CLUSTER=1
    createdb -h "$T/pg" -U hotspot hs_http
    DB="host=$T/pg user=hotspot dbname=hs_http"
elif [ -n "${HOTSPOT_DB:-}" ]; then
    HOTSPOT_DB_ADMIN=$HOTSPOT_DB
    DBNAME=hs_http_$$
    psql "$HOTSPOT_DB" -qc "CREATE DATABASE $DBNAME" >/dev/null
    DB="$HOTSPOT_DB dbname=$DBNAME"
else
    echo "SKIP: no way to get a database (no initdb and no HOTSPOT_DB)"
    exit 0
fi
psql "$DB" -q -v ON_ERROR_STOP=1 -f "$SRC/sql/001_schema.sql" -f "$SRC/sql/003_access.sql" >/dev/null
# Everything but the public pages needs a token: every curl below sends a planner's
# (curl reads $CURL_HOME/.curlrc); the raw-socket flood sends none.
TOKEN=$(HOTSPOT_DB=$DB "$BIN" token create --role planner 2>/dev/null)
printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" >"$T/.curlrc"
export CURL_HOME=$T
PSQL() { psql "$DB" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# ---- static files, including things that must not be served ----
WEB=$T/web
mkdir -p "$WEB/css" "$WEB/.git"
echo '<!doctype html><title>Hotspot138</title>' >"$WEB/index.html"
echo 'body{margin:0}' >"$WEB/css/app.css"
echo 'secret' >"$WEB/.git/config"
echo 'binary' >"$WEB/tool.exe"
ln -s /etc/passwd "$WEB/passwd.txt"

# ---- server ----
HOTSPOT_DB=$DB "$BIN" serve --listen 127.0.0.1:0 --threads 2 --cache-mb 8 --web "$WEB" \
    --timeout 5 >"$T/server.log" 2>&1 &
SERVER_PID=$!
PORT=
for _ in $(seq 1 100); do
    PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/server.log" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
done
if [ -z "$PORT" ]; then
    cat "$T/server.log"
    echo "FAIL - server did not start"
    exit 1
fi
U="http://127.0.0.1:$PORT"
ok "server listening on port $PORT"

# fetch PATH [curl args...]: body in $T/body, headers in $T/hdr, status in $CODE
fetch() {
    local p=$1; shift
    rm -f "$T/body" "$T/hdr"
    CODE=$(curl -s --max-time 10 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$U$p" || true)
}
body_has() { grep -qF -- "$1" "$T/body"; }
hdr_has() { grep -qiF -- "$1" "$T/hdr"; }
hdr() { sed -n "s/^$1: *//Ip" "$T/hdr" | tr -d '\r' | head -1; }
# poll_json PATH NEEDLE [TRIES]: polls every 0.2 s until the body contains NEEDLE
poll_for() {
    local p=$1 needle=$2 tries=${3:-50}
    for _ in $(seq 1 "$tries"); do
        fetch "$p"
        body_has "$needle" && return 0
        sleep 0.2
    done
    return 1
}

fetch /healthz
check "/healthz 200" [ "$CODE" = 200 ]
check "/healthz JSON (liveness only)" body_has '{"status":"ok"}'
fetch /readyz
check "/readyz 200" [ "$CODE" = 200 ]
check "/readyz JSON" body_has '{"status":"ok","db":"ok","listener":"ok","data_version":1}'
check "/healthz no-store" hdr_has 'Cache-Control: no-store'

fetch /nope
check "unknown path 404" [ "$CODE" = 404 ]
check "404 is a JSON error" body_has '"code":"not_found"'

fetch /healthz -X POST
check "POST 405" [ "$CODE" = 405 ]
check "405 has Allow" hdr_has 'Allow: GET, HEAD'
fetch /healthz -X DELETE
check "DELETE 405" [ "$CODE" = 405 ]
fetch /healthz -X GET --data 'x=1'
check "GET with a body 413" [ "$CODE" = 413 ]

fetch '/api/meta?indicater=cases'
check "unknown parameter 400" [ "$CODE" = 400 ]
check "400 names the parameter" body_has '"parameter":"indicater"'
fetch '/api/meta?a=%zz'
check "bad percent-encoding 400" [ "$CODE" = 400 ]
fetch '/%C0%AF'
check "overlong UTF-8 in path 400" [ "$CODE" = 400 ]
fetch '/web/..%2fx'
check "encoded slash 400" [ "$CODE" = 400 ]
fetch '/web/../etc/passwd' --path-as-is
check "dot segments 400" [ "$CODE" = 400 ]

# ---- /api/meta: cached per data version, ETag, 304 ----
fetch /api/meta
check "/api/meta 200" [ "$CODE" = 200 ]
check "/api/meta copes with empty tables" body_has '"units":{"province":0,"commune":0},"case_periods":{"min":null,"max":null}'
check "/api/meta synthetic flag false" body_has '"synthetic":false'
ETAG=$(hdr ETag)
check "/api/meta has an ETag" [ -n "$ETAG" ]
fetch /api/meta -H "If-None-Match: $ETAG"
check "If-None-Match gives 304" [ "$CODE" = 304 ]
check "304 has no body" [ ! -s "$T/body" ]
check "304 was a cache hit" hdr_has 'X-Cache: HIT'
fetch /api/meta -H 'If-None-Match: "nope", W/'"$ETAG"
check "weak/list If-None-Match gives 304" [ "$CODE" = 304 ]
fetch /api/meta -I
check "HEAD 200" [ "$CODE" = 200 ]
HEAD_BYTES=$(curl -s --max-time 10 -I -o /dev/null -w '%{size_download}' "$U/api/meta")
check "HEAD has no body ($HEAD_BYTES bytes)" [ "$HEAD_BYTES" = 0 ]
check "HEAD keeps Content-Length" hdr_has "Content-Length: "
PSQL "INSERT INTO hs.dataset_meta VALUES ('synthetic', 'true')"

# Concurrent identical requests all succeed (and may merge).
for i in $(seq 1 16); do curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' "$U/api/meta" & done >"$T/par" 2>&1
wait_count=0
while [ "$(wc -l <"$T/par")" -lt 16 ] && [ $wait_count -lt 100 ]; do sleep 0.1; wait_count=$((wait_count + 1)); done
check "16 concurrent requests all 200" [ "$(grep -c '^200$' "$T/par")" = 16 ]

# ---- static files ----
fetch /
check "/ serves index.html" body_has 'Hotspot138'
check "/ is text/html" hdr_has 'Content-Type: text/html'
fetch /web/css/app.css
check "/web/css/app.css 200 text/css" [ "$CODE" = 200 ]
check "css content type" hdr_has 'Content-Type: text/css'
SETAG=$(hdr ETag)
fetch /web/css/app.css -H "If-None-Match: $SETAG"
check "static 304" [ "$CODE" = 304 ]
for p in /web/.git/config /web/tool.exe /web/passwd.txt /web/missing.html /web/css; do
    fetch "$p"
    check "$p not served (404)" [ "$CODE" = 404 ]
done

# ---- limits and malformed requests ----
LONG=$(head -c 9000 /dev/zero | tr '\0' a)
fetch "/healthz?x=$LONG"
check "overlong URI 414" [ "$CODE" = 414 ]
HUGE=$(head -c 70000 /dev/zero | tr '\0' a)
fetch "/$HUGE"
check "URI past the connection memory answered with an error ($CODE)" [ "$CODE" -ge 400 ]

# One bash process opens every connection itself (builtins only, so it is quick):
# send, wait at most 0.5 s for the first line of an answer, close.
cat >"$T/flood.sh" <<'FLOOD'
port=$1
trap "" PIPE # the server may close first; keep going
reqs=(
    'GET /%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n'
    'GET / HTTP/9.9\r\n\r\n'
    'GARBAGE\r\n\r\n'
    'GET /healthz HTTP/1.1\r\nNo colon header\r\n\r\n'
    'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'
    'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n'
    'GET /\xff\xfe\x01?a=\xc0\xaf HTTP/1.1\r\nHost: x\r\n\r\n'
    'GET /api/meta?%%%%=&=&a=%%C0%%AF&\xff=1 HTTP/1.1\r\nHost: x\r\n\r\n'
    'GET /healthz HTTP/1.1\r\nHost: x\r\nIf-None-Match: \xff\xfe"\r\n\r\n'
    '\x00\x01\x02\xff\xfe\r\n\r\n'
    'GET /healthz HTTP/1.1\r\nHost: x\r\n'
)
n=0
for round in $(seq 1 30); do
    for r in "${reqs[@]}" "$(head -c 300 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')\r\n\r\n"; do
        exec 3<>"/dev/tcp/127.0.0.1/$port" || continue
        printf "%b" "$r" >&3 2>/dev/null
        read -r -t 0.5 line <&3 2>/dev/null
        exec 3>&-
        n=$((n + 1))
    done
done
echo "$n"
FLOOD
FLOOD_START=$(date +%s)
NFLOOD=$(timeout 300 bash "$T/flood.sh" "$PORT" 2>/dev/null || echo "?")
echo "flood of $NFLOOD malformed requests took $(( $(date +%s) - FLOOD_START )) s"
check "server alive after the flood" kill -0 "$SERVER_PID"
fetch /healthz
check "/healthz 200 after the flood" [ "$CODE" = 200 ]

# ---- metrics ----
fetch /metrics
check "/metrics 200" [ "$CODE" = 200 ]
check "/metrics is Prometheus text" hdr_has 'Content-Type: text/plain; version=0.0.4'
check "/metrics no-store" hdr_has 'Cache-Control: no-store'
for m in 'hotspot_http_requests_total{route="/healthz",status="200"}' \
    'hotspot_http_requests_total{route="unmatched",status="404"}' \
    'hotspot_http_requests_total{route="unmatched",status="405"}' \
    'hotspot_http_request_duration_seconds_bucket{route="/api/meta",le="+Inf"}' \
    hotspot_cache_hits_total hotspot_cache_misses_total hotspot_cache_merged_total \
    hotspot_cache_bytes hotspot_cache_entries hotspot_db_reconnects_total \
    hotspot_db_connections 'hotspot_data_version 1' hotspot_uptime_seconds; do
    check "metric $m" body_has "$m"
done
HITS=$(sed -n 's/^hotspot_cache_hits_total //p' "$T/body")
check "cache hits counted ($HITS)" [ "${HITS:-0}" -ge 1 ]

# ---- LISTEN/NOTIFY: a new data version reaches the server ----
PSQL "UPDATE hs.data_version SET version = version + 1, changed_at = now(); NOTIFY hs_data_changed"
check "NOTIFY: /readyz reports data_version 2" poll_for /readyz '"data_version":2'
fetch /api/meta -H "If-None-Match: $ETAG"
check "old ETag no longer matches after the version change" [ "$CODE" = 200 ]
check "/api/meta re-rendered for version 2" body_has '"data_version":2,"synthetic":true'

# ---- database outage ----
if [ "$OWN_CLUSTER" = 1 ]; then
    pg_stop
    check "DB down: /readyz 503" poll_for /readyz '"db":"down"'
    check "DB down: status code 503" [ "$CODE" = 503 ]
    check "DB down: no paths or library text in the body" bash -c "! grep -qE '/|reason|socket' '$T/body'"
    fetch /healthz
    check "DB down: /healthz (liveness) still 200" [ "$CODE" = 200 ]
    fetch /metrics
    check "DB down: /metrics still 200" [ "$CODE" = 200 ]
    fetch /api/meta?x
    check "DB down: validation still 400" [ "$CODE" = 400 ]
    pg_start
    check "DB back: /readyz 200 again" poll_for /readyz '"db":"ok"' 150
    # The listener reconnects with backoff (at most 2 s between tries).
    PSQL "UPDATE hs.data_version SET version = 3; NOTIFY hs_data_changed"
    check "DB back: NOTIFY path recovered (data_version 3)" poll_for /readyz '"data_version":3' 150
    # A worker thread replaces its dead connection when it next needs the database.
    # Which MHD thread gets a request is up to the kernel (and renders run on the heavy
    # threads), so ask /readyz until a thread that was connected before the outage has
    # served one.
    RECON=0
    for _ in $(seq 1 40); do
        fetch /readyz
        fetch /metrics
        RECON=$(sed -n 's/^hotspot_db_reconnects_total //p' "$T/body")
        [ "${RECON:-0}" -ge 1 ] && break
    done
    check "worker reconnects counted ($RECON)" [ "${RECON:-0}" -ge 1 ]
else
    echo "skip - database outage part (no private cluster)"
fi

# ---- graceful shutdown ----
kill -TERM "$SERVER_PID"
RC=0
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER_PID" || RC=$?
SERVER_PID=
check "SIGTERM: exit status 0 (no sanitizer or leak report)" [ "$RC" = 0 ]
check "SIGTERM logged" grep -q 'SIGTERM received' "$T/server.log"
check "no sanitizer errors in the log" bash -c "! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' '$T/server.log'"
check "access log lines written (JSON)" grep -q '"path":"/healthz","route":"/healthz","role":"planner","token_id":1,"status":200' "$T/server.log"

if [ "$FAILS" != 0 ]; then
    echo "---- server log (tail) ----"
    tail -40 "$T/server.log"
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
