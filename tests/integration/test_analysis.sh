#!/usr/bin/env bash
# End to end: the analysis commands and the analysis HTTP API on the demo data.
# Checks that the planted clusters (docs/data.md) are found, that outputs carry the
# synthetic notice and every promised column, that results do not depend on the
# thread count, and that bad input gets a message naming the option.
source "$(dirname "$0")/lib.sh"
DB=$(hs_demo_db)
T=$(mktemp -d)
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$T"
  hs_test_cleanup
}
trap cleanup EXIT
H() { "$HOTSPOT_BIN" --db "$DB" "$@"; }
W="--from 2021-01 --to 2026-10"

# --- analyze: columns, rows, notice -----------------------------------------
H analyze $W --permutations 199 --out "$T/a.csv" 2>"$T/err"
grep -q "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" "$T/err" || fail "analyze does not say the data is synthetic"
head -1 "$T/a.csv" | tr -d '\r' | tr ',' '\n' > "$T/cols"
for c in unit_code unit_name population count rate eb_rate gi_z gi_p gi_p_sim gi_p_fdr gi_bin \
         lisa_i lisa_z lisa_p_sim lisa_quadrant risk_score outreach_per_10k priority_rank \
         variable data_note; do
  grep -qx "$c" "$T/cols" || fail "analyze output lacks column $c"
done
ok "analyze has every promised column"
expect_eq "analyze rows" "$(($(wc -l < "$T/a.csv") - 1))" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level='commune'")"
# col NAME FILE: one column of our CSV (CRLF line ends; no field holds a comma here).
col() { tr -d '\r' < "$2" | awk -v n="$1" -F, 'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i; next} {print $c}'; }
expect_eq "variable stated" "$(col variable "$T/a.csv" | sort -u)" "eb_rate"
expect_eq "synthetic on every row" "$(col data_note "$T/a.csv" | sort -u)" "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"

# --- the planted clusters are hot spots --------------------------------------
q "$DB" "SELECT c->>'name', m FROM hs.dataset_meta, json_array_elements(value::json) c,
         json_array_elements_text(c->'members') m WHERE key = 'planted_clusters'" > "$T/planted"
[[ -s $T/planted ]] || fail "no planted clusters recorded in hs.dataset_meta"
tr -d '\r' < "$T/a.csv" | awk -F, 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next}
  {print $h["unit_code"] "|" $h["gi_bin"] "|" $h["lisa_quadrant"]}' > "$T/stats"
found=0
for name in $(cut -d'|' -f1 "$T/planted" | sort -u); do
  members=$(awk -F'|' -v n="$name" '$1==n{print $2}' "$T/planted")
  hot=0; total=0
  for m in $members; do
    total=$((total + 1))
    b=$(awk -F'|' -v m="$m" '$1==m{print $2}' "$T/stats")
    [[ ${b:-0} -ge 2 ]] && hot=$((hot + 1))
  done
  echo "  planted $name: $hot of $total members are Gi* hot spots at 95% or more"
  [[ $hot -ge $(((total + 1) / 2)) ]] && found=$((found + 1))
done
expect_between "planted clusters found by Gi*" "$found" 3 4
hh=$(awk -F'|' 'NR==FNR{p[$2]=1; next} p[$1] && $3=="HH"' "$T/planted" "$T/stats" | wc -l)
expect_between "planted communes in LISA HH clusters" "$hh" 5 100

# --- island communes: no local statistic, reported isolated ------------------------
iso=$(tr -d '\r' < "$T/a.csv" | awk -F, 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next}
  $h["isolated"]==1 && $h["lisa_quadrant"]=="isolated" && $h["gi_z"]=="" && $h["gi_bin"]==0' | wc -l)
expect_between "isolated island communes (no Gi*, quadrant isolated)" "$iso" 1 50
H analyze $W --permutations 0 --attach-isolated --format json --out "$T/att.json" 2>/dev/null
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['meta']['summary']['isolated_units']==0, d['meta']['summary']" "$T/att.json" ||
  fail "--attach-isolated left isolated units"
ok "--attach-isolated links every island to its nearest unit"

# --- other weights and variables run and are stated ------------------------------
for w in knn:6 dist:15; do
  H analyze $W --permutations 0 --weights $w --variable eb_z --out "$T/w.csv" 2>"$T/w.err" ||
    fail "analyze --weights $w failed: $(cat "$T/w.err")"
  expect_eq "variable with --weights $w" "$(col variable "$T/w.csv" | sort -u)" "eb_z"
  grep -q "moran_i = " "$T/w.err" || fail "no global Moran's I reported with --weights $w"
