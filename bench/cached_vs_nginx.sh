#!/usr/bin/env bash
# A cached tile from `hotspot serve` against nginx serving the same bytes from disk,
# side by side in ONE run on loopback: wrk -t2 -c64 on each, req/s, p99, ratios.
# See docs/benchmarks.md.
#
#   bash bench/cached_vs_nginx.sh
#   DURATION=20 ROUNDS=2 TILE=/tiles/gistar/6/50/29.png bash bench/cached_vs_nginx.sh
#   HS_THREADS=2 NGINX_WORKERS=1 LOG=0 bash bench/cached_vs_nginx.sh
#
# A throwaway PostgreSQL cluster gets the synthetic demo (`hotspot db demo`), a
# Release `hotspot serve` starts on 127.0.0.1, the tile is fetched once (rendered,
# then cached), its bytes are written to a directory that nginx (Debian
# nginx-light, NGINX_WORKERS workers, default HS_THREADS: as many event loops as
# hotspot has threads) serves on another loopback port.
# Each server is warmed, then measured; with ROUNDS > 1 they alternate, and the
# best round of each is reported (the machine is shared). LOG=1 (default): both
# write an access log to a file; LOG=0: both run without one (--quiet, access_log off).
# Also measures a revalidation (If-None-Match, 304) on each.
# HOTSPOT_BIN may name an existing Release hotspot binary.
# Writes bench/results/cached_vs_nginx.md (gitignored) and prints it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
TILE=${TILE:-/tiles/gistar/6/50/29.png}
HS_THREADS=${HS_THREADS:-$(nproc)}
NGINX_WORKERS=${NGINX_WORKERS:-$HS_THREADS} # like for like: one event loop per hotspot thread
LOG=${LOG:-1}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
command -v wrk >/dev/null || hs_die "wrk is missing (scripts/test installs HS_TEST_PACKAGES)"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || hs_die "nginx is missing (nginx-light)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

hs_bench_setup cvn
chmod 0755 "$WORK" # nginx workers (www-data) read www/ below it
# Tiles are not public: a planner token, sent to both servers so each gets the same
# request bytes (nginx ignores it).
hs_bench_token bench

quiet=()
[ "$LOG" = 1 ] || quiet=(--quiet)
# One client at full speed: the per-token rate cap (rate-planner, 200/s) is off here.
hs_bench_serve --threads "$HS_THREADS" "${quiet[@]}" --rate-planner 0

mkdir -p "$WORK/www$(dirname "$TILE")"
code=$(curl -s -H "$AUTH" -o "$WORK/www$TILE" -w '%{http_code}' "http://127.0.0.1:$HS_PORT$TILE")
[ "$code" = 200 ] || hs_die "GET $TILE answered $code"
hdrs=$(curl -s -H "$AUTH" -D - -o /dev/null "http://127.0.0.1:$HS_PORT$TILE")
grep -qi '^x-cache: hit' <<<"$hdrs" || hs_die "second GET $TILE was not a cache hit"
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' <<<"$hdrs")
BYTES=$(stat -c %s "$WORK/www$TILE")

# nginx: one server block on a free loopback port, the tile as a static file, the
# same Cache-Control as ours; its own ETag (size + mtime) answers If-None-Match.
NG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ "$LOG" = 1 ]; then ng_log="access_log $WORK/nginx-access.log;"; else ng_log="access_log off;"; fi
cat >"$WORK/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  $ng_log
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/ngtmp; proxy_temp_path $WORK/ngtmp;
  fastcgi_temp_path $WORK/ngtmp; uwsgi_temp_path $WORK/ngtmp; scgi_temp_path $WORK/ngtmp;
  server {
    listen 127.0.0.1:$NG_PORT;
    root $WORK/www;
    add_header Cache-Control "public, max-age=300";
  }
}
CONF
mkdir -p "$WORK/ngtmp"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/nginx-start.log" &
hs_bench_track $!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$NG_PORT$TILE" && break
  sleep 0.1
done
cmp -s "$WORK/www$TILE" <(curl -s "http://127.0.0.1:$NG_PORT$TILE") ||
  hs_die "nginx does not serve the same bytes"
NG_ETAG=$(curl -s -D - -o /dev/null "http://127.0.0.1:$NG_PORT$TILE" |
  sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p')

# run PORT [HEADER]: "req/s p99_ms" of wrk -t2 -cCONNS for DURATION seconds.
run() {
  local port=$1 hdr=(-H "$AUTH") o rps p99
  [ -n "${2:-}" ] && hdr+=(-H "$2")
  o=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${hdr[@]}" "http://127.0.0.1:$port$TILE")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$o")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$o")
  grep -q 'Non-2xx' <<<"$o" && [ -z "${2:-}" ] && hs_die "port $port answered errors: $o"
  echo "$rps $p99"
}
best() { # best "rps p99" by req/s among the lines on stdin
  sort -k1,1gr | head -1
}

wrk -t2 -c"$CONNS" -d2s -H "$AUTH" "http://127.0.0.1:$HS_PORT$TILE" >/dev/null
wrk -t2 -c"$CONNS" -d2s -H "$AUTH" "http://127.0.0.1:$NG_PORT$TILE" >/dev/null
hs_runs="" ng_runs="" hs304="" ng304=""
for _ in $(seq 1 "$ROUNDS"); do
  hs_runs+="$(run "$HS_PORT")"$'\n'
  ng_runs+="$(run "$NG_PORT")"$'\n'
done
hs304=$(run "$HS_PORT" "If-None-Match: $ETAG")
ng304=$(run "$NG_PORT" "If-None-Match: $NG_ETAG")
read -r hs_rps hs_p99 <<<"$(best <<<"${hs_runs%$'\n'}")"
read -r ng_rps ng_p99 <<<"$(best <<<"${ng_runs%$'\n'}")"
read -r hs3_rps hs3_p99 <<<"$hs304"
read -r ng3_rps ng3_p99 <<<"$ng304"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

MD="$OUT/cached_vs_nginx.md"
{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //') ($NGINX_WORKERS worker(s)); hotspot serve --threads $HS_THREADS;" \
       "access logs: $([ "$LOG" = 1 ] && echo 'on (files)' || echo off)"
  echo "GET $TILE ($BYTES bytes), wrk -t2 -c$CONNS -d${DURATION}s, best of $ROUNDS alternating rounds"
  echo "(hotspot rounds: $(tr '\n' ';' <<<"${hs_runs%$'\n'}") nginx rounds: $(tr '\n' ';' <<<"${ng_runs%$'\n'}"))"
  echo
  echo "| request | hotspot req/s | hotspot p99 ms | nginx req/s | nginx p99 ms | req/s ratio | p99 ratio |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  echo "| 200, cached tile | $hs_rps | $hs_p99 | $ng_rps | $ng_p99 | $(ratio "$hs_rps" "$ng_rps")x | $(ratio "$hs_p99" "$ng_p99")x |"
  echo "| 304, If-None-Match | $hs3_rps | $hs3_p99 | $ng3_rps | $ng3_p99 | $(ratio "$hs3_rps" "$ng3_rps")x | $(ratio "$hs3_p99" "$ng3_p99")x |"
  echo
  echo "Goal (issue 11): req/s ratio >= 0.75, p99 ratio <= 2."
} >"$MD"
cat "$MD"
