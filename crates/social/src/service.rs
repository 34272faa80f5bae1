//! social's use cases: rules, transactions, events and notifications.

use platform::accounts::{CurrentUser, UserId, service as accounts};
use platform::db::Tx;
use platform::files::MediaId;
use platform::notifications::NewNotification;
use platform::{AppContext, Error, Result};
use serde_json::json;

use crate::events::{self, ContentCreated};
use crate::feed_cache::{CachedPage, FeedCache};
use crate::markup;
use crate::model::{
    Body, Comment, CommentId, Content, ContentId, ContentType, Engagement, MAX_TAGS, Visibility,
};
use crate::rank::{self, Score};
use crate::store;

/// How many of an author's latest posts a new follower's timeline receives.
const BACKFILL: i64 = 100;

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

/// Checks that every attached upload is the author's and fits the post type.
async fn check_media(ctx: &AppContext, author: UserId, new: &NewContent) -> Result<Vec<String>> {
    let mut urls = Vec::with_capacity(new.media_ids.len());
    for (i, &id) in new.media_ids.iter().enumerate() {
        let field = format!("media_ids[{i}]");
        let media = platform::files::find(ctx.db.reader(), id)
            .await?
            .filter(|m| m.owner_id == author)
            .ok_or_else(|| Error::invalid_field(&field, "is not one of your uploads"))?;
        let fits = match new.content_type {
            ContentType::Image => media.kind == "image",
            ContentType::Video => media.kind == "video" || media.kind == "image",
            ContentType::Text | ContentType::Link => true,
        };
        if !fits {
            return Err(Error::invalid_field(
                &field,
                format!(
                    "is a {} upload, not fit for a {} post",
                    media.kind,
                    new.content_type.as_str()
                ),
            ));
        }
        urls.push(id.to_string());
    }
    if matches!(new.content_type, ContentType::Image | ContentType::Video) && urls.is_empty() {
        return Err(Error::invalid_field(
            "media_ids",
            "an image or video post needs at least one upload",
        ));
    }
    Ok(urls)
}

/// Publishes a post; its followers' timelines receive it through the bus, not in this request.
pub async fn create(ctx: &AppContext, author: &CurrentUser, new: NewContent) -> Result<Content> {
    create_at(ctx, author, new, ctx.clock.now()).await
}

/// [`create`], dated `now` (the demo dataset spreads its posts over past days).
pub async fn create_at(
    ctx: &AppContext,
    author: &CurrentUser,
    new: NewContent,
    now: platform::time::Timestamp,
) -> Result<Content> {
    let media_ids = check_media(ctx, author.id, &new).await?;
    let content = Content {
        id: ContentId::from_raw(ctx.next_id()),
        author_id: author.id,
        content_type: new.content_type,
        content: Body {
            hashtags: markup::hashtags(&new.text, MAX_TAGS),
            mentions: mentioned(ctx, author.id, &new.text).await?,
            text: new.text,
            media_ids,
        },
        visibility: new.visibility,
        reshare_of: None,
        engagement: Engagement::default(),
        liked: false,
        created_at: now,
        updated_at: now,
    };
    let mut tx = ctx.db.begin().await?;
    publish(ctx, &mut tx, &content).await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(content)
}

/// Stores a new post with its event and mention notifications in the caller's transaction.
async fn publish(ctx: &AppContext, tx: &mut Tx, content: &Content) -> Result<()> {
    store::insert_content(tx, content).await?;
    if let Some(original) = content.reshare_of {
        store::count_share(tx, original).await?;
    }
    ctx.bus
        .publish(tx, events::CONTENT_CREATED, &ContentCreated::of(content))
        .await?;
    notify_mentions(
        ctx,
        tx,
        content.author_id,
        &content.content.mentions,
        content.id,
    )
    .await
}

/// A post the reader may see; 404 otherwise, whether it never existed or is hidden from them.
pub async fn content(ctx: &AppContext, reader: UserId, id: ContentId) -> Result<Content> {
    store::content(ctx.db.reader(), reader, id)
        .await?
        .ok_or_else(|| Error::not_found("no such post"))
}

