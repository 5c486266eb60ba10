#!/usr/bin/env bash
# Past one machine, on loopback (issue 11, docs/deploy.md): a PostgreSQL primary and
# a streaming replica made with `pg_basebackup -R`, two `hotspot serve` instances
# reading from the replica (--db-read), and nginx in front with a variant of
# deploy/nginx/hotspot.conf (upstream = the two instances, no TLS, paths in a temp
# dir). Checks:
#  - an import on the primary reaches both instances through the replica (new
#    data_version and periods in /api/meta through nginx and on each instance, a new
#    ETag, reads counted as replica reads);
#  - a replica that is behind (replay paused) never makes an answer stale: while the
#    instances announce the new version, their answers carry the new data (read from
#    the primary), never the replica's older data;
#  - with the replica stopped, reads fall back to the primary (or 503), never stale;
#  - killing one instance keeps nginx serving through the other.
# Uses clusters of its own (one is stopped); skips when no cluster or no nginx can run.
source "$(dirname "$0")/lib.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
T=$(mktemp -d /tmp/hs_scale.XXXXXX)
chmod 755 "$T"
PIDS=()
NG_PID=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  [[ -n $NG_PID ]] && { kill -TERM "$NG_PID" 2>/dev/null || true; wait "$NG_PID" 2>/dev/null || true; }
  as_pg "$PGBIN/pg_ctl" -D "$T/rep/data" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
