-- Demo data, step 4: synthetic populations 2021-2026 (about 101 million in 2024).
--
-- A province's population (demo_province_info, approximate 2024 figures scaled so
-- the country sums to 101.1 million) is shared among its communes with weight
-- area^0.35 * (1 + 6 exp(-d/6 km)) * noise, d the
-- distance to the provincial centre: large rural communes get more people than
-- small ones but far fewer per km2, and wards near the centre are dense.
-- Island special zones have fixed populations (demo_special_zone).

-- Uniform (0,1) draw from (seed, key): a counter-based generator, so every value
-- depends only on its key, never on evaluation order.
CREATE FUNCTION pg_temp.demo_u(key text) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT (((hashtextextended(key, 0) >> 11) & 9007199254740991)::float8 + 0.5)
           / 9007199254740992.0
$$;

CREATE TEMP TABLE demo_pop ON COMMIT DROP AS
WITH w AS (
    SELECT c.ucode, c.code, c.zone, c.zone_pop,
           power(c.km2, 0.35) * (1 + 6 * exp(-c.cap_km / 6))
             * exp(0.7 * (pg_temp.demo_u(s.seed || ':pop:' || c.ucode) - 0.5)) AS w
    FROM demo_cell c CROSS JOIN demo_param s),
avail AS (
    SELECT i.code, i.pop_k * 1000 * 101.1e6 / (SELECT sum(pop_k) * 1000 FROM demo_province_info)
           - coalesce(sum(w.zone_pop), 0) AS pop
    FROM demo_province_info i LEFT JOIN w ON w.code = i.code AND w.zone IS NOT NULL
    GROUP BY i.code, i.pop_k)
SELECT w.ucode,
       CASE WHEN w.zone IS NOT NULL THEN w.zone_pop
            ELSE round(a.pop * w.w / sum(w.w) FILTER (WHERE w.zone IS NULL) OVER (PARTITION BY w.code))
       END::bigint AS pop2024
FROM w JOIN avail a ON a.code = w.code;

-- About +0.9 % a year.
INSERT INTO hs.unit_population (unit_code, year, population)
SELECT p.ucode, y, round(p.pop2024 * power(1.009, y - 2024))::bigint
FROM demo_pop p CROSS JOIN generate_series(2021, 2026) y;

INSERT INTO hs.unit_population (unit_code, year, population)
SELECT c.parent_code, p.year, sum(p.population)
FROM hs.unit_population p JOIN hs.unit c ON c.code = p.unit_code
GROUP BY c.parent_code, p.year;
