#!/usr/bin/env bash
# Maps from the demo data: `hotspot render` (every type, PNG/SVG/PDF, province and
# bbox extents, option errors, publication mode) and the HTTP routes /maps/... and
# /dashboard/... (content types, ETag/304, errors naming the parameter, clean exit).
# The demo is loaded ONCE (about 30 s under ASan) and shared by every check.
# Structural facts instead of golden images: the demo data may change.
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null
  rm -rf "$T"
  hs_test_cleanup
}
trap cleanup EXIT

DB=$(hs_demo_db) # read-only: loaded once by the "demo" ctest fixture
render() { HOTSPOT_DB=$DB "$HOTSPOT_BIN" render "$@"; }

# png_dims FILE: "W H" from the IHDR chunk.
png_dims() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }
is_png() { [[ $(od -An -c -N4 "$1" | tr -d ' ') == '211PNG' ]]; }
is_pdf() { [[ $(head -c5 "$1") == '%PDF-' ]]; }
is_svg() { grep -q '<svg' "$1"; }

# ---- CLI: one PNG with exact dimensions, one PDF with searchable Vietnamese text ----
render --map gistar --size 600x800 --scale 2 --out "$T/gistar.png" 2>"$T/err" || fail "gistar png: $(cat "$T/err")"
is_png "$T/gistar.png" || fail "gistar.png is not a PNG"
expect_eq "gistar PNG size (600x800 at scale 2)" "$(png_dims "$T/gistar.png")" "1200 1600"
grep -q "SYNTHETIC DATA" "$T/err" || fail "no synthetic-data note on stderr"
ok "synthetic-data note on stderr"

render --map gistar --paper a4-portrait --dpi 96 --out "$T/gistar.pdf" 2>"$T/err" || fail "gistar pdf: $(cat "$T/err")"
is_pdf "$T/gistar.pdf" || fail "gistar.pdf is not a PDF"
pdftotext "$T/gistar.pdf" "$T/gistar.txt"
for name in "Quảng Ninh" "Điện Biên" "Hà Tĩnh" "DỮ LIỆU MÔ PHỎNG" "SYNTHETIC DATA" "Điểm nóng Gi*" \
            "Nguồn: Hotspot138" "QĐ. Hoàng Sa" "Quần đảo Trường Sa" "Điểm nóng, tin cậy 99%"; do
  grep -qF "$name" "$T/gistar.txt" || fail "pdftotext does not find '$name'"
  ok "PDF text has '$name'"
done

render --map rate --province VN17 --size 800x600 --format svg --out "$T/qn.svg" 2>"$T/err" || fail "province svg: $(cat "$T/err")"
is_svg "$T/qn.svg" || fail "qn.svg is not SVG"
grep -q '>Quảng Ninh<' "$T/qn.svg" || fail "province SVG has no 'Quảng Ninh' text"
ok "province extent (VN17) renders as SVG with its name as text"
render --map gistar --bbox 104.6,18.9,105.5,19.6 --size 400x400 --out "$T/nghean.png" 2>"$T/err" ||
  fail "bbox png: $(cat "$T/err")"
expect_eq "bbox PNG size" "$(png_dims "$T/nghean.png")" "400 400"

# The planted Nghệ An cluster (docs/data.md) is a 99 % hot spot: the #d62f27 class is
# drawn there. A box over the open sea has none of it.
hot_pixels() {
  python3 - "$1" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
p, idat = 8, b''
while p < len(d):
    n, t = struct.unpack('>I4s', d[p:p + 8]); c = d[p + 8:p + 8 + n]; p += 12 + n
    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10])
    if t == b'IDAT': idat += c
bpp = {2: 3, 6: 4}[ct]; raw = zlib.decompress(idat); st = w * bpp
prev = bytearray(st); i = 0; hits = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + st]); i += 1 + st
    for x in range(st):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, st, bpp):
        if line[x] == 0xd6 and line[x + 1] == 0x2f and line[x + 2] == 0x27: hits += 1
    prev = line