done

# --- same seed, any thread count: identical results ---------------------------
H analyze $W --permutations 199 --threads 1 --out "$T/t1.csv" 2>/dev/null
H analyze $W --permutations 199 --threads 2 --out "$T/t2.csv" 2>/dev/null
cmp -s "$T/t1.csv" "$T/t2.csv" || fail "results differ between 1 and 2 threads"
cmp -s "$T/t1.csv" "$T/a.csv" || fail "results differ between runs with the same seed"
ok "identical results with 1 and 2 threads"

# --- scan: the most likely cluster is significant and covers a planted cluster -
H scan $W --permutations 199 --format csv --out "$T/scan.csv" 2>/dev/null
p1=$(tr -d '\r' < "$T/scan.csv" | awk -F, 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next} $h["cluster"]==1{print $h["p"]; exit}')
expect_between "most likely scan cluster p" "$p1" 0 0.05
in_planted=$(awk -F, 'NR==FNR{split($0,a,"|"); p[a[2]]=1; next} FNR>1 && p[$2]' "$T/planted" "$T/scan.csv" | wc -l)
expect_between "scan cluster members that are planted communes" "$in_planted" 3 1000

# --- priorities: ranked, with reasons in two languages ------------------------
H priorities --top 10 --format json --out "$T/pr.json" 2>/dev/null
python3 - "$T/pr.json" <<'PY' || fail "priorities JSON is not as promised"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["meta"]["synthetic"] is True and "MÔ PHỎNG" in d["meta"]["notice"]
rows = d["rows"]
assert [r["priority_rank"] for r in rows] == list(range(1, 11)), rows
assert all(r["reason"] and r["reason_vi"] for r in rows)
print("ok - priorities ranked 1..10 with reasons, e.g.:", rows[0]["unit_name"], "-", rows[0]["reason"])
PY

# --- emerging: categories from the documented set ------------------------------
H emerging --from 2024-01 --to 2026-10 --step quarter --format csv --out "$T/em.csv" 2>/dev/null
cats=$(col category "$T/em.csv" | sort -u | tr '\n' ' ')
echo "  emerging categories: $cats"
grep -q "hot_spot" <<<"$cats" || fail "no emerging hot spot category on the demo data"
ok "emerging hot spot categories present"

# --- GIS formats open in GDAL ---------------------------------------------------
H analyze --permutations 0 --format gpkg --out "$T/a.gpkg" 2>/dev/null
ogrinfo -so "$T/a.gpkg" hotspot | grep -q "Feature Count: $(($(wc -l < "$T/a.csv") - 1))" ||
  fail "GeoPackage does not hold one feature per unit"
ogrinfo -so "$T/a.gpkg" hotspot | grep -q "Multi Polygon" || fail "GeoPackage geometry is not MultiPolygon"
ok "GeoPackage opens in GDAL with one MultiPolygon per commune"

# --- --perm-method lookup: same statistics, its own pseudo-p, and it says so -----
H analyze $W --permutations 199 --perm-method lookup --out "$T/lk.csv" 2>/dev/null
expect_eq "lookup: p_basis names the method" "$(col p_basis "$T/lk.csv" | sort -u)" "raw+lookup"
expect_eq "exact: p_basis" "$(col p_basis "$T/a.csv" | sort -u)" "raw"
for c in gi_z gi_p lisa_i lisa_z; do # analytic: no permutation involved
  cmp -s <(col $c "$T/a.csv") <(col $c "$T/lk.csv") || fail "lookup changed $c"
done
ok "lookup leaves Gi* z/p and LISA I/z unchanged"
# Lookup's pseudo-p must sit as close to the exact engine's as a second exact run with
# another seed does (both are 199-draw estimates of the same p; docs/statistics.md).
H analyze $W --permutations 199 --seed 4242 --out "$T/s2.csv" 2>/dev/null
paste -d, <(col lisa_p_sim "$T/a.csv") <(col lisa_p_sim "$T/lk.csv") <(col lisa_p_sim "$T/s2.csv") |
  python3 -c '
import sys
rows = [l.strip().split(",") for l in sys.stdin]
rows = [tuple(map(float, r)) for r in rows if all(r)]
lk = sum(abs(a - b) for a, b, _ in rows) / len(rows)
s2 = sum(abs(a - c) for a, _, c in rows) / len(rows)
print("ok - LISA pseudo-p mean |diff| over %d units: exact vs lookup %.4f, exact vs exact (seed 4242) %.4f"
      % (len(rows), lk, s2))
