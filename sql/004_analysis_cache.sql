-- 004: analysis inputs cached per data version (docs/benchmarks.md, issue 11).
--
-- Loading a layer's units (names, populations, centroids, queen pairs) and a window's
-- monthly series takes several text-keyed joins: ~0.2 s at 10,000 units, more than
-- the statistics themselves. server/data/hs_data.c packs what it loaded into one
-- bytea per request shape (`key`, e.g. units|commune||2025) and stores it under the
-- version it was read at; the next reader with the same key and version fetches one
-- value instead. A series row (key series|...) is valid only while
-- hs.data_version.version equals its data_version: every change to units,
-- populations or counts bumps that (002_derived.sql). A unit-set row (key units|...)
-- is valid while hs.data_version.units_version (below) equals it. So nothing stale is
-- ever read, and nothing needs invalidating.
-- Rows of older versions are deleted by the next writer. Writing is best effort: a
-- reader without INSERT rights (or on a replica) simply keeps the slow path.
--
-- It holds nothing hs.case_month and hs.unit do not already hold (aggregates per
-- unit and month, never a record about a person), so it adds no disclosure.
CREATE TABLE hs.analysis_cache (
    key          text PRIMARY KEY CHECK (length(key) <= 200),
    data_version bigint NOT NULL, -- units_version for units|... keys
    created_at   timestamptz NOT NULL DEFAULT now(),
    payload      bytea NOT NULL
);

-- Units, populations, boundaries and borders change far more rarely than counts, so
-- the unit sets (names, populations, centroids, queen pairs) are keyed by a second
-- counter that only those tables bump: after a monthly import of counts, the first
-- analysis reads one cached value for its units instead of the joins. Bumped once per
-- transaction (units_xact), as data_version is; hs.unit_derived and hs.unit_adjacency
-- are included although only hs.refresh_derived writes them, in the same transaction
-- as the change it follows.
ALTER TABLE hs.data_version ADD COLUMN units_version bigint NOT NULL DEFAULT 1,
                            ADD COLUMN units_xact xid8;

CREATE FUNCTION hs.bump_units_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM new_rows LIMIT 1;
        IF NOT FOUND THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM old_rows LIMIT 1;
        IF NOT FOUND THEN RETURN NULL; END IF;
    END IF;
    UPDATE hs.data_version
       SET units_version = units_version + 1, units_xact = pg_current_xact_id()
     WHERE id = 1 AND units_xact IS DISTINCT FROM pg_current_xact_id();
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['unit', 'unit_population', 'unit_derived', 'unit_adjacency',
                             'country', 'land_border'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_units_ins AFTER INSERT ON hs.%1$I
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_units_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_units_upd AFTER UPDATE ON hs.%1$I
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_units_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_units_del AFTER DELETE ON hs.%1$I
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_units_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_units_trunc AFTER TRUNCATE ON hs.%1$I
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_units_version()', t);
    END LOOP;
END $$;
