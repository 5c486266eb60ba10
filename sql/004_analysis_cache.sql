-- 004: analysis inputs cached per data version (docs/benchmarks.md, issue 11).
--
-- Loading a layer's units (names, populations, centroids, queen pairs) and a window's
-- monthly series takes several text-keyed joins: ~0.2 s at 10,000 units, more than
-- the statistics themselves. server/data/hs_data.c packs what it loaded into one
-- bytea per request shape (`key`, e.g. units|commune||2025) and stores it under the
-- data version it was read at; the next reader with the same key and version fetches
-- one value instead. A row is valid only while hs.data_version.version equals its
-- data_version: every change to units, populations or counts bumps the version
-- (002_derived.sql), so nothing stale is ever read, and nothing needs invalidating.
-- Rows of older versions are deleted by the next writer. Writing is best effort: a
-- reader without INSERT rights (or on a replica) simply keeps the slow path.
--
-- It holds nothing hs.case_month and hs.unit do not already hold (aggregates per
-- unit and month, never a record about a person), so it adds no disclosure.
CREATE TABLE hs.analysis_cache (
    key          text PRIMARY KEY CHECK (length(key) <= 200),
    data_version bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    payload      bytea NOT NULL
);
