-- Conversation sessions; `version` is the sequence number of the session's last profile event
-- (0: no event yet), raised in the same statement that checks a writer's expected version.
CREATE TABLE assistant_sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX assistant_sessions_user ON assistant_sessions (user_id, id);
CREATE INDEX assistant_sessions_updated ON assistant_sessions (updated_at);

-- The append-only event store: a session's profile is the fold of its events in `seq` order.
CREATE TABLE assistant_events (
    session_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    source TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- The folded profile every so many events, so a fold starts near its target.
CREATE TABLE assistant_snapshots (
    session_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    profile TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE assistant_messages (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    intent TEXT,
    answered_by TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX assistant_messages_session ON assistant_messages (session_id, id);

-- The durable queue behind `profile:batch`: a row is committed before the 202 is sent, and
-- leaves `accepted` in the transaction that applies it.
CREATE TABLE assistant_operations (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    expected_version INTEGER,
    changes TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER,
    error TEXT,
    accepted_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX assistant_operations_waiting ON assistant_operations (id) WHERE status = 'accepted';
CREATE INDEX assistant_operations_user ON assistant_operations (user_id);

-- Model usage per user, UTC day, provider and model: the daily budget and the cost report.
CREATE TABLE assistant_usage (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_micros INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, provider, model)
);
