-- Authors with many followers are merged into feeds at read time, so a reader's feed mark
-- also holds the newest post among the big authors they follow. This index finds those
-- authors (few, by the threshold's nature) without a walk over every account.
CREATE INDEX social_accounts_followers ON social_accounts (followers_count);

-- The purge job finds posts deleted past retention here; without it, each run read every post
-- (1.4 s at a million posts) inside a write transaction.
CREATE INDEX social_content_deleted ON social_content (deleted_at) WHERE deleted_at IS NOT NULL;
