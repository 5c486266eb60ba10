-- 003: access tokens. See docs/security.md.
--
-- Only the SHA-256 of a token is stored; the token itself is printed once by
-- `hotspot token create`. Any change to this table is announced with
-- NOTIFY hs_access_changed so running servers reload their token set at once
-- (revocation and expiry take effect without a restart).
CREATE TABLE hs.access_token (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role       text NOT NULL CHECK (role IN ('planner', 'analyst', 'operator')),
    provinces  text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz,
    revoked_at timestamptz,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    hash       bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'analyst' OR provinces = '{}'),
    CHECK (role <> 'analyst' OR cardinality(provinces) > 0)
);

CREATE FUNCTION hs.notify_access_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hs_access_changed', '');
    RETURN NULL;
END $$;

CREATE TRIGGER access_token_changed
AFTER INSERT OR UPDATE OR DELETE ON hs.access_token
FOR EACH STATEMENT EXECUTE FUNCTION hs.notify_access_changed();

-- One row per authenticated request, written in batches by the server (at most
-- about a second of rows is lost in a crash). Never holds the token itself.
CREATE TABLE hs.audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    token_id    bigint NOT NULL,
    role        text NOT NULL,
    route       text NOT NULL,
    params      text NOT NULL DEFAULT '',
    provinces   text NOT NULL DEFAULT '',
    status      integer NOT NULL,
    bytes       bigint NOT NULL,
    duration_ms double precision NOT NULL
);
CREATE INDEX audit_at_ix ON hs.audit (at);
CREATE INDEX audit_token_ix ON hs.audit (token_id, at);
