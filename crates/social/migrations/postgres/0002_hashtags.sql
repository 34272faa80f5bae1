CREATE TABLE social_hashtags (
    id BIGINT PRIMARY KEY,
    tag TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
