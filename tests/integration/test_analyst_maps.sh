#!/usr/bin/env bash
# What an analyst sees on full maps (/maps/*.png|svg|pdf), end to end: a real server
# on a copy of the demo data, curl, real images. The analyst of province A asks for the
# national commune-level map: A at commune level, every other province at province
# level (docs/security.md, "What an analyst sees on maps and tiles"). The attack, as a
# test: A's analyst must not learn any commune-level value of a neighbouring province B.
#  1. Non-interference: B's commune figures are rotated among B's communes (every
#     month's province total unchanged). Every map A's analyst gets (rate, count, Gi*,
#     LISA; PNG, SVG, PDF) stays the same: PNG pixels (but the generation time), the
#     PDF's text, the SVG's drawing and text. The planner's commune map and B's
#     analyst's map do change, so the change is visible at commune level.
#  2. Pixels against a province-level-only rendering: wherever B's commune detail
#     changed on B's analyst's map, A's map has exactly the pixels of the planner's
#     level=province map.
#  3. Text: the PDF (pdftotext) and the SVG's text hold no commune name or code of B,
#     and every number in them is one of the province-level map's or of A's own
#     province=A map: no commune figure or count of B.
#  4. The matrix: province=B is 403 in every format; province=A and level=province 200;
#     no two scopes share a cached map (ETags).
# The images are kept in test-artifacts/analyst-maps/ for a look.
source "$(dirname "$0")/lib.sh"
hs_test_tmp anmaps
hs_demo_copy anmaps
H() { "$HOTSPOT_BIN" --db "$DB" "$@"; }

# A: the province with the most communes; B: the neighbour of A with communes that
# shares the longest boundary with it.
A=$(hs_largest_province "$DB")
B=$(q "$DB" "
  SELECT b.code FROM hs.unit a, hs.unit b
  WHERE a.code = '$A' AND b.level = 'province' AND b.code <> a.code AND ST_DWithin(a.geom, b.geom, 0.001)
    AND EXISTS (SELECT 1 FROM hs.unit c WHERE c.parent_code = b.code)
  ORDER BY ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom, 0.005))) DESC, b.code LIMIT 1")
[[ -n $A && -n $B ]] || fail "demo data has no two neighbouring provinces with communes"
# B's commune codes and names (names also used in A or for a province are left out:
# "Phường 1" may be A's own commune).
q "$DB" "SELECT code FROM hs.unit WHERE parent_code = '$B'" >"$T/b_codes"
q "$DB" "SELECT DISTINCT name FROM hs.unit c WHERE parent_code = '$B' AND NOT EXISTS
           (SELECT 1 FROM hs.unit o WHERE o.name = c.name AND (o.parent_code IS DISTINCT FROM '$B'))" >"$T/b_names"
NB=$(wc -l <"$T/b_codes")
ok "analyst province $A, neighbour $B ($NB communes, $(wc -l <"$T/b_names") names of their own)"

q "$DB" "DELETE FROM hs.access_token" >/dev/null
PLANNER=$(H token create --role planner --note "maps planner" 2>/dev/null)
ANALYST_A=$(H token create --role analyst --provinces "$A" --note "analyst A" 2>/dev/null)
ANALYST_B=$(H token create --role analyst --provinces "$B" --note "analyst B" 2>/dev/null)
hs_server_start "$T/server.log"

