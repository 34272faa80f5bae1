//! social's use cases: rules, transactions, events and notifications.

use platform::accounts::{UserId, service as accounts};
use platform::db::Tx;
use platform::files::MediaId;
use platform::notifications::NewNotification;
use platform::{AppContext, Error, Result};
use serde_json::json;

use crate::markup;
use crate::model::{ContentId, ContentType, MAX_TAGS, Visibility};
use crate::store;

/// A post as the author sends it, already checked field by field.
#[derive(Debug, Clone)]
pub struct NewContent {
    pub content_type: ContentType,
    pub text: String,
    pub media_ids: Vec<MediaId>,
    pub visibility: Visibility,
}

fn notification(
    user: UserId,
    kind: &'static str,
    actor: UserId,
    subject: String,
    data: serde_json::Value,
) -> NewNotification {
    NewNotification {
        user,
        app: "social",
        kind,
        actor: Some(actor),
        subject: Some(subject),
        group_key: None,
        data,
    }
}

/// The existing users named in `text`, other than the writer.
async fn mentioned(ctx: &AppContext, writer: UserId, text: &str) -> Result<Vec<UserId>> {
    let mut ids = Vec::new();
    for name in markup::mentions(text, MAX_TAGS) {
        if let Some(user) = accounts::find_by_username(ctx, &name).await?
            && user.id != writer
            && !ids.contains(&user.id)
        {
            ids.push(user.id);
        }
    }
    Ok(ids)
}

/// Tells each mentioned user who may see the post that they were mentioned.
async fn notify_mentions(
    ctx: &AppContext,
    tx: &mut Tx,
    writer: UserId,
    mentions: &[UserId],
    post: ContentId,
) -> Result<()> {
    for &user in mentions {
        if store::content(&mut **tx, user, post).await?.is_some() {
            let n = notification(
                user,
                "mention",
                writer,
                format!("content:{post}"),
                json!({ "content_id": post }),
            );
            ctx.notifications.notify(tx, &n).await?;
        }
    }
    Ok(())
}

async fn existing_user(ctx: &AppContext, id: UserId) -> Result<()> {
    accounts::find_user(ctx, id)
        .await?
        .map(|_| ())
        .ok_or_else(|| Error::not_found("no such user"))
}

mod engagement;
mod feed;
mod graph;
mod posts;
mod present;

pub use engagement::{comment, like, threads, unlike};
pub use feed::{FeedOrder, FeedPage, by_author, by_tag, feed, refresh};
pub use graph::{
    FollowState, Relationship, Restriction, answer_request, follow, follow_list, relationship,
    requests, restrict, set_locked, unfollow,
};
pub use posts::{content, create, create_at, create_in, delete, edit, history, share};
pub use present::{present, present_one};
