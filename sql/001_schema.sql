-- 001: core schema. Aggregates only: no table may hold a record about a person.
-- Applied once, in its own transaction, by `hotspot db migrate`.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS hs;

-- Administrative units, two levels. Codes are the official ones of the deployment
-- (text, so leading zeros survive); communes nest in a province via parent_code.
CREATE TABLE hs.unit (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
    level       text NOT NULL CHECK (level IN ('province', 'commune')),
    name        text NOT NULL CHECK (name <> '' AND name IS NFC NORMALIZED),
    parent_code text REFERENCES hs.unit (code) ON UPDATE CASCADE,
    geom        geometry(MultiPolygon, 4326) NOT NULL
                CHECK (NOT ST_IsEmpty(geom) AND ST_IsValid(geom)),
    is_border_province boolean NOT NULL DEFAULT false,
    is_key_commune     boolean NOT NULL DEFAULT false,
    CHECK ((level = 'province' AND parent_code IS NULL)
        OR (level = 'commune' AND parent_code IS NOT NULL))
);
CREATE INDEX unit_geom_gix ON hs.unit USING gist (geom);
CREATE INDEX unit_level_ix ON hs.unit (level);
CREATE INDEX unit_parent_ix ON hs.unit (parent_code);

-- Population by year; analyses use the latest year not after the window's end.
CREATE TABLE hs.unit_population (
    unit_code  text NOT NULL REFERENCES hs.unit (code) ON UPDATE CASCADE ON DELETE CASCADE,
    year       integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    population bigint NOT NULL CHECK (population >= 0),
    PRIMARY KEY (unit_code, year)
);

-- Monthly aggregates. period is the first day of the month.
CREATE TABLE hs.case_month (
    unit_code text NOT NULL REFERENCES hs.unit (code) ON UPDATE CASCADE,
    period    date NOT NULL CHECK (extract(day FROM period) = 1),
    cases     integer NOT NULL CHECK (cases >= 0),
    victims   integer NOT NULL CHECK (victims >= 0),
    suspects  integer NOT NULL CHECK (suspects >= 0),
    PRIMARY KEY (unit_code, period)
);
CREATE INDEX case_month_period_ix ON hs.case_month (period);

CREATE TABLE hs.outreach_month (
    unit_code     text NOT NULL REFERENCES hs.unit (code) ON UPDATE CASCADE,
    period        date NOT NULL CHECK (extract(day FROM period) = 1),
    events        integer NOT NULL CHECK (events >= 0),
    participants  integer NOT NULL CHECK (participants >= 0),
    hotline_calls integer NOT NULL CHECK (hotline_calls >= 0),
    PRIMARY KEY (unit_code, period)
);
CREATE INDEX outreach_month_period_ix ON hs.outreach_month (period);

-- Reference layers for map backgrounds and border distance.
CREATE TABLE hs.country (
    iso_n3 text PRIMARY KEY,
    name   text NOT NULL,
    geom   geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX country_geom_gix ON hs.country USING gist (geom);

CREATE TABLE hs.land_border (
    country text PRIMARY KEY,           -- 'China', 'Laos', 'Cambodia'
    geom    geometry(MultiLineString, 4326) NOT NULL
);
CREATE INDEX land_border_geom_gix ON hs.land_border USING gist (geom);

-- Derived data, recomputed in PostGIS whenever units or borders change
-- (see 002_derived.sql). Never edited by hand.
CREATE TABLE hs.unit_adjacency (           -- queen contiguity, both directions, same level
    a text NOT NULL REFERENCES hs.unit (code) ON UPDATE CASCADE ON DELETE CASCADE,
    b text NOT NULL REFERENCES hs.unit (code) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (a, b),
    CHECK (a <> b)
);
CREATE TABLE hs.unit_derived (
    unit_code      text PRIMARY KEY REFERENCES hs.unit (code) ON UPDATE CASCADE ON DELETE CASCADE,
    label_pt       geometry(Point, 4326) NOT NULL,  -- ST_PointOnSurface: always inside
    centroid       geometry(Point, 4326) NOT NULL,
    area_km2       double precision NOT NULL,
    border_km      double precision,                -- geodesic distance to nearest land border
    border_country text                             -- which neighbour that border is with
);

-- Facts about the dataset: 'synthetic' = 'true' for the demo, 'source', 'loaded_at'...
CREATE TABLE hs.dataset_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- A counter bumped (and announced with NOTIFY hs_data_changed) whenever units or
-- counts change, so the server refreshes its caches without a restart.
CREATE TABLE hs.data_version (
    id         integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version    bigint NOT NULL DEFAULT 1,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hs.data_version DEFAULT VALUES;
