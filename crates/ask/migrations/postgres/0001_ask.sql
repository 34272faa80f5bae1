-- Profiles: one per user who has used ask (created at sign-up by the user.registered event).
CREATE TABLE ask_profiles (
    user_id BIGINT PRIMARY KEY,
    nickname TEXT NOT NULL,
    region_code TEXT,
    -- Where and until when the user is a verified local; NULL when never verified.
    verified_until BIGINT,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    last_active_at BIGINT NOT NULL,
    -- Last time an urgent question was routed to them, so routing rotates.
    last_asked_at BIGINT NOT NULL DEFAULT 0,
    suspended_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ask_profiles_region_verified ON ask_profiles (region_code, verified_until, last_active_at);

-- The points ledger. Accounts are users (their id) and the two system accounts:
-- -1 the treasury (issues rewards; its balance is minus every reward ever paid) and
-- -2 the escrow (bounties held for open questions).
CREATE TABLE ask_balances (
    account_id BIGINT PRIMARY KEY,
    balance BIGINT NOT NULL,
    CHECK (account_id = -1 OR balance >= 0)
);
CREATE TABLE ask_point_transactions (
    id BIGINT PRIMARY KEY,
    transfer_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ask_point_transactions_account ON ask_point_transactions (account_id, created_at DESC);
CREATE INDEX ask_point_transactions_reference ON ask_point_transactions (reason, reference);

CREATE TABLE ask_questions (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    category TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    image_ids TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    place_name TEXT,
    -- Geohash cells holding the location (precisions 5, 6, 7), read by the nearby search.
    cell5 TEXT,
    cell6 TEXT,
    cell7 TEXT,
    region_code TEXT,
    urgent BIGINT NOT NULL,
    bounty BIGINT NOT NULL,
    status TEXT NOT NULL,
    hidden BIGINT NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    answer_count BIGINT NOT NULL DEFAULT 0,
    like_count BIGINT NOT NULL DEFAULT 0,
    popularity BIGINT NOT NULL DEFAULT 0,
    accepted_answer_id BIGINT,
    accepted_at BIGINT,
    reward BIGINT,
    first_answer_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
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
    question_id BIGINT NOT NULL,
    tag TEXT NOT NULL,
    region_code TEXT,
    category TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    popularity BIGINT NOT NULL,
    urgent BIGINT NOT NULL,
    PRIMARY KEY (question_id, tag)
);
CREATE INDEX ask_question_tags_listing ON ask_question_tags (tag, region_code, created_at DESC, category, popularity, urgent, question_id);
CREATE INDEX ask_question_tags_created ON ask_question_tags (created_at);
CREATE INDEX ask_question_tags_region_created ON ask_question_tags (region_code, created_at);

CREATE TABLE ask_answers (
    id BIGINT PRIMARY KEY,
    question_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    content TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    place_name TEXT,
    like_count BIGINT NOT NULL DEFAULT 0,
    accepted BIGINT NOT NULL DEFAULT 0,
    hidden BIGINT NOT NULL DEFAULT 0,
    hidden_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ask_answers_question_created ON ask_answers (question_id, created_at DESC);
CREATE INDEX ask_answers_user_accepted ON ask_answers (user_id, accepted, created_at DESC);

CREATE TABLE ask_question_likes (
    question_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE TABLE ask_answer_likes (
    answer_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);

CREATE TABLE ask_reports (
    id BIGINT PRIMARY KEY,
    reporter_id BIGINT NOT NULL,
    target_type TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    UNIQUE (reporter_id, target_type, target_id)
);
CREATE INDEX ask_reports_open ON ask_reports (created_at) WHERE resolved_at IS NULL;

-- What moderators did, and why.
CREATE TABLE ask_moderation_log (
    id BIGINT PRIMARY KEY,
    moderator_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
