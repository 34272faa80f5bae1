//! Events social publishes and consumes.
//!
//! `social.content_created` `{content_id, author_id, visibility, preview}`: with every new post.
//! social consumes it by queueing a `social.push_post` job, which pushes the post to its
//! author's followers' home timelines (authors with fewer followers than the fan-out
//! threshold; bigger ones are merged in at read time) and to the live feed sockets of
//! followers who may see it.
//!
//! On `user.deleted` (from the platform) everything the user wrote leaves every view at once;
//! the platform's purge later calls `forget`, which removes it for good.
//!
//! `social.content_edited` `{content_id}` and `social.content_deleted` `{content_id}`: with
//! every edit and deletion. social consumes all three to keep its search documents current.
//!
//! On `wellness.achievement.shared` `{user_id, text}` (from the wellness app, when it runs) the
//! member's achievement becomes a post for their followers. Apps meet only here, on the bus.

use async_trait::async_trait;
use platform::AppContext;
use platform::accounts::UserId;
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::jobs::{JobHandler, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::{Content, ContentId, Visibility};
use crate::store;

pub const CONTENT_CREATED: &str = "social.content_created";
/// The job that pushes a new post to its author's followers.
pub const PUSH_POST: &str = "social.push_post";
/// Published by the platform when an account is deleted.
pub const USER_DELETED: &str = "user.deleted";
/// The hourly job that removes posts deleted more than [`RETENTION_DAYS`] ago.
pub const PURGE_DELETED: &str = "social.purge_deleted";
/// How long a deleted post is kept before it is purged (seed 004's retention).
pub const RETENTION_DAYS: u64 = 30;
/// Published by the wellness app when a member shares a goal streak.
pub const ACHIEVEMENT_SHARED: &str = "wellness.achievement.shared";
pub const CONTENT_EDITED: &str = "social.content_edited";
pub const CONTENT_DELETED: &str = "social.content_deleted";

/// Characters of a post's text that travel in live previews.
const PREVIEW_CHARS: usize = 140;

/// The topic a user's live feed socket listens on.
pub fn feed_topic(user: UserId) -> String {
    format!("{FEED_TOPIC}{user}")
}

/// What every user's [`feed_topic`] starts with.
const FEED_TOPIC: &str = "social:feed:";

#[derive(Debug, Serialize, Deserialize)]
pub struct ContentCreated {
    pub content_id: ContentId,
    pub author_id: UserId,
    pub visibility: Visibility,
    pub preview: serde_json::Value,
}

impl ContentCreated {
    pub fn of(content: &Content) -> Self {
        let text: String = content.content.text.chars().take(PREVIEW_CHARS).collect();
        Self {
            content_id: content.id,
            author_id: content.author_id,
            visibility: content.visibility,
            preview: json!({
                "author_id": content.author_id,
                "content_type": content.content_type,
                "text": text,
                "media_ids": content.content.media_ids,
                "reshare_of": content.reshare_of,
                "created_at": content.created_at,
            }),
        }
    }
}

/// Hands each new post to the [`PUSH_POST`] job.
pub struct FanOut;

#[async_trait]
impl Subscriber for FanOut {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        let created: ContentCreated = event.parse()?;
        ctx.jobs
            .enqueue(
                tx,
                NewJob::new(PUSH_POST, event.payload.clone())
                    .dedupe(format!("{PUSH_POST}:{}", created.content_id)),
            )
            .await?;
        Ok(())
    }
}

/// Pushes a new post into its author's followers' home timelines and live sockets,
/// [`PUSH_CHUNK`] followers per transaction.
///
/// SQLite has one writer: pushing to a thousand timelines in one transaction (each row lands
/// on its own index page) held every other write, new posts included, for over 100 ms. In
/// chunks, other writes get in between. A retried job starts over; rows already pushed stay
/// as they are. Each chunk reads the follows as they are then, so someone who unfollows
/// midway is not pushed to afterwards.
///
/// A big author's post (merged into feeds at read time) writes nothing, and only the
/// followers among those with a feed socket open are told, [`TELL_CHUNK`] at a time: going
/// through 50,000 followers for each post, most of them offline, took more of the machine
/// than the feed reads it was meant to leave alone.
pub struct PushPost {
    /// Authors with at least this many followers are pulled at read time instead.
    pub threshold: i64,
}

/// Followers pushed to per transaction.
const PUSH_CHUNK: i64 = 50;
/// Listeners looked up at a time among a big author's followers.
const TELL_CHUNK: usize = 1_000;