# get WHO FILE PATH: prints the status; body in $T/FILE, its ETag in $T/FILE.etag.
get() {
  local tok
  case $1 in planner) tok=$PLANNER ;; a) tok=$ANALYST_A ;; b) tok=$ANALYST_B ;; esac
  curl -s --max-time 600 -o "$T/$2" -D "$T/$2.hdr" -w '%{http_code}' -H "Authorization: Bearer $tok" "$U$3"
  tr -d '\r' <"$T/$2.hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p' >"$T/$2.etag"
}
# The whole span of the data (the demo is sparse: a year holds few of B's rows).
S="size=600x760&$(q "$DB" "SELECT 'from=' || to_char(min(period), 'YYYY-MM') || '&to=' || to_char(max(period), 'YYYY-MM') FROM hs.case_month")"
FIX="classes=fixed:1,2,4" # count map: the same breaks at both levels (legends unchanged by B)
# The maps of one round (suffix $1: 0 before B's communes change, 1 after).
round() {
  local r=$1 spec who f path st
  for spec in \
      "a rate.png /maps/rate.png?$S" "a rate.pdf /maps/rate.pdf?$S" "a rate.svg /maps/rate.svg?$S" \
      "a count.png /maps/count.png?$S&$FIX" "a count.pdf /maps/count.pdf?$S&$FIX" \
      "a gistar.png /maps/gistar.png?$S" "a gistar.pdf /maps/gistar.pdf?$S" \
      "a lisa.png /maps/lisa.png?$S" "a lisa.svg /maps/lisa.svg?$S" \
      "b count_b.png /maps/count.png?$S&$FIX" \
      "planner count_pl.png /maps/count.png?$S&$FIX&level=province" \
      "planner count_pc.png /maps/count.png?$S&$FIX" \
      "planner rate_pc.png /maps/rate.png?$S" "planner gistar_pc.png /maps/gistar.png?$S" \
      "planner rate_pl.pdf /maps/rate.pdf?$S&level=province" \
      "planner rate_pl.svg /maps/rate.svg?$S&level=province" \
      "planner lisa_pl.svg /maps/lisa.svg?$S&level=province" \
      "planner gistar_pl.pdf /maps/gistar.pdf?$S&level=province" \
      "planner count_pl.pdf /maps/count.pdf?$S&$FIX&level=province" \
      "a rate_own.pdf /maps/rate.pdf?$S&province=$A" "a rate_own.svg /maps/rate.svg?$S&province=$A" \
      "a lisa_own.svg /maps/lisa.svg?$S&province=$A" "a gistar_own.pdf /maps/gistar.pdf?$S&province=$A" \
      "a count_own.pdf /maps/count.pdf?$S&$FIX&province=$A"; do
    read -r who f path <<<"$spec"
    st=$(get "$who" "$r.$f" "$path")
    [[ $st == 200 ]] || fail "$who $path: $st $(head -c 300 "$T/$r.$f")"
  done
}
# Kept for a look (also when a check below fails).
save() {
  mkdir -p "${HS_BUILD_DIR:-$T}/test-artifacts/analyst-maps"
  cp "$T"/[01].*.png "$T"/[01].*.pdf "$T"/[01].*.svg "${HS_BUILD_DIR:-$T}/test-artifacts/analyst-maps/" 2>/dev/null || true
}
round 0
save
ok "round 0: 24 maps (analyst $A national: rate, count, Gi*, LISA in PNG/SVG/PDF; analyst $B; planner)"

# ---- 4. the matrix -------------------------------------------------------------------
for ext in png svg pdf; do
  expect_eq "analyst $A /maps/rate.$ext?province=$B" "$(get a x "/maps/rate.$ext?$S&province=$B")" 403
  expect_eq "analyst $A /maps/rate.$ext?level=commune&province=$B" "$(get a x "/maps/rate.$ext?$S&level=commune&province=$B")" 403
  expect_eq "analyst $A /maps/rate.$ext?level=province&province=$B" "$(get a x "/maps/rate.$ext?$S&level=province&province=$B")" 403
