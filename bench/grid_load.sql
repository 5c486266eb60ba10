-- A side x side queen grid as one province of square communes, for the whole-process
-- benchmark (bench/spdep_compare.sh, bench/analyze_whole.sh). Run with
--   psql -v side=103 -v months=24 -f bench/grid_load.sql
-- on a migrated, otherwise empty database. Deterministic: every figure comes from a
-- hash of the cell and month, never from random().
--
-- Cells are 0.01 degree squares whose corners are computed by the same expression on
-- both sides, so neighbours share exact coordinates and ST_Intersects (the adjacency
-- rule of hs.refresh_derived) finds exactly the queen pairs of spdep's cell2nb.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO hs.unit (code, level, name, geom)
VALUES ('GRID', 'province', 'Grid',
        ST_Multi(ST_MakeEnvelope(105, 15, 105 + :side * 0.01, 15 + :side * 0.01, 4326)));

INSERT INTO hs.unit (code, level, name, parent_code, geom)
SELECT 'G' || lpad((r * :side + c)::text, 6, '0'), 'commune', 'Cell ' || r || ' ' || c, 'GRID',
       ST_Multi(ST_MakeEnvelope(105 + c * 0.01, 15 + r * 0.01,
                                105 + (c + 1) * 0.01, 15 + (r + 1) * 0.01, 4326))
FROM generate_series(0, :side - 1) r, generate_series(0, :side - 1) c;

INSERT INTO hs.unit_population (unit_code, year, population)
SELECT code, 2024, 2000 + (hashtext(code) & 8191) FROM hs.unit WHERE level = 'commune';

-- Cases: mostly 0, a few 1..4, and a raised patch (a planted cluster) in one corner.
INSERT INTO hs.case_month (unit_code, period, cases, victims, suspects)
SELECT u.code, make_date(2024, 1, 1) + make_interval(months => m),
       c.cases, c.cases, (c.cases + 1) / 2
FROM hs.unit u
CROSS JOIN generate_series(0, :months - 1) m
CROSS JOIN LATERAL (
    SELECT (CASE WHEN (h & 1023) < 60 THEN 1 + (h >> 10 & 3) ELSE 0 END
            + CASE WHEN substr(u.code, 2)::int % :side < :side / 5
                    AND substr(u.code, 2)::int / :side < :side / 5
                    AND (h >> 12 & 7) = 0 THEN 2 ELSE 0 END) AS cases
    FROM (SELECT hashtext(u.code || ':' || m) AS h) hh) c
WHERE u.level = 'commune';

INSERT INTO hs.dataset_meta (key, value) VALUES ('synthetic', 'true'),
    ('source', 'bench/grid_load.sql: a synthetic queen grid, not real data')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
COMMIT;
ANALYZE;
