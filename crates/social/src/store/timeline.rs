//! Home timelines: the fan-out that fills them and the reads that merge them.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::{content_row, state_row};
use crate::model::{Content, ContentId};
use crate::post::PostState;

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
    // With a full window pushed, an older post of the other sources has `wanted` newer ones
    // ahead of it and cannot make the page: they are read only above the oldest pushed one.
    // A big author may have thousands of posts, and this keeps the pulled read to the page.
    let after = match pushed.last() {
        Some(oldest) if i64::try_from(pushed.len()).is_ok_and(|n| n == wanted) => {
            oldest.try_get::<i64, _>("id")?
        }
        _ => after,
    };
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
    let pulled = pulled_rows(db, reader, pull_threshold, (before, after), wanted).await?;
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

/// Posts of the authors the reader follows that have at least `pull_threshold` followers,
/// with ids strictly between `after` and `before` ([`listed!`]), newest first. The big
/// authors are few and found through the index on follower counts, each then a probe into
/// the reader's follows: a reader following thousands costs no more than one following ten.
async fn pulled_rows<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    pull_threshold: i64,
    (before, after): (i64, i64),
    limit: i64,
) -> Result<Vec<AnyRow>> {
    Ok(sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM social_content c WHERE c.author_id IN (SELECT a.user_id FROM social_accounts a \
         WHERE a.followers_count >= $5 AND EXISTS (SELECT 1 FROM social_follows f \
         WHERE f.follower_id = $1 AND f.following_id = a.user_id)) AND c.id < $2 AND c.id > $3 AND ",
        listed!(),
        " ORDER BY c.id DESC LIMIT $4"
    ))
    .bind(reader.get())
    .bind(before)
    .bind(after)
    .bind(limit)
    .bind(pull_threshold)
    .fetch_all(db)
    .await?)
}

/// The posts of big authors (see [`home`]) the reader may see that are newer than `after`,
/// newest first, at most `limit`.
pub async fn pulled_since<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    pull_threshold: i64,
    after: ContentId,
    limit: i64,
) -> Result<Vec<Content>> {
    pulled_rows(db, reader, pull_threshold, (i64::MAX, after.get()), limit)
        .await?
        .iter()
        .map(content_row)
        .collect()
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

/// The end of an insert into `social_feed_marks` that moves an existing reader's mark on.
macro_rules! bump_mark {
    () => {
        "ON CONFLICT (user_id) DO UPDATE SET version = social_feed_marks.version + 1"
    };
}

/// Pushes a new post to the home timelines of its author's followers whose ids lie in
/// `[lowest, below)`, moving their feed marks on.
pub async fn fan_out(
    tx: &mut Tx,
    id: ContentId,
    author: UserId,
    (lowest, below): (i64, i64),
) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO social_timeline (user_id, content_id, author_id) \
         SELECT follower_id, $1, $2 FROM social_follows \
         WHERE following_id = $2 AND follower_id >= $3 AND follower_id < $4 \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.get())
    .bind(author.get())
    .bind(lowest)
    .bind(below)
    .execute(&mut **tx)
    .await?;
    sqlx::query(concat!(
        "INSERT INTO social_feed_marks (user_id, version) \
         SELECT follower_id, 1 FROM social_follows \
         WHERE following_id = $1 AND follower_id >= $2 AND follower_id < $3 ",
        bump_mark!()
    ))
    .bind(author.get())
    .bind(lowest)
    .bind(below)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Moves the reader's feed mark on: their timeline took posts in or let them go.
