#!/bin/bash
# Times the importers on realistic sizes: 34 provinces, ~3,300 Voronoi communes
# (a few hundred thousand vertices), and 70 months of cases for every commune
# (~230,000 rows). Uses a throwaway database inside the PostGIS server of $HOTSPOT_DB.
#
#     HOTSPOT_DB="host=/tmp/pg user=hotspot dbname=postgres" \
#         HOTSPOT_BIN=build-rel/hotspot HS_SOURCE_DIR=$PWD bench/bench_import.sh
set -u
# The test set-up creates, migrates and finally drops the database.
. "${HS_SOURCE_DIR:?}/tests/integration/import_lib.sh"

now() { date +%s.%N; }
timed() { # LABEL ARGS...
    local label=$1
    shift
    local t0 t1
    t0=$(now)
    HOTSPOT_DB="$TEST_DB" "$HOTSPOT_BIN" "$@" >"$WORK/bench.out" 2>&1 || { cat "$WORK/bench.out"; exit 1; }
    t1=$(now)
    printf '%-44s %6.2f s   %s\n' "$label" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(tail -1 "$WORK/bench.out" | cut -c1-90)"
}

# 34 provinces on a 6 x 6 grid over Vietnam's extent (deterministic), then
# ~3,300 communes as seeded Voronoi cells clipped to them.
q "CREATE TABLE public.bp AS SELECT lpad((row_number() OVER ())::text, 2, '0') AS code,
     ST_Multi(ST_MakeEnvelope(102 + 2 * i, 8.5 + 2.5 * j, 104 + 2 * i, 11 + 2.5 * j, 4326)) AS geom
   FROM generate_series(0, 5) i, generate_series(0, 5) j LIMIT 34"
q "CREATE TABLE public.bc AS
   WITH pts AS (SELECT code, geom, (ST_Dump(ST_GeneratePoints(geom, 97, 42))).geom AS p FROM public.bp),
        cells AS (SELECT code, geom, (ST_Dump(ST_VoronoiPolygons(ST_Collect(p)))).geom AS c FROM pts GROUP BY code, geom)
   SELECT code AS ma_tinh, code || lpad((row_number() OVER (PARTITION BY code))::text, 3, '0') AS ma_xa,
          'Xã Số ' || row_number() OVER () AS ten_xa, 1000 + (row_number() OVER ()) * 7 % 50000 AS dan_so,
          ST_Multi(ST_Segmentize(ST_CollectionExtract(ST_Intersection(c, geom), 3), 0.01)) AS geom FROM cells"
ogr2ogr -f GPKG "$WORK/prov.gpkg" PG:"$TEST_DB" -sql "SELECT code, 'Tỉnh ' || code AS ten, geom FROM public.bp" -nln prov
ogr2ogr -f GPKG "$WORK/comm.gpkg" PG:"$TEST_DB" -sql "SELECT * FROM public.bc" -nln comm
ogr2ogr -f GeoJSON "$WORK/comm.geojson" "$WORK/comm.gpkg"
ogr2ogr -f GPKG -t_srs EPSG:3405 "$WORK/comm_3405.gpkg" "$WORK/comm.gpkg"
echo "communes: $(q "SELECT count(*) || ', ' || sum(ST_NPoints(geom)) || ' vertices' FROM public.bc")"

U="--level commune --code-field ma_xa --name-field ten_xa --parent-field ma_tinh --population-field dan_so"
timed "provinces (34, GeoPackage)" import units "$WORK/prov.gpkg" --level province --code-field code --name-field ten
timed "communes, GeoPackage, new" import units "$WORK/comm.gpkg" $U
timed "communes, GeoPackage, update" import units "$WORK/comm.gpkg" $U
timed "communes, GeoJSON, update" import units "$WORK/comm.geojson" $U
timed "communes, EPSG:3405 GeoPackage, update" import units "$WORK/comm_3405.gpkg" $U

q "SELECT code FROM hs.unit WHERE level = 'commune' ORDER BY code" | awk '
    BEGIN { print "unit_code,period,cases,victims,suspects" }
    { u[n++] = $0 }
    END { for (k = 0; k < 70; k++) for (i = 0; i < n; i++)
              printf "%s,%04d-%02d,%d,%d,%d\n", u[i], 2021 + int(k / 12), k % 12 + 1, (i * 7 + k) % 3 == 0, (i + k) % 5 == 0, 0 }' >"$WORK/cases.csv"
head -n "$(($(q "SELECT count(*) FROM hs.unit WHERE level = 'commune'") + 1))" "$WORK/cases.csv" >"$WORK/month.csv"
timed "cases, one month, new" import cases "$WORK/month.csv"
timed "cases, 70 months, 1 replaced" import cases "$WORK/cases.csv"
timed "cases, 70 months, all replaced" import cases "$WORK/cases.csv"
