-- Demo data, step 5: key communes, planted clusters, monthly cases and outreach
-- 2021-01 .. 2026-10. Calibration and the planted clusters: docs/data.md.

-- Poisson draw by inversion of the CDF from one uniform u. Only called when the
-- draw is not 0 (u >= exp(-lambda)), which is rare at commune scale.
CREATE FUNCTION pg_temp.demo_poisson(lambda float8, u float8) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k integer := 0;
    p float8 := exp(-lambda);
    s float8 := p;
BEGIN
    WHILE u > s AND k < 10000 LOOP
        k := k + 1;
        p := p * lambda / k;
        s := s + p;
    END LOOP;
    RETURN k;
END $$;

CREATE FUNCTION pg_temp.demo_draw(lambda float8, u float8) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN lambda <= 0 OR u < exp(-lambda) THEN 0
                ELSE pg_temp.demo_poisson(lambda, u) END
$$;

-- Distance from each commune's label point to each neighbour's border.
CREATE TEMP TABLE demo_risk ON COMMIT DROP AS
SELECT u.code, u.parent_code, d.label_pt,
       p.population AS pop,
       (SELECT ST_Distance(d.label_pt::geography, b.geom::geography) / 1000 FROM hs.land_border b WHERE b.country = 'China')    AS d_cn,
       (SELECT ST_Distance(d.label_pt::geography, b.geom::geography) / 1000 FROM hs.land_border b WHERE b.country = 'Laos')     AS d_la,
       (SELECT ST_Distance(d.label_pt::geography, b.geom::geography) / 1000 FROM hs.land_border b WHERE b.country = 'Cambodia') AS d_kh
FROM hs.unit u
JOIN hs.unit_derived d ON d.unit_code = u.code
JOIN hs.unit_population p ON p.unit_code = u.code AND p.year = 2024
WHERE u.level = 'commune';

-- Relative risk per person: up to 8x at the China border, 4x at the Laos and
-- Cambodia borders, decaying over ~25 km; times commune-level noise.
ALTER TABLE demo_risk ADD COLUMN border_rr float8, ADD COLUMN cluster text, ADD COLUMN rr float8;
UPDATE demo_risk r SET border_rr = (1 + 7 * exp(-d_cn / 25) + 3 * exp(-d_la / 25) + 3 * exp(-d_kh / 25))
    * exp(0.8 * (pg_temp.demo_u(s.seed || ':risk:' || r.code) - 0.5))
FROM demo_param s;

-- Planted clusters: the commune containing each point plus its queen neighbours,
-- at 15x the risk they would otherwise have.
CREATE TEMP TABLE demo_cluster (name text, lon float8, lat float8) ON COMMIT DROP;
INSERT INTO demo_cluster VALUES
 ('tuyen-quang', 105.00, 22.35),  -- Tuyên Quang, ~50 km from the China border
 ('nghe-an',     105.05, 19.25),  -- western Nghệ An, inland
 ('can-tho',     105.97,  9.60),  -- Cần Thơ (former Sóc Trăng), Mekong delta
 ('gia-lai',     108.25, 14.05);  -- Gia Lai highlands
CREATE TEMP TABLE demo_cluster_member ON COMMIT DROP AS
SELECT c.name AS cluster, s.code AS seed, m.code
FROM demo_cluster c
JOIN hs.unit s ON s.level = 'commune'
              AND ST_Intersects(s.geom, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326))
CROSS JOIN LATERAL (SELECT s.code UNION SELECT j.b FROM hs.unit_adjacency j WHERE j.a = s.code) m(code);
DO $$
BEGIN
    IF (SELECT count(DISTINCT cluster) FROM demo_cluster_member) <> 4 THEN
        RAISE EXCEPTION 'demo: a planted cluster point fell outside every commune';
    END IF;
END $$;
UPDATE demo_risk r SET cluster = m.cluster FROM demo_cluster_member m WHERE m.code = r.code;
UPDATE demo_risk SET rr = border_rr * CASE WHEN cluster IS NULL THEN 1 ELSE 15 END;

