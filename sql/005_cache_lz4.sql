-- 005: analysis-cache payloads compressed with LZ4 where the server has it (issue 11).
--
-- Every analysis reads its cached unit set (about 1.2 MB at 10,000 units) through
-- TOAST. With the default pglz the server spent about 8 ms of each `hotspot analyze`
-- decompressing it; LZ4 decompresses several times faster (3 ms measured) at a
-- similar size. PostgreSQL built without LZ4 refuses the setting: then pglz stays,
-- which is only slower. Rows already stored keep their compression until rewritten
-- (the next change of data rewrites them).
DO $$
BEGIN
    ALTER TABLE hs.analysis_cache ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'PostgreSQL has no LZ4 here; analysis-cache payloads stay pglz';
END $$;
