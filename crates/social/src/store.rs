//! social's persistence: all of its SQL.
//!
//! Visibility is decided here, in every query that hands posts to a reader, so that no path can
//! forget it: [`visible!`] is the one predicate, `$1` always the reader.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::model::{
    Body, Comment, CommentId, Content, ContentId, ContentType, Engagement, Visibility,
};

/// Posts (alias `c`) the reader `$1` may see: not deleted, no block either way, and public, or
/// followers-only with the reader following, or the reader's own.
macro_rules! visible {
    () => {
        "c.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM social_blocks b WHERE (b.blocker_id = c.author_id AND b.blocked_id = $1) \
             OR (b.blocker_id = $1 AND b.blocked_id = c.author_id)) \
         AND (c.author_id = $1 OR c.visibility = 'public' OR (c.visibility = 'followers' AND EXISTS \
             (SELECT 1 FROM social_follows f WHERE f.follower_id = $1 AND f.following_id = c.author_id)))"
    };
}

/// Visible posts whose authors the reader has not muted: what lists and timelines show.
macro_rules! listed {
    () => {
        concat!(
            visible!(),
            " AND NOT EXISTS (SELECT 1 FROM social_mutes m WHERE m.muter_id = $1 AND m.muted_id = c.author_id)"
        )
    };
}

/// The columns [`content_row`] reads, with whether the reader `$1` likes the post.
macro_rules! content_columns {
    () => {
        "c.id, c.author_id, c.content_type, c.text, c.media_ids, c.hashtags, c.mentions, c.visibility, \
         c.reshare_of, c.likes_count, c.comments_count, c.shares_count, c.views_count, c.created_at, \
         c.updated_at, CAST(CASE WHEN EXISTS (SELECT 1 FROM social_likes l WHERE l.content_id = c.id \
         AND l.user_id = $1) THEN 1 ELSE 0 END AS BIGINT) AS liked"
    };
}

fn json_list<T: serde::de::DeserializeOwned>(r: &AnyRow, name: &str) -> Result<Vec<T>> {
    let text: String = r.try_get(name)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn content_row(r: &AnyRow) -> Result<Content> {
    let content_type: String = r.try_get("content_type")?;
    let visibility: String = r.try_get("visibility")?;
    let mentions: Vec<i64> = json_list(r, "mentions")?;
    Ok(Content {
        id: ContentId::from_raw(r.try_get("id")?),
        author_id: UserId::from_raw(r.try_get("author_id")?),
        content_type: ContentType::parse(&content_type).unwrap_or(ContentType::Text),
        content: Body {
            text: r.try_get("text")?,
            media_ids: json_list(r, "media_ids")?,
            hashtags: json_list(r, "hashtags")?,
            mentions: mentions.into_iter().map(UserId::from_raw).collect(),
        },
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Private),
        reshare_of: r
            .try_get::<Option<i64>, _>("reshare_of")?
            .map(ContentId::from_raw),
        engagement: Engagement {
            likes_count: r.try_get("likes_count")?,
            comments_count: r.try_get("comments_count")?,
            shares_count: r.try_get("shares_count")?,
            views_count: r.try_get("views_count")?,
        },
        liked: r.try_get::<i64, _>("liked")? != 0,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
    })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

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
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT h.id, h.tag, (SELECT COUNT(*) FROM social_tags g JOIN social_content c ON c.id = g.content_id \
         WHERE g.tag = h.tag AND {}) AS posts FROM social_hashtags h WHERE h.id IN ({list})",
        listed!()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(reader.get())
        .fetch_all(db)
        .await?;
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

/// Where a page of a timeline starts and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Only posts older than this one (a `max_id` cursor).
    pub before: Option<ContentId>,
    /// Only posts newer than this one (`since_id`, refresh).
    pub after: Option<ContentId>,
    pub offset: i64,
    pub limit: i64,
}