/// Reshares a public post, with optional quote text, as a new post of the sharer.
pub async fn share(
    ctx: &AppContext,
    sharer: &CurrentUser,
    original: ContentId,
    text: String,
    visibility: Visibility,
) -> Result<Content> {
    let source = content(ctx, sharer.id, original).await?;
    if source.visibility != Visibility::Public {
        return Err(Error::forbidden(
            "only public posts can be shared; this one is for its audience alone",
        ));
    }
    let now = ctx.clock.now();
    let shared = Content {
        id: ContentId::from_raw(ctx.next_id()),
        author_id: sharer.id,
        content_type: ContentType::Text,
        content: Body {
            hashtags: markup::hashtags(&text, MAX_TAGS),
            mentions: mentioned(ctx, sharer.id, &text).await?,
            text,
            media_ids: Vec::new(),
        },
        visibility,
        reshare_of: Some(original),
        engagement: Engagement::default(),
        liked: false,
        created_at: now,
        updated_at: now,
    };
    let mut tx = ctx.db.begin().await?;
    publish(ctx, &mut tx, &shared).await?;
    if source.author_id != sharer.id {
        let n = notification(
            source.author_id,
            "share",
            sharer.id,
            format!("content:{original}"),
            json!({ "content_id": original, "share_id": shared.id }),
        );
        ctx.notifications.notify(&mut tx, &n).await?;
    }
    tx.commit().await?;
    ctx.bus.wake();
    Ok(shared)
}

/// Replaces the text of one's own post; the old text stays in its history.
pub async fn edit(
    ctx: &AppContext,
    author: &CurrentUser,
    id: ContentId,
    text: String,
) -> Result<Content> {
    let before = content(ctx, author.id, id).await?;
    if before.author_id != author.id {
        return Err(Error::forbidden("only the author can edit a post"));
    }
    let body = Body {
        hashtags: markup::hashtags(&text, MAX_TAGS),
        mentions: mentioned(ctx, author.id, &text).await?,
        text,
        media_ids: before.content.media_ids.clone(),
    };
    let newly_mentioned: Vec<UserId> = body
        .mentions
        .iter()
        .copied()
        .filter(|u| !before.content.mentions.contains(u))
        .collect();
    let mut tx = ctx.db.begin().await?;
    store::edit_content(&mut tx, ctx.next_id(), &before, &body, ctx.clock.now()).await?;
    ctx.bus
        .publish(
            &mut tx,
            events::CONTENT_EDITED,
            &json!({ "content_id": id }),
        )
        .await?;
    notify_mentions(ctx, &mut tx, author.id, &newly_mentioned, id).await?;
    tx.commit().await?;
    ctx.bus.wake();
    content(ctx, author.id, id).await
}

/// Earlier texts of one's own post, newest first.
pub async fn history(
    ctx: &AppContext,
    reader: UserId,
    id: ContentId,
) -> Result<Vec<(String, platform::time::Timestamp)>> {
    content(ctx, reader, id).await?;
    store::edits(ctx.db.reader(), id).await
}

/// Deletes one's own post: gone from every view at once, purged later.
pub async fn delete(ctx: &AppContext, author: &CurrentUser, id: ContentId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::delete_content(&mut tx, id, author.id, ctx.clock.now()).await? {
        return Err(Error::not_found("no such post of yours"));
    }
    ctx.bus
        .publish(
            &mut tx,
            events::CONTENT_DELETED,
            &json!({ "content_id": id }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(())
}

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
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
    content(ctx, user.id, id).await
}

pub async fn unlike(ctx: &AppContext, user: &CurrentUser, id: ContentId) -> Result<()> {
    content(ctx, user.id, id).await?;
    let mut tx = ctx.db.begin().await?;
    store::unlike(&mut tx, id, user.id).await?;
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
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
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
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

/// How the home feed is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOrder {
    /// By [`rank::score`], over the newest [`RANK_WINDOW`] posts.
    Ranked,
    /// Newest first.
    Latest,
}

/// How many of the newest home posts the ranked feed orders.
pub const RANK_WINDOW: i64 = 300;
/// How far back the reader's likes and comments count toward affinity.
const AFFINITY_DAYS: u64 = 30;

/// One item of the home feed, with its score when ranked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FeedItem {
    #[serde(flatten)]
    pub content: Content,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
}

