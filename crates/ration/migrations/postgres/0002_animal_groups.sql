CREATE TABLE ration_animal_groups (
    id BIGINT PRIMARY KEY,
    farm_id BIGINT NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    head_count BIGINT NOT NULL,
    animal TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ration_animal_groups_farm ON ration_animal_groups (farm_id, id);
