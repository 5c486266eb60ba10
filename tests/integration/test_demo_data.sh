#!/usr/bin/env bash
# `hotspot db demo`: counts, contiguity, border distances, calibration, marking,
# refusal of a non-empty database, derived-data refresh, data version + NOTIFY.
# The expected figures are documented in docs/data.md.
source "$(dirname "$0")/lib.sh"
trap 'hs_test_cleanup' EXIT

DB=$(hs_test_db d)
if out=$(HOTSPOT_DB=$DB "$HOTSPOT_BIN" db demo 2>&1); then fail "demo before migrate succeeded"; fi
grep -q "hotspot db migrate" <<<"$out" || fail "unclear message without schema: $out"
ok "demo refuses a database without schema"

HOTSPOT_DB=$DB "$HOTSPOT_BIN" db migrate >/dev/null
HOTSPOT_DB=$DB "$HOTSPOT_BIN" db demo

expect_eq "provinces" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level = 'province'")" 34
expect_between "communes" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level = 'commune'")" 3200 3400
expect_eq "communes nest in their province code" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level = 'commune' AND code NOT LIKE parent_code || '-____'")" 0
expect_eq "communes lie in their province" "$(q "$DB" "SELECT count(*) FROM hs.unit c JOIN hs.unit p ON p.code = c.parent_code JOIN hs.unit_derived d ON d.unit_code = c.code WHERE NOT ST_Intersects(p.geom, d.label_pt)")" 0
expect_eq "unique names within a province" "$(q "$DB" "SELECT count(*) FROM (SELECT parent_code, name FROM hs.unit WHERE level = 'commune' GROUP BY 1, 2 HAVING count(*) > 1) x")" 0
expect_eq "every unit has derived data" "$(q "$DB" "SELECT count(*) FROM hs.unit u LEFT JOIN hs.unit_derived d ON d.unit_code = u.code WHERE d.unit_code IS NULL")" 0

# Contiguity: a neighbour, or an island special zone (which has none).
expect_eq "communes without neighbour that are not islands" "$(q "$DB" "SELECT count(*) FROM hs.unit u WHERE level = 'commune' AND name NOT LIKE 'Đặc khu %' AND NOT EXISTS (SELECT 1 FROM hs.unit_adjacency j WHERE j.a = u.code)")" 0
expect_between "island special zones (no neighbour)" "$(q "$DB" "SELECT count(*) FROM hs.unit u WHERE level = 'commune' AND name LIKE 'Đặc khu %' AND NOT EXISTS (SELECT 1 FROM hs.unit_adjacency j WHERE j.a = u.code)")" 5 12
expect_eq "adjacency is symmetric" "$(q "$DB" "SELECT count(*) FROM hs.unit_adjacency j WHERE NOT EXISTS (SELECT 1 FROM hs.unit_adjacency k WHERE k.a = j.b AND k.b = j.a)")" 0
expect_eq "adjacency stays within a level" "$(q "$DB" "SELECT count(*) FROM hs.unit_adjacency j JOIN hs.unit a ON a.code = j.a JOIN hs.unit b ON b.code = j.b WHERE a.level <> b.level")" 0
expect_eq "province adjacency (58 pairs)" "$(q "$DB" "SELECT count(*) / 2 FROM hs.unit_adjacency j JOIN hs.unit a ON a.code = j.a WHERE a.level = 'province'")" 58
expect_between "mean commune neighbours" "$(q "$DB" "SELECT round(count(*)::numeric / (SELECT count(*) FROM hs.unit WHERE level = 'commune'), 2) FROM hs.unit_adjacency j JOIN hs.unit a ON a.code = j.a WHERE a.level = 'commune'")" 4.5 7

# Border distances.
expect_between "Lào Cai communes within 3 km of China" "$(q "$DB" "SELECT count(*) FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.parent_code = 'VN10' AND d.border_km < 3 AND d.border_country = 'China'")" 3 1000
expect_between "Cao Bằng communes within 3 km of China" "$(q "$DB" "SELECT count(*) FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.parent_code = 'VN03' AND d.border_km < 3 AND d.border_country = 'China'")" 3 1000
expect_between "central Hồ Chí Minh City (Bến Thành) km to border" "$(q "$DB" "SELECT round(d.border_km) FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.level = 'commune' AND ST_Intersects(u.geom, ST_SetSRID(ST_MakePoint(106.698, 10.772), 4326))")" 50 100
expect_between "central Hà Nội km to border" "$(q "$DB" "SELECT round(d.border_km) FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.level = 'commune' AND ST_Intersects(u.geom, ST_SetSRID(ST_MakePoint(105.852, 21.028), 4326))")" 100 250
expect_eq "border provinces (within 5 km)" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level = 'province' AND is_border_province")" 22

