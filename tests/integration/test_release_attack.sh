#!/usr/bin/env bash
# `hotspot publish` on the demo data, and the attacker of docs/publication.md:
#  - a public and an internal set; every manifest entry exists with its SHA-256;
#  - no public file holds a commune-level figure or a count 1..4;
#  - release_attack.py (GLPK) on the year release 2025 alone, and on two consecutive
#    releases together (data through 2026-08 -> 2026-Q2; a month added -> 2026-Q3):
#    every cell whose true count is 1..4 keeps >= 3 feasible integers; also 2025-Q3
#    and 2025 of the demo together.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/release_lib.sh"
T=$(mktemp -d)
SERVER_PID=
trap '[[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; hs_test_cleanup' EXIT
command -v glpsol >/dev/null || fail "glpsol (glpk-utils) is not installed"
ATTACK="$HS_SOURCE_DIR/tests/integration/release_attack.py"

DEMO=$(hs_demo_db)
publish() { local db=$1; shift; HOTSPOT_DB=$db "$HOTSPOT_BIN" publish "$@"; }

# truth DB: code,window,cases for provinces and the nation (quarters, years, months).
truth() {
  "$PSQL" "$1" -qAtX -v ON_ERROR_STOP=1 -F, -c "
    WITH c AS (SELECT coalesce(u.parent_code, u.code) AS prov, m.period, m.cases
                 FROM hs.case_month m JOIN hs.unit u ON u.code = m.unit_code),
         w AS (SELECT prov, to_char(period, 'YYYY') || '-Q' || extract(quarter FROM period) AS win, cases FROM c
               UNION ALL SELECT prov, to_char(period, 'YYYY'), cases FROM c
               UNION ALL SELECT 'VN', to_char(period, 'YYYY-MM'), cases FROM c)
    SELECT 'code', 'window', 'cases'
    UNION ALL SELECT prov, win, sum(cases)::text FROM w GROUP BY prov, win
    UNION ALL SELECT 'VN', win, sum(cases)::text FROM w WHERE prov <> 'VN' GROUP BY win"
}

check_manifest() {
  python3 "$HS_SOURCE_DIR/tests/integration/release_check.py" manifest "$1" ||
    fail "manifest of $1 does not match its files"
}

# No commune figure, no count 1..4 in the CSV or in the page's table cells.
check_public_files() {
  local dir=$1
  awk -F, 'NR > 1 && $1 != "national" && $1 != "province" { exit 1 }' "$dir/data.csv" ||
    fail "$dir/data.csv has a level other than national/province"
  awk -F, 'NR > 1 && $5 ~ /^[1-4]$/ { exit 1 }' "$dir/data.csv" || fail "$dir/data.csv has a count 1..4"
  ! grep -Eq '<td>[1-4]</td>' "$dir/index.html" || fail "$dir/index.html shows a count 1..4"
  ! grep -Eq '"cases": [1-4][,}]?$' "$dir/data.json" || fail "$dir/data.json has a count 1..4"
  local communes
  communes=$(q "$DEMO" "SELECT count(*) FROM hs.unit WHERE level = 'commune'")
  for code in $(q "$DEMO" "SELECT code FROM hs.unit WHERE level = 'commune' ORDER BY random() LIMIT 40"); do
    ! grep -qF "$code" "$dir/data.csv" "$dir/data.json" || fail "commune $code appears in $dir"
  done
  ok "$dir: no commune code (40 of $communes sampled), no count 1..4 in CSV/JSON/HTML"
}

# ---- public and internal sets of the year 2025 ----
publish "$DEMO" --period 2025 --out "$T/pub2025" 2>"$T/err" || fail "publish 2025: $(cat "$T/err")"
cat "$T/err"
grep -Eq ' [1-9][0-9]* of 170 province cells shown' "$T/err" || fail "the demo release 2025 shows no province cell"
for f in index.html data.csv data.json manifest.json chart_monthly.png map_gistar.png map_gistar.svg \
         map_emerging.png map_outreach_gap.svg; do
  [[ -s $T/pub2025/$f ]] || fail "public set lacks $f"
done
ok "public set has its files"
check_manifest "$T/pub2025"
check_public_files "$T/pub2025"
grep -q "SYNTHETIC DATA" "$T/pub2025/index.html" || fail "no synthetic banner"
! grep -qE 'https?://' "$T/pub2025/index.html" || fail "index.html makes an external request"
ok "index.html: synthetic banner, no external URL"

publish "$DEMO" --period 2025 --audience internal --out "$T/int2025" 2>"$T/err" || fail "internal: $(cat "$T/err")"
check_manifest "$T/int2025"
[[ $(grep -c "NỘI BỘ — KHÔNG CÔNG BỐ" "$T/int2025/index.html") -ge 2 ]] || fail "internal mark missing"
ok "internal set marked NỘI BỘ — KHÔNG CÔNG BỐ"

