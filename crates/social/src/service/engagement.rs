//! Likes and threaded comments.

use platform::accounts::{CurrentUser, UserId};
use platform::{AppContext, Error, Result};
use serde_json::json;

use super::{content, mentioned, notification, notify_mentions};
use crate::feed_cache::FeedCache;
use crate::model::{Comment, CommentId, Content, ContentId};
use crate::store;

/// Likes a post the reader may see. Liking twice is one like; the author hears of the first.
pub async fn like(ctx: &AppContext, user: &CurrentUser, id: ContentId) -> Result<Content> {
    let post = content(ctx, user.id, id).await?;
    let mut tx = ctx.db.begin().await?;
    let new = store::like(&mut tx, id, user.id, ctx.clock.now()).await?;
    if new && post.author_id != user.id {
        let n = notification(
            post.author_id,
            "like",
            user.id,
            format!("content:{id}"),
            json!({ "content_id": id }),
        );
        ctx.notifications.notify(&mut tx, &n).await?;
    }
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]);
    content(ctx, user.id, id).await
}

pub async fn unlike(ctx: &AppContext, user: &CurrentUser, id: ContentId) -> Result<()> {
    content(ctx, user.id, id).await?;
    let mut tx = ctx.db.begin().await?;
    store::unlike(&mut tx, id, user.id).await?;
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]);
    Ok(())
}

/// Comments on a post the reader may see, or replies to a comment on it.
pub async fn comment(
    ctx: &AppContext,
    user: &CurrentUser,
    id: ContentId,
    text: String,
    parent: Option<CommentId>,
) -> Result<Comment> {
    let post = content(ctx, user.id, id).await?;
    let (parent_author, root) = match parent {
        None => (None, None),
        Some(parent) => match store::comment_parent(ctx.db.reader(), parent).await? {
            Some((on, author, root)) if on == id => (Some(author), Some(root)),
            _ => {
                return Err(Error::invalid_field(
                    "parent_comment_id",
                    "is not a comment on this post",
                ));
            }
        },
    };
    let comment = Comment {
        id: CommentId::from_raw(ctx.next_id()),
        content_id: id,
        user_id: user.id,
        parent_comment_id: parent,
        text,
        created_at: ctx.clock.now(),
        replies: Vec::new(),
    };
    let mentions = mentioned(ctx, user.id, &comment.text).await?;
    let mut tx = ctx.db.begin().await?;
    store::insert_comment(&mut tx, &comment, root.unwrap_or(comment.id)).await?;
    let subject = format!("content:{id}");
    let data = json!({ "content_id": id, "comment_id": comment.id });
    if post.author_id != user.id {
        let n = notification(
            post.author_id,
            "comment",
            user.id,
            subject.clone(),
            data.clone(),
        );
        ctx.notifications.notify(&mut tx, &n).await?;
    }
    if let Some(author) = parent_author.filter(|a| *a != user.id && *a != post.author_id) {
        let n = notification(author, "reply", user.id, subject, data);
        ctx.notifications.notify(&mut tx, &n).await?;
    }
    notify_mentions(ctx, &mut tx, user.id, &mentions, id).await?;
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]);
    Ok(comment)
}

/// A page of a post's comments as threads: top-level comments oldest first, each with its
/// replies nested to any depth.
pub async fn threads(
    ctx: &AppContext,
    reader: UserId,
    id: ContentId,
    after: Option<CommentId>,
    limit: i64,
) -> Result<Vec<Comment>> {
    content(ctx, reader, id).await?;
    let flat = store::threads(ctx.db.reader(), reader, id, after, limit).await?;
    Ok(tree(flat))
}

/// Nests comments (oldest first) under their parents. A reply whose parent is hidden from the
/// reader is hidden with it.
fn tree(flat: Vec<Comment>) -> Vec<Comment> {
    fn attach(nodes: &mut [Comment], mut child: Comment) -> Option<Comment> {
        for node in nodes.iter_mut().rev() {
            if Some(node.id) == child.parent_comment_id {
                node.replies.push(child);
                return None;
            }
            match attach(&mut node.replies, child) {
                None => return None,
                Some(back) => child = back,
            }
        }
        Some(child)
    }
    let mut roots: Vec<Comment> = Vec::new();
    for comment in flat {
        if comment.parent_comment_id.is_none() {
            roots.push(comment);
        } else {
            // An orphan (its parent hidden) is dropped.
            let _ = attach(&mut roots, comment);
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id: CommentId::from_raw(id),
            content_id: ContentId::from_raw(1),
            user_id: UserId::from_raw(1),
            parent_comment_id: parent.map(CommentId::from_raw),
            text: String::new(),
            created_at: platform::time::Timestamp::from_micros(0),
            replies: Vec::new(),
        }
    }

    #[test]
    fn comments_nest_to_any_depth_and_orphans_drop() {
        let flat = vec![
            c(1, None),
            c(2, Some(1)),
            c(3, None),
            c(4, Some(2)),
            c(5, Some(1)),
            c(6, Some(99)),
        ];
        let roots = tree(flat);
        let shape: Vec<_> = roots
            .iter()
            .map(|r| {
                (
                    r.id.get(),
                    r.replies
                        .iter()
                        .map(|x| (x.id.get(), x.replies.iter().map(|y| y.id.get()).collect()))
                        .collect::<Vec<(i64, Vec<i64>)>>(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![(1, vec![(2, vec![4]), (5, vec![])]), (3, vec![])]
        );
    }
}