done
expect_eq "analyst $A bbox over $B without province" "$(get a bbox.png "/maps/count.png?$S&$FIX&bbox=$(q "$DB" "SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Extent(geom)::geometry e FROM hs.unit WHERE code IN ('$A', '$B')) x")")" 200
expect_eq "analyst $A level=province" "$(get a lp.png "/maps/count.png?$S&$FIX&level=province")" 200
etag() { cat "$T/$1.etag"; }
get planner 0.count_pc2.png "/maps/count.png?$S&$FIX" >/dev/null
[[ $(etag 0.count.png) != "$(etag 0.count_pc.png)" && $(etag 0.count.png) != "$(etag 0.count_b.png)" &&
   $(etag 0.count_pc.png) == "$(etag 0.count_pc2.png)" ]] ||
  fail "scopes share an ETag: analyst A $(etag 0.count.png), analyst B $(etag 0.count_b.png), planner $(etag 0.count_pc.png)"
ok "analyst A, analyst B and the planner get different cached maps of the same URL"

# ---- B's communes change, B's province totals do not ----------------------------------
version() { curl -s "$U/readyz" | python3 -c 'import json, sys; print(json.load(sys.stdin)["data_version"])'; }
totals() { q "$DB" "SELECT md5(string_agg(concat_ws(':', period, s1, s2, s3), ',' ORDER BY period)) FROM
  (SELECT period, sum(cases) s1, sum(victims) s2, sum(suspects) s3 FROM hs.case_month c JOIN hs.unit u ON u.code = c.unit_code
   WHERE u.parent_code = '$B' GROUP BY period) x"; }
communes() { q "$DB" "SELECT md5(string_agg(concat_ws(':', unit_code, period, cases, victims, suspects), ',' ORDER BY unit_code, period))
  FROM hs.case_month c JOIN hs.unit u ON u.code = c.unit_code WHERE u.parent_code = '$B'"; }
T0=$(totals); C0=$(communes); V0=$(version)
# Each commune of B takes the rows of the next one (by code): a rotation of the rows
# (the demo data is sparse: months without cases have no row), so every month's total
# over B stays the same. One transaction: the new rows replace the old at once.
q "$DB" "
  CREATE TEMP TABLE moved AS
    WITH b AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n
               FROM hs.unit WHERE parent_code = '$B'),
         m AS (SELECT s.code AS src, d.code AS dst FROM b s JOIN b d ON d.i = (s.i + 1) % s.n)
    SELECT m.dst AS unit_code, c.period, c.cases, c.victims, c.suspects
    FROM hs.case_month c JOIN m ON m.src = c.unit_code;
  DELETE FROM hs.case_month WHERE unit_code IN (SELECT code FROM hs.unit WHERE parent_code = '$B');
  INSERT INTO hs.case_month (unit_code, period, cases, victims, suspects) SELECT * FROM moved" >/dev/null
[[ $(totals) == "$T0" ]] || fail "the rotation changed B's monthly totals (months missing for some commune?)"
[[ $(communes) != "$C0" ]] || fail "the rotation changed nothing"
ok "B's commune figures rotated among its $NB communes; every month's total over $B unchanged"
# The server sees the new data version through LISTEN/NOTIFY (/readyz shows it).
for _ in $(seq 1 100); do
  [[ $(version) != "$V0" ]] && break
  sleep 0.2
done
[[ $(version) != "$V0" ]] || fail "the server never saw the new data version (still $V0)"
round 1
ok "round 1: the same 24 maps after the change"
save
cp "$T/bbox.png" "${HS_BUILD_DIR:-$T}/test-artifacts/analyst-maps/"

# Text: pdftotext's words; the SVG's text layer (release_check.svg_text).
for f in "$T"/[01].*.pdf; do pdftotext -q -enc UTF-8 "$f" "${f%.pdf}.pdf.txt"; done

python3 - "$T" "$HS_SOURCE_DIR/tests/integration" <<'PY' || fail "checks above"
import re, sys
d = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from release_check import read_png, svg_text

def pixels(name):
    w, h, bpp, rows = read_png(f"{d}/{name}")
    return w, h, [bytes(r[x * bpp:x * bpp + 3]) for r in rows for x in range(w)]

far = lambda p, q: max(abs(a - b) for a, b in zip(p, q)) > 12
# The generation time ("Thời gian tạo: YYYY-MM-DD HH:MM") is the one thing allowed
# to change between rounds: right-aligned in the footer, the bottom 6 % of the page, right half.
def same_but_time(name):
    w, h, p0 = pixels(f"0.{name}")
    _, _, p1 = pixels(f"1.{name}")
    bad = [i for i in range(w * h) if p0[i] != p1[i] and not (i // w > 0.94 * h and i % w > w // 2)]
    assert not bad, f"{name}: {len(bad)} px changed with B's communes, first at {bad[0] % w},{bad[0] // w}"
    return w, h, p0, p1

TIME = re.compile(r"Thời gian tạo: \d{4}-\d\d-\d\d \d\d:\d\d")
def text_pdf(name):
    return TIME.sub("T", open(f"{d}/{name}.txt", encoding="utf-8").read())
def text_svg(name):
    return [TIME.sub("T", t) for t in svg_text(f"{d}/{name}")]
def drawing_svg(name):
    # cairo's SVG without glyphs (the time's digits change them), the text layer, the
    # surface's serial number (a counter of the process) and blank lines
    s = open(f"{d}/{name}", encoding="utf-8").read()
    s = re.sub(r"<symbol\b.*?</symbol>|<use\b[^>]*/>|<text\b.*?</text>|<g id=\"glyph[^\"]*\".*?</g>", "", s, flags=re.S)
    s = re.sub(r'id="surface\d+"', "", s)
    return "\n".join(l for l in s.split("\n") if l.strip())

# 1. Non-interference.
for n in ("rate.png", "count.png", "gistar.png", "lisa.png"):
    same_but_time(n)
for n in ("rate.pdf", "count.pdf", "gistar.pdf"):
    assert text_pdf(f"0.{n}") == text_pdf(f"1.{n}"), f"{n}: the text changed with B's communes"
for n in ("rate.svg", "lisa.svg"):
    assert text_svg(f"0.{n}") == text_svg(f"1.{n}"), f"{n}: the SVG text changed with B's communes"
    assert drawing_svg(f"0.{n}") == drawing_svg(f"1.{n}"), f"{n}: the SVG drawing changed with B's communes"
print("ok - analyst A's maps (rate, count, Gi*, LISA; PNG, PDF, SVG) are the same whatever B's commune figures")
# ... while the change shows at commune level (so the checks above could fail).
for n in ("count_pc.png", "rate_pc.png", "gistar_pc.png", "count_b.png"):
    w, h, p0 = pixels(f"0.{n}")
    _, _, p1 = pixels(f"1.{n}")
    ch = sum(far(p0[i], p1[i]) for i in range(w * h))
    assert ch > 40, f"{n}: only {ch} px changed: the rotation is not visible at commune level"
    print(f"ok - {n}: {ch} px changed with B's communes")
w, h, pl0 = pixels("0.count_pl.png")
_, _, pl1 = pixels("1.count_pl.png")
assert pl0 == pl1 or sum(pl0[i] != pl1[i] for i in range(w * h) if not (i // w > 0.94 * h and i % w > w // 2)) == 0, \
    "the province-level map changed: B's totals did change"

# 2. On B's commune-detail pixels (R: where B's analyst's map changed), A's map shows
# B at province level: the province-level map's pixels or B's province fill (labels
# may sit elsewhere: the two-level legend is larger and may take another corner), and
# nowhere the colour of B's commune detail.
from collections import Counter
_, _, b0 = pixels("0.count_b.png")
_, _, b1 = pixels("1.count_b.png")
R = [i for i in range(w * h) if far(b0[i], b1[i])]
assert len(R) > 40, f"B's analyst's map changed on only {len(R)} px"
fill = Counter(pl0[i] for i in R).most_common(1)[0][0]
_, _, a0, a1 = same_but_time("count.png")
for a, b in ((a0, b0), (a1, b1)):
    prov = [i for i in R if not far(a[i], pl0[i]) or not far(a[i], fill)]
    copied = [i for i in R if not far(a[i], b[i]) and far(b[i], fill) and far(b[i], pl0[i])]
    assert len(copied) <= len(R) // 50, f"A's map shows B's commune colours on {len(copied)} of {len(R)} px"
    assert len(prov) >= 0.8 * len(R), f"A's map is province level on only {len(prov)} of B's {len(R)} detail px"
print(f"ok - on the {len(R)} px where B's commune detail changed, A's map is province level on {len(prov)} "
      f"(the rest: labels and seams), B's commune colours on {len(copied)}")
# ... and A's own communes are drawn (A's map is not just the province-level one).
own = sum(far(a0[i], pl0[i]) for i in range(w * h) if i // w < 0.94 * h)
assert own > 200, f"A's communes are not drawn ({own} px differ from the province-level map)"
print(f"ok - A's map differs from the province-level one on {own} px (A's communes, legend, subtitle)")

# 3. Text: no commune name or code of B; every number from province level or A's own.
codes = [l.strip() for l in open(f"{d}/b_codes", encoding="utf-8") if l.strip()]
names = [l.strip() for l in open(f"{d}/b_names", encoding="utf-8") if l.strip()]
NUM = re.compile(r"\d+(?:[.,]\d+)*")
def words_of(t):
    return set(re.findall(r"[\w.-]+", t))
pairs = [("rate.pdf", ["rate_pl.pdf"], ["rate_own.pdf"]), ("count.pdf", ["count_pl.pdf"], ["count_own.pdf"]),
         ("gistar.pdf", ["gistar_pl.pdf"], ["gistar_own.pdf"]),
         ("rate.svg", ["rate_pl.svg"], ["rate_own.svg"]), ("lisa.svg", ["lisa_pl.svg"], ["lisa_own.svg"])]
for r in "01":
    for n, prov, mine in pairs:
        get = (lambda x: text_pdf(f"{r}.{x}")) if n.endswith("pdf") else (lambda x: " \n".join(text_svg(f"{r}.{x}")))
        t = get(n)
        assert len(t) > 100, f"{r}.{n}: hardly any text ({len(t)} chars)"
        ws = words_of(t)
        bad = [c for c in codes if c in ws] + [m for m in names if re.search(r"(?<!\w)" + re.escape(m) + r"(?!\w)", t)]
        assert not bad, f"{r}.{n} names communes of B: {bad[:5]}"
        allowed = set()
        for x in prov + mine:
            allowed |= set(NUM.findall(get(x)))
        extra = sorted(set(NUM.findall(t)) - allowed)
        assert not extra, f"{r}.{n}: numbers in no province-level map and not A's own: {extra[:10]}"
print(f"ok - PDF and SVG text of A's maps: no commune name or code of B (of {len(codes)}), every number from province level or A's own map")
PY

# The legend of the two-level map says both levels: two blocks for two classifications
# (rate: quantiles of each level), one for a shared one (Gi* bins).
grep -q "Tỉnh khác (cấp tỉnh)" "$T/0.rate.pdf.txt" || fail "rate map: no 'Tỉnh khác (cấp tỉnh)' legend block: $(head -c 600 "$T/0.rate.pdf.txt")"
grep -q "(tỉnh của bạn)" "$T/0.rate.pdf.txt" || fail "rate map: no legend block for the analyst's communes"
grep -q "Cấp xã ở tỉnh của bạn" "$T/0.gistar.pdf.txt" || fail "Gi* map: the subtitle does not say the levels"
grep -q "Tỉnh khác (cấp tỉnh)" "$T/0.gistar.pdf.txt" && fail "Gi* map (one classification): two legend blocks"
ok "legends: two blocks for two classifications (rate), one for a shared one (Gi*); the subtitle names both levels"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status after SIGTERM: $(tail -20 "$T/server.log")"
SERVER_PID=
grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" &&
  fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|runtime error' "$T/server.log" | head -30)"
ok "clean exit"
