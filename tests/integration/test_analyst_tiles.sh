#!/usr/bin/env bash
# What an analyst sees on tiles, end to end (real server, demo data, real PNGs):
#  - a tile straddling the analyst's province A and a neighbour B, asked for with
#    province=A or as the national view, shows A's communes and B at province level:
#    wherever the other analyst's own view (of B) shows B's communes, A's tile has
#    exactly the planner's level=province pixels, so B's communes cannot be told apart;
#  - A's communes are drawn (the tile differs from the province-level one inside A);
#  - the national view and province=A give the same pixels; a planner's tiles are
#    unchanged (full commune detail), and no two scopes share a cache entry (ETags);
#  - another province's commune detail is 403, tiles and TileJSON alike.
# The tiles are kept in test-artifacts/analyst-tiles/ for a look.
source "$(dirname "$0")/lib.sh"
hs_test_tmp antiles
hs_demo_copy antiles
H() { "$HOTSPOT_BIN" --db "$DB" "$@"; }

# A: the province with the most communes; B: a neighbour of A with communes. The
# tile: z7 around a point of their common boundary.
A=$(hs_largest_province "$DB")
read -r B LON LAT < <(q "$DB" "
  SELECT b.code, ST_X(p), ST_Y(p) FROM hs.unit a, hs.unit b,
    LATERAL (SELECT ST_PointOnSurface(ST_Intersection(ST_Buffer(a.geom, 0.005), ST_Buffer(b.geom, 0.005))) p) x
  WHERE a.code = '$A' AND b.level = 'province' AND b.code <> a.code AND ST_DWithin(a.geom, b.geom, 0.001)
    AND EXISTS (SELECT 1 FROM hs.unit c WHERE c.parent_code = b.code)
  ORDER BY ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom, 0.005))) DESC, b.code LIMIT 1" | tr '|' ' ')
[[ -n $A && -n $B && -n $LAT ]] || fail "demo data has no two neighbouring provinces with communes"
read -r Z X Y < <(python3 -c "
import math
lon, lat, z = $LON, $LAT, 7
n = 2 ** z
x = int((lon + 180) / 360 * n)
y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
print(z, x, y)")
ok "analyst province $A, neighbour $B, tile $Z/$X/$Y (boundary near $LON, $LAT)"

q "$DB" "DELETE FROM hs.access_token" >/dev/null
PLANNER=$(H token create --role planner --note "tiles planner" 2>/dev/null)
ANALYST_A=$(H token create --role analyst --provinces "$A" --note "analyst A" 2>/dev/null)
ANALYST_B=$(H token create --role analyst --provinces "$B" --note "analyst B" 2>/dev/null)
ANALYST_AB=$(H token create --role analyst --provinces "$B,$A" --note "analyst A+B" 2>/dev/null)
hs_server_start "$T/server.log"

# get WHO FILE PATH: status; the body in $T/FILE.png, its ETag in $T/FILE.etag.
get() {
  local tok
  case $1 in planner) tok=$PLANNER ;; a) tok=$ANALYST_A ;; b) tok=$ANALYST_B ;; ab) tok=$ANALYST_AB ;; esac
  curl -s --max-time 300 -o "$T/$2.png" -D "$T/$2.hdr" -w '%{http_code}' -H "Authorization: Bearer $tok" "$U$3"
  tr -d '\r' <"$T/$2.hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p' >"$T/$2.etag"
}
TILE="/tiles/rate/$Z/$X/$Y.png"
for spec in "planner pc $TILE" "planner pp $TILE?level=province" "planner pa $TILE?province=$A" \
            "a an $TILE" "a ap $TILE?province=$A" "a al $TILE?level=province" \
            "b bn $TILE" "b bp $TILE?province=$B" "ab abn $TILE"; do
  read -r who f path <<<"$spec"
  st=$(get "$who" "$f" "$path")
  [[ $st == 200 ]] || fail "$who $path: $st $(head -c 300 "$T/$f.png")"
