#!/usr/bin/env bash
# Tiles end to end on the demo data (loaded once into a database of our own):
#  - `hotspot tiles` to MBTiles: gdalinfo opens it (MBTiles driver, Vietnam's bounds);
#  - to a directory pyramid: GDAL's TMS client (WMS driver) reads it over file:// and
#    over HTTP from `hotspot serve`, and gets the same pixels as the files;
#  - HTTP: 200 image/png, ETag and 304, X-Data-Notice, @2x is 512 px, bad z/x/y give a
#    400 JSON error naming the parameter, unknown layer 404, TileJSON says SYNTHETIC;
#  - the server's tiles are byte-identical to the exported ones (one code path).
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_tiles.XXXXXX)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  hs_test_cleanup
  rm -rf "$T"
}
trap cleanup EXIT
command -v gdalinfo >/dev/null || fail "gdalinfo is missing (Debian gdal-bin)"

DB=$(hs_demo_db) # read-only: loaded once by the "demo" ctest fixture
hs() { HOTSPOT_DB=$DB "$HOTSPOT_BIN" "$@"; }

# ---- MBTiles -----------------------------------------------------------------------
hs tiles --layer risk --zoom 0-6 --out "$T/risk.mbtiles" 2>"$T/mb.log" ||
  fail "tiles to MBTiles: $(cat "$T/mb.log")"
grep -q "SYNTHETIC DATA" "$T/mb.log" || fail "no synthetic note: $(cat "$T/mb.log")"
[[ ! -e $T/risk.mbtiles.tmp ]] || fail "temporary file left behind"
gdalinfo "$T/risk.mbtiles" >"$T/gi.txt" || fail "gdalinfo cannot open the MBTiles file"
grep -q "^Driver: MBTiles/MBTiles" "$T/gi.txt" || fail "not read by the MBTiles driver: $(head -3 "$T/gi.txt")"
ok "gdalinfo opens the MBTiles file"
# Corners (EPSG:3857): Vietnam (102-117.1 E, 6.8-23.5 N), within one z6 tile (GDAL
# takes them from the metadata bounds or from the tile grid, depending on the version).
read -r ulx uly < <(sed -n 's/^Upper Left *( *\([-0-9.]*\), *\([-0-9.]*\)).*/\1 \2/p' "$T/gi.txt")
read -r lrx lry < <(sed -n 's/^Lower Right *( *\([-0-9.]*\), *\([-0-9.]*\)).*/\1 \2/p' "$T/gi.txt")
awk -v a="$ulx" -v b="$uly" -v c="$lrx" -v d="$lry" 'BEGIN {
  pi = atan2(0, -1); R = 6378137; t = 2 * pi * R / 64;
  x0 = R * 102.0 * pi / 180; x1 = R * 117.1 * pi / 180;
  y1 = R * log(sin(pi / 4 + 23.5 * pi / 360) / cos(pi / 4 + 23.5 * pi / 360));
  y0 = R * log(sin(pi / 4 + 6.8 * pi / 360) / cos(pi / 4 + 6.8 * pi / 360));
  e = (a - x0) ^ 2; f = (c - x1) ^ 2; g = (b - y1) ^ 2; h = (d - y0) ^ 2;
  exit !(e < t * t && f < t * t && g < t * t && h < t * t) }' ||
  fail "MBTiles bounds $ulx $uly $lrx $lry do not frame Vietnam"
ok "MBTiles bounds frame Vietnam"
sqlite3 -version >/dev/null 2>&1 && {
  expect_eq "MBTiles format" "$(sqlite3 "$T/risk.mbtiles" "SELECT value FROM metadata WHERE name='format'")" png
  sqlite3 "$T/risk.mbtiles" "SELECT value FROM metadata WHERE name='description'" | grep -q "SYNTHETIC" ||
    fail "MBTiles description does not say SYNTHETIC"
}

# ---- directory pyramid, read back by GDAL's TMS client over file:// ------------------
Z=7
hs tiles --layer base --zoom 5-$Z --out "$T/dir" 2>"$T/dir.log" ||
  fail "tiles to a directory: $(cat "$T/dir.log")"
n=$(find "$T/dir" -name '*.png' | wc -l)
expect_between "tiles in the directory pyramid" "$n" 50 400
wms_xml() { # URL ZOOM
  cat <<EOF
<GDAL_WMS>
  <Service name="TMS"><ServerUrl>$1/\${z}/\${x}/\${y}.png</ServerUrl></Service>
  <DataWindow>
    <UpperLeftX>-20037508.34</UpperLeftX><UpperLeftY>20037508.34</UpperLeftY>
    <LowerRightX>20037508.34</LowerRightX><LowerRightY>-20037508.34</LowerRightY>
    <TileLevel>$2</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY>
    <YOrigin>top</YOrigin>
  </DataWindow>
  <Projection>EPSG:3857</Projection>
  <BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY><BandsCount>3</BandsCount>
  <ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes>
</GDAL_WMS>
EOF
}
wms_xml "file://$T/dir" $Z >"$T/file.xml"
# Four tiles over Hà Nội, Huế, the Mekong delta and the northern border at z7.
TILES="7/101/56 7/104/60 7/101/61 7/100/55"
# A tile file as RGB GeoTIFF: tiles with at most 256 colours are palette PNGs, which GDAL
# reads as one indexed band (its TMS client expands them to RGB).
rgb_tif() { # PNG OUT
  if [[ $(gdalinfo "$1") == *ColorInterp=Palette* ]]; then
    gdal_translate -q -of GTiff -expand rgb "$1" "$2"
  else
    gdal_translate -q -of GTiff "$1" "$2"
  fi
}
compare_tiles() { # XML LABEL
  local t z x y
  for t in $TILES; do
    IFS=/ read -r z x y <<<"$t"
    [[ -f $T/dir/$z/$x/$y.png ]] || fail "tile $t missing from the pyramid"
    gdal_translate -q -of GTiff -srcwin $((x * 256)) $((y * 256)) 256 256 "$1" "$T/via.tif" ||
      fail "GDAL TMS client ($2) cannot read tile $t"
    a=$(gdalinfo -checksum "$T/via.tif" | sed -n 's/.*Checksum=//p' | tr '\n' ' ')
    rgb_tif "$T/dir/$z/$x/$y.png" "$T/file.tif"
    b=$(gdalinfo -checksum "$T/file.tif" | sed -n 's/.*Checksum=//p' | tr '\n' ' ')
    [[ $a == "$b" ]] || fail "tile $t through GDAL's TMS client ($2): checksums $a, file $b"
    # one pixel by value as well
    p1=$(gdallocationinfo -valonly "$1" $((x * 256 + 100)) $((y * 256 + 37)) | tr '\n' ' ')
    p2=$(gdallocationinfo -valonly "$T/file.tif" 100 37 | tr '\n' ' ')
    [[ $p1 == "$p2" ]] || fail "pixel of $t: TMS '$p1' vs file '$p2'"
  done
  ok "GDAL's TMS client ($2) reads the same pixels as the files ($TILES)"
}
compare_tiles "$T/file.xml" file

