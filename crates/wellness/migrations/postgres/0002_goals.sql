-- Goals a member set; `goal` is the goal as JSON (kind and target). A weight goal measures
-- progress from the weight recorded last before `created_at`.
CREATE TABLE wellness_goals (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    goal TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX wellness_goals_user ON wellness_goals (user_id);

-- A member's latest verdict on each kind of recommendation; `dismissed` hides that kind.
CREATE TABLE wellness_feedback (
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    verdict TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