assert 0 < lk < 1.5 * s2, (lk, s2)' || fail "lookup pseudo-p are farther from exact ones than another seed's"

# --- bad input: exit 2 and a message that names the option ---------------------
bad() {
  local want=$1; shift
  set +e; out=$(H "$@" 2>&1 >/dev/null); st=$?; set -e
  [[ $st -eq 2 ]] || fail "'$*' exited $st, want 2 ($out)"
  grep -qF -- "$want" <<<"$out" || fail "'$*' says '$out', want it to mention '$want'"
  ok "'$*' -> $out"
}
bad "option --indicator must be one of cases, victims, suspects, outreach_events" analyze --indicator trafficking
bad "is after to" analyze --from 2025-06 --to 2025-01
bad "no cases recorded from 2010-01 to 2010-12" analyze --from 2010-01 --to 2010-12
bad "option --permutations must be an integer from 0 to 9999" analyze --permutations 100000
bad "province 'VN99' is not a province code" analyze --province VN99
bad "unknown option 'wieghts'" analyze --wieghts queen
bad "weights 'knn:0'" analyze --weights knn:0
bad "option --perm-method must be one of exact, lookup (got 'table')" analyze --perm-method table
bad "option --from must be a month YYYY-MM" scan --from 2025-13

# --- HTTP API -------------------------------------------------------------------
hs_planner_curl "$T" # the server needs a token for everything but the public pages
"$HOTSPOT_BIN" --db "$DB" serve --listen 127.0.0.1:0 --threads 2 >"$T/server.log" 2>&1 &
SERVER_PID=$!
hs_wait_port "$T/server.log" "$SERVER_PID"
code=$(curl -s -o "$T/api.json" -w '%{http_code}' "$U/api/analyze?permutations=99&format=json")
expect_eq "GET /api/analyze" "$code" 200
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['meta']['synthetic'] and len(d['rows'])>3000" "$T/api.json" ||
  fail "/api/analyze JSON lacks the synthetic flag or rows"
etag=$(curl -s -D- -o /dev/null "$U/api/priorities?top=5&format=csv" | tr -d '\r' | sed -n 's/^ETag: //Ip')
[[ -n $etag ]] || fail "/api/priorities has no ETag"
expect_eq "If-None-Match on /api/priorities" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/api/priorities?top=5&format=csv")" 304
curl -s -o "$T/a.geojson" "$U/api/scan?permutations=99&format=geojson"
ogrinfo -so "$T/a.geojson" hotspot | grep -q "Multi Polygon" || fail "/api/scan GeoJSON is not read by GDAL"
ok "GDAL reads /api/scan GeoJSON"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$U/api/analyze?weights=rook")
expect_eq "bad weights over HTTP" "$code" 400
grep -q '"code":"invalid_argument"' "$T/bad.json" || fail "400 body is not a JSON error: $(cat "$T/bad.json")"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$U/api/analyze?out=/etc/passwd")
expect_eq "the server never writes files (out= refused)" "$code" 400
grep -q '"parameter":"out"' "$T/bad.json" || fail "400 does not name the parameter: $(cat "$T/bad.json")"
# perm-method over HTTP: its own answer (own cache entry), named in the metadata
lk=$(curl -s "$U/api/analyze?permutations=99&perm-method=lookup&format=json" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['meta']['p_basis'])")
expect_eq "/api/analyze?perm-method=lookup p_basis" "$lk" "raw+lookup"
ex=$(curl -s "$U/api/analyze?permutations=99&format=json" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['meta']['p_basis'])")
expect_eq "/api/analyze (exact) p_basis, after the lookup one" "$ex" "raw"
for path in "tiles/lisa/6/51/28.png?level=province"; do # /maps/* take no statistics options
  code=$(curl -s -o "$T/pm.png" -w '%{http_code}' "$U/$path&permutations=99&perm-method=lookup")
  [[ $code == 200 ]] || fail "/$path with perm-method=lookup: $code $(head -c 300 "$T/pm.png")"
  ok "/$path with perm-method=lookup = 200"
  [[ $(head -c 4 "$T/pm.png" | od -An -c | tr -d ' ') == 211PNG ]] || fail "/$path: not a PNG"
done
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$U/api/analyze?perm-method=fast")
expect_eq "bad perm-method over HTTP" "$code" 400
grep -q '"parameter":"perm-method"' "$T/bad.json" || fail "400 does not name perm-method: $(cat "$T/bad.json")"
n=$(curl -s "$U/api/units?level=province" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
expect_eq "GET /api/units?level=province" "$n" 34
echo "test_analysis: all checks passed"