# Populations and counts.
expect_between "population 2024 (millions)" "$(q "$DB" "SELECT round(sum(population) / 1e6, 1) FROM hs.unit_population p JOIN hs.unit u ON u.code = p.unit_code WHERE u.level = 'commune' AND year = 2024")" 99 103
expect_eq "province population = sum of its communes" "$(q "$DB" "SELECT count(*) FROM hs.unit_population pp JOIN (SELECT u.parent_code, p.year, sum(p.population) s FROM hs.unit_population p JOIN hs.unit u ON u.code = p.unit_code GROUP BY 1, 2) c ON c.parent_code = pp.unit_code AND c.year = pp.year WHERE c.s <> pp.population")" 0
for y in 2021 2022 2023 2024 2025; do
  expect_between "cases in $y" "$(q "$DB" "SELECT coalesce(sum(cases), 0) FROM hs.case_month WHERE period >= '$y-01-01' AND period < '$((y + 1))-01-01'")" 200 300
done
expect_eq "last period" "$(q "$DB" "SELECT to_char(max(period), 'YYYY-MM') FROM hs.case_month")" 2026-10
expect_eq "victims and suspects >= cases" "$(q "$DB" "SELECT count(*) FROM hs.case_month WHERE victims < cases OR suspects < cases")" 0
expect_eq "July-September peak" "$(q "$DB" "SELECT sum(cases) FILTER (WHERE extract(month FROM period) BETWEEN 7 AND 9) / 3.0 > 1.4 * sum(cases) FILTER (WHERE extract(month FROM period) NOT BETWEEN 7 AND 9) / 9.0 FROM hs.case_month")" t
expect_eq "China-border rate above 3x the rest" "$(q "$DB" "WITH u AS (SELECT u.code, coalesce(d.border_km < 20 AND d.border_country = 'China', false) AS near, p.population AS pop FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code JOIN hs.unit_population p ON p.unit_code = u.code AND p.year = 2024 WHERE u.level = 'commune'), c AS (SELECT unit_code, sum(cases) AS cases FROM hs.case_month GROUP BY 1), r AS (SELECT near, sum(coalesce(c.cases, 0))::float8 / sum(u.pop) AS rate FROM u LEFT JOIN c ON c.unit_code = u.code GROUP BY near) SELECT (SELECT rate FROM r WHERE near) > 3 * (SELECT rate FROM r WHERE NOT near)")" t
expect_between "key communes" "$(q "$DB" "SELECT count(*) FROM hs.unit WHERE level = 'commune' AND is_key_commune")" 100 200
expect_between "provinces without outreach events" "$(q "$DB" "SELECT count(*) FROM hs.unit p WHERE level = 'province' AND NOT EXISTS (SELECT 1 FROM hs.outreach_month o JOIN hs.unit c ON c.code = o.unit_code WHERE c.parent_code = p.code AND o.events > 0)")" 15 25

# Planted clusters: recorded, and each at several times the national rate.
expect_eq "planted clusters recorded" "$(q "$DB" "SELECT json_array_length(value::json) FROM hs.dataset_meta WHERE key = 'planted_clusters'")" 4
expect_eq "each planted cluster above 4x the national rate" "$(q "$DB" "WITH m AS (SELECT c->>'name' AS name, json_array_elements_text(c->'members') AS code FROM hs.dataset_meta, json_array_elements(value::json) c WHERE key = 'planted_clusters'), nat AS (SELECT (SELECT sum(cases) FROM hs.case_month)::float8 / (SELECT sum(population) FROM hs.unit_population p JOIN hs.unit u ON u.code = p.unit_code WHERE u.level = 'commune' AND year = 2024) AS r) SELECT bool_and(rate > 4 * nat.r) FROM (SELECT m.name, (SELECT coalesce(sum(cases), 0) FROM hs.case_month c WHERE c.unit_code IN (SELECT code FROM m m2 WHERE m2.name = m.name))::float8 / sum(p.population) AS rate FROM m JOIN hs.unit_population p ON p.unit_code = m.code AND p.year = 2024 GROUP BY m.name) x, nat")" t

