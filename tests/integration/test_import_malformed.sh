#!/usr/bin/env bash
# Malformed geodata through `hotspot import units` (issue 10): self-intersecting and
# empty polygons, a wrong and a missing CRS, mixed geometry types, a 100 MB attribute
# and files truncated in the middle (GeoJSON, GeoPackage, Shapefile). Each must give
# a clear error naming the problem and the feature (or, for a self-intersection, a
# repair report), and — when it fails — leave every hs table exactly as before
# (import_lib.sh's `state`: row counts and a digest of the content).
# Fixtures are generated here (python3, ogr2ogr); nothing big is committed.
. "$(dirname "$0")/import_lib.sh"

PROV="--level province --code-field ma_tinh --name-field ten_tinh"
COMM="--level commune --code-field ma_xa --name-field ten_xa --parent-field ma_tinh"
run prov import units "$FIX/units_provinces.geojson" $PROV
run comm import units "$FIX/units_communes.geojson" $COMM
[ "$RC" = 0 ] || { cat "$WORK/comm.out"; echo "set-up import failed"; exit 1; }
S0=$(state)

# bad NAME FILE MESSAGE [ARGS...]: the import fails (exit 1), names the problem and
# changes nothing.
bad() {
    local name=$1 file=$2 msg=$3
    shift 3
    run "$name" import units "$file" ${@:-$PROV}
    expect_eq "$name: exit 1" "$RC" 1
    expect_grep "$name: message" "$WORK/$name.out" "$msg"
    expect_eq "$name: database unchanged" "$(state)" "$S0"
}

python3 - "$WORK" <<'PY'
import json, sys, os
w = sys.argv[1]
def feat(code, name, geom):
    return {"type": "Feature", "properties": {"ma_tinh": code, "ten_tinh": name}, "geometry": geom}
def sq(x, y, d=0.5):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}
def fc(feats, crs=None):
    d = {"type": "FeatureCollection", "features": feats}
    if crs:
        d["crs"] = {"type": "name", "properties": {"name": crs}}
    return d
def dump(name, obj):
    with open(os.path.join(w, name), "w") as f:
        json.dump(obj, f)
bow = {"type": "Polygon", "coordinates": [[[105, 20], [106, 21], [106, 20], [105, 21], [105, 20]]]}
# A ring that crosses itself, in a file that is otherwise good: repaired and reported.
dump("selfx.geojson", fc([feat("01", "Một", bow), feat("02", "Hai", sq(106, 20))]))
# The same self-intersection next to an empty polygon: the error wins, nothing is written.
dump("selfx_empty.geojson", fc([feat("01", "Một", bow), feat("02", "Hai", {"type": "Polygon", "coordinates": []})]))
# Metres (UTM 48N) declared as degrees.
utm = {"type": "Polygon", "coordinates": [[[500000, 2200000], [550000, 2200000], [550000, 2250000],
                                            [500000, 2250000], [500000, 2200000]]]}
dump("wrongcrs_deg.geojson", fc([feat("01", "Một", utm)], "urn:ogc:def:crs:EPSG::4326"))
# Degrees declared as UTM 48N metres: valid lon/lat after reprojection, but near 100.5 E, 0 N.
dump("wrongcrs_utm.geojson", fc([feat("01", "Một", sq(105, 20))], "urn:ogc:def:crs:EPSG::32648"))
# Mixed geometry types.
dump("mixed.geojson", fc([feat("01", "Một", sq(105, 20)),
                          feat("02", "Hai", {"type": "LineString", "coordinates": [[105, 20], [106, 21]]}),
                          feat("03", "Ba", {"type": "Point", "coordinates": [105, 20]}),
                          feat("04", "Bốn", {"type": "GeometryCollection", "geometries": [sq(107, 20)]})]))