/// How far a push chunk reached and which of its followers to tell live.
struct Chunk {
    /// The lowest follower id it covered: the next chunk starts below it.
    lowest: UserId,
    /// Whether the chunk was full, so that more followers may follow it.
    full: bool,
    audience: Vec<UserId>,
}

#[async_trait]
impl JobHandler for PushPost {
    async fn run(&self, ctx: &AppContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        let created: ContentCreated = serde_json::from_value(payload.clone())?;
        let author = created.author_id;
        let push = store::followers_count(ctx.db.reader(), author).await? < self.threshold;
        let message = json!({ "content_id": created.content_id, "preview": created.preview });
        let tell = |audience: Vec<UserId>| {
            for follower in audience {
                ctx.hub
                    .publish_live(&feed_topic(follower), "new_content", message.clone());
            }
        };
        tell(vec![author]);
        if push {
            // Newest followers first, through the followers list's own cursor.
            let mut below: Option<UserId> = None;
            while let Some(chunk) = push_chunk(ctx, &created, below).await? {
                tell(chunk.audience);
                if !chunk.full {
                    break;
                }
                below = Some(chunk.lowest);
            }
        } else if created.visibility != Visibility::Private {
            for users in listening(ctx).chunks(TELL_CHUNK) {
                let among = store::Among::Users(users);
                tell(store::live_audience(ctx.db.reader(), author, among).await?);
            }
        }
        Ok(())
    }
}

/// The users with a feed socket open on this node.
fn listening(ctx: &AppContext) -> Vec<UserId> {
    ctx.hub
        .listening(FEED_TOPIC)
        .iter()
        .filter_map(|user| user.parse().ok())
        .collect()
}

/// Pushes the post to the next [`PUSH_CHUNK`] followers below `below`, in one transaction.
async fn push_chunk(
    ctx: &AppContext,
    created: &ContentCreated,
    below: Option<UserId>,
) -> platform::Result<Option<Chunk>> {
    let author = created.author_id;
    let mut tx = ctx.db.begin().await?;
    let followers = store::follow_list(&mut *tx, author, true, below, PUSH_CHUNK).await?;
    let Some(range) = covered(&followers, below) else {
        return Ok(None);
    };
    store::fan_out(&mut tx, created.content_id, author, range).await?;
    let audience = if created.visibility == Visibility::Private {
        Vec::new()
    } else {
        store::live_audience(&mut *tx, author, store::Among::Range(range.0, range.1)).await?
    };
    tx.commit().await?;
    Ok(Some(Chunk {
        lowest: UserId::from_raw(range.0),
        full: followers.len() == usize::try_from(PUSH_CHUNK).unwrap_or(usize::MAX),
        audience,
    }))
}

/// The follower ids a page of the followers list (newest first, below `below`) covers.
fn covered(followers: &[UserId], below: Option<UserId>) -> Option<(i64, i64)> {
    let lowest = followers.last()?;
    Some((lowest.get(), below.map_or(i64::MAX, UserId::get)))
}

/// Hides a deleting account's posts and comments and ends its follows.
pub struct HideAuthor;

#[async_trait]
impl Subscriber for HideAuthor {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Subject {
            user_id: UserId,
        }
        let subject: Subject = event.parse()?;
        store::hide_author(tx, subject.user_id, ctx.clock.now()).await?;
        Ok(())
    }
}

/// Posts a shared achievement for its member.
pub struct PostAchievement;

#[async_trait]
impl Subscriber for PostAchievement {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Achievement {
            user_id: UserId,
            text: String,
        }
        let achievement: Achievement = event.parse()?;
        crate::service::create_in(ctx, tx, achievement.user_id, achievement.text).await?;
        Ok(())
    }
}

/// Removes posts deleted more than [`RETENTION_DAYS`] ago.
pub struct PurgeDeleted;

#[async_trait]
impl JobHandler for PurgeDeleted {
    async fn run(&self, ctx: &AppContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        let cutoff = ctx
            .clock
            .now()
            .minus(std::time::Duration::from_secs(RETENTION_DAYS * 86_400));
        let mut tx = ctx.db.begin().await?;
        let purged = store::purge_deleted(&mut tx, cutoff).await?;
        tx.commit().await?;
        if purged > 0 {
            tracing::info!(purged, "purged deleted posts");
        }
        Ok(())
    }
}
