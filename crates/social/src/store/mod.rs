//! social's persistence: all of its SQL.
//!
//! Visibility is decided here, in every query that hands posts to a reader, so that no path can
//! forget it: [`visible!`] is the one predicate, `$1` always the reader.

use platform::Result;
use platform::accounts::UserId;
use platform::time::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{
    Body, Comment, CommentId, Content, ContentId, ContentType, Engagement, Visibility,
};
use crate::post::PostState;

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

/// Whether the reader `$1` likes the post `c`, as the column `liked`.
macro_rules! liked_column {
    () => {
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM social_likes l WHERE l.content_id = c.id \
         AND l.user_id = $1) THEN 1 ELSE 0 END AS BIGINT) AS liked"
    };
}

/// The columns [`state_row`] reads: what of a post changes without an edit.
macro_rules! state_columns {
    () => {
        concat!(
            "c.id, c.updated_at, c.likes_count, c.comments_count, c.shares_count, c.views_count, ",
            liked_column!()
        )
    };
}

/// The columns [`content_row`] reads, with whether the reader `$1` likes the post.
macro_rules! content_columns {
    () => {
        concat!(
            "c.id, c.author_id, c.content_type, c.text, c.media_ids, c.hashtags, c.mentions, c.visibility, \
             c.reshare_of, c.likes_count, c.comments_count, c.shares_count, c.views_count, c.created_at, \
             c.updated_at, ",
            liked_column!()
        )
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
        engagement: engagement_of(r)?,
        liked: r.try_get::<i64, _>("liked")? != 0,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
    })
}

fn state_row(r: &AnyRow) -> Result<PostState> {
    Ok(PostState {
        id: ContentId::from_raw(r.try_get("id")?),
        updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
        engagement: engagement_of(r)?,
        liked: r.try_get::<i64, _>("liked")? != 0,
    })
}

fn engagement_of(r: &AnyRow) -> Result<Engagement> {
    Ok(Engagement {
        likes_count: r.try_get("likes_count")?,
        comments_count: r.try_get("comments_count")?,
        shares_count: r.try_get("shares_count")?,
        views_count: r.try_get("views_count")?,
    })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
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

mod engagement;
mod graph;
mod lifecycle;
mod posts;
mod timeline;

pub use engagement::{
    add_views, comment_parent, count_share, insert_comment, like, threads, unlike,
};
pub use graph::{
    account, block, blocked_either_way, follow, follow_list, followers_count, follows, mute,
    pending_requests, request_follow, set_locked, standing, take_request, unblock, unfollow,
    unmute,
};
pub use lifecycle::{export, forget, hide_author, purge_deleted};
pub use posts::{
    all_hashtags, all_live_content, by_author, by_tag, content, delete_content, edit_content,
    edits, hashtag_id, hashtags, insert_content, live_content, posts,
};
pub use timeline::{
    Among, FeedMark, Window, backfill, drop_from_timeline, fan_out, feed_mark, home, home_count,
    interactions, live_audience, marked_states, pulled_since,
};

/// What operators count on the admin page (`GET /api/v1/admin/stats`).
pub async fn counts<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
) -> platform::Result<Vec<(&'static str, i64)>> {
    platform::db::counts(
        db,
        &[
            ("posts", "social_content WHERE deleted_at IS NULL"),
            ("comments", "social_comments WHERE deleted_at IS NULL"),
            ("likes", "social_likes"),
            ("follows", "social_follows"),
        ],
    )
    .await
}
