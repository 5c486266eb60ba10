-- Demo data, step 1: reference layers and the 34 provinces.
-- Runs inside the single transaction of `hotspot db demo`, which has filled the
-- temporary table demo_src(name, body) with the GeoJSON files of data/ and
-- demo_param(seed) with the seed. Nothing here reads files itself.

INSERT INTO hs.country (iso_n3, name, geom)
SELECT f->'properties'->>'iso_n3', f->'properties'->>'country',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))
FROM demo_src s, json_array_elements(s.body::json->'features') f
WHERE s.name = 'countries';

-- One MultiLineString per neighbour, whatever the file splits them into.
INSERT INTO hs.land_border (country, geom)
SELECT f->'properties'->>'country',
       ST_Multi(ST_LineMerge(ST_Collect(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))))
FROM demo_src s, json_array_elements(s.body::json->'features') f
WHERE s.name = 'land_border'
GROUP BY 1;

-- Approximate 2024 population (thousands) of the merged provinces and the
-- approximate position of their administrative centre. Used only to shape the
-- synthetic data (urban density, commune counts); see docs/data.md.
CREATE TEMP TABLE demo_province_info (code text PRIMARY KEY, pop_k integer, lon float8, lat float8)
ON COMMIT DROP;
INSERT INTO demo_province_info VALUES
 ('VN01', 4950, 105.08, 10.01),  -- An Giang: Rạch Giá
 ('VN02', 3620, 106.19, 21.27),  -- Bắc Ninh: Bắc Giang
 ('VN03',  570, 106.26, 22.67),  -- Cao Bằng
 ('VN04', 2610, 105.15,  9.18),  -- Cà Mau
 ('VN05', 3580, 109.22, 13.78),  -- Gia Lai: Quy Nhơn
 ('VN06', 1620, 105.90, 18.34),  -- Hà Tĩnh
 ('VN07', 3570, 106.05, 20.65),  -- Hưng Yên
 ('VN08', 2240, 109.19, 12.24),  -- Khánh Hòa: Nha Trang
 ('VN09',  490, 103.46, 22.40),  -- Lai Châu
 ('VN10', 1780, 104.87, 21.72),  -- Lào Cai: Yên Bái
 ('VN11', 3870, 108.44, 11.94),  -- Lâm Đồng: Đà Lạt
 ('VN12',  810, 106.76, 21.85),  -- Lạng Sơn
 ('VN13', 3830, 105.68, 18.67),  -- Nghệ An: Vinh
 ('VN14', 4410, 105.97, 20.25),  -- Ninh Bình
 ('VN15', 4020, 105.40, 21.32),  -- Phú Thọ: Việt Trì
 ('VN16', 2160, 108.80, 15.12),  -- Quảng Ngãi
 ('VN17', 1380, 107.08, 20.95),  -- Quảng Ninh: Hạ Long
 ('VN18', 1910, 106.60, 17.47),  -- Quảng Trị: Đồng Hới
 ('VN19', 1300, 103.91, 21.33),  -- Sơn La
 ('VN20', 4200, 105.78, 10.03),  -- TP Cần Thơ
 ('VN21',14000, 106.70, 10.78),  -- TP HCM
 ('VN22', 1240, 107.59, 16.46),  -- TP Huế
 ('VN23', 8720, 105.85, 21.03),  -- TP Hà Nội
 ('VN24', 4660, 106.68, 20.86),  -- TP Hải Phòng
 ('VN25', 3070, 108.21, 16.05),  -- TP Đà Nẵng
 ('VN26', 4320, 105.78, 19.81),  -- Thanh Hóa
 ('VN27', 1800, 105.84, 21.59),  -- Thái Nguyên
 ('VN28', 1870, 105.22, 21.82),  -- Tuyên Quang
 ('VN29', 3250, 106.41, 10.54),  -- Tây Ninh: Tân An
 ('VN30', 4260, 105.97, 10.25),  -- Vĩnh Long
 ('VN31',  640, 103.02, 21.39),  -- Điện Biên
 ('VN32', 3350, 108.04, 12.67),  -- Đắk Lắk: Buôn Ma Thuột
 ('VN33', 4490, 106.82, 10.95),  -- Đồng Nai: Biên Hòa
 ('VN34', 4370, 106.36, 10.36);  -- Đồng Tháp: Mỹ Tho

INSERT INTO hs.unit (code, level, name, geom)
SELECT f->'properties'->>'code', 'province', normalize(f->'properties'->>'ten_tinh', NFC),
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))
FROM demo_src s, json_array_elements(s.body::json->'features') f
WHERE s.name = 'provinces';

DO $$
BEGIN
    IF (SELECT count(*) FROM hs.unit WHERE level = 'province') <> 34
       OR EXISTS (SELECT 1 FROM hs.unit u LEFT JOIN demo_province_info i USING (code)
                  WHERE i.code IS NULL) THEN
        RAISE EXCEPTION 'demo: data/vn_provinces_34.geojson does not hold the 34 expected provinces VN01..VN34';
    END IF;
END $$;
