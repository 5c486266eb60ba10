#!/usr/bin/env bash
# `hotspot publish` sets from the demo data (docs/publication.md), beyond the attack of
# test_release_attack.sh:
#  - a public and an internal set of 2025: every file (the z0-9 tiles included) is in
#    manifest.json with its SHA-256, and every entry exists;
#  - every public text file (CSV, JSON, HTML, SVG text) holds no commune code or name
#    and no number 1..4 next to a unit (release_check.py scan), with a negative control;
#  - the EB-rate map: fixed published breaks and the unit in the legend, province
#    colours, withheld provinces unnamed;
#  - the internal set: commune detail, the priority list, "NỘI BỘ — KHÔNG CÔNG BỐ" on
#    the page, every map, every chart and every tile;
#  - index.html served by `hotspot serve --release` and opened in headless Chromium:
#    every request 200 from the server itself, no console message, and a screenshot
#    within 1 % of tests/golden/release_index.png (HS_UPDATE_GOLDEN=1 rewrites it);
#  - /dashboard/* is the release's files; without --release the public gets 404.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/release_lib.sh"
T=$(mktemp -d)
SERVER_PID=
trap '[[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; hs_test_cleanup' EXIT
CHECK="$HS_SOURCE_DIR/tests/integration/release_check.py"
GOLDEN="$HS_SOURCE_DIR/tests/golden/release_index.png"
DEMO=$(hs_demo_db)
publish() { local db=$1; shift; HOTSPOT_DB=$db "$HOTSPOT_BIN" publish "$@"; }
units() { "$PSQL" "$1" -qX --csv -v ON_ERROR_STOP=1 -c "SELECT level, code, name FROM hs.unit"; }
svg_texts() { grep -o '<text[^>]*>[^<]*' "$1" | sed 's/<text[^>]*>//'; }

publish "$DEMO" --period 2025 --out "$T/pub" 2>"$T/err" || fail "publish 2025: $(cat "$T/err")"
publish "$DEMO" --period 2025 --audience internal --out "$T/int" 2>"$T/err" ||
  fail "publish 2025 internal: $(cat "$T/err")"
for f in index.html data.csv data.json manifest.json map_eb_rate.png map_eb_rate.svg \
         map_gistar.png map_emerging.svg map_outreach_gap.png chart_monthly.png chart_border.png \
         chart_top.png tiles/0/0/0.png; do
  [[ -s $T/pub/$f && -s $T/int/$f ]] || fail "a set lacks $f"
done
for z in $(seq 0 9); do
  [[ -n $(find "$T/pub/tiles/$z" -name '*.png' | head -1) ]] || fail "no tile at zoom $z"
done
[[ ! -e $T/pub/tiles/10 ]] || fail "tiles beyond zoom 9"
ok "both sets have their maps, charts, data and a z0-9 tile pyramid"
python3 "$CHECK" manifest "$T/pub" || fail "public manifest"
python3 "$CHECK" manifest "$T/int" || fail "internal manifest"
[[ $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["audience"])' "$T/int/manifest.json") == internal ]] ||
  fail "internal manifest does not say so"

# ---- the public set: no commune figure, no count 1..4 next to a unit ----
units "$DEMO" >"$T/units.csv"
python3 "$CHECK" scan "$T/pub" "$T/units.csv" || fail "public set scan"
[[ ! -e $T/pub/internal ]] || fail "public set has internal files"
# The scan is not toothless: a "3" next to a province in the CSV, in an SVG label, or a
# commune code anywhere, is found.
for leak in csv svg commune; do
  rm -rf "$T/leak" && mkdir "$T/leak" && cp "$T/pub/data.csv" "$T/pub/map_eb_rate.svg" "$T/leak/"
  prov=$(awk -F, 'NR > 1 && $1 == "province" { gsub(/"/, "", $3); print $3; exit }' "$T/leak/data.csv")
  case $leak in
    csv) echo "province,VN99,\"$prov\",2025-Q1,3,,," >>"$T/leak/data.csv" ;;
    svg) sed -i "s|</svg>|<text x=\"1\" y=\"1\">$prov</text><text x=\"1\" y=\"9\">2</text></svg>|" "$T/leak/map_eb_rate.svg" ;;
    commune) echo "province,VN99,\"x\",$(awk -F, '$1 == "commune" { print $2; exit }' "$T/units.csv"),0,,," >>"$T/leak/data.csv" ;;
  esac
  python3 "$CHECK" scan "$T/leak" "$T/units.csv" >"$T/leak.out" 2>&1 && fail "scan missed a planted $leak leak"
