-- How many times each reader's home timeline has taken posts in or let them go. A cached feed
-- page stays good while this and the reader's newest own post are what they were: one key
-- probe, where counting the timeline's rows cost a walk over all of them.
CREATE TABLE social_feed_marks (
    user_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
