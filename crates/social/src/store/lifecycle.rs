//! A user's data over the account's life: hiding, purging, forgetting, exporting.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use super::{comment_row, content_row};
use super::{follow_list, unfollow};

/// Hides everything a user wrote at once (their account is being deleted): posts and comments
/// are marked deleted, and their follows end both ways.
pub async fn hide_author(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<()> {
    for sql in [
        "UPDATE social_content SET deleted_at = $2 WHERE author_id = $1 AND deleted_at IS NULL",
        "UPDATE social_comments SET deleted_at = $2 WHERE user_id = $1 AND deleted_at IS NULL",
    ] {
        sqlx::query(sql)
            .bind(user.get())
            .bind(now.micros())
            .execute(&mut **tx)
            .await?;
    }
    for other in follow_list(&mut **tx, user, false, None, i64::MAX).await? {
        unfollow(tx, user, other).await?;
    }
    for other in follow_list(&mut **tx, user, true, None, i64::MAX).await? {
        unfollow(tx, other, user).await?;
    }
    sqlx::query("DELETE FROM social_timeline WHERE author_id = $1 OR user_id = $1")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes posts deleted before `cutoff` with everything hanging off them; how many.
pub async fn purge_deleted(tx: &mut Tx, cutoff: Timestamp) -> Result<u64> {
    let doomed = "SELECT id FROM social_content WHERE deleted_at IS NOT NULL AND deleted_at < $1";
    for table in [
        "DELETE FROM social_likes WHERE content_id IN",
        "DELETE FROM social_comments WHERE content_id IN",
        "DELETE FROM social_tags WHERE content_id IN",
        "DELETE FROM social_content_edits WHERE content_id IN",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("{table} ({doomed})")))
            .bind(cutoff.micros())
            .execute(&mut **tx)
            .await?;
    }
    // Timeline rows are keyed by reader first. The readers holding a post are its author's
    // followers (an unfollow or a block drops the rows), so each row is one key probe; by
    // content id alone SQLite would probe once per reader in the table.
    sqlx::query(
        "DELETE FROM social_timeline WHERE (user_id, content_id) IN \
         (SELECT f.follower_id, c.id FROM social_content c \
         JOIN social_follows f ON f.following_id = c.author_id \
         WHERE c.deleted_at IS NOT NULL AND c.deleted_at < $1)",
    )
    .bind(cutoff.micros())
    .execute(&mut **tx)
    .await?;
    let done =
        sqlx::query("DELETE FROM social_content WHERE deleted_at IS NOT NULL AND deleted_at < $1")
            .bind(cutoff.micros())
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}

/// Forgets a purged account: its likes and comments leave the counts of the posts they were
/// on, then every row naming it goes.
pub async fn forget(tx: &mut Tx, user: UserId) -> Result<()> {
    hide_author(tx, user, Timestamp::from_micros(0)).await?;
    let steps = [
        "UPDATE social_content SET likes_count = likes_count - 1 \
         WHERE id IN (SELECT content_id FROM social_likes WHERE user_id = $1)",
        "DELETE FROM social_likes WHERE user_id = $1",
        "UPDATE social_content SET comments_count = comments_count - (SELECT COUNT(*) FROM social_comments k \
         WHERE k.content_id = social_content.id AND k.user_id = $1) \
         WHERE id IN (SELECT content_id FROM social_comments WHERE user_id = $1)",
        "DELETE FROM social_comments WHERE user_id = $1",
        "DELETE FROM social_follow_requests WHERE requester_id = $1 OR target_id = $1",
        "DELETE FROM social_blocks WHERE blocker_id = $1 OR blocked_id = $1",
        "DELETE FROM social_mutes WHERE muter_id = $1 OR muted_id = $1",
        "DELETE FROM social_accounts WHERE user_id = $1",
        "DELETE FROM social_feed_marks WHERE user_id = $1",
    ];
    for sql in steps {
        sqlx::query(sql).bind(user.get()).execute(&mut **tx).await?;
    }
    // Their posts are marked deleted by now; take them out for good.
    let posts = "SELECT id FROM social_content WHERE author_id = $1";
    for table in [
        "DELETE FROM social_likes WHERE content_id IN",
        "DELETE FROM social_comments WHERE content_id IN",
        "DELETE FROM social_tags WHERE content_id IN",
        "DELETE FROM social_content_edits WHERE content_id IN",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("{table} ({posts})")))
            .bind(user.get())
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM social_content WHERE author_id = $1")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A user's own posts (live), comments, liked post ids and follows, for their export.
pub async fn export<'e, E>(db: E, user: UserId) -> Result<serde_json::Value>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let posts = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.author_id = $1 AND c.deleted_at IS NULL ORDER BY c.id"
    ))
    .bind(user.get())
    .fetch_all(db)
    .await?
    .iter()
    .map(content_row)
    .collect::<Result<Vec<_>>>()?;
    let comments = sqlx::query(
        "SELECT id, content_id, user_id, parent_comment_id, text, created_at FROM social_comments \
         WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?
    .iter()
    .map(comment_row)
    .collect::<Result<Vec<_>>>()?;
    let likes: Vec<String> =
        sqlx::query("SELECT content_id FROM social_likes WHERE user_id = $1 ORDER BY content_id")
            .bind(user.get())
            .fetch_all(db)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0).map(|id| id.to_string()))
            .collect::<std::result::Result<_, _>>()?;
    let following = follow_list(db, user, false, None, i64::MAX).await?;
    let followers = follow_list(db, user, true, None, i64::MAX).await?;
    Ok(serde_json::json!({
        "posts": posts,
        "comments": comments,
        "liked_posts": likes,
        "following": following,
        "followers": followers,
    }))
}
