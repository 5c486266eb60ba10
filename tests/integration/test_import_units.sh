# `hotspot import units` against a real PostGIS: formats, reprojection, repair, upsert
# by code, and every kind of bad boundary file leaving the database unchanged.
. "$(dirname "$0")/import_lib.sh"

PROV="--level province --code-field ma_tinh --name-field ten_tinh"
COMM="--level commune --code-field ma_xa --name-field ten_xa --parent-field ma_tinh"

# ---- GeoJSON ----
run prov import units "$FIX/units_provinces.geojson" $PROV --population-field dan_so \
    --population-year 2024 --border-province-field bien_gioi
expect_eq "provinces GeoJSON: exit 0" "$RC" 0
expect_grep "provinces GeoJSON: summary" "$WORK/prov.out" "3 provinces (3 new, 0 updated)"
expect_eq "provinces: rows" "$(q "SELECT string_agg(code || ':' || name || ':' || is_border_province, ',' ORDER BY code) FROM hs.unit")" \
    "01:Tỉnh Một:true,02:Tỉnh Hai:false,03:Tỉnh Ba:true"
expect_eq "provinces: NFD name stored as NFC" "$(q "SELECT name = normalize(name, NFC) AND name = 'Tỉnh Hai' FROM hs.unit WHERE code = '02'")" t
expect_eq "provinces: valid EPSG:4326 MultiPolygons" \
    "$(q "SELECT bool_and(ST_IsValid(geom) AND ST_SRID(geom) = 4326 AND GeometryType(geom) = 'MULTIPOLYGON') FROM hs.unit")" t
expect_eq "provinces: populations for 2024" "$(q "SELECT string_agg(unit_code || '=' || population, ',' ORDER BY unit_code) FROM hs.unit_population WHERE year = 2024")" \
    "01=1200000,02=800000,03=650000"

run comm import units "$FIX/units_communes.geojson" $COMM --population-field dan_so \
    --population-year 2024 --key-commune-field trong_diem
expect_eq "communes GeoJSON: exit 0" "$RC" 0
expect_grep "communes GeoJSON: summary" "$WORK/comm.out" "6 communes (6 new, 0 updated)"
expect_eq "communes: parents and key flags" \
    "$(q "SELECT string_agg(code || '>' || parent_code || ':' || is_key_commune, ',' ORDER BY code) FROM hs.unit WHERE level = 'commune'")" \
    "01001>01:true,01002>01:false,01003>01:false,01004>01:false,02001>02:false,02002>02:true"

# Counts keyed by code must survive re-imports of the boundaries.
q "INSERT INTO hs.case_month VALUES ('01001', '2024-01-01', 3, 4, 1)"
q "CREATE TABLE public.before AS SELECT code, ST_Centroid(geom) AS c, ST_Area(geom) AS a FROM hs.unit"

# ---- GeoPackage and Shapefile made from the GeoJSON ----
ogr2ogr -f GPKG "$WORK/prov.gpkg" "$FIX/units_provinces.geojson" -nln provinces
run gpkg import units "$WORK/prov.gpkg" $PROV --border-province-field bien_gioi
expect_eq "GeoPackage: exit 0" "$RC" 0
expect_grep "GeoPackage: updates by code" "$WORK/gpkg.out" "3 provinces (0 new, 3 updated)"

ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 "$WORK/comm.shp" "$FIX/units_communes.geojson"
run shp import units "$WORK/comm.shp" $COMM
expect_eq "Shapefile: exit 0" "$RC" 0
expect_grep "Shapefile: updates by code" "$WORK/shp.out" "6 communes (0 new, 6 updated)"
expect_eq "Shapefile: leading zeros and names kept" \
    "$(q "SELECT string_agg(code || ':' || name, ',' ORDER BY code) FROM hs.unit WHERE parent_code = '02'")" \
    "02001:Xã Bình Minh,02002:Xã Ánh Dương"
expect_eq "Shapefile: key flags kept when the flag field is not given" \
    "$(q "SELECT count(*) FROM hs.unit WHERE is_key_commune")" 2

ogr2ogr -f FlatGeobuf "$WORK/comm.fgb" "$FIX/units_communes.geojson"
run fgb import units "$WORK/comm.fgb" $COMM
expect_eq "FlatGeobuf: exit 0" "$RC" 0

ogr2ogr -f CSV "$WORK/comm_wkt.csv" "$FIX/units_communes.geojson" -lco GEOMETRY=AS_WKT
run wkt import units "$WORK/comm_wkt.csv" $COMM
expect_eq "CSV with WKT (no CRS, lon/lat): exit 0" "$RC" 0
expect_grep "CSV with WKT: CRS assumed" "$WORK/wkt.out" "assumed EPSG:4326"