print(hits)
EOF
}
if command -v python3 >/dev/null; then
  # Both images have the legend's swatch of that colour; only the cluster adds more.
  render --map gistar --bbox 110,8,111,9 --size 400x400 --out "$T/sea.png" 2>"$T/err" || fail "sea png: $(cat "$T/err")"
  sea=$(hot_pixels "$T/sea.png")
  expect_between "hot spot pixels over the open sea (legend swatch only)" "$sea" 1 2000
  expect_between "hot spot 99 % pixels over the planted Nghệ An cluster beyond the swatch" \
    "$(($(hot_pixels "$T/nghean.png") - sea))" 2000 1000000
else
  echo "skip - pixel checks (no python3)"
fi

# ---- CLI: bad options name the option and the allowed values ----
bad() { # bad WHAT PATTERN ARGS...: exit status 2 and a message matching PATTERN
  local what=$1 pat=$2; shift 2
  local rc=0
  render "$@" >"$T/out" 2>"$T/err" || rc=$?
  [[ $rc == 2 ]] || fail "$what: exit status $rc, want 2"
  grep -qE -e "$pat" "$T/err" || fail "$what: message '$(cat "$T/err")' does not match /$pat/"
  ok "$what: $(head -1 "$T/err")"
}
bad "unknown map" "--map.*gistar, lisa" --map nope --out "$T/x.png"
bad "missing --out" "--out" --map gistar
bad "bad size" "size '12x'.*WIDTHxHEIGHT" --map gistar --size 12x --out "$T/x.png"
bad "size over the cap" "size.*exceeds the cap" --map gistar --size 20000x20000 --out "$T/x.png"
bad "unknown province" "VN99" --map gistar --province VN99 --out "$T/x.png"
bad "unknown paper" "--paper.*a4-landscape" --map gistar --paper a5 --out "$T/x.png"
bad "classes on a categorical map" "classes applies to the numeric maps" --map lisa --classes jenks --out "$T/x.png"
bad "bad fixed breaks" "increase strictly" --map rate --classes fixed:5,2 --out "$T/x.png"
bad "bad CRS" "crs 'EPSG:999999'" --map gistar --crs EPSG:999999 --out "$T/x.png"
[[ ! -e $T/x.png ]] || fail "a failed render left an output file"
ok "failed renders leave no output file"

# ---- HTTP ----
hs_planner_curl "$T" # the server needs a token for everything but the public pages
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --cache-mb 64 --quiet >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
# get PATH [curl args]: body in $T/body, headers in $T/hdr, prints "status content-type"
get() { local p=$1; shift; curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code} %{content_type}' "$@" "$U$p"; }

r=$(get "/maps/gistar.png?size=300x400")
[[ $r != 404* ]] || fail "GET /maps/gistar.png: 404 -- is the maps family listed in server/routes/hs_routes.c?"
expect_eq "GET /maps/gistar.png" "$r" "200 image/png"
expect_eq "PNG size over HTTP" "$(png_dims "$T/body")" "300 400"
grep -qi '^content-disposition: inline; filename="gistar_cases_' "$T/hdr" || fail "no Content-Disposition"
ok "Content-Disposition inline with a file name"
ETAG=$(sed -n 's/^[Ee][Tt]ag: \(.*\)\r$/\1/p' "$T/hdr")
[[ -n $ETAG ]] || fail "no ETag"
expect_eq "If-None-Match -> 304" "$(get "/maps/gistar.png?size=300x400" -H "If-None-Match: $ETAG" | cut -d' ' -f1)" 304
for m in gistar lisa rate eb_rate risk outreach_gap emerging scan; do
  for f in png svg pdf; do
    r=$(get "/maps/$m.$f?size=300x400")
    want="200 image/png"; [[ $f == svg ]] && want="200 image/svg+xml"; [[ $f == pdf ]] && want="200 application/pdf"
    [[ $r == "$want" ]] || fail "/maps/$m.$f: got '$r' ($(head -c 300 "$T/body"))"
    case $f in png) is_png "$T/body" ;; svg) is_svg "$T/body" ;; pdf) is_pdf "$T/body" ;; esac ||
      fail "/maps/$m.$f: body is not $f"
    [[ $(stat -c %s "$T/body") -gt 5000 ]] || fail "/maps/$m.$f: body too small"
  done
  ok "/maps/$m.png|svg|pdf"
