CREATE TABLE ration_farms (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE ration_members (
    farm_id BIGINT NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (farm_id, user_id)
);
CREATE INDEX ration_members_user ON ration_members (user_id);

CREATE TABLE ration_audit (
    id BIGINT PRIMARY KEY,
    farm_id BIGINT NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ration_audit_farm ON ration_audit (farm_id, id);

CREATE TABLE ration_feeds (
    id BIGINT PRIMARY KEY,
    farm_id BIGINT NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    dm DOUBLE PRECISION NOT NULL,
    nutrient_basis TEXT NOT NULL,
    nutrients TEXT NOT NULL,
    price DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (farm_id, code)
);

CREATE TABLE ration_feed_prices (
    id BIGINT PRIMARY KEY,
    feed_id BIGINT NOT NULL REFERENCES ration_feeds (id) ON DELETE CASCADE,
    price DOUBLE PRECISION NOT NULL,
    set_by BIGINT NOT NULL,
    set_at BIGINT NOT NULL
);
CREATE INDEX ration_feed_prices_feed ON ration_feed_prices (feed_id, id);

CREATE TABLE ration_formulations (
    id BIGINT PRIMARY KEY,
    farm_id BIGINT NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    problem TEXT NOT NULL,
    result TEXT NOT NULL,
    status TEXT NOT NULL,
    cost_per_kg DOUBLE PRECISION,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ration_formulations_farm ON ration_formulations (farm_id, id);
