//! What ask keeps in the platform cache, with the seed's lifetimes (seed 003 `cacheStrategies`).
//!
//! Writers invalidate what they change right after committing, so readers on this node never
//! see a value older than the last write; the lifetimes bound what other nodes may see.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use platform::cache::{Cache, Family, Weigh};
use serde_json::value::RawValue;

use crate::blocks::Block;
use crate::model::{Question, QuestionId, QuestionSummary};
use crate::service::Trending;
use crate::store::{ListFilter, Sort};

/// A question page (seed: `question:{id}`, 30 min).
const QUESTION_TTL: Duration = Duration::from_secs(30 * 60);
/// A list page and the total of a filtered list (seed: `GET /questions` cached 5 min,
/// `question_count:{params}` 5 min).
const LIST_TTL: Duration = Duration::from_secs(5 * 60);
/// Trending hashtags (seed: `trending:tags`, 15 min, refreshed ahead of expiry).
pub const TRENDING_TTL: Duration = Duration::from_secs(15 * 60);
/// Room for summaries: every listed question of a million-question dataset (about 600 bytes of
/// JSON each, 760 as weighed), so that nearby searches at any point, not only at busy ones,
/// read no SQL. A page of twenty summaries read from SQLite cost about 300 µs of CPU; from
/// here, a few.
const SUMMARY_BYTES: u64 = 1 << 30;
/// The listed questions of one block of geohash cells.
const BLOCK_TTL: Duration = Duration::from_secs(60);

/// A question's summary as cached: its JSON, written once (escaping its Korean text at every
/// read was the largest single cost of a cached list or nearby page), and whether it is listed.
#[derive(Debug)]
pub struct Summary {
    id: QuestionId,
    listed: bool,
    json: Box<RawValue>,
    /// Set when the question changes: blocks hold summaries too (see [`Block`]), and this is
    /// how they learn that theirs is out of date.
    changed: AtomicBool,
}

impl Summary {
    pub fn new(value: &QuestionSummary, listed: bool) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: value.id,
            listed,
            json: serde_json::value::to_raw_value(value)?,
            changed: AtomicBool::new(false),
        })
    }

    pub fn changed(&self) -> bool {
        self.changed.load(Ordering::Acquire)
    }
}

impl Weigh for Summary {
    /// The JSON, the struct, and about what the cache spends on an entry.
    fn bytes(&self) -> u32 {
        let bytes = self.json.get().len() + std::mem::size_of::<Self>() + 128;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

pub type CachedSummary = Arc<Summary>;

/// The cached summary of a listed question, handed out shared instead of copied.
#[derive(Debug, Clone)]
pub struct Listed(CachedSummary);

impl Listed {
    /// The summary, if its question is listed.
    pub fn of(summary: CachedSummary) -> Option<Self> {
        summary.listed.then_some(Self(summary))
    }

    pub fn id(&self) -> QuestionId {
        self.0.id
    }

    /// The summary as a JSON object. It serialises as this too, so a `Listed` must never be a
    /// `#[serde(flatten)]` field (serde would flatten the raw value's own wrapper instead).
    pub fn json(&self) -> &str {
        self.0.json.get()
    }
}

impl serde::Serialize for Listed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.json.serialize(s)
    }
}

pub struct Caches {
    pub summaries: Family<QuestionId, CachedSummary>,
    /// Public question pages: listed or closed, not hidden, hidden answers left out.
    pub questions: Family<QuestionId, Arc<Question>>,
    pub counts: Family<ListFilter, i64>,
    /// The question ids of one list page.
    pub pages: Family<(ListFilter, Sort, i64), Arc<[QuestionId]>>,
    /// Keyed by geohash (`wy7b1` at precision 5, `wy7b1c` at 6).
    pub blocks: Family<String, Arc<Block>>,
    /// Keyed by region (`None`: all of Korea).
    pub trending: Family<Option<String>, Arc<Trending>>,
}

impl Caches {
    pub fn of(cache: &Cache) -> Self {
        Self {
            summaries: cache.family_by_bytes("ask.summary", QUESTION_TTL, SUMMARY_BYTES),
            questions: cache.family("ask.question", QUESTION_TTL, 20_000),
            counts: cache.family("ask.count", LIST_TTL, 10_000),
            pages: cache.family("ask.page", LIST_TTL, 50_000),
            blocks: cache.family("ask.block", BLOCK_TTL, 100_000),
            trending: cache.family("ask.trending", TRENDING_TTL, 100),
        }
    }

    /// Forgets everything cached about one question (its counts, answers, state changed), and
    /// the list pages, whose order may follow those counts. The summary is marked changed
    /// first, for the blocks that hold it. One the cache had already evicted (only past its
    /// room of a gigabyte) cannot be marked, and may be shown by its block for the minute the
    /// block lives, as other nodes may show any of these values for their lifetimes.
    pub fn question_changed(&self, id: QuestionId) {
        if let Some(summary) = self.summaries.peek(&id) {
            summary.changed.store(true, Ordering::Release);
        }
        self.summaries.invalidate(&id);
        self.questions.invalidate(&id);
        self.pages.invalidate_all();
    }

    /// Forgets what depends on which questions are listed where: totals, trending tags and the
    /// blocks holding the question's cells (those of precisions 5 and 6).
    pub fn listing_changed(&self, id: QuestionId, cells: Option<&[String; 3]>) {
        self.question_changed(id);
        self.counts.invalidate_all();
        self.trending.invalidate_all();
        if let Some([five, six, _]) = cells {
            self.blocks.invalidate(five);
            self.blocks.invalidate(six);
        }
    }
}