expect_eq "re-imports: counts keyed by code survive" "$(q "SELECT count(*) FROM hs.case_month WHERE unit_code = '01001'")" 1
expect_eq "re-imports: geometry unchanged" \
    "$(q "SELECT bool_and(ST_Equals(b.c, ST_Centroid(u.geom))) FROM public.before b JOIN hs.unit u USING (code)")" t

# ---- Another CRS: VN-2000 / UTM zone 48N ----
ogr2ogr -f GPKG -t_srs EPSG:3405 "$WORK/comm_3405.gpkg" "$FIX/units_communes.geojson"
run utm import units "$WORK/comm_3405.gpkg" $COMM
expect_eq "EPSG:3405: exit 0" "$RC" 0
expect_grep "EPSG:3405: source CRS named" "$WORK/utm.out" "EPSG:3405"
echo "     max centroid shift after EPSG:3405 round trip (m): $(q "SELECT max(ST_Distance(b.c::geography, ST_Centroid(u.geom)::geography)) FROM public.before b JOIN hs.unit u USING (code) WHERE u.level = 'commune'")"
expect_eq "EPSG:3405: every centroid within 1 m of the original" \
    "$(q "SELECT bool_and(ST_Distance(b.c::geography, ST_Centroid(u.geom)::geography) < 1.0) FROM public.before b JOIN hs.unit u USING (code) WHERE u.level = 'commune'")" t
expect_eq "EPSG:3405: areas within 0.01%" \
    "$(q "SELECT bool_and(abs(ST_Area(u.geom) - b.a) / b.a < 1e-4) FROM public.before b JOIN hs.unit u USING (code) WHERE u.level = 'commune'")" t

# Projected coordinates in a file that declares no CRS: refused, naming the file.
ogr2ogr -f CSV "$WORK/utm_nocrs.csv" "$WORK/comm_3405.gpkg" -lco GEOMETRY=AS_WKT
S0=$(state)
run nocrs import units "$WORK/utm_nocrs.csv" $COMM
expect_eq "no CRS, projected coordinates: exit 1" "$RC" 1
expect_grep "no CRS: message names the file" "$WORK/nocrs.out" "$WORK/utm_nocrs.csv: layer 'utm_nocrs' has no CRS and its coordinates"
expect_eq "no CRS: database unchanged" "$(state)" "$S0"

# ---- Repair of an invalid (bow-tie) polygon ----
run bow import units "$FIX/units_bowtie.geojson" $PROV
expect_eq "bow-tie: exit 0" "$RC" 0
expect_grep "bow-tie: repair reported" "$WORK/bow.out" \
    "feature 1 (FID 0, code '04'): invalid geometry repaired: Self-intersection[107.5 21.5]"
expect_grep "bow-tie: repair counted" "$WORK/bow.out" "1 geometry repaired"
expect_eq "bow-tie: stored valid, both triangles kept" \
    "$(q "SELECT ST_IsValid(geom) || ':' || ST_NumGeometries(geom) || ':' || round(ST_Area(geom)::numeric, 6) FROM hs.unit WHERE code = '04'")" \
    "true:2:0.500000"
expect_grep "bow-tie: other provinces kept" "$WORK/bow.out" "3 provinces in the database are not in this file and were kept"

# ---- Bad boundary files: every error named, nothing written ----
S0=$(state)
run bad import units "$FIX/units_bad.geojson" $PROV
expect_eq "bad file: exit 1" "$RC" 1
expect_grep "bad file: duplicate code" "$WORK/bad.out" \
    "units_bad.geojson: feature 2 (FID 1, code '01'): field 'ma_tinh': duplicate code (also feature 1)"
expect_grep "bad file: missing code" "$WORK/bad.out" \
    "units_bad.geojson: feature 3 (FID 2): field 'ma_tinh': the code is missing"
expect_grep "bad file: empty geometry" "$WORK/bad.out" \
    "units_bad.geojson: feature 4 (FID 3, code '05'): geometry: missing or empty"
expect_grep "bad file: not a polygon" "$WORK/bad.out" \
    "units_bad.geojson: feature 5 (FID 4, code '06'): geometry: a Line String, not a polygon"
expect_grep "bad file: empty name" "$WORK/bad.out" \
    "units_bad.geojson: feature 6 (FID 5, code '07'): field 'ten_tinh': the name is empty"