/// A page of the home feed (seed 004's shape, plus the cursor for the next page).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    pub page: i64,
    /// Posts in the feed: for latest, the timeline's entries before read-time filtering (an
    /// upper bound); for ranked, the posts in the ranking window.
    pub total: i64,
    pub has_more: bool,
    /// Pass as `max_id` for the next page of the latest feed: no gaps or repeats while posts
    /// keep arriving.
    #[schema(value_type = Option<String>)]
    pub next_max_id: Option<ContentId>,
}

/// A page of the reader's home feed. `before` (a `max_id` cursor) takes precedence over `page`
/// for the latest order. Pages without a cursor come from [`FeedCache`] while it holds them.
pub async fn feed(
    ctx: &AppContext,
    reader: UserId,
    order: FeedOrder,
    page: i64,
    size: i64,
    before: Option<ContentId>,
    pull_threshold: i64,
) -> Result<FeedPage> {
    if before.is_some() {
        return compute_feed(ctx, reader, order, page, size, before, pull_threshold).await;
    }
    let cache = FeedCache::of(ctx);
    let mark = store::feed_mark(ctx.db.reader(), reader).await?;
    let key = cache
        .key(ctx, reader, page, &format!("{order:?}:{size}"))
        .await;
    if let Some(hit) = cache.get(&key).await.filter(|hit| hit.mark == mark) {
        return from_cache(ctx, reader, &hit, page).await;
    }
    let fresh = compute_feed(ctx, reader, order, page, size, None, pull_threshold).await?;
    let cached = CachedPage {
        mark,
        items: fresh
            .items
            .iter()
            .map(|i| (i.content.id, i.score))
            .collect(),
        total: fresh.total,
        has_more: fresh.has_more,
        next_max_id: fresh.next_max_id,
    };
    cache.put(key, cached).await;
    Ok(fresh)
}