# Marking.
expect_eq "synthetic flag" "$(q "$DB" "SELECT value FROM hs.dataset_meta WHERE key = 'synthetic'")" true
q "$DB" "SELECT value FROM hs.dataset_meta WHERE key = 'source'" | grep -q SYNTHETIC || fail "source text does not say SYNTHETIC"
q "$DB" "SELECT value FROM hs.dataset_meta WHERE key = 'generated_at'" | grep -Eq '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T' || fail "generated_at missing"
ok "source and generated_at recorded"

# A second load is refused and changes nothing.
before=$(q "$DB" "SELECT version FROM hs.data_version")
if out=$(HOTSPOT_DB=$DB "$HOTSPOT_BIN" db demo 2>&1); then fail "second demo load succeeded"; fi
grep -q "already holds data" <<<"$out" || fail "unclear refusal: $out"
expect_eq "refused load left the data version" "$(q "$DB" "SELECT version FROM hs.data_version")" "$before"

# Data version: one bump per transaction, announced with NOTIFY.
unit=$(q "$DB" "SELECT min(code) FROM hs.unit WHERE level = 'commune'")
out=$("$PSQL" "$DB" -qAtX -v ON_ERROR_STOP=1 <<SQL
LISTEN hs_data_changed;
BEGIN;
INSERT INTO hs.case_month VALUES ('$unit', '2030-01-01', 1, 1, 1);
INSERT INTO hs.case_month VALUES ('$unit', '2030-02-01', 1, 1, 1);
COMMIT;
SELECT 'version=' || version FROM hs.data_version;
SQL
)
expect_eq "version bumped once" "$(grep '^version=' <<<"$out")" "version=$((before + 1))"
grep -q "Asynchronous notification \"hs_data_changed\" with payload \"$((before + 1))\"" <<<"$out" ||
  fail "no NOTIFY hs_data_changed with the new version: $out"
ok "NOTIFY hs_data_changed '$((before + 1))'"
q "$DB" "DELETE FROM hs.case_month WHERE period >= '2030-01-01'" >/dev/null
expect_eq "delete bumps" "$(q "$DB" "SELECT version FROM hs.data_version")" "$((before + 2))"
q "$DB" "DELETE FROM hs.case_month WHERE period >= '2030-01-01'" >/dev/null
expect_eq "a statement changing no row does not bump" "$(q "$DB" "SELECT version FROM hs.data_version")" "$((before + 2))"

# Derived data follows a geometry change at commit, with no explicit call.
nb=$(q "$DB" "SELECT count(*) FROM hs.unit_adjacency WHERE a = '$unit'")
[[ $nb -gt 0 ]] || fail "$unit has no neighbour"
q "$DB" "CREATE TABLE public.saved AS SELECT code, geom FROM hs.unit WHERE code = '$unit'" >/dev/null
q "$DB" "UPDATE hs.unit SET geom = ST_Multi(ST_Translate(geom, 0, -30)) WHERE code = '$unit'" >/dev/null
expect_eq "moved unit lost its neighbours" "$(q "$DB" "SELECT count(*) FROM hs.unit_adjacency WHERE a = '$unit' OR b = '$unit'")" 0
expect_eq "moved unit label point follows" "$(q "$DB" "SELECT ST_Intersects(u.geom, d.label_pt) FROM hs.unit u JOIN hs.unit_derived d ON d.unit_code = u.code WHERE u.code = '$unit'")" t
q "$DB" "UPDATE hs.unit u SET geom = s.geom FROM public.saved s WHERE s.code = u.code" >/dev/null
expect_eq "restored unit regained its neighbours" "$(q "$DB" "SELECT count(*) FROM hs.unit_adjacency WHERE a = '$unit'")" "$nb"
expect_eq "explicit refresh with nothing pending" "$(q "$DB" "SELECT hs.refresh_derived()")" 0
