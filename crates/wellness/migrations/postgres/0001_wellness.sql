-- One row per user who has health data: their time zone (days and weeks are theirs), their
-- note key wrapped by the master key, and their change sequence (sync tokens count it).
CREATE TABLE wellness_members (
    user_id BIGINT PRIMARY KEY,
    time_zone TEXT NOT NULL,
    region TEXT,
    wrapped_key BYTEA NOT NULL,
    seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Raw records, append-only in id order. `at` is the instant rollups file a record under (its
-- start; a night's sleep: its end). Deleted records stay as tombstones for sync.
CREATE TABLE wellness_records (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    utc_offset BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    value2 DOUBLE PRECISION,
    detail TEXT,
    note BYTEA,
    source_device TEXT,
    source_app TEXT,
    seq BIGINT NOT NULL,
    device_id TEXT,
    client_modified_at BIGINT NOT NULL,
    deleted BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX wellness_records_client ON wellness_records (user_id, client_id);
CREATE INDEX wellness_records_series ON wellness_records (user_id, kind, at);
CREATE INDEX wellness_records_seq ON wellness_records (user_id, seq);

-- Rollups per series and level (0 minute, 1 hour: UTC; 2 day, 3 week: the user's zone);
-- `bucket` is the bucket's first instant.
CREATE TABLE wellness_rollups (
    user_id BIGINT NOT NULL,
    series TEXT NOT NULL,
    level BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    count BIGINT NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (user_id, series, level, bucket)
);

-- Who may read whose data; a revoked share keeps its row (revoked_at) for the record.
CREATE TABLE wellness_shares (
    owner_id BIGINT NOT NULL,
    grantee_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (owner_id, grantee_id)
);

-- Every read of a user's data by someone else.
CREATE TABLE wellness_access_log (
    id BIGINT PRIMARY KEY,
    owner_id BIGINT NOT NULL,
    reader_id BIGINT NOT NULL,
    what TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX wellness_access_log_owner ON wellness_access_log (owner_id, id);

-- Alert rules; `kind` says which of the columns apply (see the alerts module).
CREATE TABLE wellness_alert_rules (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    rule TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX wellness_alert_rules_user ON wellness_alert_rules (user_id);

-- Alerts raised; `dedupe` keeps one alert per rule and episode.
CREATE TABLE wellness_alerts (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    series TEXT NOT NULL,
    message TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    observed_at BIGINT NOT NULL,
    dedupe TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acknowledged_at BIGINT
);
CREATE UNIQUE INDEX wellness_alerts_dedupe ON wellness_alerts (user_id, dedupe);
CREATE INDEX wellness_alerts_user ON wellness_alerts (user_id, id);
