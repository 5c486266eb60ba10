#!/usr/bin/env bash
# PostgreSQL killed with SIGKILL (the postmaster, so every backend dies) while a
# client keeps asking, then restarted (crash recovery):
#  - the server does not crash; cached answers keep flowing (200);
#  - uncached answers get 503 within a second; /readyz says the database is down while
#    /healthz (liveness) stays 200;
#  - within 5 s of the database's return: uncached answers are 200 again and a
#    NOTIFY reaches the server (LISTEN re-established).
# Uses a cluster of its own (it is killed); skips when no initdb can run.
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
"$HOTSPOT_BIN" --db "$DB" db migrate >/dev/null
"$HOTSPOT_BIN" --db "$DB" import units "$HS_SOURCE_DIR/tests/fixtures/units_provinces.geojson" \
  --level province --code-field ma_tinh --name-field ten_tinh >/dev/null

# A planner token of this database, made before the server loads the token set: the
# routes below are not public.
hs_planner_curl "$T" "$("$HOTSPOT_BIN" --db "$DB" token create --role planner --note pg_kill 2>/dev/null)"
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --quiet >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
code() { curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$@"; }
c=$(code "$U/api/meta"); expect_eq "warm /api/meta" "${c%% *}" 200
c=$(code "$U/api/units?level=province"); expect_eq "warm /api/units" "${c%% *}" 200

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
worst=0
for i in $(seq 1 10); do
  c=$(code "$U/api/units?level=commune&province=P$i")
  [[ ${c%% *} == 503 ]] || fail "uncached /api/units during the outage: $c (want 503)"
  worst=$(awk -v a="$worst" -v b="${c##* }" 'BEGIN { print (b > a) ? b : a }')
done
expect_between "slowest uncached 503 (s)" "$worst" 0 1
c=$(code "$U/readyz"); expect_eq "/readyz during the outage" "${c%% *}" 503
c=$(code "$U/healthz"); expect_eq "/healthz (liveness) during the outage" "${c%% *}" 200
kill -0 "$SERVER_PID" || fail "server died during the outage"

# ---- restart (crash recovery) ----
sleep 1 # let the listener's backoff grow a little, as in a real outage
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
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status after SIGTERM: $(tail -20 "$T/server.log")"
SERVER_PID=
grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" && fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|runtime error' "$T/server.log" | head -30)"
ok "clean exit"
