-- Feature flags: on/off, or on for a stable share of users (`rollout_bp`, basis points).
CREATE TABLE feature_flags (
    name TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL,
    rollout_bp INTEGER,
    description TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

-- A user for whom a flag is forced on or off, whatever its rollout says.
CREATE TABLE feature_flag_overrides (
    flag TEXT NOT NULL REFERENCES feature_flags (name) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    PRIMARY KEY (flag, user_id)
);
