CREATE TABLE social_follows (
    follower_id INTEGER NOT NULL,
    following_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (follower_id, following_id)
);
CREATE INDEX social_follows_following ON social_follows (following_id, follower_id);

CREATE TABLE social_follow_requests (
    requester_id INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (requester_id, target_id)
);
CREATE INDEX social_follow_requests_target ON social_follow_requests (target_id, created_at);

CREATE TABLE social_blocks (
    blocker_id INTEGER NOT NULL,
    blocked_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX social_blocks_blocked ON social_blocks (blocked_id, blocker_id);

CREATE TABLE social_mutes (
    muter_id INTEGER NOT NULL,
    muted_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (muter_id, muted_id)
);

CREATE TABLE social_accounts (
    user_id INTEGER PRIMARY KEY,
    locked INTEGER NOT NULL DEFAULT 0,
    followers_count INTEGER NOT NULL DEFAULT 0,
    following_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE social_content (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    text TEXT NOT NULL,
    media_ids TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    mentions TEXT NOT NULL,
    visibility TEXT NOT NULL,
    reshare_of INTEGER,
    likes_count INTEGER NOT NULL DEFAULT 0,
    comments_count INTEGER NOT NULL DEFAULT 0,
    shares_count INTEGER NOT NULL DEFAULT 0,
    views_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX social_content_author ON social_content (author_id, id);

CREATE TABLE social_content_edits (
    id INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    replaced_at INTEGER NOT NULL
);
CREATE INDEX social_content_edits_content ON social_content_edits (content_id, id);

CREATE TABLE social_tags (
    tag TEXT NOT NULL,
    content_id INTEGER NOT NULL,
    PRIMARY KEY (tag, content_id)
);

CREATE TABLE social_likes (
    content_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (content_id, user_id)
);
CREATE INDEX social_likes_user ON social_likes (user_id, content_id);

CREATE TABLE social_comments (
    id INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    parent_comment_id INTEGER,
    root_comment_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX social_comments_content ON social_comments (content_id, parent_comment_id, id);
CREATE INDEX social_comments_root ON social_comments (root_comment_id, id);
CREATE INDEX social_comments_user ON social_comments (user_id);

CREATE TABLE social_timeline (
    user_id INTEGER NOT NULL,
    content_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, content_id)
);
CREATE INDEX social_timeline_author ON social_timeline (author_id, user_id);