# Truncated in the middle.
s = json.dumps(fc([feat("01", "Một", sq(105, 20)), feat("02", "Hai", sq(106, 20))]))
with open(os.path.join(w, "truncated.geojson"), "w") as f:
    f.write(s[: len(s) // 2])
# A 100 MB attribute (the name) in GeoJSON, streamed to disk.
with open(os.path.join(w, "huge.geojson"), "w") as f:
    f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ma_tinh":"01","ten_tinh":"')
    chunk = "x" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write('"},"geometry":' + json.dumps(sq(105, 20)) + '}]}')
PY

# ---- self-intersecting and empty polygons ----
bad selfx_empty "$WORK/selfx_empty.geojson" "feature 2 (FID 1, code '02'): geometry: missing or empty"
# An empty polygon that stays empty (GeoPackage keeps POLYGON EMPTY).
printf 'WKT,ma_tinh,ten_tinh\n"POLYGON EMPTY",01,Một\n"POLYGON((105 20,105.5 20,105.5 20.5,105 20.5,105 20))",02,Hai\n' \
    >"$WORK/empty.csv"
ogr2ogr -f GPKG "$WORK/empty.gpkg" "$WORK/empty.csv" -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
    -a_srs EPSG:4326 -nln units 2>/dev/null
bad empty_gpkg "$WORK/empty.gpkg" "feature 1 (FID 1, code '01'): geometry: empty"

# ---- wrong and missing CRS ----
bad wrongcrs_deg "$WORK/wrongcrs_deg.geojson" \
    "feature 1 (FID 0, code '01'): geometry: coordinates outside longitude/latitude range after reprojection"
bad wrongcrs_utm "$WORK/wrongcrs_utm.geojson" \
    "feature 1 (FID 0, code '01'): geometry: outside Vietnam after reprojection from WGS 84 / UTM zone 48N (EPSG:32648)"
# A Shapefile of UTM metres without its .prj.
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:32648 "$WORK/noprj" "$FIX/units_communes.geojson" -nln units 2>/dev/null
rm -f "$WORK/noprj/units.prj"
bad nocrs "$WORK/noprj/units.shp" "has no CRS and its coordinates" $COMM

# ---- mixed geometry types ----
bad mixed "$WORK/mixed.geojson" "feature 2 (FID 1, code '02'): geometry: a Line String, not a polygon"
expect_grep "mixed: the point named" "$WORK/mixed.out" "feature 3 (FID 2, code '03'): geometry: a Point, not a polygon"
expect_grep "mixed: the collection named" "$WORK/mixed.out" \
    "feature 4 (FID 3, code '04'): geometry: a Geometry Collection, not a polygon"
expect_grep "mixed: summary" "$WORK/mixed.out" "3 errors in 4 features; nothing was imported"

# ---- a 100 MB attribute ----
bad huge_geojson "$WORK/huge.geojson" "huge.geojson: cannot open as a vector file: At line 1, character"
# In a GeoPackage GDAL reads it whole: the importer's own limit must refuse it.
printf 'WKT,ma_tinh,ten_tinh\n"POLYGON((105 20,105.5 20,105.5 20.5,105 20.5,105 20))",01,placeholder\n' >"$WORK/one.csv"
ogr2ogr -f GPKG "$WORK/huge.gpkg" "$WORK/one.csv" -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
    -a_srs EPSG:4326 -nln units -lco SPATIAL_INDEX=NO 2>/dev/null
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('UPDATE units SET ten_tinh = ?', ('x' * (100 << 20),)); c.commit()" \
    "$WORK/huge.gpkg"
bad huge_gpkg "$WORK/huge.gpkg" "feature 1 (FID 1, code '01'): field 'ten_tinh': the name is 104857600 bytes long, over the limit of 255"
rm -f "$WORK/huge.geojson" "$WORK/huge.gpkg"

# ---- truncated in the middle ----
bad truncated_geojson "$WORK/truncated.geojson" "truncated.geojson: cannot open as a vector file: At line 1, character"
ogr2ogr -f GPKG "$WORK/whole.gpkg" "$FIX/units_communes.geojson" -nln units 2>/dev/null
head -c $(($(stat -c %s "$WORK/whole.gpkg") / 2)) "$WORK/whole.gpkg" >"$WORK/half.gpkg"
bad truncated_gpkg "$WORK/half.gpkg" "half.gpkg: cannot open as a vector file: database disk image is malformed" $COMM
ogr2ogr -f "ESRI Shapefile" "$WORK/shp" "$FIX/units_communes.geojson" -nln units 2>/dev/null
shp=$WORK/shp/units.shp
head -c $(($(stat -c %s "$shp") / 2)) "$shp" >"$shp.half" && mv "$shp.half" "$shp"
bad truncated_shp "$shp" "geometry: unreadable: Error in fread() reading object" $COMM
expect_grep "truncated shp: says why" "$WORK/truncated_shp.out" "(is the file truncated?)"

# ---- a self-intersection alone: repaired, reported, stored valid ----
run selfx import units "$WORK/selfx.geojson" $PROV
expect_eq "selfx: exit 0" "$RC" 0
expect_grep "selfx: repair report" "$WORK/selfx.out" \
    "feature 1 (FID 0, code '01'): invalid geometry repaired: Self-intersection"
expect_grep "selfx: repair counted" "$WORK/selfx.out" "1 geometry repaired"
expect_eq "selfx: stored valid" "$(q "SELECT ST_IsValid(geom) FROM hs.unit WHERE code = '01'")" t
finish