-- Key communes (xã trọng điểm): the ~4 % with the highest *known* (border) risk.
-- The planted clusters are not known to the planners, so mostly not key.
UPDATE hs.unit u SET is_key_commune = true
FROM (SELECT code FROM demo_risk ORDER BY border_rr * sqrt(pop) DESC, code
      LIMIT (SELECT round(count(*) * 0.04) FROM demo_risk)) k
WHERE u.code = k.code;

-- Months: July-September carry the annual campaign and peak at 1.8x; a mild
-- upward trend of 3 % a year around 2023.
CREATE TEMP TABLE demo_month ON COMMIT DROP AS
SELECT m::date AS period,
       CASE WHEN extract(month FROM m) BETWEEN 7 AND 9 THEN 1.8 ELSE 1.0 END
         * (1 + 0.03 * (extract(year FROM m) - 2023)) AS f
FROM generate_series('2021-01-01'::date, '2026-10-01'::date, interval '1 month') m;

-- Scale so that a year with f summing to 12 + 3*0.8 carries 250 expected cases.
CREATE TEMP TABLE demo_scale ON COMMIT DROP AS
SELECT 250.0 / ((SELECT sum(pop * rr) FROM demo_risk) * (12 + 3 * 0.8)) AS k;

-- Only non-zero months are stored: an absent (unit, period) row means 0, as in the
-- monthly reports the importers read (docs/data.md).
INSERT INTO hs.case_month (unit_code, period, cases, victims, suspects)
SELECT code, period, cases,
       cases + pg_temp.demo_draw(0.8 * cases, pg_temp.demo_u(seed || ':v:' || code || period)),
       cases + pg_temp.demo_draw(0.3 * cases, pg_temp.demo_u(seed || ':s:' || code || period))
FROM (SELECT r.code, m.period, s.seed,
             pg_temp.demo_draw(k.k * r.pop * r.rr * m.f,
                               pg_temp.demo_u(s.seed || ':c:' || r.code || m.period)) AS cases
      FROM demo_risk r CROSS JOIN demo_month m CROSS JOIN demo_scale k CROSS JOIN demo_param s) x
WHERE cases > 0
ORDER BY code, period;

-- Outreach: programmes run in 14 provinces only, so coverage gaps exist (three of
-- the four planted clusters lie outside them). Events are 4x as frequent in key
-- communes and 2.5x during the July-September campaign; the hotline is national,
-- with twice the calls where outreach runs.
CREATE TEMP TABLE demo_active (code text PRIMARY KEY) ON COMMIT DROP;
INSERT INTO demo_active VALUES ('VN03'), ('VN09'), ('VN10'), ('VN12'), ('VN13'), ('VN17'),
    ('VN19'), ('VN31'), ('VN23'), ('VN21'), ('VN01'), ('VN29'), ('VN06'), ('VN26');

INSERT INTO hs.outreach_month (unit_code, period, events, participants, hotline_calls)
SELECT code, period, events,
       CASE WHEN events = 0 THEN 0
            ELSE events * (20 + floor(60 * pg_temp.demo_u(seed || ':p:' || code || period)))::int END,
       calls
FROM (SELECT r.code, m.period, s.seed,
             CASE WHEN a.code IS NULL THEN 0 ELSE
                 pg_temp.demo_draw(0.12 * CASE WHEN u.is_key_commune THEN 4 ELSE 1 END
                                        * CASE WHEN extract(month FROM m.period) BETWEEN 7 AND 9 THEN 2.5 ELSE 1 END,
                                   pg_temp.demo_u(s.seed || ':e:' || r.code || m.period)) END AS events,
             pg_temp.demo_draw(r.pop / 1e5 * 0.15 * CASE WHEN a.code IS NULL THEN 1 ELSE 2 END,
                               pg_temp.demo_u(s.seed || ':h:' || r.code || m.period)) AS calls
      FROM demo_risk r
      JOIN hs.unit u ON u.code = r.code
      LEFT JOIN demo_active a ON a.code = r.parent_code
      CROSS JOIN demo_month m CROSS JOIN demo_param s) x
WHERE events > 0 OR calls > 0
ORDER BY code, period;
