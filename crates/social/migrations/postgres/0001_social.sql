CREATE TABLE social_follows (
    follower_id BIGINT NOT NULL,
    following_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (follower_id, following_id)
);
CREATE INDEX social_follows_following ON social_follows (following_id, follower_id);

CREATE TABLE social_follow_requests (
    requester_id BIGINT NOT NULL,
    target_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (requester_id, target_id)
);
CREATE INDEX social_follow_requests_target ON social_follow_requests (target_id, created_at);

CREATE TABLE social_blocks (
    blocker_id BIGINT NOT NULL,
    blocked_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX social_blocks_blocked ON social_blocks (blocked_id, blocker_id);

CREATE TABLE social_mutes (
    muter_id BIGINT NOT NULL,
    muted_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (muter_id, muted_id)
);

CREATE TABLE social_accounts (
    user_id BIGINT PRIMARY KEY,
    locked BIGINT NOT NULL DEFAULT 0,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE social_content (
    id BIGINT PRIMARY KEY,
    author_id BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    text TEXT NOT NULL,
    media_ids TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    mentions TEXT NOT NULL,
    visibility TEXT NOT NULL,
    reshare_of BIGINT,
    likes_count BIGINT NOT NULL DEFAULT 0,
    comments_count BIGINT NOT NULL DEFAULT 0,
    shares_count BIGINT NOT NULL DEFAULT 0,
    views_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX social_content_author ON social_content (author_id, id);

CREATE TABLE social_content_edits (
    id BIGINT PRIMARY KEY,
    content_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    replaced_at BIGINT NOT NULL
);
CREATE INDEX social_content_edits_content ON social_content_edits (content_id, id);

CREATE TABLE social_tags (
    tag TEXT NOT NULL,
    content_id BIGINT NOT NULL,
    PRIMARY KEY (tag, content_id)
);

CREATE TABLE social_likes (
    content_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (content_id, user_id)
);
CREATE INDEX social_likes_user ON social_likes (user_id, content_id);

CREATE TABLE social_comments (
    id BIGINT PRIMARY KEY,
    content_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    parent_comment_id BIGINT,
    root_comment_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX social_comments_content ON social_comments (content_id, parent_comment_id, id);
CREATE INDEX social_comments_root ON social_comments (root_comment_id, id);
CREATE INDEX social_comments_user ON social_comments (user_id);

CREATE TABLE social_timeline (
    user_id BIGINT NOT NULL,
    content_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, content_id)
);
CREATE INDEX social_timeline_author ON social_timeline (author_id, user_id);
