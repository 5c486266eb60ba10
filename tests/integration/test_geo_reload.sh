#!/usr/bin/env bash
# The map geometry is reloaded off the request threads after a data change (NOTIFY):
# a background thread of the geometry holder loads the new version while requests are
# served with the previous one, so right after the NOTIFY
#  - /healthz stays fast (20 requests, each under 0.5 s, on the server's one HTTP thread);
#  - a new tile does not wait for the reload: it answers in less time than the reload
#    took (the server logs both), with the previous geometry;
#  - the reload is logged as a background one, and the next data change reloads again.
# On a copy of the demo data (the version is bumped: the shared copy is read-only).
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_georeload.XXXXXX)
SERVER_PID=
name="t_georeload_$$"
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  "$PSQL" "$HOTSPOT_DB" -qAt -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
"$PSQL" "$HOTSPOT_DB" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $name TEMPLATE hotspot_demo_shared" >/dev/null
DB="$HOTSPOT_DB dbname=$name"
hs_planner_curl "$T"

HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 1 --heavy-threads 1 \
  --rate-planner 0 >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
ok "server on port $PORT (1 HTTP thread, 1 heavy thread)"
expect_eq "a tile before the change" \
  "$(curl -s -m 300 -o /dev/null -w '%{http_code}' "$U/tiles/rate/6/50/28.png")" 200

version() { curl -s -m 10 "$U/readyz" | sed -n 's/.*"data_version":\([0-9]*\).*/\1/p'; }
bump() { # a data change as an import makes it: new version, NOTIFY
  q "$DB" "UPDATE hs.data_version SET version = version + 1, changed_at = now() WHERE id = 1;
           NOTIFY hs_data_changed" >/dev/null
}
wait_version() { # V: until the server heard it
  local i
  for i in $(seq 1 100); do
    [[ $(version) == "$1" ]] && return 0
    sleep 0.1
  done
  fail "the server did not hear data version $1 (at $(version))"
}
wait_reloads() { # N: until N background reloads were logged (up to 5 min, ASan builds)
  local i
  for i in $(seq 1 3000); do
    [[ $(grep -c 'reloaded in the background' "$T/server.log") -ge $1 ]] && return 0
    sleep 0.1
  done
  fail "no background geometry reload logged: $(tail -5 "$T/server.log")"
}

v0=$(version)
bump
wait_version $((v0 + 1))
ok "NOTIFY heard: data version $((v0 + 1))"
# A new tile (not cached at any version) right away: it needs the geometry.
curl -s -m 300 -o "$T/tile.png" -w '%{http_code} %{time_total}\n' "$U/tiles/rate/6/51/28.png" \
  >"$T/tile.out" &
TILE_PID=$!
worst=0
for _ in $(seq 1 20); do
  read -r code t < <(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}\n' "$U/healthz")
  [[ $code == 200 ]] || fail "/healthz after the NOTIFY: $code"
  worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
  sleep 0.05
done
expect_between "slowest of 20 /healthz right after the NOTIFY (s)" "$worst" 0 0.5
wait "$TILE_PID"
read -r code tile_s <"$T/tile.out"
expect_eq "the new tile during the reload" "$code" 200
wait_reloads 1
load_s=$(sed -n 's/.*reloaded in the background (data version [0-9]*) in \([0-9.]*\) s.*/\1/p' \
  "$T/server.log" | head -1)
ok "geometry reloaded in the background in $load_s s; the tile took $tile_s s"
# The tile ran its own analysis of the new data, but did not wait for the geometry.
awk -v t="$tile_s" -v l="$load_s" 'BEGIN { exit !(t < l) }' ||
  fail "the tile ($tile_s s) waited for the geometry reload ($load_s s)"
ok "the tile did not wait for the reload"

bump
wait_version $((v0 + 2))
wait_reloads 2
ok "the next change reloads again"
expect_eq "a tile after the reloads" \
  "$(curl -s -m 300 -o /dev/null -w '%{http_code}' "$U/tiles/rate/6/50/28.png")" 200
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
expect_eq "server exit status after SIGTERM" "$rc" 0