if ! [ -x "$PGBIN/initdb" ] || ! [ -x "$PGBIN/pg_basebackup" ] ||
  { [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; }; then
  echo "skip - no private cluster possible"
  exit 0
fi
[ -x "$NGINX" ] || { echo "skip - nginx is not installed (nginx-light)"; exit 0; }

# ---- primary and streaming replica ----
mkdir -p "$T/pg" "$T/rep"
[ "$(id -u)" = 0 ] && chown postgres "$T/pg" "$T/rep"
as_pg "$PGBIN/initdb" -D "$T/pg/data" -U hotspot --auth=trust >/dev/null
pg_start() { # DIR: the socket lives in DIR, the data in DIR/data
  as_pg "$PGBIN/pg_ctl" -D "$1/data" -w -t 60 \
    -o "-k $1 -c listen_addresses='' -c fsync=off" -l "$1/log" start >/dev/null ||
    fail "PostgreSQL in $1 did not start: $(tail -20 "$1/log")"
}
pg_start "$T/pg"
createdb -h "$T/pg" -U hotspot hs_scale
P="host=$T/pg user=hotspot dbname=hs_scale"
R="host=$T/rep user=hotspot dbname=hs_scale"
"$HOTSPOT_BIN" --db "$P" db migrate >/dev/null
"$HOTSPOT_BIN" --db "$P" import units "$HS_SOURCE_DIR/tests/fixtures/units_provinces.geojson" \
  --level province --code-field ma_tinh --name-field ten_tinh >/dev/null
"$HOTSPOT_BIN" --db "$P" import units "$HS_SOURCE_DIR/tests/fixtures/units_communes.geojson" \
  --level commune --code-field ma_xa --name-field ten_xa --parent-field ma_tinh >/dev/null
cases() { # PERIOD: a small monthly CSV imported on the primary, as an operator would
  printf 'unit_code,period,cases,victims,suspects\n01001,%s,2,1,1\n01002,%s,3,2,0\n' "$1" "$1" \
    >"$T/cases_$1.csv"
  "$HOTSPOT_BIN" --db "$P" import cases "$T/cases_$1.csv" >/dev/null ||
    fail "import of $1 on the primary failed"
}
cases 2024-01
# The token is written on the primary before the base backup, as a token made
# later would reach the replica by streaming; instances check tokens on the primary.
hs_planner_curl "$T" "$("$HOTSPOT_BIN" --db "$P" token create --role planner --note scale_out 2>/dev/null)"

as_pg "$PGBIN/pg_basebackup" -h "$T/pg" -U hotspot -D "$T/rep/data" -R -X stream -c fast ||
  fail "pg_basebackup from the primary failed"
[ -f "$T/rep/data/standby.signal" ] || fail "pg_basebackup -R wrote no standby.signal"
pg_start "$T/rep"
expect_eq "the replica is a standby" "$(q "$R" "SELECT pg_is_in_recovery()")" t
pver() { q "$P" "SELECT version FROM hs.data_version"; }
rver() { q "$R" "SELECT version FROM hs.data_version" 2>/dev/null || echo down; }
wait_replica() { # VERSION: the replica replays up to it (30 s at most)
  for _ in $(seq 1 300); do [[ $(rver) == "$1" ]] && return 0; sleep 0.1; done
  fail "the replica did not reach data version $1 (at $(rver))"
}
V0=$(pver)
wait_replica "$V0"
ok "replica streams from the primary (data version $V0)"

# ---- two instances reading from the replica ----
start_instance() { # N
  "$HOTSPOT_BIN" --db "$P" serve --db-read "$R" --listen 127.0.0.1:0 --threads 2 --quiet \
    >"$T/hs$1.log" 2>&1 &
  PIDS+=($!)
  hs_wait_port "$T/hs$1.log" "$!"
}
start_instance 1
U1=$U HS1=${PIDS[0]}
start_instance 2
U2=$U
grep -q "read-only queries go to the replica" "$T/hs1.log" || fail "instance 1 does not say it reads from the replica"

# ---- nginx in front: deploy/nginx/hotspot.conf with loopback addresses ----
NGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/ngx/cache" "$T/ngx/tmp" "$T/release"
chmod 0777 "$T/ngx" "$T/ngx/cache" "$T/ngx/tmp" # the workers may run as nobody
python3 - "$HS_SOURCE_DIR/deploy/nginx/hotspot.conf" "$T" "$NGPORT" "${U1##*:}" "${U2##*:}" \
  >"$T/ngx/hotspot.conf" <<'PY' || fail "deploy/nginx/hotspot.conf no longer has the lines this test adapts"
import re, sys
src, t, port, p1, p2 = sys.argv[1:]
c = open(src).read()
def sub(pat, rep, n=1):
    global c
    c, k = re.subn(pat, rep, c, flags=re.M)
    if k != n:
        sys.exit(f"{pat!r}: {k} matches, want {n}")
# upstream = the two instances
sub(r"^(\s*server) 127\.0\.0\.1:8138\b", rf"\1 127.0.0.1:{p1}")
sub(r"^(\s*server) 127\.0\.0\.1:8139\b", rf"\1 127.0.0.1:{p2}")
sub(r"/var/cache/nginx/hotspot", f"{t}/ngx/cache")
sub(r"/srv/hotspot/release/", f"{t}/release/")
# no TLS on loopback: drop the port-80 redirect, listen on plain HTTP
sub(r"^server \{\n(?:(?!^\}).*\n)*?\s*return 301 .*\n\}\n", "")
sub(r"^\s*listen 443 ssl http2;", f"    listen 127.0.0.1:{port};")
sub(r"^\s*listen \[::\]:443 ssl http2;\n", "")
sub(r"^\s*ssl_.*\n", "", 4)
sub(r"^\s*add_header Strict-Transport-Security.*\n", "")
print(c)
PY
cat >"$T/ngx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 256; }
http {
  access_log $T/ngx/access.log;
  client_body_temp_path $T/ngx/tmp; proxy_temp_path $T/ngx/tmp;
  fastcgi_temp_path $T/ngx/tmp; uwsgi_temp_path $T/ngx/tmp; scgi_temp_path $T/ngx/tmp;
  include $T/ngx/hotspot.conf;
}
CONF
"$NGINX" -t -q -c "$T/ngx/nginx.conf" -p "$T/ngx" 2>"$T/ngx/t.log" || fail "nginx -t: $(cat "$T/ngx/t.log")"
"$NGINX" -c "$T/ngx/nginx.conf" -p "$T/ngx" 2>"$T/ngx/start.log" &
NG_PID=$!
N="http://127.0.0.1:$NGPORT"
for _ in $(seq 1 100); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$N/healthz") == 200 ]] && break
  kill -0 "$NG_PID" 2>/dev/null || fail "nginx exited: $(cat "$T/ngx/start.log" "$T/ngx/error.log")"
  sleep 0.1
done
ok "nginx in front of both instances"

# The release folder, from disk: replaced in place by a new release, so always
# revalidated (never a stale release from a cache), dot files never served.
printf 'release one\n' >"$T/release/index.html"
printf 'secret\n' >"$T/release/.hidden"
chmod 0755 "$T/release"
chmod 0644 "$T/release/index.html"
h=$(curl -s -D - -o "$T/r.body" "$N/release/index.html" | tr -d '\r')
expect_eq "release file through nginx" "$(cat "$T/r.body")" "release one"
grep -qi '^cache-control: public, no-cache$' <<<"$h" || fail "release Cache-Control: $h"
retag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' <<<"$h")
c=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $retag" "$N/release/index.html")
expect_eq "release file revalidated (If-None-Match)" "$c" 304
printf 'release two\n' >"$T/release/index.html.new" && mv "$T/release/index.html.new" "$T/release/index.html"
chmod 0644 "$T/release/index.html"
expect_eq "a new release is served at once" "$(curl -s "$N/release/index.html")" "release two"
c=$(curl -s -o /dev/null -w '%{http_code}' "$N/release/.hidden")
expect_eq "dot files of the release folder" "$c" 404

# meta URL: "VERSION MAXPERIOD" of /api/meta, or "HTTP<code>"
meta() {
  local out code
  out=$(curl -s -m 10 -w '\n%{http_code}' "$1/api/meta")
  code=${out##*$'\n'}
  [[ $code == 200 ]] || { echo "HTTP$code"; return; }
  out=${out%$'\n'*}
  printf '%s %s\n' "$(sed -n 's/.*"data_version":\([0-9]*\).*/\1/p' <<<"$out")" \
    "$(sed -n 's/.*"case_periods":{[^}]*"max":"\([0-9-]*\)".*/\1/p' <<<"$out")"
}
etag() { curl -s -D - -o /dev/null "$1/api/meta" | sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p'; }
metric() { # URL NAME
  curl -s "$1/metrics" | sed -n "s/^$2 \([0-9]*\)$/\1/p"
}
# wait_meta URL WANT: /api/meta at URL says WANT ("VERSION PERIOD") within 30 s.
# Every answer on the way is checked: never stale data presented as fresh (a
# version with a period older than that version's: PERIOD_OF), and on one instance
# never a version older than one it already answered (LAST). Through nginx an
# older version may come from the other instance until it hears the NOTIFY; a 503
# is allowed (no database could answer), an older version with newer data too
# (an answer computed across the change, never stale).
declare -A PERIOD_OF LAST
wait_meta() {
  local got v p
  for _ in $(seq 1 300); do
    got=$(meta "$1")
    if [[ $got != HTTP503 ]]; then
      v=${got%% *} p=${got#* }
      [[ $got =~ ^[0-9]+\ [0-9]{4}-[0-9]{2}$ ]] || fail "$1/api/meta answered '$got'"
      [[ -n ${PERIOD_OF[$v]:-} || $v == "${2%% *}" ]] || fail "$1/api/meta: unknown version in '$got' (want '$2')"
      [[ $v != "${2%% *}" || $p == "${2#* }" ]] || fail "$1/api/meta: version $v with stale data: '$got' (want '$2')"
      [[ -z ${PERIOD_OF[$v]:-} || ! $p < ${PERIOD_OF[$v]} ]] || fail "$1/api/meta: version $v with stale data: '$got'"
      [[ $1 == "$N" || $v -ge ${LAST[$1]:-0} ]] || fail "$1/api/meta: version $v after ${LAST[$1]} (went back)"
      LAST[$1]=$v
      [[ $got == "$2" ]] && { ok "$1/api/meta: $got"; PERIOD_OF[$v]=$p; return 0; }
    fi
    sleep 0.1
  done
  fail "$1/api/meta: '$got' after 30 s, want '$2'"
}

PERIOD_OF[$V0]=2024-01
expect_eq "through nginx before the change" "$(meta "$N")" "$V0 2024-01"
E0=$(etag "$N")
[[ -n $E0 ]] || fail "/api/meta has no ETag"
for u in "$U1" "$U2"; do
  c=$(curl -s -o /dev/null -w '%{http_code}' "$u/readyz") # a query on a read connection
  expect_eq "$u/readyz with a replica" "$c" 200
  r=$(metric "$u" hotspot_db_replica_reads_total)
  expect_between "$u: reads answered by the replica" "${r:-0}" 1 1000000
done

# ---- a data change on the primary reaches both instances through the replica ----
r1=$(metric "$U1" hotspot_db_replica_reads_total)
cases 2024-02
t_change=$(date +%s.%N)
V1=$(pver)
[[ $V1 -gt $V0 ]] || fail "the import did not bump the data version ($V0 -> $V1)"
wait_replica "$V1"
for u in "$N" "$U1" "$U2"; do wait_meta "$u" "$V1 2024-02"; done
ok "the change reached nginx and both instances through the replica in $(awk -v a="$t_change" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s (after the import returned)"
E1=$(etag "$N")
[[ -n $E1 && $E1 != "$E0" ]] || fail "ETag unchanged after the data change ('$E0' -> '$E1')"
ok "new ETag through nginx: $E0 -> $E1"
r=$(metric "$U1" hotspot_db_replica_reads_total)
expect_between "instance 1: the new data came through the replica (replica reads)" "$r" $((r1 + 1)) 1000000

# ---- a replica behind the primary: never stale data presented as fresh ----
q "$R" "SELECT pg_wal_replay_pause()" >/dev/null
f0=$(metric "$U1" hotspot_db_read_fallbacks_total)
cases 2024-03
V2=$(pver)
sleep 0.5
expect_eq "the paused replica is still at the old version" "$(rver)" "$V1"
for u in "$N" "$U1" "$U2"; do wait_meta "$u" "$V2 2024-03"; done
expect_eq "the replica is still behind while the new data is served" "$(rver)" "$V1"
f=$(metric "$U1" hotspot_db_read_fallbacks_total)
expect_between "instance 1: reads sent to the primary while the replica lagged" "$f" $((f0 + 1)) 1000000
w=$(metric "$U1" hotspot_db_replica_lag_waits_total)
expect_between "instance 1: waited for the lagging replica first" "${w:-0}" 1 1000000
c=$(curl -s -o /dev/null -w '%{http_code}' "$N/api/units?level=commune&province=01")
expect_eq "uncached /api/units through nginx while the replica lags" "$c" 200
q "$R" "SELECT pg_wal_replay_resume()" >/dev/null
wait_replica "$V2"
r2=$(metric "$U1" hotspot_db_replica_reads_total)
curl -s -o /dev/null "$U1/api/units?level=commune&province=02"
r=$(metric "$U1" hotspot_db_replica_reads_total)
expect_between "instance 1: reads go to the replica again once it caught up" "$r" $((r2 + 1)) 1000000
grep -q "reads go to the primary" "$T/hs1.log" || fail "instance 1 did not log the fallback"

# ---- the replica stopped: reads fall back to the primary or 503, never stale ----
as_pg "$PGBIN/pg_ctl" -D "$T/rep/data" -w -m fast stop >/dev/null || fail "cannot stop the replica"
cases 2024-04
V3=$(pver)
for u in "$N" "$U1" "$U2"; do wait_meta "$u" "$V3 2024-04"; done
for i in 1 2 3 4; do
  c=$(curl -s -o /dev/null -w '%{http_code}' "$N/api/units?level=commune&province=0$i")
  [[ $c == 200 || $c == 503 ]] || fail "uncached /api/units with the replica down: $c (want 200 or 503)"
done
ok "uncached answers with the replica down: 200 or 503"

# ---- one instance killed: nginx serves through the other ----
kill -KILL "$HS1"
wait "$HS1" 2>/dev/null || true
PIDS=("${PIDS[@]:1}")
for i in $(seq 1 20); do
  got=$(meta "$N")
  [[ $got == "$V3 2024-04" ]] || fail "request $i through nginx after killing instance 1: '$got'"
done
ok "20 requests through nginx after killing instance 1: all $V3 2024-04"
c=$(curl -s -o /dev/null -w '%{http_code}' "$N/api/units?level=province")
expect_eq "uncached /api/units through nginx with one instance" "$c" 200

# ---- the primary stopped, the replica up: ready but degraded ----------------------
# (Last: restarting the primary breaks the instances' primary connections, and the
# 503s of their first queries would make nginx skip them above.) Reads are answered by
# the replica, so the instance stays ready (200); the listener on the primary is down,
# so it says "degraded" with the reason.
pg_start "$T/rep"
for i in $(seq 1 150); do
  curl -s -o "$T/ready.json" "$U2/readyz"
  grep -q '"status":"ok"' "$T/ready.json" && break
  sleep 0.1
done
grep -q '"status":"ok"' "$T/ready.json" || fail "$U2/readyz with the replica back: $(cat "$T/ready.json")"
# "ok" above may have come through the primary: a worker whose replica connect failed
# during the outage waits out its backoff (up to 2 s) before trying again. Stop the
# primary only once the replica has the current version and instance 2 has read from
# it again; from then on every worker must use the replica at once (hs_dbpool: a
# worker's backoff ends when another worker has reconnected).
wait_replica "$V3"
r0=$(metric "$U2" hotspot_db_replica_reads_total)
for i in $(seq 1 50); do
  curl -s -o /dev/null "$U2/readyz" # its ping is a read: the replica's when it can
  r=$(metric "$U2" hotspot_db_replica_reads_total)
  ((r > r0)) && break
  sleep 0.1
done
((r > r0)) || fail "instance 2 does not read from the replica again after its restart"
as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -w -m fast stop >/dev/null || fail "cannot stop the primary"
for i in $(seq 1 100); do
  curl -s -o "$T/ready.json" "$U2/readyz"
  grep -q '"listener":"down"' "$T/ready.json" && break
  sleep 0.1
done
c=$(curl -s -o "$T/ready.json" -w '%{http_code}' "$U2/readyz")
# Every worker thread must answer from the replica, not only the one the loop above
# happened to reach: a thread still in its connect backoff from the replica's restart
# used to fall back to the (stopped) primary and answer 503 (hs_dbpool.c, up[]).
[[ $c == 200 ]] || fail "/readyz with the primary down and the replica up: $c $(cat "$T/ready.json"); instance 2 logged: $(tail -8 "$T/hs2.log"); the replica logged: $(tail -15 "$T/rep/log")"
grep -q '"status":"degraded"' "$T/ready.json" && grep -q '"listener":"down"' "$T/ready.json" &&
  grep -q '"reason":"data changes are not heard' "$T/ready.json" ||
  fail "/readyz does not say degraded: $(cat "$T/ready.json")"
for i in $(seq 1 20); do
  c=$(curl -s -o "$T/ready.json" -w '%{http_code}' "$U2/readyz")
  [[ $c == 200 ]] || fail "/readyz probe $i with the primary down and the replica up: $c $(cat "$T/ready.json"); instance 2 logged: $(tail -8 "$T/hs2.log")"
done
ok "/readyz: degraded with the reason in the body, on 21 probes in a row"
pg_start "$T/pg"
for i in $(seq 1 150); do
  curl -s -o "$T/ready.json" "$U2/readyz"
  grep -q '"status":"ok"' "$T/ready.json" && break
  sleep 0.1
done
grep -q '"status":"ok"' "$T/ready.json" || fail "/readyz after the primary came back: $(cat "$T/ready.json")"
ok "/readyz ok again once the primary is back"

kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" || fail "instance 2 exit status after SIGTERM: $(tail -20 "$T/hs2.log")"
PIDS=()
grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/hs1.log" "$T/hs2.log" &&
  fail "sanitizer report: $(grep -h -A20 -E 'AddressSanitizer|runtime error' "$T/hs1.log" "$T/hs2.log" | head -30)"
ok "clean exit"
