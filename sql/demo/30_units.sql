-- Demo data, step 3: names, insertion of the communes, derived data, flags.

-- Names: "Xã"/"Phường" + two common Vietnamese name syllables, unique within a
-- province. Each province takes the first N pairs in a seeded hash order.
CREATE TEMP TABLE demo_syllable (pos int, i int, s text) ON COMMIT DROP;
INSERT INTO demo_syllable
SELECT 1, ord, normalize(s, NFC) FROM unnest(ARRAY[
  'Tân','Phú','Hòa','Bình','An','Long','Thạnh','Thành','Vĩnh','Mỹ','Hưng','Đông','Tây',
  'Nam','Bắc','Trung','Phước','Hiệp','Thuận','Quang','Minh','Đức','Xuân','Hồng','Kim',
  'Ngọc','Sơn','Thanh','Hải','Lộc','Phong','Cát','Tiên','Hương','Đại','Yên','Nghĩa',
  'Tường','Quảng','Đồng']) WITH ORDINALITY AS t(s, ord)
UNION ALL
SELECT 2, ord, normalize(s, NFC) FROM unnest(ARRAY[
  'Lợi','Hòa','Phú','Thịnh','Lộc','Hưng','Thạnh','An','Bình','Tiến','Thắng','Lập','Mỹ',
  'Phước','Thuận','Xuân','Sơn','Lâm','Hà','Giang','Phong','Khánh','Trung','Tân','Đông',
  'Tây','Nam','Bắc','Hiệp','Long','Điền','Quý','Hải','Thủy','Châu','Yên','Định','Ninh',
  'Thọ','Cường']) WITH ORDINALITY AS t(s, ord);

CREATE TEMP TABLE demo_name ON COMMIT DROP AS
SELECT p.code, row_number() OVER (PARTITION BY p.code
           ORDER BY hashtextextended(p.code || ':' || a.s || ' ' || b.s, (SELECT seed FROM demo_param)),
                    a.i, b.i) AS k,
       a.s || ' ' || b.s AS name
FROM (SELECT DISTINCT code FROM demo_cell) p
CROSS JOIN demo_syllable a CROSS JOIN demo_syllable b
WHERE a.pos = 1 AND b.pos = 2 AND a.s <> b.s;

-- Urban wards: within 4 km of the provincial centre, or small cells (< 12 km2)
-- within 25 km of it (the dense points around the centre make small cells).
ALTER TABLE demo_cell ADD COLUMN urban boolean, ADD COLUMN cap_km float8;
UPDATE demo_cell c SET cap_km = ST_Distance(ST_PointOnSurface(c.geom)::geography, p.cap::geography) / 1000
FROM demo_plan p WHERE p.code = c.code;
UPDATE demo_cell SET urban = zone IS NULL AND (cap_km < 4 OR (km2 < 12 AND cap_km < 25));

INSERT INTO hs.unit (code, level, name, parent_code, geom)
SELECT c.ucode, 'commune',
       normalize(CASE WHEN c.zone IS NOT NULL THEN 'Đặc khu ' || c.zone
                      WHEN c.urban THEN 'Phường ' || n.name
                      ELSE 'Xã ' || n.name END, NFC),
       c.code, c.geom
FROM demo_cell c JOIN demo_name n ON n.code = c.code AND n.k = c.k
ORDER BY c.ucode;

-- Adjacency, label points, areas and border distances for all units, now.
SELECT hs.refresh_derived();

-- A border province lies within 5 km of the land border (22 of 34 on this data);
-- its communes carry the flag too ("in a border province").
UPDATE hs.unit u SET is_border_province = true
FROM hs.unit_derived d
WHERE d.unit_code = u.code AND u.level = 'province' AND d.border_km <= 5;
UPDATE hs.unit c SET is_border_province = true
FROM hs.unit p WHERE p.code = c.parent_code AND p.is_border_province;