expect_grep "bad file: null geometry" "$WORK/bad.out" \
    "units_bad.geojson: feature 7 (FID 6, code '08'): geometry: missing or empty"
expect_grep "bad file: summary" "$WORK/bad.out" "6 errors in 7 features; nothing was imported"
expect_eq "bad file: row counts and content unchanged" "$(state)" "$S0"

# Each error alone, in a GeoPackage (where an empty polygon stays an empty geometry).
one_error() { # NAME WHERE EXPECTED-MESSAGE
    ogr2ogr -f GPKG "$WORK/$1.gpkg" "$FIX/units_bad.geojson" -nln bad -where "$2"
    run "$1" import units "$WORK/$1.gpkg" $PROV
    expect_eq "$1 alone: exit 1" "$RC" 1
    expect_grep "$1 alone: message" "$WORK/$1.out" "$3"
    expect_eq "$1 alone: one error" "$(grep -c ': feature ' "$WORK/$1.out")" 1
    expect_eq "$1 alone: row counts and content unchanged" "$(state)" "$S0"
}
one_error duplicate "ma_tinh = '01'" "feature 2 (FID 2, code '01'): field 'ma_tinh': duplicate code (also feature 1)"
one_error missing_code "ma_tinh IS NULL" "feature 1 (FID 1): field 'ma_tinh': the code is missing"
one_error null_geom "ma_tinh = '05'" "feature 1 (FID 1, code '05'): geometry: missing or empty (null)"
# A geometry that is present but empty (GeoJSON readers turn "coordinates": [] into null).
printf 'WKT,ma_tinh,ten_tinh\n"POLYGON EMPTY",05,Rỗng\n"MULTIPOLYGON EMPTY",06,Rỗng Nữa\n' >"$WORK/empty.csv"
run empty import units "$WORK/empty.csv" $PROV
expect_eq "empty geometry: exit 1" "$RC" 1
expect_grep "empty geometry: message 1" "$WORK/empty.out" "empty.csv: feature 1 (FID 1, code '05'): geometry: empty"
expect_grep "empty geometry: message 2" "$WORK/empty.out" "empty.csv: feature 2 (FID 2, code '06'): geometry: empty"
expect_eq "empty geometry: database unchanged" "$(state)" "$S0"

# Communes whose parent province does not exist.
ogr2ogr -f GPKG "$WORK/orphans.gpkg" "$FIX/units_communes.geojson" -nln orphans -dialect SQLite \
    -sql "SELECT ma_xa, ten_xa, CASE WHEN ma_xa = '02002' THEN '99' ELSE ma_tinh END AS ma_tinh FROM units_communes"
run orphans import units "$WORK/orphans.gpkg" $COMM
expect_eq "unknown parent: exit 1" "$RC" 1
expect_grep "unknown parent: message" "$WORK/orphans.out" \
    "feature 6 (FID 6, code '02002'): field 'ma_tinh': unknown parent province '99' (import the provinces first)"
expect_eq "unknown parent: database unchanged" "$(state)" "$S0"

# A commune code imported as a province.
run levels import units "$FIX/units_communes.geojson" --level province --code-field ma_xa --name-field ten_xa
expect_eq "code at the other level: exit 1" "$RC" 1
expect_grep "code at the other level: message" "$WORK/levels.out" \
    "feature 1 (FID 0, code '01001'): field 'ma_xa': code already used by a commune (Xã Đồng Tâm)"
expect_eq "code at the other level: database unchanged" "$(state)" "$S0"

# Options that do not fit the file.
run nofield import units "$FIX/units_provinces.geojson" --level province --code-field ma --name-field ten_tinh
expect_eq "missing field: exit 1" "$RC" 1
expect_grep "missing field: lists the fields" "$WORK/nofield.out" \
    "--code-field 'ma': no such field in layer 'units_provinces' (fields: ma_tinh, ten_tinh, dan_so, bien_gioi)"
ogr2ogr -f GPKG -update -nln second "$WORK/prov.gpkg" "$FIX/units_bowtie.geojson"
run layers import units "$WORK/prov.gpkg" $PROV
expect_eq "two layers: exit 1" "$RC" 1
expect_grep "two layers: lists them" "$WORK/layers.out" "2 layers (provinces, second): choose one with --layer"
run layer import units "$WORK/prov.gpkg" $PROV --layer provinces
expect_eq "--layer picks one: exit 0" "$RC" 0
run usage import units "$FIX/units_provinces.geojson" --level province
expect_eq "missing required options: exit 2" "$RC" 2
run help import --help
expect_grep "import --help" "$WORK/help.out" "hotspot import units FILE --level province|commune"

finish
