-- 002: derived data and the data version. See docs/database.md.
--
-- Derived data (hs.unit_adjacency, hs.unit_derived) is recomputed in PostGIS, never
-- by hand. Row changes on hs.unit and hs.land_border only *mark* units as pending
-- (cheap, statement-level triggers); hs.refresh_derived() recomputes the pending
-- units. It runs automatically at COMMIT (a deferred constraint trigger), so no
-- writer can forget it, and importers call it explicitly before committing, so
-- that errors surface inside their transaction and later statements see fresh data:
--
--     BEGIN; ...insert/update hs.unit...; SELECT hs.refresh_derived(); COMMIT;

-- Units whose derived data is stale. geom_changed: adjacency must be recomputed
-- too (otherwise only the border distance, e.g. after a land border change).
CREATE TABLE hs.derived_pending (
    unit_code    text PRIMARY KEY,
    geom_changed boolean NOT NULL
);

CREATE FUNCTION hs.mark_units_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO hs.derived_pending (unit_code, geom_changed)
        SELECT code, true FROM new_rows
        ON CONFLICT (unit_code) DO UPDATE SET geom_changed = true;
    ELSE -- UPDATE: only units whose shape, level or code changed
        INSERT INTO hs.derived_pending (unit_code, geom_changed)
        SELECT n.code, true
        FROM new_rows n LEFT JOIN old_rows o ON o.code = n.code
        WHERE o.code IS NULL OR o.level <> n.level
           OR NOT ST_OrderingEquals(o.geom, n.geom)
        ON CONFLICT (unit_code) DO UPDATE SET geom_changed = true;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER unit_derived_ins AFTER INSERT ON hs.unit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hs.mark_units_pending();
CREATE TRIGGER unit_derived_upd AFTER UPDATE ON hs.unit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hs.mark_units_pending();
-- Deletes need nothing: adjacency and derived rows go with ON DELETE CASCADE.

-- A land border change moves every unit's border distance.
CREATE FUNCTION hs.mark_all_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hs.derived_pending (unit_code, geom_changed)
    SELECT code, false FROM hs.unit
    ON CONFLICT (unit_code) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER land_border_derived AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON hs.land_border FOR EACH STATEMENT EXECUTE FUNCTION hs.mark_all_pending();

-- Recomputes derived data for the pending units and returns how many there were.
--  * Queen contiguity within a level: the units' geometries intersect (a shared
--    edge or a shared corner). Exact ST_Intersects, no tolerance: on the bundled
--    provinces it finds the same 58 pairs as ST_DWithin(..., 1e-6) or 1e-4 at a
--    twentieth of the cost; boundaries from other sources with gaps between
--    neighbours should be snapped before import (docs/database.md).
--  * label_pt: ST_PointOnSurface, always inside the unit (for labels and clicks).
--  * area_km2 and border_km on the WGS84 spheroid (geography); border_km is the
--    distance from the unit's nearest point, 0 when the border crosses the unit.
CREATE FUNCTION hs.refresh_derived() RETURNS integer
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    all_codes  text[];
    geom_codes text[];
