CREATE TABLE social_hashtags (
    id INTEGER PRIMARY KEY,
    tag TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