done
ok "9 tiles: planner (commune, province level, province=$A), analyst $A (national, province=$A, level=province), analyst $B, analyst of both"
mkdir -p "${HS_BUILD_DIR:-$T}/test-artifacts/analyst-tiles"
cp "$T"/*.png "${HS_BUILD_DIR:-$T}/test-artifacts/analyst-tiles/"

# Pixels: decoded by pngread.py (8-bit RGB/RGBA, what hs_png writes).
python3 - "$T" "$(dirname "$0")" <<'PY' || fail "pixel checks (above)"
import sys
sys.path.insert(0, sys.argv[2])
import pngread
d = sys.argv[1]
def png(name):
    return pngread.read(f"{d}/{name}.png")[2]
im = {k: png(k) for k in ("pc", "pp", "pa", "an", "ap", "al", "bn", "bp", "abn")}
N = len(im["pp"])
# "Differs": some channel by more than 12 levels. Smaller differences are
# anti-aliasing along province lines (a scoped tile's underpaint is the mean of more
# classes), the same in every scope: no detail of anyone's communes.
far = lambda p, q: max(abs(x - y) for x, y in zip(p, q)) > 12
diff = lambda a, b: {i for i in range(N) if far(im[a][i], im[b][i])}
rA, rB = diff("an", "pp"), diff("bn", "pp")   # where each analyst sees commune detail
print(f"ok - pixels differing from the province-level tile: analyst A {len(rA)}, analyst B {len(rB)}, of {N}")
assert len(rA) > N // 50, f"analyst A's communes are not drawn ({len(rA)} px differ from province level)"
assert len(rB) > N // 50, f"analyst B's communes are not drawn ({len(rB)} px): no straddling tile?"
# B's communes, as the B analyst sees them, are invisible to A: A's tile has the
# province-level pixels there (a boundary seam of antialiased pixels allowed).
leak = rA & rB
assert len(leak) <= len(rB) // 50, f"analyst A's tile differs from province level on {len(leak)} of B's {len(rB)} detail pixels"
print(f"ok - on B's {len(rB)} commune-detail pixels analyst A's tile equals the province-level one (but {len(leak)} seam px)")
# The planner does see B's communes there (so the check above could fail).
seen = len(diff("pc", "pp") & rB)
assert seen > len(rB) // 2, f"planner's commune tile shows B's detail on only {seen} of {len(rB)} px"
print(f"ok - the planner's commune tile differs from province level on {seen} of those pixels")
assert im["an"] == im["ap"], "analyst A: national view and province=A differ"
assert im["bn"] == im["bp"], "analyst B: national view and province=B differ"
assert im["al"] == im["pp"], "analyst level=province differs from the planner's"
print("ok - national view = province=X view for each analyst; level=province the same for everyone")
# An analyst of both provinces sees both provinces' communes.
rAB = diff("abn", "pp")
both = len(rAB & rA) + len(rAB & rB)
assert both > 0.95 * (len(rA) + len(rB)), f"analyst of both: detail on {both} of {len(rA) + len(rB)} px"
print(f"ok - the analyst of {len(rA)}+{len(rB)} px detail in both provinces sees {both} of them")
PY
etag() { cat "$T/$1.etag"; }
[[ $(etag an) != "$(etag pc)" && $(etag an) != "$(etag bn)" && $(etag pa) != "$(etag ap)" &&
   $(etag abn) != "$(etag an)" && $(etag abn) != "$(etag pc)" ]] ||
  fail "scopes share an ETag: an=$(etag an) pc=$(etag pc) bn=$(etag bn) pa=$(etag pa) ap=$(etag ap) abn=$(etag abn)"
ok "different scopes never share an entry (analyst A, analyst B, planner: different ETags)"

# Repeated: the same scope is served from the cache (no other scope's entry).
get a an2 "$TILE" >/dev/null
cmp -s "$T/an.png" "$T/an2.png" || fail "analyst A's tile changed on a second request"
# Another province's commune detail: 403, on tiles and TileJSON.
for p in "$TILE?province=$B" "$TILE?level=commune&province=$B" "/tiles/rate.json?province=$B" \
         "/tiles/rate/$Z/$X/${Y}@2x.png?province=$B"; do
  expect_eq "analyst $A asks $p" "$(get a x "$p")" 403
done
expect_eq "analyst $A TileJSON of the national view" "$(get a x "/tiles/rate.json")" 200
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status after SIGTERM: $(tail -20 "$T/server.log")"
SERVER_PID=
grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T/server.log" &&
  fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|runtime error' "$T/server.log" | head -30)"
ok "clean exit"