/// A window of the reader's home timeline, newest first. It merges three sources, each read
/// newest first through its own index and cut at `offset + limit`, so a page costs about as
/// many row lookups as it has rows: posts pushed to the reader's timeline, their own posts, and
/// those of followed authors with at least `pull_threshold` followers (merged here rather than
/// pushed). Every source applies [`listed!`].
pub async fn home<'e, E>(
    db: E,
    reader: UserId,
    pull_threshold: i64,
    window: Window,
) -> Result<Vec<Content>>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let before = window.before.map_or(i64::MAX, ContentId::get);
    let after = window.after.map_or(0, ContentId::get);
    let wanted = window.offset + window.limit;
    let pushed = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_timeline t JOIN social_content c ON c.id = t.content_id \
         WHERE t.user_id = $1 AND t.content_id < $2 AND t.content_id > $3 AND ",
        listed!(),
        " ORDER BY t.content_id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(before)
    .bind(after)
    .bind(wanted)
    .fetch_all(db)
    .await?;
    let own = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.author_id = $1 AND c.id < $2 AND c.id > $3 \
         AND c.deleted_at IS NULL ORDER BY c.id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(before)
    .bind(after)
    .bind(wanted)
    .fetch_all(db)
    .await?;
    let pulled = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.author_id IN (SELECT f.following_id FROM social_follows f \
         JOIN social_accounts a ON a.user_id = f.following_id WHERE f.follower_id = $1 \
         AND a.followers_count >= $5) AND c.id < $2 AND c.id > $3 AND ",
        listed!(),
        " ORDER BY c.id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(before)
    .bind(after)
    .bind(wanted)
    .bind(pull_threshold)
    .fetch_all(db)
    .await?;
    let mut posts = pushed
        .iter()
        .chain(&own)
        .chain(&pulled)
        .map(content_row)
        .collect::<Result<Vec<_>>>()?;
    posts.sort_unstable_by_key(|c| std::cmp::Reverse(c.id));
    posts.dedup_by_key(|c| c.id);
    Ok(posts
        .into_iter()
        .skip(usize::try_from(window.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(window.limit).unwrap_or(0))
        .collect())
}

/// Entries of the reader's timeline and their own posts: an upper bound of their feed's length
/// (posts hidden from them since are dropped only when read), counted from indexes alone.
pub async fn home_count<'e, E: Executor<'e, Database = Any>>(db: E, reader: UserId) -> Result<i64> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM social_timeline WHERE user_id = $1) \
         + (SELECT COUNT(*) FROM social_content WHERE author_id = $1 AND deleted_at IS NULL)",
    )
    .bind(reader.get())
    .fetch_one(db)
    .await?;
    Ok(row.try_get(0)?)
}

/// The reader's likes and comments since `since`, per author of the posts they went to.
pub async fn interactions<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    since: Timestamp,
) -> Result<std::collections::HashMap<UserId, i64>> {
    let rows = sqlx::query(
        "SELECT c.author_id, COUNT(*) AS n FROM social_likes l JOIN social_content c ON c.id = l.content_id \
         WHERE l.user_id = $1 AND l.created_at >= $2 GROUP BY c.author_id \
         UNION ALL \
         SELECT c.author_id, COUNT(*) AS n FROM social_comments k JOIN social_content c ON c.id = k.content_id \
         WHERE k.user_id = $1 AND k.created_at >= $2 AND k.deleted_at IS NULL GROUP BY c.author_id",
    )
    .bind(reader.get())
    .bind(since.micros())
    .fetch_all(db)
    .await?;
    let mut counts = std::collections::HashMap::new();
    for r in &rows {
        let author = UserId::from_raw(r.try_get(0)?);
        *counts.entry(author).or_insert(0) += r.try_get::<i64, _>(1)?;
    }
    Ok(counts)
}

/// An author's posts the reader may see, newest first.
pub async fn by_author<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    author: UserId,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<Content>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
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
    rows.iter().map(content_row).collect()
}

/// Posts under a hashtag the reader may see, newest first.
pub async fn by_tag<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    tag: &str,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<Content>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
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
    rows.iter().map(content_row).collect()
}

/// Pushes a new post to the home timelines of its author's followers.
pub async fn fan_out(tx: &mut Tx, id: ContentId, author: UserId) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO social_timeline (user_id, content_id, author_id) \
         SELECT follower_id, $1, $2 FROM social_follows WHERE following_id = $2 \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.get())
    .bind(author.get())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Followers who would see the author's new public or followers-only post in their feed: all
