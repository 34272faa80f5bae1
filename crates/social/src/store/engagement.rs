//! Likes, comments, shares and views, with the counters they move.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use super::comment_row;
use crate::model::{Comment, CommentId, ContentId};

/// Adds a like; whether it is new. The count moves only with a new like, in the same
/// transaction, so it stays exact however many like at once.
pub async fn like(tx: &mut Tx, id: ContentId, user: UserId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO social_likes (content_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(id.get())
    .bind(user.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    let new = done.rows_affected() == 1;
    if new {
        bump(tx, id, Counter::Likes, 1).await?;
    }
    Ok(new)
}

pub async fn unlike(tx: &mut Tx, id: ContentId, user: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM social_likes WHERE content_id = $1 AND user_id = $2")
        .bind(id.get())
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    let gone = done.rows_affected() == 1;
    if gone {
        bump(tx, id, Counter::Likes, -1).await?;
    }
    Ok(gone)
}

/// An engagement counter of a post.
#[derive(Debug, Clone, Copy)]
enum Counter {
    Likes,
    Comments,
    Shares,
}

/// Moves one engagement counter by `delta`.
async fn bump(tx: &mut Tx, id: ContentId, counter: Counter, delta: i64) -> Result<()> {
    let sql = match counter {
        Counter::Likes => "UPDATE social_content SET likes_count = likes_count + $2 WHERE id = $1",
        Counter::Comments => {
            "UPDATE social_content SET comments_count = comments_count + $2 WHERE id = $1"
        }
        Counter::Shares => {
            "UPDATE social_content SET shares_count = shares_count + $2 WHERE id = $1"
        }
    };
    sqlx::query(sql)
        .bind(id.get())
        .bind(delta)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn add_views(tx: &mut Tx, id: ContentId, views: i64) -> Result<()> {
    sqlx::query("UPDATE social_content SET views_count = views_count + $2 WHERE id = $1")
        .bind(id.get())
        .bind(views)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn count_share(tx: &mut Tx, id: ContentId) -> Result<()> {
    bump(tx, id, Counter::Shares, 1).await
}

/// A comment's post, author and thread root, if it is live.
pub async fn comment_parent<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: CommentId,
) -> Result<Option<(ContentId, UserId, CommentId)>> {
    let row = sqlx::query(
        "SELECT content_id, user_id, root_comment_id FROM social_comments WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.get())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok((
            ContentId::from_raw(r.try_get("content_id")?),
            UserId::from_raw(r.try_get("user_id")?),
            CommentId::from_raw(r.try_get("root_comment_id")?),
        ))
    })
    .transpose()
}

pub async fn insert_comment(tx: &mut Tx, c: &Comment, root: CommentId) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_comments (id, content_id, user_id, parent_comment_id, root_comment_id, text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id.get())
    .bind(c.content_id.get())
    .bind(c.user_id.get())
    .bind(c.parent_comment_id.map(CommentId::get))
    .bind(root.get())
    .bind(&c.text)
    .bind(c.created_at.micros())
    .execute(&mut **tx)
    .await?;
    bump(tx, c.content_id, Counter::Comments, 1).await
}

/// A page of a post's threads, oldest first after `after`: the top-level comments and every
/// reply under them, flat (the service builds the tree). Comments by people the reader blocks
/// or is blocked by are left out.
pub async fn threads<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    content: ContentId,
    after: Option<CommentId>,
    limit: i64,
) -> Result<Vec<Comment>> {
    let rows = sqlx::query(
        "WITH roots AS (SELECT id FROM social_comments WHERE content_id = $2 AND parent_comment_id IS NULL \
             AND id > $3 ORDER BY id LIMIT $4) \
         SELECT k.id, k.content_id, k.user_id, k.parent_comment_id, k.text, k.created_at \
         FROM social_comments k WHERE k.root_comment_id IN (SELECT id FROM roots) AND k.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM social_blocks b WHERE (b.blocker_id = k.user_id AND b.blocked_id = $1) \
             OR (b.blocker_id = $1 AND b.blocked_id = k.user_id)) \
         ORDER BY k.id",
    )
    .bind(reader.get())
    .bind(content.get())
    .bind(after.map_or(0, CommentId::get))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(comment_row).collect()
}
