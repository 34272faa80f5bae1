//! The home feed cache: seed 004's `feed:user:{id}:page:{n}`, kept 300 s.
//!
//! A cached page holds which posts it shows and in what order, never the posts themselves:
//! every hit is read back through the same visibility rule as a miss, so a post deleted,
//! hidden by a block or muted since cannot leak from the cache, and its counts are current.
//! A page is used only while the reader's [`store::FeedMark`] is unchanged (nothing new pushed
//! to them, no new post of their own or of a big author they follow), and all of a reader's
//! pages are dropped when they follow, unfollow, block, mute, like or comment (their
//! generation moves).

use std::sync::Arc;
use std::time::Duration;

use platform::AppContext;
use platform::accounts::UserId;
use platform::cache::Family;

use crate::model::ContentId;
use crate::rank::Score;
use crate::store::FeedMark;

/// How long a page stays (seed 004).
const PAGE_TTL: Duration = Duration::from_secs(300);
const PAGES: u64 = 200_000;
const READERS: u64 = 1_000_000;

/// A feed page as cached.
#[derive(Debug, Clone)]
pub struct CachedPage {
    /// The reader's feed mark when the page was made.
    pub mark: FeedMark,
    pub items: Vec<(ContentId, Option<Score>)>,
    pub total: i64,
    pub has_more: bool,
    pub next_max_id: Option<ContentId>,
}

#[derive(Clone)]
pub struct FeedCache {
    pages: Family<String, Arc<CachedPage>>,
    generations: Family<UserId, i64>,
}

impl FeedCache {
    pub fn of(ctx: &AppContext) -> Self {
        Self {
            pages: ctx.cache.family("social.feed_pages", PAGE_TTL, PAGES),
            generations: ctx
                .cache
                .family("social.feed_generations", PAGE_TTL * 2, READERS),
        }
    }

    /// The key of a page: the seed's, plus what else shapes the page and the reader's
    /// generation.
    pub fn key(&self, ctx: &AppContext, reader: UserId, page: i64, shape: &str) -> String {
        let generation = if let Some(generation) = self.generations.get(&reader) {
            generation
        } else {
            // A new generation: pages made under a forgotten one can never be found.
            let generation = ctx.next_id();
            self.generations.insert(reader, generation);
            generation
        };
        format!("feed:user:{reader}:page:{page}:{shape}:{generation}")
    }

    pub fn get(&self, key: &String) -> Option<Arc<CachedPage>> {
        self.pages.get(key)
    }

    pub fn put(&self, key: String, page: CachedPage) {
        self.pages.insert(key, Arc::new(page));
    }

    /// Drops every cached page of these readers.
    pub fn forget(&self, ctx: &AppContext, readers: &[UserId]) {
        for &reader in readers {
            self.generations.insert(reader, ctx.next_id());
        }
    }
}
