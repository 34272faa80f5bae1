//! Posts: writing, editing, deleting, tags, and reading them one by one or as lists.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use super::{content_row, json, state_row};
use crate::model::{Body, Content, ContentId};
use crate::post::PostState;

pub async fn insert_content(tx: &mut Tx, c: &Content) -> Result<()> {
    let mentions: Vec<i64> = c.content.mentions.iter().map(|u| u.get()).collect();
    sqlx::query(
        "INSERT INTO social_content (id, author_id, content_type, text, media_ids, hashtags, mentions, \
         visibility, reshare_of, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id.get())
    .bind(c.author_id.get())
    .bind(c.content_type.as_str())
    .bind(&c.content.text)
    .bind(json(&c.content.media_ids))
    .bind(json(&c.content.hashtags))
    .bind(json(&mentions))
    .bind(c.visibility.as_str())
    .bind(c.reshare_of.map(ContentId::get))
    .bind(c.created_at.micros())
    .bind(c.updated_at.micros())
    .execute(&mut **tx)
    .await?;
    set_tags(tx, c.id, &c.content.hashtags, c.created_at).await
}

async fn set_tags(tx: &mut Tx, id: ContentId, tags: &[String], now: Timestamp) -> Result<()> {
    sqlx::query("DELETE FROM social_tags WHERE content_id = $1")
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    for tag in tags {
        sqlx::query("INSERT INTO social_tags (tag, content_id) VALUES ($1, $2)")
            .bind(tag)
            .bind(id.get())
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO social_hashtags (id, tag, created_at) VALUES ($1, $2, $3) ON CONFLICT (tag) DO NOTHING",
        )
        .bind(hashtag_id(tag))
        .bind(tag)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A hashtag's id: FNV-1a of its text, kept to 62 bits, so every node names a tag alike
/// without asking the database.
pub fn hashtag_id(tag: &str) -> i64 {
    let hash = tag.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::try_from(hash >> 2).unwrap_or(i64::MAX)
}

/// Hashtags by id, each with how many live posts the reader may see carry it; tags with none
/// are left out.
pub async fn hashtags<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    ids: &[i64],
) -> Result<Vec<(i64, String, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT h.id, h.tag, (SELECT COUNT(*) FROM social_tags g JOIN social_content c ON c.id = g.content_id \
         WHERE g.tag = h.tag AND {}) AS posts FROM social_hashtags h WHERE h.id IN ({})",
        listed!(),
        platform::db::placeholders(2, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.get());
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db).await?;
    let mut found = Vec::new();
    for r in &rows {
        let posts: i64 = r.try_get("posts")?;
        if posts > 0 {
            found.push((r.try_get("id")?, r.try_get("tag")?, posts));
        }
    }
    Ok(found)
}

/// Every hashtag, for reindexing.
pub async fn all_hashtags<'e, E: Executor<'e, Database = Any>>(
    db: E,
) -> Result<Vec<(i64, String, Timestamp)>> {
    let rows = sqlx::query("SELECT id, tag, created_at FROM social_hashtags")
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("tag")?,
                Timestamp::from_micros(r.try_get("created_at")?),
            ))
        })
        .collect()
}

/// A post as stored, whoever may see it (for indexing); `None` once deleted.
pub async fn live_content<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: ContentId,
) -> Result<Option<Content>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.id = $2 AND c.deleted_at IS NULL"
    ))
    .bind(0_i64)
    .bind(id.get())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(content_row).transpose()
}

/// Every live post, for reindexing.
pub async fn all_live_content<'e, E: Executor<'e, Database = Any>>(db: E) -> Result<Vec<Content>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.deleted_at IS NULL"
    ))
    .bind(0_i64)
    .fetch_all(db)
    .await?;
    rows.iter().map(content_row).collect()
}

/// Replaces a post's text, keeping the old one in its edit history.
pub async fn edit_content(
    tx: &mut Tx,
    edit_id: i64,
    before: &Content,
    after: &Body,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_content_edits (id, content_id, text, replaced_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(edit_id)
    .bind(before.id.get())
    .bind(&before.content.text)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    let mentions: Vec<i64> = after.mentions.iter().map(|u| u.get()).collect();
    sqlx::query(
        "UPDATE social_content SET text = $2, hashtags = $3, mentions = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(before.id.get())
    .bind(&after.text)
    .bind(json(&after.hashtags))
    .bind(json(&mentions))
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    set_tags(tx, before.id, &after.hashtags, now).await
}

/// Earlier texts of a post, newest first.
pub async fn edits<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: ContentId,
) -> Result<Vec<(String, Timestamp)>> {
    let rows = sqlx::query(
        "SELECT text, replaced_at FROM social_content_edits WHERE content_id = $1 ORDER BY id DESC",
    )
    .bind(id.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("text")?,
                Timestamp::from_micros(r.try_get("replaced_at")?),
            ))
        })
        .collect()
}

/// Marks a post deleted; it leaves every view at once. Whether it was the author's live post.
pub async fn delete_content(
    tx: &mut Tx,
    id: ContentId,
    author: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE social_content SET deleted_at = $3 WHERE id = $1 AND author_id = $2 AND deleted_at IS NULL",
    )
    .bind(id.get())
    .bind(author.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One post, if the reader may see it.
pub async fn content<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    id: ContentId,
) -> Result<Option<Content>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.id = $2 AND ",
        visible!()
    ))
    .bind(reader.get())
    .bind(id.get())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(content_row).transpose()
}

/// The posts of `ids` the reader may see ([`visible!`]), in no order. Lists pick their ids
/// through [`listed!`], which leaves muted authors out too.
pub async fn posts<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    ids: &[ContentId],
) -> Result<Vec<Content>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {} FROM social_content c WHERE c.id IN ({}) AND {}",
        content_columns!(),
        platform::db::placeholders(2, ids.len()),
        visible!()
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reader.get());
    for id in ids {
        query = query.bind(id.get());
    }
    query.fetch_all(db).await?.iter().map(content_row).collect()
}

/// An author's posts the reader may see, newest first.
pub async fn by_author<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    author: UserId,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<PostState>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        state_columns!(),
        " FROM social_content c WHERE c.author_id = $2 AND c.id < $3 AND ",
        visible!(),
        " ORDER BY c.id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(author.get())
    .bind(before.map_or(i64::MAX, ContentId::get))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(state_row).collect()
}

/// Posts under a hashtag the reader may see, newest first.
pub async fn by_tag<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    tag: &str,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<PostState>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        state_columns!(),
        " FROM social_content c JOIN social_tags g ON g.content_id = c.id \
         WHERE g.tag = $2 AND c.id < $3 AND ",
        listed!(),
        " ORDER BY c.id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(tag)
    .bind(before.map_or(i64::MAX, ContentId::get))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(state_row).collect()
}