/// but those who muted the author (blocks already ended any follow).
pub async fn live_audience<'e, E: Executor<'e, Database = Any>>(
    db: E,
    author: UserId,
) -> Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT f.follower_id FROM social_follows f WHERE f.following_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM social_mutes m WHERE m.muter_id = f.follower_id AND m.muted_id = $1)",
    )
    .bind(author.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Copies an author's latest posts into a new follower's timeline, so following shows them.
pub async fn backfill(tx: &mut Tx, reader: UserId, author: UserId, posts: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_timeline (user_id, content_id, author_id) \
         SELECT $1, id, author_id FROM (SELECT id, author_id FROM social_content \
         WHERE author_id = $2 AND deleted_at IS NULL ORDER BY id DESC LIMIT $3) AS latest WHERE true \
         ON CONFLICT DO NOTHING",
    )
    .bind(reader.get())
    .bind(author.get())
    .bind(posts)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an author's posts out of a reader's timeline (unfollow, block).
pub async fn drop_from_timeline(tx: &mut Tx, reader: UserId, author: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_timeline WHERE user_id = $1 AND author_id = $2")
        .bind(reader.get())
        .bind(author.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

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

fn comment_row(r: &AnyRow) -> Result<Comment> {
    Ok(Comment {
        id: CommentId::from_raw(r.try_get("id")?),
        content_id: ContentId::from_raw(r.try_get("content_id")?),
        user_id: UserId::from_raw(r.try_get("user_id")?),
        parent_comment_id: r
            .try_get::<Option<i64>, _>("parent_comment_id")?
            .map(CommentId::from_raw),
        text: r.try_get("text")?,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        replies: Vec::new(),
    })
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

/// Whether one of the two blocks the other.
pub async fn blocked_either_way<'e, E: Executor<'e, Database = Any>>(
    db: E,
    a: UserId,
    b: UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM social_blocks WHERE (blocker_id = $1 AND blocked_id = $2) \
         OR (blocker_id = $2 AND blocked_id = $1)",
    )
    .bind(a.get())
    .bind(b.get())
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

async fn ensure_account(tx: &mut Tx, user: UserId) -> Result<()> {
    sqlx::query("INSERT INTO social_accounts (user_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records that `follower` follows `target`, keeping both counts; whether it is new.
pub async fn follow(tx: &mut Tx, follower: UserId, target: UserId, now: Timestamp) -> Result<bool> {
    ensure_account(tx, follower).await?;
    ensure_account(tx, target).await?;
    let done = sqlx::query(
        "INSERT INTO social_follows (follower_id, following_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(follower.get())
    .bind(target.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    let new = done.rows_affected() == 1;
    if new {
        follow_counts(tx, follower, target, 1).await?;
    }
    Ok(new)
}

pub async fn unfollow(tx: &mut Tx, follower: UserId, target: UserId) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM social_follows WHERE follower_id = $1 AND following_id = $2")
            .bind(follower.get())
            .bind(target.get())
            .execute(&mut **tx)
            .await?;
    let gone = done.rows_affected() == 1;
    if gone {
        follow_counts(tx, follower, target, -1).await?;
    }
    Ok(gone)
}

async fn follow_counts(tx: &mut Tx, follower: UserId, target: UserId, delta: i64) -> Result<()> {
    sqlx::query(
        "UPDATE social_accounts SET following_count = following_count + $2 WHERE user_id = $1",
    )
    .bind(follower.get())
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE social_accounts SET followers_count = followers_count + $2 WHERE user_id = $1",
    )
    .bind(target.get())
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `follower` follows `target`.
pub async fn follows<'e, E: Executor<'e, Database = Any>>(
    db: E,
    follower: UserId,
    target: UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM social_follows WHERE follower_id = $1 AND following_id = $2",
    )
    .bind(follower.get())
    .bind(target.get())
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

/// `(locked, followers, following)` of an account.
pub async fn account<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<(bool, i64, i64)> {
    let row = sqlx::query(
        "SELECT locked, followers_count, following_count FROM social_accounts WHERE user_id = $1",
    )
    .bind(user.get())
    .fetch_optional(db)
    .await?;
    match row {
        Some(r) => Ok((
            r.try_get::<i64, _>("locked")? != 0,
            r.try_get("followers_count")?,
            r.try_get("following_count")?,
        )),
        None => Ok((false, 0, 0)),
    }
}

pub async fn set_locked(tx: &mut Tx, user: UserId, locked: bool) -> Result<()> {
    ensure_account(tx, user).await?;
    sqlx::query("UPDATE social_accounts SET locked = $2 WHERE user_id = $1")
        .bind(user.get())
        .bind(i64::from(locked))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Follower count of an author, for the fan-out decision.
pub async fn followers_count<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<i64> {
    Ok(account(db, user).await?.1)
}

pub async fn request_follow(
    tx: &mut Tx,
    requester: UserId,
    target: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO social_follow_requests (requester_id, target_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(requester.get())
    .bind(target.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a pending request; whether there was one.
pub async fn take_request(tx: &mut Tx, requester: UserId, target: UserId) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM social_follow_requests WHERE requester_id = $1 AND target_id = $2",
    )
    .bind(requester.get())
    .bind(target.get())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn pending_requests<'e, E: Executor<'e, Database = Any>>(
    db: E,
    target: UserId,
) -> Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT requester_id FROM social_follow_requests WHERE target_id = $1 ORDER BY created_at",
    )
    .bind(target.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Ids on one side of the follow graph, newest first after the cursor (`before` = a user id).
pub async fn follow_list<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
    followers: bool,
    before: Option<UserId>,
    limit: i64,
) -> Result<Vec<UserId>> {
    let sql = if followers {
        "SELECT follower_id FROM social_follows WHERE following_id = $1 AND follower_id < $2 \
         ORDER BY follower_id DESC LIMIT $3"
    } else {
        "SELECT following_id FROM social_follows WHERE follower_id = $1 AND following_id < $2 \
         ORDER BY following_id DESC LIMIT $3"
    };
    let rows = sqlx::query(sql)
        .bind(user.get())
        .bind(before.map_or(i64::MAX, UserId::get))
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Blocks `blocked`: any follow between the two ends, and each leaves the other's timeline.
pub async fn block(tx: &mut Tx, blocker: UserId, blocked: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(blocker.get())
    .bind(blocked.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    for (a, b) in [(blocker, blocked), (blocked, blocker)] {
        unfollow(tx, a, b).await?;
        take_request(tx, a, b).await?;
        drop_from_timeline(tx, a, b).await?;
    }
    Ok(())
}

pub async fn unblock(tx: &mut Tx, blocker: UserId, blocked: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker.get())
        .bind(blocked.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mute(tx: &mut Tx, muter: UserId, muted: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_mutes (muter_id, muted_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(muter.get())
    .bind(muted.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unmute(tx: &mut Tx, muter: UserId, muted: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_mutes WHERE muter_id = $1 AND muted_id = $2")
        .bind(muter.get())
        .bind(muted.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

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
        "DELETE FROM social_timeline WHERE content_id IN",
        "DELETE FROM social_content_edits WHERE content_id IN",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("{table} ({doomed})")))
            .bind(cutoff.micros())
            .execute(&mut **tx)
            .await?;
    }
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

/// What changes when something enters the reader's feed: how many posts their timeline holds
/// and the newest of them (fan-outs can land out of order, so the newest alone would miss an
/// older post arriving late), and their own newest post. Index probes and an index-only count;
/// a cached feed page stays good while this does.
pub async fn feed_mark<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
) -> Result<[i64; 3]> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM social_timeline WHERE user_id = $1), \
         COALESCE((SELECT MAX(content_id) FROM social_timeline WHERE user_id = $1), 0), \
         COALESCE((SELECT MAX(id) FROM social_content WHERE author_id = $1), 0)",
    )
    .bind(reader.get())
    .fetch_one(db)
    .await?;
    Ok([row.try_get(0)?, row.try_get(1)?, row.try_get(2)?])
}

/// The posts among `ids` that the reader may see and has not muted, in no particular order.
pub async fn listed_posts<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    ids: &[ContentId],
) -> Result<Vec<Content>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers only, so the list is safe to inline.
    let list = ids
        .iter()
        .map(|id| id.get().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT {} FROM social_content c WHERE c.id IN ({list}) AND {}",
        content_columns!(),
        listed!()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(reader.get())
        .fetch_all(db)
        .await?;
    rows.iter().map(content_row).collect()
}