/// A cached page with its posts read again, through the visibility rule, in the cached order.
async fn from_cache(
    ctx: &AppContext,
    reader: UserId,
    hit: &CachedPage,
    page: i64,
) -> Result<FeedPage> {
    let ids: Vec<ContentId> = hit.items.iter().map(|(id, _)| *id).collect();
    let mut posts: std::collections::HashMap<ContentId, Content> =
        store::listed_posts(ctx.db.reader(), reader, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let items = hit
        .items
        .iter()
        .filter_map(|(id, score)| {
            posts.remove(id).map(|content| FeedItem {
                content,
                score: *score,
            })
        })
        .collect();
    Ok(FeedPage {
        items,
        page,
        total: hit.total,
        has_more: hit.has_more,
        next_max_id: hit.next_max_id,
    })
}

/// A page of the home feed as computed from the database.
async fn compute_feed(
    ctx: &AppContext,
    reader: UserId,
    order: FeedOrder,
    page: i64,
    size: i64,
    before: Option<ContentId>,
    pull_threshold: i64,
) -> Result<FeedPage> {
    let db = ctx.db.reader();
    match order {
        FeedOrder::Latest => {
            let window = store::Window {
                before,
                after: None,
                offset: if before.is_some() {
                    0
                } else {
                    (page - 1) * size
                },
                limit: size + 1,
            };
            let mut items = store::home(db, reader, pull_threshold, window).await?;
            let has_more = items.len() > usize::try_from(size).unwrap_or(0);
            items.truncate(usize::try_from(size).unwrap_or(0));
            Ok(FeedPage {
                next_max_id: has_more.then(|| items.last().map(|c| c.id)).flatten(),
                items: items
                    .into_iter()
                    .map(|content| FeedItem {
                        content,
                        score: None,
                    })
                    .collect(),
                page,
                total: store::home_count(db, reader).await?,
                has_more,
            })
        }
        FeedOrder::Ranked => {
            let window = store::Window {
                before: None,
                after: None,
                offset: 0,
                limit: RANK_WINDOW,
            };
            let candidates = store::home(db, reader, pull_threshold, window).await?;
            let now = ctx.clock.now();
            let since = now.minus(std::time::Duration::from_secs(AFFINITY_DAYS * 86_400));
            let interactions = store::interactions(db, reader, since).await?;
            let mut scored: Vec<FeedItem> = candidates
                .into_iter()
                .map(|content| {
                    #[allow(clippy::cast_precision_loss)] // microseconds of a post's age
                    let age_hours =
                        (now.micros() - content.created_at.micros()) as f64 / 3_600_000_000.0;
                    let with = interactions.get(&content.author_id).copied().unwrap_or(0);
                    let score = rank::score(age_hours, content.engagement, with);
                    FeedItem {
                        content,
                        score: Some(score),
                    }
                })
                .collect();
            // Stable: equal scores keep newest first.
            scored.sort_by(|a, b| {
                let (a, b) = (
                    a.score.map_or(0.0, |s| s.total),
                    b.score.map_or(0.0, |s| s.total),
                );
                b.total_cmp(&a)
            });
            let total = i64::try_from(scored.len()).unwrap_or(i64::MAX);
            let start = usize::try_from((page - 1) * size).unwrap_or(usize::MAX);
            let items: Vec<FeedItem> = scored
                .into_iter()
                .skip(start)
                .take(usize::try_from(size).unwrap_or(0))
                .collect();
            Ok(FeedPage {
                has_more: (page * size) < total,
                items,
                page,
                total,
                next_max_id: None,
            })
        }
    }
}

/// Posts that entered the reader's home timeline after `last_seen`, newest first.
pub async fn refresh(
    ctx: &AppContext,
    reader: UserId,
    last_seen: ContentId,
    limit: i64,
    pull_threshold: i64,
) -> Result<Vec<Content>> {
    let window = store::Window {
        before: None,
        after: Some(last_seen),
        offset: 0,
        limit,
    };
    store::home(ctx.db.reader(), reader, pull_threshold, window).await
}

/// An author's posts the reader may see, newest first.
pub async fn by_author(
    ctx: &AppContext,
    reader: UserId,
    author: UserId,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<Content>> {
    existing_user(ctx, author).await?;
    store::by_author(ctx.db.reader(), reader, author, before, limit).await
}

/// Posts under a hashtag the reader may see, newest first.
pub async fn by_tag(
    ctx: &AppContext,
    reader: UserId,
    tag: &str,
    before: Option<ContentId>,
    limit: i64,
) -> Result<Vec<Content>> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    store::by_tag(ctx.db.reader(), reader, &tag, before, limit).await
}

/// Where the reader stands toward another user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outgoing {
    None,
    Following,
    /// Asked to follow a locked account; waiting.
    Requested,
}

/// Counts and relations between the reader and another user.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Relationship {
    #[schema(value_type = String)]
    pub user_id: UserId,
    pub followers_count: i64,
    pub following_count: i64,
    pub locked: bool,
    /// The reader toward them.
    pub outgoing: Outgoing,
    /// They follow the reader.
    pub followed_by: bool,
}

pub async fn relationship(ctx: &AppContext, reader: UserId, user: UserId) -> Result<Relationship> {
    existing_user(ctx, user).await?;
    let db = ctx.db.reader();
    let (locked, followers_count, following_count) = store::account(db, user).await?;
    let outgoing = if store::follows(db, reader, user).await? {
        Outgoing::Following
    } else if store::pending_requests(db, user).await?.contains(&reader) {
        Outgoing::Requested
    } else {
        Outgoing::None
    };
    Ok(Relationship {
        user_id: user,
        followers_count,
        following_count,
        locked,
        outgoing,
        followed_by: store::follows(db, user, reader).await?,
    })
}

/// One side of a user's follow graph, newest ids first before the cursor.
pub async fn follow_list(
    ctx: &AppContext,
    user: UserId,
    followers: bool,
    before: Option<UserId>,
    limit: i64,
) -> Result<Vec<UserId>> {
    existing_user(ctx, user).await?;
    store::follow_list(ctx.db.reader(), user, followers, before, limit).await
}

/// What follows from a follow request: followed at once, or waiting for a locked account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowState {
    Following,
    Requested,
}