done
ok "negative controls: the scan finds a 1..4 next to a province (CSV, SVG) and a commune code"

# ---- the EB-rate map: fixed published breaks; withheld provinces are not named ----
[[ $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["map_eb_rate"]["breaks"])' "$T/pub/data.json") == "[0.25, 0.5, 1.0, 2.0, 5.0]" ]] ||
  fail "data.json does not publish the EB map's breaks"
# The demo set itself shows province years (docs/publication.md, "What the demo
# release publishes"), so its EB map has classes.
svg_texts "$T/pub/map_eb_rate.svg" >"$T/eb.txt"
for lab in '&lt; 0,25' '0,25 – 0,5' '0,5 – 1' '1 – 2' '2 – 5' '≥ 5' 'Ẩn (&lt;5 hoặc x) — withheld (&lt;5 or x)' \
           'Tỷ lệ EB / 100.000 dân / năm (per 100 000 per year)'; do
  grep -qxF "$lab" "$T/eb.txt" || fail "EB legend lacks '$lab': $(head -20 "$T/eb.txt")"
done
shown=0
while IFS=, read -r level code name win cases _rest; do
  [[ $level == province && $win == 2025 ]] || continue
  name=${name//\"/}
  if [[ $cases =~ ^[0-9]+$ ]]; then
    shown=$((shown + 1))
  elif grep -qxF "$name" "$T/eb.txt"; then
    fail "withheld province $name ($cases) is labelled on the EB map"
  fi
done <"$T/pub/data.csv"
((shown >= 15)) || fail "only $shown province years shown in the demo release"
# The shown provinces are drawn in their classes' colours, not grey.
python3 "$CHECK" ebclasses "$T/pub/map_eb_rate.svg" "$T/pub/data.csv" 2025 || fail "the EB map lacks class colours"
ok "EB map: the fixed breaks < 0,25 ... ≥ 5 and the unit in the legend, $shown provinces shown, no withheld one named"

# ---- the internal set ----
[[ $(grep -c "NỘI BỘ — KHÔNG CÔNG BỐ" "$T/int/index.html") -ge 3 ]] || fail "internal page mark"
! grep -q "NỘI BỘ" "$T/pub/index.html" || fail "the public page carries the internal mark"
for m in eb_rate gistar emerging outreach_gap; do
  svg_texts "$T/int/map_$m.svg" | grep -q "NỘI BỘ — KHÔNG CÔNG BỐ" || fail "internal map_$m.svg not marked"
done
for img in chart_monthly.png chart_border.png chart_top.png map_gistar.png tiles/5/25/14.png; do
  ! cmp -s "$T/pub/$img" "$T/int/$img" || fail "internal $img is the public image (no mark)"
done
communes=$(q "$DEMO" "SELECT count(*) FROM hs.unit WHERE level = 'commune'")
[[ $(($(wc -l <"$T/int/internal/communes.csv") - 1)) == "$communes" ]] || fail "commune detail rows"
head -1 "$T/int/internal/communes.csv" | grep -q '^unit_code,unit_name,.*,count,' || fail "commune detail columns"
[[ $(wc -l <"$T/int/internal/priorities.csv") -gt 10 ]] || fail "priority list"
[[ -s $T/int/internal/map_eb_rate_communes.png ]] || fail "no internal commune EB-rate map"
grep -q 'src="internal/map_eb_rate_communes.png"' "$T/int/index.html" || fail "internal map not on the page"
top=$(awk -F, 'NR == 2 { print $3 }' "$T/int/internal/priorities.csv")
grep -qF "<td>$top</td>" "$T/int/index.html" || fail "priority list not on the internal page ($top)"
python3 "$CHECK" scan "$T/int" "$T/units.csv" >/dev/null 2>&1 && fail "internal set has no commune detail"
ok "internal set: $communes communes, the priority list on the page (first: $top), marked page/maps/charts/tiles"

# ---- index.html in headless Chromium, served by hotspot serve --release ----
command -v chromium >/dev/null || fail "chromium is not installed"
: >"$T/server.log" # exists before hs_wait_port reads it (the server opens it after the fork)
HOTSPOT_DB=$DEMO "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --quiet --release "$T/pub" \
  >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
imgs=$(grep -o '<img src="[^"]*"' "$T/pub/index.html" | wc -l)
timeout 180 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --disable-background-networking --disable-component-update --disable-sync \
  --no-default-browser-check --user-data-dir="$T/chrome" --enable-logging=stderr --v=0 \
  --log-net-log="$T/net.json" --window-size=1000,1200 --screenshot="$T/page.png" \
  "$U/release/index.html" >"$T/chrome.out" 2>"$T/chrome.err" ||
  fail "chromium failed: $(tail -5 "$T/chrome.err")"
[[ -s $T/page.png ]] || fail "no screenshot"
! grep -E ':CONSOLE' "$T/chrome.err" || fail "index.html: console message"
python3 "$CHECK" netlog "$T/net.json" "$U" $((imgs + 1)) || fail "index.html: a failed request"
ok "index.html in headless Chromium: $imgs images and the page all 200 from the server, no console message"
if [[ ${HS_UPDATE_GOLDEN:-0} == 1 ]]; then
  cp "$T/page.png" "$GOLDEN" && echo "updated $GOLDEN (look at it)"
fi
[[ -f $GOLDEN ]] || fail "missing golden $GOLDEN (run with HS_UPDATE_GOLDEN=1 and look at it)"
python3 "$CHECK" pngdiff "$T/page.png" "$GOLDEN" 0.01 "$T/diff.png" ||
  { [[ -n ${HS_BUILD_DIR:-} ]] && cp "$T/page.png" "$T/diff.png" "$HS_BUILD_DIR/"; fail "screenshot differs from the golden"; }
cp -r "$T/pub" "$T/pub2025"
# /dashboard/* is the release: its files byte for byte, for the public (no token);
# what the release does not hold is 404, any parameter 400.
for pair in hotspots:map_gistar emerging:map_emerging outreach-gap:map_outreach_gap \
            eb-rate:map_eb_rate cases-monthly:chart_monthly border-provinces:chart_border \
            top-provinces:chart_top; do
  curl -sf -o "$T/got" "$U/dashboard/${pair%%:*}.png" || fail "GET /dashboard/${pair%%:*}.png"
  cmp -s "$T/got" "$T/pub/${pair#*:}.png" || fail "/dashboard/${pair%%:*}.png is not the release's ${pair#*:}.png"
done
expect_eq "/dashboard/priorities.png (no risk map in a release)" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$U/dashboard/priorities.png")" 404
expect_eq "/dashboard/hotspots.png?classes=fixed:0.5" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$U/dashboard/hotspots.png?classes=fixed:0.5")" 400
# A new release in the same folder is what the dashboard serves next.
publish "$DEMO" --period 2025-Q2 --out "$T/pub" 2>/dev/null || fail "republish"
curl -sf -o "$T/got" "$U/dashboard/cases-monthly.png" && cmp -s "$T/got" "$T/pub/chart_monthly.png" ||
  fail "/dashboard/ does not follow the current release"
ok "/dashboard/{7 images} are the release's files, byte for byte; a new release replaces them"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status $? after SIGTERM"
SERVER_PID=
! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" || fail "sanitizer report"

# ---- without --release: the public gets no dashboard, a token holder the presets ----
DB=$(release_scaled_db norelease) # our own database: the token goes into it
PLANNER=$("$HOTSPOT_BIN" --db "$DB" token create --role planner --note release 2>/dev/null)
: >"$T/server.log"
HOTSPOT_DB=$DB "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --quiet >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
expect_eq "public /dashboard/hotspots.png without a release" \
  "$(curl -s -o "$T/body" -w '%{http_code}' "$U/dashboard/hotspots.png")" 404
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"] == "no_release", e
assert "hotspot publish" in e["message"] and "--release DIR" in e["message"], e' "$T/body" ||
  fail "the 404 does not name the cause: $(cat "$T/body")"
expect_eq "planner /dashboard/hotspots.png without a release" \
  "$(curl -s -o "$T/got" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $PLANNER" "$U/dashboard/hotspots.png")" \
  "200 image/png"
ok "without --release: public /dashboard/* is 404 no_release naming hotspot publish and --release; planners get the presets"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status $? after SIGTERM"
SERVER_PID=

# Kept for people to look at.
if [[ -n ${HS_BUILD_DIR:-} ]]; then
  rm -rf "$HS_BUILD_DIR/release-pub" "$HS_BUILD_DIR/release-int"
  cp -r "$T/pub2025" "$HS_BUILD_DIR/release-pub"
  cp -r "$T/int" "$HS_BUILD_DIR/release-int"
  cp "$T/page.png" "$HS_BUILD_DIR/release-page.png"
fi