BEGIN
    -- Several writers may refresh at once; one at a time keeps the pairs consistent.
    PERFORM pg_advisory_xact_lock(hashtext('hs.refresh_derived'));
    WITH d AS (DELETE FROM hs.derived_pending RETURNING unit_code, geom_changed)
    SELECT array_agg(d.unit_code) FILTER (WHERE u.code IS NOT NULL),
           array_agg(d.unit_code) FILTER (WHERE u.code IS NOT NULL AND d.geom_changed)
      INTO all_codes, geom_codes
    FROM d LEFT JOIN hs.unit u ON u.code = d.unit_code;
    IF all_codes IS NULL THEN
        RETURN 0;
    END IF;

    IF geom_codes IS NOT NULL THEN
        DELETE FROM hs.unit_adjacency j USING unnest(geom_codes) c(code) WHERE j.a = c.code;
        DELETE FROM hs.unit_adjacency j USING unnest(geom_codes) c(code) WHERE j.b = c.code;
        INSERT INTO hs.unit_adjacency (a, b)
        SELECT DISTINCT p.a, p.b
        FROM (SELECT x.code AS xc, y.code AS yc
              FROM unnest(geom_codes) c(code)
              JOIN hs.unit x ON x.code = c.code
              JOIN hs.unit y ON y.level = x.level AND y.code <> x.code
                             AND y.geom && x.geom AND ST_Intersects(y.geom, x.geom)) q,
             LATERAL (VALUES (q.xc, q.yc), (q.yc, q.xc)) p(a, b)
        ON CONFLICT DO NOTHING;
    END IF;

    -- Border distances loop over the borders outside and the units inside, so
    -- PostGIS keeps its geodesic index of one border across consecutive calls
    -- (2-3x faster than the other way round).
    INSERT INTO hs.unit_derived (unit_code, label_pt, centroid, area_km2, border_km, border_country)
    SELECT u.code, ST_PointOnSurface(u.geom), ST_Centroid(u.geom),
           ST_Area(u.geom::geography) / 1000.0 / 1000.0, nb.km, nb.country
    FROM unnest(all_codes) c(code)
    JOIN hs.unit u ON u.code = c.code
    LEFT JOIN (
        SELECT DISTINCT ON (x.code) x.code, b.country,
               ST_Distance(b.geom::geography, x.geom::geography) / 1000.0 AS km
        FROM hs.land_border b
        CROSS JOIN LATERAL (SELECT y.code, y.geom
                            FROM unnest(all_codes) c2(code) JOIN hs.unit y ON y.code = c2.code
                            WHERE b.geom IS NOT NULL OFFSET 0) x
        ORDER BY x.code, km, b.country) nb ON nb.code = u.code
    ON CONFLICT (unit_code) DO UPDATE SET
        label_pt = EXCLUDED.label_pt, centroid = EXCLUDED.centroid,
        area_km2 = EXCLUDED.area_km2, border_km = EXCLUDED.border_km,
        border_country = EXCLUDED.border_country;

    RETURN cardinality(all_codes);
END $$;

-- The safety net: whatever a writer did, derived data is fresh when it commits.
-- Fires once per pending row, but only the first call finds work to do.
CREATE FUNCTION hs.refresh_derived_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM hs.derived_pending) THEN
        PERFORM hs.refresh_derived();
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER derived_pending_refresh AFTER INSERT ON hs.derived_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hs.refresh_derived_at_commit();

-- Data version: bumped once per transaction that changes units, borders or counts,
-- and announced with NOTIFY hs_data_changed, '<version>' (delivered at commit).
-- xact remembers which transaction bumped last, so a 3,000-statement import bumps
-- (and notifies) once.
ALTER TABLE hs.data_version ADD COLUMN xact xid8;

CREATE FUNCTION hs.bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    -- Statements that touched no row change nothing (e.g. a DELETE of an empty period).
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM new_rows LIMIT 1;
        IF NOT FOUND THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM old_rows LIMIT 1;
        IF NOT FOUND THEN RETURN NULL; END IF;
    END IF;
    UPDATE hs.data_version
       SET version = version + 1, changed_at = now(), xact = pg_current_xact_id()
     WHERE id = 1 AND xact IS DISTINCT FROM pg_current_xact_id()
    RETURNING version INTO v;
    IF FOUND THEN
        PERFORM pg_notify('hs_data_changed', v::text);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['unit', 'unit_population', 'case_month', 'outreach_month',
                             'country', 'land_border'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_version_ins AFTER INSERT ON hs.%1$I
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_data_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_version_upd AFTER UPDATE ON hs.%1$I
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_data_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_version_del AFTER DELETE ON hs.%1$I
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_data_version()', t);
        EXECUTE format('CREATE TRIGGER %1$s_version_trunc AFTER TRUNCATE ON hs.%1$I
            FOR EACH STATEMENT EXECUTE FUNCTION hs.bump_data_version()', t);
    END LOOP;
END $$;

-- Lookups the analyses do on every request.
CREATE INDEX unit_adjacency_b_ix ON hs.unit_adjacency (b);