async fn existing_user(ctx: &AppContext, id: UserId) -> Result<()> {
    accounts::find_user(ctx, id)
        .await?
        .map(|_| ())
        .ok_or_else(|| Error::not_found("no such user"))
}

/// Follows `target`, or asks to when the account is locked.
pub async fn follow(ctx: &AppContext, user: &CurrentUser, target: UserId) -> Result<FollowState> {
    if target == user.id {
        return Err(Error::bad_param("id", "you cannot follow yourself"));
    }
    existing_user(ctx, target).await?;
    if store::blocked_either_way(ctx.db.reader(), user.id, target).await? {
        return Err(Error::forbidden("one of you blocks the other"));
    }
    let (locked, ..) = store::account(ctx.db.reader(), target).await?;
    let mut tx = ctx.db.begin().await?;
    let state = if locked && !store::follows(&mut *tx, user.id, target).await? {
        if store::request_follow(&mut tx, user.id, target, ctx.clock.now()).await? {
            let n = notification(
                target,
                "follow_request",
                user.id,
                format!("user:{}", user.id),
                json!({}),
            );
            ctx.notifications.notify(&mut tx, &n).await?;
        }
        FollowState::Requested
    } else {
        start_following(ctx, &mut tx, user.id, target).await?;
        FollowState::Following
    };
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
    Ok(state)
}

async fn start_following(
    ctx: &AppContext,
    tx: &mut Tx,
    follower: UserId,
    target: UserId,
) -> Result<()> {
    if store::follow(tx, follower, target, ctx.clock.now()).await? {
        store::backfill(tx, follower, target, BACKFILL).await?;
        let n = notification(
            target,
            "follow",
            follower,
            format!("user:{target}"),
            json!({}),
        );
        ctx.notifications.notify(tx, &n).await?;
    }
    Ok(())
}

pub async fn unfollow(ctx: &AppContext, user: &CurrentUser, target: UserId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::unfollow(&mut tx, user.id, target).await?;
    store::take_request(&mut tx, user.id, target).await?;
    store::drop_from_timeline(&mut tx, user.id, target).await?;
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
    Ok(())
}

/// Accepts or rejects a pending follow request to the caller's locked account.
pub async fn answer_request(
    ctx: &AppContext,
    user: &CurrentUser,
    requester: UserId,
    accept: bool,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::take_request(&mut tx, requester, user.id).await? {
        return Err(Error::not_found("no pending request from that user"));
    }
    if accept {
        start_following(ctx, &mut tx, requester, user.id).await?;
    }
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[requester]).await;
    Ok(())
}

pub async fn requests(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<UserId>> {
    store::pending_requests(ctx.db.reader(), user.id).await
}

pub async fn set_locked(ctx: &AppContext, user: &CurrentUser, locked: bool) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::set_locked(&mut tx, user.id, locked).await?;
    tx.commit().await?;
    Ok(())
}

/// Blocks `target`: follows both ways end, and each disappears from the other's views.
pub async fn block(ctx: &AppContext, user: &CurrentUser, target: UserId, on: bool) -> Result<()> {
    if target == user.id {
        return Err(Error::bad_param("id", "you cannot block yourself"));
    }
    existing_user(ctx, target).await?;
    let mut tx = ctx.db.begin().await?;
    if on {
        store::block(&mut tx, user.id, target, ctx.clock.now()).await?;
    } else {
        store::unblock(&mut tx, user.id, target).await?;
    }
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id, target]).await;
    Ok(())
}

/// Mutes `target`: their posts leave the caller's feed and lists, nothing else changes.
pub async fn mute(ctx: &AppContext, user: &CurrentUser, target: UserId, on: bool) -> Result<()> {
    if target == user.id {
        return Err(Error::bad_param("id", "you cannot mute yourself"));
    }
    existing_user(ctx, target).await?;
    let mut tx = ctx.db.begin().await?;
    if on {
        store::mute(&mut tx, user.id, target, ctx.clock.now()).await?;
    } else {
        store::unmute(&mut tx, user.id, target).await?;
    }
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]).await;
    Ok(())
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
