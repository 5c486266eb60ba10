#!/usr/bin/env bash
# Tiles vs MapServer 8, in one run, on the demo commune layer (docs/benchmarks.md).
#
#   HOTSPOT_DB=<conninfo of a cluster where we may CREATE DATABASE> bench/mapserver_compare.sh
#
# Needs a Release build in build-rel (cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release &&
# make -C build-rel hotspot bench_tiles) and, for the bench only, Debian mapserver-bin and
# python3-mapscript. Steps:
#   1. the demo data in a database of its own (hs_bench_tiles; REUSE=1 keeps a loaded one);
#   2. our classes: bench_tiles --export-classes writes each commune's fill colour for the
#      layer (default risk), loaded into bench.* tables in EPSG:3857 with the same
#      communes, provinces, countries and border our tiles draw;
#   3. the tile list: every tile covering Vietnam at z5-z10 (3,000 tiles);
#   4. MapServer in-process (mapfile parsed once, CLOSE_CONNECTION=DEFER) vs bench_tiles
#      (the server's code path, uncached) on 1 and 2 threads, metatile and single-tile mode,
#      PNG encoding alone reported by bench_tiles;
#   5. the static pyramid z0-z10 (`hotspot tiles`) under /usr/bin/time -v.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$SRC/build-rel}
LAYER=${LAYER:-risk}
ZOOMS=${ZOOMS:-5-10}
: "${HOTSPOT_DB:?set HOTSPOT_DB to a cluster where a bench database may be created}"
PSQL=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
W=$(mktemp -d /tmp/hs_bench_tiles.XXXXXX)
trap 'rm -rf "$W"' EXIT
DB="$HOTSPOT_DB dbname=hs_bench_tiles"
export PGCONNECT_TIMEOUT=10

if [[ ${REUSE:-0} != 1 ]] || ! "$PSQL" "$DB" -qAtc "SELECT 1 FROM hs.unit LIMIT 1" >/dev/null 2>&1; then
  "$PSQL" "$HOTSPOT_DB" -qc "DROP DATABASE IF EXISTS hs_bench_tiles" -c "CREATE DATABASE hs_bench_tiles"
  HOTSPOT_DB=$DB "$BIN/hotspot" db migrate >/dev/null
  HOTSPOT_DB=$DB "$BIN/hotspot" db demo >/dev/null 2>&1
fi
echo "== classes of layer $LAYER from our code"
HOTSPOT_DB=$DB "$BIN/bench/bench_tiles" --layer "$LAYER" --export-classes "$W/classes.csv"
"$PSQL" "$DB" -qX -v ON_ERROR_STOP=1 <<SQL
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.fill (code text PRIMARY KEY, fill text);
\copy bench.fill FROM '$W/classes.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE bench.commune AS
  SELECT u.code, coalesce(f.fill, '') AS fill, u.is_key_commune AS is_key,
         ST_Transform(u.geom, 3857)::geometry(MultiPolygon, 3857) AS geom
  FROM hs.unit u LEFT JOIN bench.fill f USING (code) WHERE u.level = 'commune' ORDER BY u.code;
CREATE TABLE bench.province AS
  SELECT u.code, u.name, ST_Transform(u.geom, 3857)::geometry(MultiPolygon, 3857) AS geom,
         ST_Transform(d.label_pt, 3857)::geometry(Point, 3857) AS pt
  FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.level = 'province';
CREATE TABLE bench.country AS
  SELECT iso_n3, ST_Transform(geom, 3857)::geometry(MultiPolygon, 3857) AS geom FROM hs.country;
CREATE TABLE bench.border AS
  SELECT country, ST_Transform(geom, 3857)::geometry(MultiLineString, 3857) AS geom FROM hs.land_border;
CREATE INDEX ON bench.commune USING gist (geom);
CREATE INDEX ON bench.province USING gist (geom);
CREATE INDEX ON bench.province USING gist (pt);
CREATE INDEX ON bench.country USING gist (geom);
CREATE INDEX ON bench.border USING gist (geom);
ANALYZE;
SQL
echo "   $(grep -c . "$W/classes.csv") communes classified ($(cut -d, -f2 "$W/classes.csv" | sort -u | grep -c '#') colours)"

"$BIN/bench/bench_tiles" --print-list "$ZOOMS" >"$W/tiles.txt"
echo "== tile list: $(wc -l <"$W/tiles.txt") tiles, z$ZOOMS over Vietnam"

# MapServer's connection string: the same database, as a libpq conninfo.
"$SRC/bench/mapfile_gen.sh" "$DB" "$W/ms"
export MAPSERVER_CONFIG_FILE=$W/ms/ms.conf
MSV=$(/usr/bin/python3 -c 'import mapscript; print(mapscript.msGetVersion().split()[2])')
# The machine is shared: every variant runs ROUNDS times, interleaved, and the best
# round of each is kept (the least disturbed one); every round is printed.
ROUNDS=${ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
rate() { sed -n 's/.*tiles_per_s=\([0-9.]*\).*/\1/p' <<<"$1"; }
declare -A R
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  out=$(cd "$W/ms" && /usr/bin/python3 "$SRC/bench/mapserver_tiles.py" "$W/ms/bench.map" "$W/tiles.txt")
  echo "   MapServer $MSV in-process (python3-mapscript, 1 thread): $out"
  R[ms]=$(best "${R[ms]:-0}" "$(rate "$out")")
  for mode in meta single; do
    for th in 1 2; do
      out=$(HOTSPOT_DB=$DB "$BIN/bench/bench_tiles" --layer "$LAYER" --list "$W/tiles.txt" --mode $mode --threads $th)
      echo "   ours: $out"
      R[$mode$th]=$(best "${R[$mode$th]:-0}" "$(rate "$out")")
    done
  done
done
ratio() { awk -v a="$1" -v b="${R[ms]}" 'BEGIN { printf "%.1f", a / b }'; }
echo "== best of $ROUNDS, tiles/s: MapServer ${R[ms]}; ours metatiles ${R[meta1]} (1 thread)," \
  "${R[meta2]} (2 threads); single tiles ${R[single1]} (1 thread), ${R[single2]} (2 threads)"
echo "== ratio to MapServer on 1 thread: metatiles $(ratio "${R[meta1]}")x, single tiles" \
  "$(ratio "${R[single1]}")x; 2 threads: metatiles $(ratio "${R[meta2]}")x, single $(ratio "${R[single2]}")x"

echo "== static pyramid z0-10 ($LAYER, MBTiles)"
/usr/bin/time -v env HOTSPOT_DB="$DB" "$BIN/hotspot" tiles --layer "$LAYER" --zoom 0-10 \
  --out "$W/pyr.mbtiles" 2>"$W/time.txt" || { cat "$W/time.txt"; exit 1; }
grep "hotspot tiles: wrote" "$W/time.txt" | sed 's/^/   /'
grep -E "Elapsed \(wall|Maximum resident" "$W/time.txt" | sed 's/^\s*/   /'