# ---- HTTP -------------------------------------------------------------------------------
hs_planner_curl "$T" # the server needs a token for everything but the public pages
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
ok "server on port $PORT"

get() { curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code} %{content_type}' "$@"; }
hdr() { sed -n "s/^$1: *//Ip" "$T/hdr" | tr -d '\r'; }

expect_eq "tile status and type" "$(get "$U/tiles/gistar/7/101/56.png")" "200 image/png"
etag=$(hdr ETag)
[[ $etag =~ ^\"[0-9a-f]{16}\"$ ]] || fail "ETag '$etag'"
expect_eq "X-Data-Notice" "$(hdr X-Data-Notice)" synthetic
expect_eq "Cache-Control (an answer to a token: no shared caches)" "$(hdr Cache-Control)" "private, max-age=300"
expect_eq "PNG size" "$(gdalinfo "$T/body" | sed -n 's/^Size is //p')" "256, 256"
expect_eq "If-None-Match" "$(get -H "If-None-Match: $etag" "$U/tiles/gistar/7/101/56.png")" "304 "
expect_eq "second fetch is a cache hit" "$(get "$U/tiles/gistar/7/101/56.png" >/dev/null; hdr X-Cache)" HIT
get "$U/tiles/gistar/7/102/56.png" >/dev/null
expect_eq "neighbour in the same metatile (rendered with it)" "$(hdr X-Cache)" MISS
expect_eq "@2x status" "$(get "$U/tiles/gistar/7/101/56@2x.png")" "200 image/png"
expect_eq "@2x size" "$(gdalinfo "$T/body" | sed -n 's/^Size is //p')" "512, 512"
expect_eq "out-of-range tile" "$(get "$U/tiles/gistar/7/0/0.png")" "200 image/png"

bad() { # PATH PARAM STATUS
  local r
  r=$(get "$U$1")
  [[ $r == "$3 application/json"* ]] || fail "$1: got '$r', want $3 JSON"
  grep -q "\"parameter\":\"$2\"" "$T/body" || fail "$1: error does not name $2: $(cat "$T/body")"
  ok "$1 -> $3 naming $2"
}
bad /tiles/gistar/23/0/0.png z 400
bad /tiles/gistar/abc/0/0.png z 400
bad /tiles/gistar/7/128/0.png x 400
bad /tiles/gistar/7/-1/0.png x 400
bad /tiles/gistar/7/0/99999999999999999999.png y 400
bad /tiles/nosuch/7/0/0.png layer 404
bad "/tiles/gistar/7/101/56.png?indicater=cases" indicater 400
bad "/tiles/gistar/7/101/56.png?from=2025-13" from 400

expect_eq "TileJSON" "$(get "$U/tiles/risk.json?from=2025-01")" "200 application/json; charset=utf-8"
grep -q '"tilejson":"3.0.0"' "$T/body" || fail "not TileJSON 3.0.0: $(cat "$T/body")"
grep -q 'SYNTHETIC DATA' "$T/body" || fail "TileJSON does not say SYNTHETIC: $(cat "$T/body")"
# Without --public-url the tile URLs are root-relative: the Host header is never reflected.
grep -q "\"tiles\":\[\"/tiles/risk/{z}/{x}/{y}.png?from=2025-01\"\]" "$T/body" ||
  fail "TileJSON tile URL: $(cat "$T/body")"
get -H "Host: evil.example" "$U/tiles/risk.json?from=2025-01" >/dev/null
grep -q evil "$T/body" && fail "TileJSON reflects the Host header: $(cat "$T/body")"
ok "TileJSON 3.0.0 with the synthetic notice and the tile URL"

# The server and the exporter share one code path: identical bytes.
for t in $TILES; do
  get "$U/tiles/base/$t.png" >/dev/null
  cmp -s "$T/body" "$T/dir/$t.png" || fail "served tile $t differs from the exported one"
done
ok "served base tiles are byte-identical to the exported pyramid"

wms_xml "$U/tiles/base" $Z >"$T/http.xml"
# GDAL sends the planner's token too (from a header file: never in the URL).
printf 'Authorization: Bearer %s\n' "$(cat "$HS_BUILD_DIR/demo_planner_token")" >"$T/gdal_headers"
GDAL_HTTP_HEADER_FILE="$T/gdal_headers" compare_tiles "$T/http.xml" http
