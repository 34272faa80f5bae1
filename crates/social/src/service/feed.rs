//! The home feed (ranked or latest, cached) and the other post lists.

use platform::accounts::UserId;
use platform::{AppContext, Result};

use super::existing_user;
use super::present::{Read, answer};
use crate::feed_cache::{CachedPage, FeedCache};
use crate::model::{Content, ContentId};
use crate::post::{Post, PostState};
use crate::rank::{self, Score};
use crate::store;

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
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub post: Read,
    pub score: Option<Score>,
}

/// A page of the home feed (seed 004's shape, plus the cursor for the next page): of
/// [`FeedItem`]s while it is made, of [`Post`]s when it is answered.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FeedPage<I = FeedItem> {
    pub items: Vec<I>,
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

impl FeedPage {
    /// This page as answered to `reader` ([`answer`]), scores and cursor kept.
    pub async fn presented(self, ctx: &AppContext, reader: UserId) -> Result<FeedPage<Post>> {
        let items = self.items.into_iter().map(|i| (i.post, i.score)).collect();
        Ok(FeedPage {
            items: answer(ctx, reader, items).await?,
            page: self.page,
            total: self.total,
            has_more: self.has_more,
            next_max_id: self.next_max_id,
        })
    }
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
    let key = cache.key(ctx, reader, page, &format!("{order:?}:{size}"));
    let db = ctx.db.reader();
    let mark = if let Some(hit) = cache.get(&key) {
        let ids: Vec<ContentId> = hit.items.iter().map(|(id, _)| *id).collect();
        let (mark, states) = store::marked_states(db, reader, pull_threshold, &ids).await?;
        let cached = from_cache(&hit, states, page);
        if mark == hit.mark {
            return Ok(cached);
        }
        // A big author's post moves the mark of every follower at once; the first page takes
        // it in without being made again.
        let since = mark.pulled_on_from(hit.mark).filter(|_| page == 1);
        if let Some(since) = since {
            let merged = with_newcomers(ctx, reader, order, size, cached, since, pull_threshold);
            if let Some(merged) = merged.await? {
                cache.put(key, CachedPage::of(&merged, mark));
                return Ok(merged);
            }
        }
        mark
    } else {
        store::feed_mark(db, reader, pull_threshold).await?
    };
    let fresh = compute_feed(ctx, reader, order, page, size, None, pull_threshold).await?;
    cache.put(key, CachedPage::of(&fresh, mark));
    Ok(fresh)
}

/// The first page `cached` with the big authors' posts newer than `since` merged in, in the
/// page's order; `None` when more arrived than fit on a page (then it is made again).
///
/// The page had the newest posts of the feed as it was, and only these posts have entered
/// since, so for the latest order the merge is exact. For the ranked order the newcomers are
/// scored now and placed among the page's scores from when it was made.
async fn with_newcomers(
    ctx: &AppContext,
    reader: UserId,
    order: FeedOrder,
    size: i64,
    cached: FeedPage,
    since: ContentId,
    pull_threshold: i64,
) -> Result<Option<FeedPage>> {
    let db = ctx.db.reader();
    let mut newcomers = store::pulled_since(db, reader, pull_threshold, since, size + 1).await?;
    let size = usize::try_from(size).unwrap_or(0);
    if newcomers.len() > size {
        return Ok(None);
    }
    // A post pushed before its author grew big is in both sources.
    newcomers.retain(|n| !cached.items.iter().any(|i| i.post.id() == n.id));
    let added = i64::try_from(newcomers.len()).unwrap_or(0);
    let mut items = cached.items;
    match order {
        FeedOrder::Latest => {
            items.extend(newcomers.into_iter().map(|content| FeedItem {
                post: Read::Whole(content),
                score: None,
            }));
            items.sort_by_key(|i| std::cmp::Reverse(i.post.id()));
        }
        FeedOrder::Ranked => {
            items.extend(scored(ctx, reader, newcomers).await?);
            by_score(&mut items);
        }
    }
    let has_more = cached.has_more || items.len() > size;
    items.truncate(size);
    let (total, next_max_id) = match order {
        // The latest order's total counts the timeline and own posts, never pulled ones.
        FeedOrder::Latest => (
            cached.total,
            has_more
                .then(|| items.last().map(|i| i.post.id()))
                .flatten(),
        ),
        FeedOrder::Ranked => ((cached.total + added).min(RANK_WINDOW), None),
    };
    Ok(Some(FeedPage {
        items,
        page: cached.page,
        total,
        has_more,
        next_max_id,
    }))
}

impl CachedPage {
    fn of(page: &FeedPage, mark: store::FeedMark) -> Self {
        Self {
            mark,
            items: page.items.iter().map(|i| (i.post.id(), i.score)).collect(),
            total: page.total,
            has_more: page.has_more,
            next_max_id: page.next_max_id,
        }
    }
}

/// A cached page with its posts' states, read again through the visibility rule, in the
/// cached order.
fn from_cache(hit: &CachedPage, states: Vec<PostState>, page: i64) -> FeedPage {
    let mut states: std::collections::HashMap<ContentId, PostState> =
        states.into_iter().map(|s| (s.id, s)).collect();
    let items = hit
        .items
        .iter()
        .filter_map(|(id, score)| {
            states.remove(id).map(|state| FeedItem {
                post: Read::State(state),
                score: *score,
            })
        })
        .collect();
    FeedPage {
        items,
        page,
        total: hit.total,
        has_more: hit.has_more,
        next_max_id: hit.next_max_id,
    }
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
                        post: Read::Whole(content),
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
            let mut scored = scored(ctx, reader, candidates).await?;
            by_score(&mut scored);
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

/// Posts with their [`rank::score`] for the reader, as of now.
async fn scored(ctx: &AppContext, reader: UserId, posts: Vec<Content>) -> Result<Vec<FeedItem>> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let now = ctx.clock.now();
    let since = now.minus(std::time::Duration::from_secs(AFFINITY_DAYS * 86_400));
    let interactions = store::interactions(ctx.db.reader(), reader, since).await?;
    Ok(posts
        .into_iter()
        .map(|content| {
            #[allow(clippy::cast_precision_loss)] // microseconds of a post's age
            let age_hours = (now.micros() - content.created_at.micros()) as f64 / 3_600_000_000.0;
            let with = interactions.get(&content.author_id).copied().unwrap_or(0);
            let score = rank::score(age_hours, content.engagement, with);
            FeedItem {
                post: Read::Whole(content),
                score: Some(score),
            }
        })
        .collect())
}

/// Highest score first; equal scores newest first.
fn by_score(items: &mut [FeedItem]) {
    let total = |i: &FeedItem| i.score.map_or(0.0, |s| s.total);
    items.sort_by(|a, b| {
        total(b)
            .total_cmp(&total(a))
            .then(b.post.id().cmp(&a.post.id()))
    });
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
) -> Result<Vec<PostState>> {
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
) -> Result<Vec<PostState>> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    store::by_tag(ctx.db.reader(), reader, &tag, before, limit).await
}
