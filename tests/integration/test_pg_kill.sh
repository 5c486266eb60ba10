#!/usr/bin/env bash
# PostgreSQL killed with SIGKILL (the postmaster, so every backend dies) while a
# client keeps asking, then restarted (crash recovery):
#  - the server does not crash; cached answers keep flowing: tiles, a map, an
#    /api/analyze answer, TileJSON, /api/meta are 200 with the same ETag as before the
#    kill, and 304 on If-None-Match;
#  - a new tile of a layer whose analysis is in memory is drawn (200);
#  - other uncached answers get 503 within a second, with a body naming "database
#    unavailable" and no socket path, host or library text; /readyz says the database
#    is down while /healthz (liveness) stays 200;
#  - within 5 s of the database's return: uncached answers are 200 again and a
#    NOTIFY reaches the server (LISTEN re-established), after which the tiles are
#    drawn anew for the new data version.
# Uses a cluster of its own (it is killed), holding a copy of the demo data; skips
# when no initdb can run.
source "$(dirname "$0")/lib.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/hs_pgkill.XXXXXX)
chmod 755 "$T"
SERVER_PID=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
if ! [ -x "$PGBIN/initdb" ] || { [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; }; then
  echo "skip - no private cluster possible"
  exit 0
fi
mkdir -p "$T/pg"
[ "$(id -u)" = 0 ] && chown postgres "$T/pg"
as_pg "$PGBIN/initdb" -D "$T/pg/data" -U hotspot --auth=trust >/dev/null
pg_start() {
  as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -w -t 60 \
    -o "-k $T/pg -c listen_addresses='' -c fsync=off" -l "$T/pg/log" start >/dev/null
}
pg_start
createdb -h "$T/pg" -U hotspot hs_pgkill
DB="host=$T/pg user=hotspot dbname=hs_pgkill"
# The demo data, copied from the shared demo database (read-only there).
pg_dump -Fc "$(hs_demo_db)" >"$T/demo.dump"
pg_restore --no-owner -d "$DB" "$T/demo.dump"

# A planner token of this database, made before the server loads the token set: the
# routes below are not public.
hs_planner_curl "$T" "$("$HOTSPOT_BIN" --db "$DB" token create --role planner --note pg_kill 2>/dev/null)"
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --quiet >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
code() { curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$@"; }
c=$(code "$U/api/meta"); expect_eq "warm /api/meta" "${c%% *}" 200
c=$(code "$U/api/units?level=province"); expect_eq "warm /api/units" "${c%% *}" 200
# What users had asked for before the outage: tiles of two layers (1x and @2x), a
# map, an analysis, TileJSON. Their ETags are the ones the outage must keep.
WARM=("/tiles/gistar/6/51/28.png" "/tiles/gistar/6/51/29.png" "/tiles/gistar/6/50/28.png"
      "/tiles/gistar/7/101/56.png" "/tiles/gistar/6/51/29@2x.png" "/tiles/rate/6/51/29.png?classes=quantile&k=5"
      "/tiles/gistar.json" "/maps/rate.png?size=300x300" "/dashboard/hotspots.png"
      "/api/analyze?permutations=9&format=json")
declare -A ETAG
etag_of() { curl -s -m 120 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
for p in "${WARM[@]}"; do
  st=$(etag_of "$U$p")
  [[ $st == 200 ]] || fail "warm $p: $st $(head -c 300 "$T/body")"
  ETAG[$p]=$(tr -d '\r' <"$T/hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
  [[ -n ${ETAG[$p]} ]] || fail "warm $p: no ETag"
done
cp "$T/body" "$T/analyze_before.json"
ok "warmed ${#WARM[@]} answers (tiles, TileJSON, a map, a dashboard image, an analysis)"

# ---- kill -9 the postmaster ----
pm=$(head -1 "$T/pg/data/postmaster.pid")
kill -9 "$pm"
t_kill=$(date +%s.%N)
# the backends notice the postmaster's death and exit by themselves
for _ in $(seq 1 100); do kill -0 "$pm" 2>/dev/null || break; sleep 0.05; done
for i in $(seq 1 20); do
  c=$(code "$U/api/meta")
  [[ ${c%% *} == 200 ]] || fail "cached /api/meta during the outage: $c"
done
ok "cached /api/meta: 20 x 200 during the outage"
for round in 1 2; do
  for p in "${WARM[@]}"; do
    st=$(etag_of "$U$p")
    [[ $st == 200 ]] || fail "cached $p during the outage: $st $(head -c 300 "$T/body")"
    e=$(tr -d '\r' <"$T/hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
    [[ $e == "${ETAG[$p]}" ]] || fail "cached $p during the outage: ETag $e, before $p ${ETAG[$p]}"
    st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "If-None-Match: ${ETAG[$p]}" "$U$p")
    [[ $st == 304 ]] || fail "cached $p with If-None-Match during the outage: $st (want 304)"
  done
done
cmp -s "$T/body" "$T/analyze_before.json" || fail "cached /api/analyze: other bytes during the outage"
ok "cached tiles, TileJSON, map and analysis during the outage: 200 with the same ETag, 304 on If-None-Match"
# Another tile of a metatile already drawn needs no database either, nor a tile of
# another zoom of a layer whose analysis is in memory.
st=$(etag_of "$U/tiles/gistar/6/50/29.png")
expect_eq "uncached tile of a cached metatile during the outage" "$st" 200
st=$(etag_of "$U/tiles/gistar/8/204/119.png")
expect_eq "uncached z8 tile of a layer analysed before the outage" "$st" 200
file "$T/body" | grep -q 'PNG image data, 256 x 256' || fail "z8 tile during the outage: $(file "$T/body")"
worst=0
UNCACHED=("/api/units?level=commune&province=P" "/tiles/gistar/6/51/29.png?from=2024-01"
          "/tiles/rate/7/101/56.png" "/maps/rate.png?size=310x300"
          "/api/analyze?permutations=19&format=json" "/maps/gistar.svg?size=300x300")
for i in $(seq 1 10); do
  for p in "${UNCACHED[@]}"; do
    [[ $p == /api/units* ]] && p="$p$i"
    c=$(curl -s -o "$T/body" -m 5 -w '%{http_code} %{time_total}' "$U$p")
    [[ ${c%% *} == 503 ]] || fail "uncached $p during the outage: $c (want 503) $(head -c 300 "$T/body")"
    grep -q '"database unavailable"' "$T/body" || fail "uncached $p: 503 body does not name the cause: $(head -c 300 "$T/body")"
    grep -qE "$T|/tmp|host=|socket|libpq|PQ|connection to server" "$T/body" &&
      fail "uncached $p: 503 body shows server details: $(head -c 300 "$T/body")"
    worst=$(awk -v a="$worst" -v b="${c##* }" 'BEGIN { print (b > a) ? b : a }')
  done
  [[ $i == 1 ]] && ok "uncached answers during the outage: 503 \"database unavailable\", no paths, hosts or library text"
done
expect_between "slowest uncached 503 (s)" "$worst" 0 1
c=$(code "$U/readyz"); expect_eq "/readyz during the outage" "${c%% *}" 503
curl -s "$U/readyz" | grep -q '"db":"down"' || fail "/readyz does not say the database is down: $(curl -s "$U/readyz")"
c=$(code "$U/healthz"); expect_eq "/healthz (liveness) during the outage" "${c%% *}" 200
kill -0 "$SERVER_PID" || fail "server died during the outage"
# A real outage lasts: long enough for every reconnect backoff (worker connections,
# the listener) to reach its cap, so the recovery time below is the worst case.
while awk -v a="$t_kill" -v b="$(date +%s.%N)" 'BEGIN { exit !(b - a < 6) }'; do
  code "$U/readyz" >/dev/null; code "$U/tiles/rate/7/101/56.png" >/dev/null; sleep 0.2
done

# ---- restart (crash recovery) ----
rm -f "$T/pg/data/postmaster.pid"
pg_start
t_up=$(date +%s.%N)
back=
for _ in $(seq 1 100); do
  c=$(code "$U/api/units?level=commune&province=Q")
  if [[ ${c%% *} == 200 ]]; then back=$(awk -v a="$t_up" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'); break; fi
  sleep 0.05
done
[[ -n $back ]] || fail "uncached answers not back within 5 s"
expect_between "uncached 200 again after the restart (s)" "$back" 0 5
v0=$(curl -s "$U/readyz" | sed -n 's/.*"data_version":\([0-9]*\).*/\1/p')
listen=
for _ in $(seq 1 50); do
  psql "$DB" -qAtX -c "UPDATE hs.data_version SET version = version + 1, changed_at = now(); NOTIFY hs_data_changed" >/dev/null
  sleep 0.1
  v=$(curl -s "$U/readyz" | sed -n 's/.*"data_version":\([0-9]*\).*/\1/p')
  if [[ -n $v && $v -gt ${v0:-0} ]]; then listen=$(awk -v a="$t_up" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'); break; fi
done
[[ -n $listen ]] || fail "NOTIFY not received within 5 s of the restart"
expect_between "NOTIFY received after the restart (s)" "$listen" 0 5
c=$(code "$U/readyz"); expect_eq "/readyz after the restart" "${c%% *}" 200
# Every worker thread (2), not only the one that answered first.
for i in 1 2 3 4 5 6; do
  c=$(curl -s -o /dev/null -m 120 -w "%{http_code}" "$U/tiles/rate/7/101/56.png?classes=quantile&k=$((i + 2))")
  expect_eq "uncached tile $i after the restart" "$c" 200
done
# The new data version reaches the caches: the tile is drawn anew (a miss).
curl -s -m 120 -o /dev/null -D "$T/hdr" "$U/tiles/gistar/6/51/28.png"
grep -qi '^X-Cache: MISS' "$T/hdr" || fail "tile after NOTIFY not drawn anew: $(grep -i x-cache "$T/hdr")"
ok "after NOTIFY the cached tile is drawn anew for the new data version"
echo "recovery: uncached answers ${back} s, NOTIFY ${listen} s after the database was back (outage ~6 s)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status after SIGTERM: $(tail -20 "$T/server.log")"
SERVER_PID=
grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" && fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|runtime error' "$T/server.log" | head -30)"
ok "clean exit"
