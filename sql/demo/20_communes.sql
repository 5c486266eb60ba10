-- Demo data, step 2: about 3,300 synthetic communes inside the real provinces.
--
-- Recipe (docs/data.md): each province's parts are grouped into landmasses
-- (ST_ClusterDBSCAN, 0.2 degree ~ 22 km). The landmass holding the largest part
-- (mainland plus near-shore islands such as Phú Quốc, Cát Bà, Cô Tô) is cut into
-- Voronoi cells around seeded random points (ST_GeneratePoints with a seed, denser
-- near the provincial centre), clipped to the province. Offshore archipelagos become
-- one island commune each ("Đặc khu", no neighbours). Cells that are slivers or
-- have no neighbour are merged into the nearest regular cell of the same province.

-- Island special zones: offshore landmasses join the nearest one in their province.
CREATE TEMP TABLE demo_special_zone (province text, name text, pop integer, lon float8, lat float8)
ON COMMIT DROP;
INSERT INTO demo_special_zone VALUES
 ('VN01', 'Thổ Châu',      1700, 103.46,  9.31),
 ('VN01', 'Kiên Hải',     21000, 104.45,  9.75),
 ('VN08', 'Trường Sa',      250, 114.30, 10.00),
 ('VN11', 'Phú Quý',      32000, 108.94, 10.53),
 ('VN16', 'Lý Sơn',       22000, 109.12, 15.38),
 ('VN18', 'Cồn Cỏ',         400, 107.34, 17.16),
 ('VN21', 'Côn Đảo',      11000, 106.61,  8.69),
 ('VN24', 'Bạch Long Vĩ',  1000, 107.73, 20.13),
 ('VN25', 'Hoàng Sa',       100, 111.90, 16.40);
UPDATE demo_special_zone SET name = normalize(name, NFC);

CREATE TEMP TABLE demo_part ON COMMIT DROP AS
SELECT code, part, geom, ST_Area(geom::geography) AS m2,
       ST_ClusterDBSCAN(geom, 0.2, 1) OVER (PARTITION BY code) AS landmass
FROM (SELECT u.code, (d).path[1] AS part, (d).geom AS geom
      FROM hs.unit u, ST_Dump(u.geom) d WHERE u.level = 'province') s;

-- The landmass of each province's largest part is the Voronoi domain.
CREATE TEMP TABLE demo_domain ON COMMIT DROP AS
SELECT p.code, ST_Multi(ST_Collect(p.geom ORDER BY p.part)) AS geom,
       sum(p.m2) / 1e6 AS km2
FROM demo_part p
JOIN (SELECT DISTINCT ON (code) code, landmass FROM demo_part ORDER BY code, m2 DESC) big
  ON big.code = p.code AND big.landmass = p.landmass
GROUP BY p.code;

-- Offshore parts: to the nearest special zone of the province, else (a few small
-- islets) merged later into the nearest commune.
CREATE TEMP TABLE demo_offshore ON COMMIT DROP AS
SELECT p.code, p.part, p.geom,
       (SELECT z.name FROM demo_special_zone z WHERE z.province = p.code
        ORDER BY ST_Distance(p.geom, ST_SetSRID(ST_MakePoint(z.lon, z.lat), 4326)) LIMIT 1) AS zone
FROM demo_part p
WHERE NOT EXISTS (SELECT 1 FROM demo_domain d
                  WHERE d.code = p.code AND ST_Intersects(d.geom, ST_PointOnSurface(p.geom))
                    AND p.geom && d.geom AND ST_Contains(d.geom, p.geom));

-- Communes per province: proportional to sqrt(area * population), which gives
-- small dense provinces and large sparse ones both plausible counts.
CREATE TEMP TABLE demo_plan ON COMMIT DROP AS
WITH w AS (
    SELECT d.code, d.km2, i.pop_k, sqrt(d.km2 * i.pop_k) AS w,
           ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326) AS cap, d.geom
    FROM demo_domain d JOIN demo_province_info i USING (code))
SELECT code, km2, pop_k, geom,
       greatest(8, round((3300 - (SELECT count(*) FROM demo_special_zone)) * w / sum(w) OVER ()))::int AS n,
       CASE WHEN ST_Intersects(geom, cap) THEN cap ELSE ST_ClosestPoint(geom, cap) END AS cap
FROM w;
ALTER TABLE demo_plan ADD COLUMN n_urban int, ADD COLUMN urban_geom geometry;
-- A share of the points (10-50 %, growing with population) falls within 6-23 km of
-- the centre, so urban wards come out small and rural communes large.
UPDATE demo_plan SET
    n_urban = round(n * least(0.5, 0.1 + 0.03 * pop_k / 1000.0))::int,
    urban_geom = ST_Intersection(geom,
        ST_Buffer(cap::geography, 1000 * (6 + 1.2 * pop_k / 1000.0))::geometry);

