-- Feature flags: on/off, or on for a stable share of users (`rollout_bp`, basis points).
CREATE TABLE feature_flags (
    name TEXT PRIMARY KEY,
    enabled BIGINT NOT NULL,
    rollout_bp BIGINT,
    description TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- A user for whom a flag is forced on or off, whatever its rollout says.
CREATE TABLE feature_flag_overrides (
    flag TEXT NOT NULL REFERENCES feature_flags (name) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    PRIMARY KEY (flag, user_id)
);