done
pdftotext "$T/body" - | grep -qF "DỮ LIỆU MÔ PHỎNG" || fail "scan PDF over HTTP has no watermark text"
ok "PDF over HTTP carries the watermark text"
# Without --release the public gets no dashboard (it gets exactly the current
# release: docs/publication.md): 404 naming the cause and the fix. A token holder
# still gets the per-request presets.
for d in hotspots priorities outreach-gap emerging; do
  expect_eq "public GET /dashboard/$d.png without a release" \
    "$(CURL_HOME=/nonexistent get "/dashboard/$d.png")" "404 application/json; charset=utf-8"
  grep -q '"no_release"' "$T/body" && grep -q 'hotspot publish' "$T/body" && grep -q -- '--release DIR' "$T/body" ||
    fail "/dashboard/$d.png: the 404 does not name the cause: $(cat "$T/body")"
  expect_eq "planner GET /dashboard/$d.png" "$(get "/dashboard/$d.png")" "200 image/png"
done
expect_eq "unknown dashboard image" "$(get /dashboard/nope.png | cut -d' ' -f1)" 404

# Public mode: a province-level rate map hides provinces with 1..4 cases (name and value).
get "/maps/rate.svg?level=province&public=true&size=600x800" >/dev/null
grep -q 'suppressed (&lt; 5)' "$T/body" || fail "public rate map has no suppressed class in its legend"
ok "public rate map lists the suppressed class"
# Which provinces have 1..4 cases in the default window (the 12 months up to the last one)?
mapfile -t SUPP < <(q "$DB" "WITH w AS (SELECT max(period) AS hi FROM (SELECT period FROM hs.case_month
  UNION ALL SELECT period FROM hs.outreach_month) x) SELECT p.name FROM hs.unit p JOIN hs.unit c
  ON c.parent_code = p.code LEFT JOIN hs.case_month m ON m.unit_code = c.code AND m.period BETWEEN
  (SELECT hi FROM w) - interval '11 months' AND (SELECT hi FROM w) GROUP BY p.name
  HAVING coalesce(sum(m.cases), 0) BETWEEN 1 AND 4")
[[ ${#SUPP[@]} -gt 0 ]] || fail "the demo has no province with 1..4 cases: the name check below would be vacuous"
for n in "${SUPP[@]}"; do
  ! grep -qF ">$n<" "$T/body" || fail "public map labels suppressed province '$n'"
done
ok "public map does not name the ${#SUPP[@]} suppressed provinces (${SUPP[*]})"
get "/maps/rate.svg?level=province&size=600x800" >/dev/null
grep -qF ">${SUPP[0]}<" "$T/body" || fail "the non-public map does not name '${SUPP[0]}' (check is vacuous)"
ok "the non-public map names them"

badq() { # badq WHAT PATH STATUS PARAM
  local r; r=$(get "$2")
  [[ ${r%% *} == "$3" ]] || fail "$1: status ${r%% *}, want $3 ($(cat "$T/body"))"
  grep -q "\"parameter\":\"$4\"" "$T/body" || fail "$1: JSON does not name '$4': $(cat "$T/body")"
  ok "$1: $3 naming '$4'"
}
badq "bad size" "/maps/gistar.png?size=abc" 400 size
badq "unknown parameter" "/maps/gistar.png?indicater=cases" 400 indicater
badq "unknown map" "/maps/nope.png" 400 map
badq "bad month" "/maps/gistar.png?from=2025-13" 400 from
badq "size over the cap" "/maps/gistar.png?size=8000x8000" 413 size
badq "unknown province" "/maps/gistar.png?province=VN99" 404 province

kill -TERM "$SERVER_PID"
RC=0
wait "$SERVER_PID" || RC=$?
SERVER_PID=
[[ $RC == 0 ]] || { tail -30 "$T/server.log"; fail "server exit status $RC after SIGTERM"; }
if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log"; then
  tail -60 "$T/server.log"
  fail "sanitizer report in the server log"
fi
ok "server stops cleanly (no sanitizer or leak report)"
echo "all checks passed"