CREATE TEMP TABLE demo_cell ON COMMIT DROP AS
WITH pts AS (
    SELECT p.code, p.geom,
           ST_Collect(ST_GeneratePoints(p.urban_geom, p.n_urban, (s.seed * 100 + 2 * r.rn)::int),
                      ST_GeneratePoints(p.geom, p.n - p.n_urban, (s.seed * 100 + 2 * r.rn + 1)::int)) AS pts
    FROM demo_plan p
    JOIN (SELECT code, row_number() OVER (ORDER BY code) AS rn FROM demo_plan) r USING (code)
    CROSS JOIN demo_param s),
vor AS (
    SELECT code, geom, (ST_Dump(ST_VoronoiPolygons(pts, 0, ST_Envelope(geom)))).geom AS cell
    FROM pts)
SELECT code,
       ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(cell, geom)), 3)) AS geom
FROM vor
WHERE cell && geom;
DELETE FROM demo_cell WHERE ST_IsEmpty(geom);
ALTER TABLE demo_cell ADD COLUMN id serial PRIMARY KEY, ADD COLUMN km2 float8;
UPDATE demo_cell SET km2 = ST_Area(geom::geography) / 1e6;
CREATE INDEX ON demo_cell USING gist (geom);
ANALYZE demo_cell;

-- Queen contiguity among the raw cells (all provinces at once), to find cells with
-- no neighbour: islets of Hạ Long Bay or river islands that received a point.
CREATE TEMP TABLE demo_cell_adj ON COMMIT DROP AS
SELECT a.id AS a, b.id AS b FROM demo_cell a JOIN demo_cell b
  ON a.id <> b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom);
CREATE INDEX ON demo_cell_adj (a);

-- Slivers (< 0.5 km2) and cells without a neighbour are merged into the nearest
-- regular cell of the same province; so are the offshore islets with no zone.
CREATE TEMP TABLE demo_merge ON COMMIT DROP AS
SELECT c.id AS src, c.code, c.geom,
       (SELECT t.id FROM demo_cell t
        WHERE t.code = c.code AND t.km2 >= 0.5
          AND EXISTS (SELECT 1 FROM demo_cell_adj x WHERE x.a = t.id)
        ORDER BY t.geom <-> c.geom, ST_Distance(t.geom, c.geom), t.id LIMIT 1) AS dst
FROM demo_cell c
WHERE c.km2 < 0.5 OR NOT EXISTS (SELECT 1 FROM demo_cell_adj x WHERE x.a = c.id);
INSERT INTO demo_merge (src, code, geom, dst)
SELECT NULL, o.code, o.geom,
       (SELECT t.id FROM demo_cell t WHERE t.code = o.code
          AND t.id NOT IN (SELECT src FROM demo_merge WHERE src IS NOT NULL)
        ORDER BY ST_Distance(t.geom, o.geom), t.id LIMIT 1)
FROM demo_offshore o WHERE o.zone IS NULL;

UPDATE demo_cell c SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(
           ST_Union(c.geom, m.geom)), 3))
FROM (SELECT dst, ST_Collect(geom) AS geom FROM demo_merge GROUP BY dst) m
WHERE c.id = m.dst;
DELETE FROM demo_cell WHERE id IN (SELECT src FROM demo_merge WHERE src IS NOT NULL);

-- The island special zones.
ALTER TABLE demo_cell ADD COLUMN zone text, ADD COLUMN zone_pop integer;
INSERT INTO demo_cell (code, geom, zone, zone_pop)
SELECT z.province, ST_Multi(ST_Union(o.geom)), z.name, z.pop
FROM demo_special_zone z JOIN demo_offshore o ON o.code = z.province AND o.zone = z.name
GROUP BY z.province, z.name, z.pop;
UPDATE demo_cell SET km2 = ST_Area(geom::geography) / 1e6;

-- Codes nest in the province code and follow a spatial order (geohash of a point
-- inside), so neighbouring communes get close numbers; special zones come last.
ALTER TABLE demo_cell ADD COLUMN ucode text, ADD COLUMN k int;
UPDATE demo_cell c SET k = o.k, ucode = c.code || '-' || lpad(o.k::text, 4, '0')
FROM (SELECT id, row_number() OVER (PARTITION BY code
                                    ORDER BY zone IS NOT NULL, ST_GeoHash(ST_PointOnSurface(geom), 12), id) AS k
      FROM demo_cell) o
WHERE o.id = c.id;
