-- Profiles: one per user who has used ask (created at sign-up by the user.registered event).
CREATE TABLE ask_profiles (
    user_id INTEGER PRIMARY KEY,
    nickname TEXT NOT NULL,
    region_code TEXT,
    -- Where and until when the user is a verified local; NULL when never verified.
    verified_until INTEGER,
    lat REAL,
    lng REAL,
    last_active_at INTEGER NOT NULL,
    -- Last time an urgent question was routed to them, so routing rotates.
    last_asked_at INTEGER NOT NULL DEFAULT 0,
    suspended_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ask_profiles_region_verified ON ask_profiles (region_code, verified_until, last_active_at);

-- The points ledger. Accounts are users (their id) and the two system accounts:
-- -1 the treasury (issues rewards; its balance is minus every reward ever paid) and
-- -2 the escrow (bounties held for open questions).
CREATE TABLE ask_balances (
    account_id INTEGER PRIMARY KEY,
    balance INTEGER NOT NULL,
    CHECK (account_id = -1 OR balance >= 0)
);
CREATE TABLE ask_point_transactions (
    id INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ask_point_transactions_account ON ask_point_transactions (account_id, created_at DESC);
CREATE INDEX ask_point_transactions_reference ON ask_point_transactions (reason, reference);

CREATE TABLE ask_questions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    category TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    image_ids TEXT NOT NULL,
    lat REAL,
    lng REAL,
    place_name TEXT,
    -- Geohash cells holding the location (precisions 5, 6, 7), read by the nearby search.
    cell5 TEXT,
    cell6 TEXT,
    cell7 TEXT,
    region_code TEXT,
    urgent INTEGER NOT NULL,
    bounty INTEGER NOT NULL,
    status TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    answer_count INTEGER NOT NULL DEFAULT 0,
    like_count INTEGER NOT NULL DEFAULT 0,
    popularity INTEGER NOT NULL DEFAULT 0,
    accepted_answer_id INTEGER,
    accepted_at INTEGER,
    reward INTEGER,
    first_answer_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Every list reads listed questions only: active and not hidden. One index per filter
-- (none, region, category, both) and order (newest, popularity, urgent), so no list sorts.
CREATE INDEX ask_questions_region_category_created ON ask_questions (region_code, category, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_region_created ON ask_questions (region_code, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_category_created ON ask_questions (category, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_created ON ask_questions (created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_popularity ON ask_questions (popularity DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_region_popularity ON ask_questions (region_code, popularity DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_region_category_popularity ON ask_questions (region_code, category, popularity DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_category_popularity ON ask_questions (category, popularity DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_region_category_urgent ON ask_questions (region_code, category, urgent DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_category_urgent ON ask_questions (category, urgent DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_urgent ON ask_questions (urgent DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_region_urgent ON ask_questions (region_code, urgent DESC, created_at DESC) WHERE status = 'active' AND hidden = 0;
CREATE INDEX ask_questions_cell7 ON ask_questions (cell7, lat, lng) WHERE status = 'active' AND hidden = 0 AND cell7 IS NOT NULL;
CREATE INDEX ask_questions_cell6 ON ask_questions (cell6, lat, lng) WHERE status = 'active' AND hidden = 0 AND cell6 IS NOT NULL;
CREATE INDEX ask_questions_cell5 ON ask_questions (cell5, lat, lng) WHERE status = 'active' AND hidden = 0 AND cell5 IS NOT NULL;
CREATE INDEX ask_questions_user ON ask_questions (user_id, created_at DESC);
CREATE INDEX ask_questions_open_bounties ON ask_questions (created_at) WHERE status = 'active' AND accepted_answer_id IS NULL AND bounty > 0;
CREATE INDEX ask_questions_first_answer ON ask_questions (created_at) WHERE first_answer_at IS NOT NULL;

-- Tags of listed questions only (removed when a question leaves the lists), with what tag
-- lists filter and sort on (region, category, time, popularity, urgency), so a tag list and
-- its total are read from the tag index alone.
CREATE TABLE ask_question_tags (
    question_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    region_code TEXT,
    category TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    popularity INTEGER NOT NULL,
    urgent INTEGER NOT NULL,
    PRIMARY KEY (question_id, tag)
);
CREATE INDEX ask_question_tags_listing ON ask_question_tags (tag, region_code, created_at DESC, category, popularity, urgent, question_id);
CREATE INDEX ask_question_tags_created ON ask_question_tags (created_at);
CREATE INDEX ask_question_tags_region_created ON ask_question_tags (region_code, created_at);

CREATE TABLE ask_answers (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    content TEXT NOT NULL,
    lat REAL,
    lng REAL,
    place_name TEXT,
    like_count INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ask_answers_question_created ON ask_answers (question_id, created_at DESC);
CREATE INDEX ask_answers_user_accepted ON ask_answers (user_id, accepted, created_at DESC);

CREATE TABLE ask_question_likes (
    question_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE TABLE ask_answer_likes (
    answer_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);

CREATE TABLE ask_reports (
    id INTEGER PRIMARY KEY,
    reporter_id INTEGER NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (reporter_id, target_type, target_id)
);
CREATE INDEX ask_reports_open ON ask_reports (created_at) WHERE resolved_at IS NULL;

-- What moderators did, and why.
CREATE TABLE ask_moderation_log (
    id INTEGER PRIMARY KEY,
    moderator_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
