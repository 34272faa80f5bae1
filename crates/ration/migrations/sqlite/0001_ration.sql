CREATE TABLE ration_farms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE ration_members (
    farm_id INTEGER NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (farm_id, user_id)
);
CREATE INDEX ration_members_user ON ration_members (user_id);

CREATE TABLE ration_audit (
    id INTEGER PRIMARY KEY,
    farm_id INTEGER NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ration_audit_farm ON ration_audit (farm_id, id);

CREATE TABLE ration_feeds (
    id INTEGER PRIMARY KEY,
    farm_id INTEGER NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    dm REAL NOT NULL,
    nutrient_basis TEXT NOT NULL,
    nutrients TEXT NOT NULL,
    price REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (farm_id, code)
);

CREATE TABLE ration_feed_prices (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES ration_feeds (id) ON DELETE CASCADE,
    price REAL NOT NULL,
    set_by INTEGER NOT NULL,
    set_at INTEGER NOT NULL
);
CREATE INDEX ration_feed_prices_feed ON ration_feed_prices (feed_id, id);

CREATE TABLE ration_formulations (
    id INTEGER PRIMARY KEY,
    farm_id INTEGER NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    problem TEXT NOT NULL,
    result TEXT NOT NULL,
    status TEXT NOT NULL,
    cost_per_kg REAL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ration_formulations_farm ON ration_formulations (farm_id, id);
