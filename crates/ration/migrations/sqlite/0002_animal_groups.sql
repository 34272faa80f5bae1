CREATE TABLE ration_animal_groups (
    id INTEGER PRIMARY KEY,
    farm_id INTEGER NOT NULL REFERENCES ration_farms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    head_count INTEGER NOT NULL,
    animal TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ration_animal_groups_farm ON ration_animal_groups (farm_id, id);