# Re-publishing replaces the folder whole (atomic rename, no leftovers).
publish "$DEMO" --period 2025-Q2 --out "$T/pub2025" 2>/dev/null || fail "republish"
[[ $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["period"])' "$T/pub2025/data.json") == 2025-Q2 ]] ||
  fail "republish did not replace the folder"
[[ -z $(ls -d "$T"/pub2025.* 2>/dev/null) ]] || fail "temporary folders left behind"
ok "republish replaces the folder, nothing left behind"

# Errors name the option.
publish "$DEMO" --period 2025-Q5 --out "$T/bad" 2>"$T/err" && fail "2025-Q5 accepted"
grep -q -- "--period 2025-Q5" "$T/err" || fail "error does not name --period: $(cat "$T/err")"
publish "$DEMO" --period 2030 --out "$T/bad" 2>"$T/err" && fail "2030 accepted"
grep -q "not complete" "$T/err" || fail "incomplete period: $(cat "$T/err")"
ok "bad periods rejected naming --period"

# ---- the attack on one release ----
truth "$DEMO" >"$T/truth.csv"
publish "$DEMO" --period 2025 --out "$T/pub2025" 2>/dev/null || fail "publish 2025 again"
python3 "$ATTACK" "$T/truth.csv" "$T/pub2025" | tee "$T/attack1" || fail "attack on release 2025 narrowed a cell"
ok "attack on release 2025: $(cat "$T/attack1" | head -1)"

# The attacker is not toothless: per-cell suppression (the old per-map rule: 1..4 as
# "<5", everything else exact) of a province with quarters 3, 10, 12, 8 must be broken.
mkdir -p "$T/leaky"
python3 - "$T/leaky" <<'PY' || fail "cannot build the leaky release"
import json, os, sys
d = sys.argv[1]
q = {"A": [3, 10, 12, 8], "B": [20, 30, 25, 40]}
wins = [{"id": "2025-Q%d" % (i + 1), "kind": "quarter", "months": []} for i in range(4)]
wins.append({"id": "2025", "kind": "year", "months": []})
figs, truth = [], ["code,window,cases"]
def put(code, level, win, v):
    figs.append({"level": level, "code": code, "name": code, "window": win,
                 "cases": "<5" if 1 <= v <= 4 else v})
    truth.append("%s,%s,%d" % (code, win, v))
for code, vals in q.items():
    for i, v in enumerate(vals):
        put(code, "province", "2025-Q%d" % (i + 1), v)
    put(code, "province", "2025", sum(vals))
for i in range(4):
    put("VN", "national", "2025-Q%d" % (i + 1), q["A"][i] + q["B"][i])
put("VN", "national", "2025", sum(q["A"]) + sum(q["B"]))
json.dump({"windows": wins, "figures": figs}, open(os.path.join(d, "data.json"), "w"))
open(os.path.join(d, "truth.csv"), "w").write("\n".join(truth) + "\n")
PY
python3 "$ATTACK" "$T/leaky/truth.csv" "$T/leaky" >"$T/attack0" && fail "the attacker missed a differencing leak"
grep -q "NARROWED: A 2025-Q1 true=3 feasible=\[3, 3\]" "$T/attack0" || fail "attack failed for another reason: $(cat "$T/attack0")"
ok "negative control: per-cell suppression is broken by the attacker (A 2025-Q1 pinned to 3)"

# ---- the demo's releases of one year together: 2025-Q3 then 2025 ----
publish "$DEMO" --period 2025-Q3 --out "$T/pub2025q3" 2>/dev/null || fail "publish 2025-Q3"
python3 "$ATTACK" "$T/truth.csv" "$T/pub2025q3" "$T/pub2025" | tee "$T/attack3" ||
  fail "attack on releases 2025-Q3 + 2025 together narrowed a cell"
ok "attack on 2025-Q3 + 2025 together: $(head -1 "$T/attack3")"
python3 - "$T/pub2025q3/data.json" "$T/pub2025/data.json" <<'PY' || fail "the year release withholds a figure the 2025-Q3 release published"
import json, sys
a, b = ({(f["code"], f["window"]): f["cases"] for f in json.load(open(p))["figures"]} for p in sys.argv[1:])
bad = [(k, a[k], b.get(k)) for k in a if a[k] != b.get(k)]
sys.exit("%d differ: %s" % (len(bad), bad[:5]) if bad else 0)
PY
ok "the year release 2025 publishes every figure of 2025-Q3 unchanged (monotone)"

# ---- two consecutive releases: data through 2026-08, then September added ----
# Volumes scaled up, so that many more cells are shown and complementary cells are
# needed.
DB=$(release_scaled_db attack)
# ... and in every province but VN33 and VN34 here: the columns then hold only two
# small cells (2026-Q1: 4 and 3, Q2: 1 and 0), too few to protect each other, so
# complementary cells must be chosen.
q "$DB" "UPDATE hs.case_month m SET cases = cases * 12 FROM hs.unit u
          WHERE u.code = m.unit_code AND coalesce(u.parent_code, u.code) BETWEEN 'VN18' AND 'VN32'" >/dev/null
truth "$DB" >"$T/truth2.csv"
q "$DB" "CREATE TABLE public.held AS SELECT * FROM hs.case_month WHERE period >= '2026-09-01';
         DELETE FROM hs.case_month WHERE period >= '2026-09-01';
         DELETE FROM hs.outreach_month WHERE period >= '2026-09-01'" >/dev/null
v1=$(q "$DB" "SELECT version FROM hs.data_version")
publish "$DB" --period 2026-Q2 --out "$T/relA" 2>/dev/null || fail "publish 2026-Q2"
q "$DB" "INSERT INTO hs.case_month SELECT * FROM public.held WHERE period = '2026-09-01'" >/dev/null
v2=$(q "$DB" "SELECT version FROM hs.data_version")
[[ $v1 != "$v2" ]] || fail "data version did not change when a month was added"
publish "$DB" --period 2026-Q3 --out "$T/relB" 2>"$T/errB" || fail "publish 2026-Q3"
cat "$T/errB"
grep -q ' [1-9][0-9]* more withheld' "$T/errB" || fail "no complementary cell chosen on the scaled data"
grep -Eq '^province,[^,]*,"[^"]*",2026-Q3,[0-9]+,' "$T/relB/data.csv" || fail "no province shown on the scaled data"
check_public_files "$T/relB"
python3 "$ATTACK" "$T/truth2.csv" "$T/relA" "$T/relB" | tee "$T/attack2" ||
  fail "attack on releases 2026-Q2 (v$v1) + 2026-Q3 (v$v2) narrowed a cell"
ok "attack on 2026-Q2 (v$v1) + 2026-Q3 (v$v2) together: $(head -1 "$T/attack2")"

# ---- the server's /release/ route: the files, byte for byte; any parameter is 400 ----
: >"$T/server.log" # exists before hs_wait_port reads it (the server opens it after the fork)
HOTSPOT_DB=$DEMO "$HOTSPOT_BIN" serve --listen 127.0.0.1:0 --threads 2 --quiet --release "$T/pub2025" \
  >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
for f in index.html data.csv data.json manifest.json map_gistar.png; do
  curl -sf -o "$T/got" "$U/release/$f" || fail "GET /release/$f"
  cmp -s "$T/got" "$T/pub2025/$f" || fail "/release/$f differs from the published file"
done
[[ $(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$U/release") == "308 $U/release/index.html" ]] ||
  fail "GET /release does not redirect to /release/index.html (relative links)"
curl -sfL -o "$T/got" "$U/release" && cmp -s "$T/got" "$T/pub2025/index.html" || fail "GET /release -L"
ok "GET /release/{file} serves the release byte for byte"
for qs in "?public=true" "?classes=fixed:20.5" "?from=2025-01"; do
  code=$(curl -s -o "$T/body" -w '%{http_code}' "$U/release/data.json$qs")
  [[ $code == 400 ]] || fail "/release/data.json$qs gave $code, want 400"
done
ok "/release/ with any query parameter: 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/release/../manifest.json")
[[ $code == 400 || $code == 404 ]] || fail "/release/../ gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/release/nope.csv")
[[ $code == 404 ]] || fail "/release/nope.csv gave $code, want 404"
ok "/release/: unknown file 404, no way out of the folder"
kill -TERM "$SERVER_PID"
RC=0
wait "$SERVER_PID" || RC=$?
SERVER_PID=
[[ $RC == 0 ]] || { tail -30 "$T/server.log"; fail "server exit status $RC after SIGTERM"; }
! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" || fail "sanitizer report"
ok "server stops cleanly"

# ---- the page in headless Chromium: every request served, no console error ----
if command -v chromium >/dev/null; then
  # Relative file:// loads only: a failed image or any console message shows in the log.
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$T/chrome" --enable-logging=stderr --v=0 --window-size=1200,1800 \
    --screenshot="$T/page.png" "file://$T/pub2025/index.html" >"$T/chrome.out" 2>"$T/chrome.err" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
  [[ -s $T/page.png ]] || fail "no screenshot"
  ! grep -E 'CONSOLE|ERR_FILE_NOT_FOUND|net::ERR|Failed to load' "$T/chrome.err" ||
    fail "index.html: failed request or console message"
  ok "index.html in headless Chromium: screenshot, no failed request, no console message"
fi
# Kept for people to look at (and for the README image).
if [[ -n ${HS_BUILD_DIR:-} ]]; then
  rm -rf "$HS_BUILD_DIR/release-demo" && cp -r "$T/pub2025" "$HS_BUILD_DIR/release-demo"
  [[ -s $T/page.png ]] && cp "$T/page.png" "$HS_BUILD_DIR/release-demo-page.png"
  cp "$T/int2025/map_gistar.png" "$HS_BUILD_DIR/release-demo-internal-gistar.png"
fi
