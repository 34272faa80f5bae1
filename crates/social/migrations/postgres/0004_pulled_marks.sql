-- Authors with many followers are merged into feeds at read time, so a reader's feed mark
-- also holds the newest post among the big authors they follow. This index finds those
-- authors (few, by the threshold's nature) without a walk over every account.
CREATE INDEX social_accounts_followers ON social_accounts (followers_count);