async fn bump(tx: &mut Tx, reader: UserId) -> Result<()> {
    sqlx::query(concat!(
        "INSERT INTO social_feed_marks (user_id, version) VALUES ($1, 1) ",
        bump_mark!()
    ))
    .bind(reader.get())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which followers of an author [`live_audience`] looks among.
#[derive(Debug, Clone, Copy)]
pub enum Among<'a> {
    /// Follower ids in `[lowest, below)`.
    Range(i64, i64),
    /// These users, where they follow the author.
    Users(&'a [UserId]),
}

/// Followers who would see the author's new public or followers-only post in their feed: all
/// but those who muted the author (blocks already ended any follow).
pub async fn live_audience<'e, E: Executor<'e, Database = Any>>(
    db: E,
    author: UserId,
    among: Among<'_>,
) -> Result<Vec<UserId>> {
    let which = match among {
        Among::Range(..) => "f.follower_id >= $2 AND f.follower_id < $3".to_owned(),
        Among::Users([]) => return Ok(Vec::new()),
        Among::Users(users) => format!(
            "f.follower_id IN ({})",
            platform::db::placeholders(2, users.len())
        ),
    };
    let sql = format!(
        "SELECT f.follower_id FROM social_follows f WHERE f.following_id = $1 AND {which} \
         AND NOT EXISTS (SELECT 1 FROM social_mutes m WHERE m.muter_id = f.follower_id \
         AND m.muted_id = $1)"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(author.get());
    match among {
        Among::Range(lowest, below) => query = query.bind(lowest).bind(below),
        Among::Users(users) => {
            for user in users {
                query = query.bind(user.get());
            }
        }
    }
    let rows = query.fetch_all(db).await?;
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
    bump(tx, reader).await
}

/// Takes an author's posts out of a reader's timeline (unfollow, block).
pub async fn drop_from_timeline(tx: &mut Tx, reader: UserId, author: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_timeline WHERE user_id = $1 AND author_id = $2")
        .bind(reader.get())
        .bind(author.get())
        .execute(&mut **tx)
        .await?;
    bump(tx, reader).await
}

/// The columns of the reader `$1`'s feed mark (see [`FeedMark`]), with `$2` the pull
/// threshold.
macro_rules! mark_columns {
    () => {
        "COALESCE((SELECT version FROM social_feed_marks WHERE user_id = $1), 0) AS mark_version, \
         COALESCE((SELECT MAX(id) FROM social_content WHERE author_id = $1), 0) AS mark_own, \
         COALESCE((SELECT MAX((SELECT MAX(p.id) FROM social_content p WHERE p.author_id = a.user_id)) \
             FROM social_accounts a WHERE a.followers_count >= $2 AND EXISTS (SELECT 1 FROM social_follows f \
             WHERE f.follower_id = $1 AND f.following_id = a.user_id)), 0) AS mark_pulled"
    };
}

/// What changes when something enters the reader's feed or leaves it. A cached feed page
/// stays good while this does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedMark {
    /// How many times their timeline has changed: every push, backfill and drop moves it on,
    /// in the transaction that makes the change.
    version: i64,
    /// Their own newest post.
    own: i64,
    /// The newest post of the authors they follow that are merged in at read time (those
    /// with at least the pull threshold of followers). Nothing is pushed for these, so
    /// nothing moves `version`; the big authors are few, each a probe or two.
    pulled: i64,
}

impl FeedMark {
    /// When all that entered the reader's feed between `earlier` and this mark are posts of
    /// big authors, the newest of those posts `earlier` knew: what came later is what
    /// [`pulled_since`] reads from it. `None` when anything else moved.
    pub fn pulled_on_from(self, earlier: FeedMark) -> Option<ContentId> {
        (self.version == earlier.version && self.own == earlier.own && self.pulled > earlier.pulled)
            .then_some(ContentId::from_raw(earlier.pulled))
    }
}

/// The reader's feed mark, with `pull_threshold` as [`home`] takes it.
pub async fn feed_mark<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    pull_threshold: i64,
) -> Result<FeedMark> {
    let row = sqlx::query(concat!("SELECT ", mark_columns!()))
        .bind(reader.get())
        .bind(pull_threshold)
        .fetch_one(db)
        .await?;
    mark_of(&row)
}

fn mark_of(row: &AnyRow) -> Result<FeedMark> {
    Ok(FeedMark {
        version: row.try_get("mark_version")?,
        own: row.try_get("mark_own")?,
        pulled: row.try_get("mark_pulled")?,
    })
}

/// The state ([`PostState`]) of the posts of `ids` the reader may see ([`listed!`]), with
/// their feed mark read in the same statement: a cached page costs one round trip, and its
/// posts are used only while the mark is still the page's. Their text is not read: a cached
/// page's posts are most likely written already.
pub async fn marked_states<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    pull_threshold: i64,
    ids: &[ContentId],
) -> Result<(FeedMark, Vec<PostState>)> {
    if ids.is_empty() {
        return Ok((feed_mark(db, reader, pull_threshold).await?, Vec::new()));
    }
    let sql = format!(
        "SELECT m.mark_version, m.mark_own, m.mark_pulled, {} FROM (SELECT {}) m \
         LEFT JOIN social_content c ON c.id IN ({}) AND {}",
        state_columns!(),
        mark_columns!(),
        platform::db::placeholders(3, ids.len()),
        listed!()
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(reader.get())
        .bind(pull_threshold);
    for id in ids {
        query = query.bind(id.get());
    }
    let rows = query.fetch_all(db).await?;
    let Some(first) = rows.first() else {
        return Err(platform::Error::internal(anyhow::anyhow!(
            "the feed mark read no row"
        )));
    };
    let mark = mark_of(first)?;
    let mut states = Vec::with_capacity(rows.len());
    for row in &rows {
        // Without a visible post the join still yields the mark, with no post beside it.
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            states.push(state_row(row)?);
        }
    }
    Ok((mark, states))
}
