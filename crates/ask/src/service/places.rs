//! Questions by place (nearby), trending hashtags, and the time-to-first-answer figures.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use platform::time::Timestamp;
use platform::{AppContext, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::questions::{PER_PAGE, cached_summaries};
use crate::blocks::{Block, Spot};
use crate::caches::{Caches, Listed};
use crate::geo::{Cell, GeoPoint, Nearest, Precision};
use crate::model::{QuestionId, QuestionSummary};
use crate::regions;
use crate::store;

/// A page of questions near a point. Written as JSON by [`Nearby::to_json`], which adds each
/// item's distance to its summary's cached JSON.
#[derive(Debug, ToSchema)]
pub struct Nearby {
    pub items: Vec<NearbyItem>,
    pub page: i64,
    pub per_page: i64,
    pub has_more: bool,
}

impl Nearby {
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024 * (self.items.len() + 1));
        out.extend_from_slice(b"{\"items\":[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A summary is a JSON object with fields: `{...}` becomes `{...,"distance_m":D}`.
            let summary = item.question.json();
            out.extend_from_slice(summary.strip_suffix('}').unwrap_or(summary).as_bytes());
            out.extend_from_slice(b",\"distance_m\":");
            // Writing a number into memory cannot fail.
            let _ = serde_json::to_writer(&mut out, &item.distance_m);
            out.push(b'}');
        }
        let tail = format!(
            "],\"page\":{},\"per_page\":{},\"has_more\":{}}}",
            self.page, self.per_page, self.has_more
        );
        out.extend_from_slice(tail.as_bytes());
        out
    }
}

#[derive(Debug, ToSchema)]
pub struct NearbyItem {
    #[serde(flatten)]
    #[schema(inline, value_type = QuestionSummary)]
    pub question: Listed,
    /// Metres from the searched point.
    pub distance_m: f64,
}

/// Listed questions within `radius_m` of `center`, nearest first, read cell by cell as the
/// grid search ([`Nearest`]) asks. The page's summaries come from the blocks where they keep
/// them, and from the summary cache for the rest, which the blocks then keep.
pub async fn nearby(
    ctx: &AppContext,
    center: GeoPoint,
    radius_m: f64,
    page: i64,
) -> Result<Nearby> {
    let mut search = Nearest::new(center, radius_m, (page * PER_PAGE + 1) as usize);
    // Every block read, so that a point found is named by its block's place here and its spot.
    let mut held: Vec<Arc<Block>> = Vec::new();
    while let Some((precision, cells)) = search.next_cells() {
        let mut places = HashMap::new();
        for (key, block) in blocks(ctx, precision, &cells).await? {
            places.insert(key, held.len());
            held.push(block);
        }
        let held = &held;
        search.offer(cells.iter().flat_map(|cell| {
            places
                .get(Block::key(&cell.hash, precision))
                .into_iter()
                .flat_map(move |&place| {
                    held[place]
                        .cell(&cell.hash)
                        .map(move |(spot, at)| ((place, spot), at))
                })
        }));
    }
    let found = search.finish();
    let start = ((page - 1) * PER_PAGE) as usize;
    let has_more = found.len() > (page * PER_PAGE) as usize;
    let window: Vec<(f64, (usize, Spot))> = found
        .into_iter()
        .skip(start)
        .take(PER_PAGE as usize)
        .collect();
    let unkept: Vec<QuestionId> = window
        .iter()
        .filter(|(_, (place, spot))| held[*place].summary(*spot).is_none())
        .filter_map(|(_, (place, spot))| held[*place].question(*spot))
        .collect();
    let fetched = cached_summaries(ctx, &unkept).await?;
    let items = window
        .iter()
        .filter_map(|&(distance, (place, spot))| {
            let block = &held[place];
            let summary = if let Some(kept) = block.summary(spot) {
                kept
            } else {
                let fetched = fetched.get(&block.question(spot)?)?;
                block.keep_summary(spot, fetched);
                fetched
            };
            Some(NearbyItem {
                question: Listed::of(Arc::clone(summary))?,
                distance_m: distance.round(),
            })
        })
        .collect();
    Ok(Nearby {
        items,
        page,
        per_page: PER_PAGE,
        has_more,
    })
}

/// The blocks holding some cells of `precision`, by key, from the cache, reading the missing
/// ones at once. A block's key names it alone: precisions differ in length.
async fn blocks(
    ctx: &AppContext,
    precision: Precision,
    cells: &[Cell],
) -> Result<HashMap<String, Arc<Block>>> {
    let cache = Caches::of(&ctx.cache).blocks;
    let mut out = HashMap::new();
    let mut missing = Vec::new();
    for cell in cells {
        let key = Block::key(&cell.hash, precision);
        if out.contains_key(key) || missing.contains(&key) {
            continue;
        }
        match cache.get(&key.to_owned()) {
            Some(block) => {
                out.insert(key.to_owned(), block);
            }
            None => missing.push(key),
        }
    }
    if missing.is_empty() {
        return Ok(out);
    }
    let mut loaded: HashMap<String, Vec<(QuestionId, GeoPoint)>> = missing
        .iter()
        .map(|key| ((*key).to_owned(), Vec::new()))
        .collect();
    for (key, id, lat, lng) in store::cells(ctx.db.reader(), precision.block(), &missing).await? {
        let point = GeoPoint::new_unchecked(lat, lng);
        loaded.entry(key).or_default().push((id, point));
    }
    for (key, points) in loaded {
        let block = Arc::new(Block::new(points));
        cache.insert(key.clone(), Arc::clone(&block));
        out.insert(key, block);
    }
    Ok(out)
}

/// The hashtags most used in the last 24 hours.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trending {
    pub region: Option<String>,
    pub window_hours: i64,
    pub computed_at: Timestamp,
    pub tags: Vec<TrendingTag>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendingTag {
    pub tag: String,
    /// Questions carrying it in the last 24 hours.
    pub count: i64,
    /// Questions carrying it in the 24 hours before.
    pub previous_count: i64,
    /// `count - previous_count`.
    pub change: i64,
}

const TRENDING_WINDOW: Duration = Duration::from_secs(24 * 3600);
const TRENDING_SIZE: i64 = 20;

async fn compute_trending(ctx: &AppContext, region: Option<&str>) -> Result<Trending> {
    let now = ctx.clock.now();
    let start = now.minus(TRENDING_WINDOW);
    let current = store::tag_counts(
        ctx.db.scan(),
        (start, now.plus(Duration::from_secs(1))),
        region,
        None,
        TRENDING_SIZE,
    )
    .await?;
    let names: Vec<String> = current.iter().map(|(t, _)| t.clone()).collect();
    let before: HashMap<String, i64> = store::tag_counts(
        ctx.db.scan(),
        (start.minus(TRENDING_WINDOW), start),
        region,
        Some(&names),
        TRENDING_SIZE,
    )
    .await?
    .into_iter()
    .collect();
    Ok(Trending {
        region: region.map(str::to_owned),
        window_hours: 24,
        computed_at: now,
        tags: current
            .into_iter()
            .map(|(tag, count)| {
                let previous_count = before.get(&tag).copied().unwrap_or(0);
                TrendingTag {
                    change: count - previous_count,
                    tag,
                    count,
                    previous_count,
                }
            })
            .collect(),
    })
}

/// Trending hashtags, Korea-wide or in one region, as last computed (at most 15 minutes old).
pub async fn trending(ctx: &AppContext, region: Option<String>) -> Result<Arc<Trending>> {
    let cache = Caches::of(&ctx.cache).trending;
    if let Some(t) = cache.get(&region) {
        return Ok(t);
    }
    let t = Arc::new(compute_trending(ctx, region.as_deref()).await?);
    cache.insert(region, Arc::clone(&t));
    Ok(t)
}

/// Recomputes every trending list ahead of its expiry, so readers never wait for one.
pub async fn refresh_trending(ctx: &AppContext) -> Result<()> {
    let cache = Caches::of(&ctx.cache).trending;
    let codes = std::iter::once(None).chain(regions::all().iter().map(|r| Some(r.code.clone())));
    for region in codes {
        let t = compute_trending(ctx, region.as_deref()).await?;
        cache.insert(region, Arc::new(t));
    }
    Ok(())
}

/// How fast questions get their first answer (the 10-minute goal).
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    pub days: i64,
    pub questions: i64,
    pub answered: i64,
    pub p50_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub answered_within_10_min: i64,
    /// Of every question asked in the window.
    pub share_within_10_min: f64,
}

const GOAL_SECS: i64 = 600;

/// The value at quantile `q` of sorted `values` (nearest rank).
fn quantile(values: &[i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

pub async fn stats(ctx: &AppContext, days: i64) -> Result<Stats> {
    let since = ctx
        .clock
        .now()
        .minus(Duration::from_secs(days as u64 * 24 * 3600));
    let (waits, questions) = store::first_answer_waits(ctx.db.scan(), since).await?;
    let within = waits.iter().filter(|&&w| w <= GOAL_SECS).count() as i64;
    Ok(Stats {
        days,
        questions,
        answered: waits.len() as i64,
        p50_seconds: quantile(&waits, 0.5),
        p90_seconds: quantile(&waits, 0.9),
        answered_within_10_min: within,
        share_within_10_min: if questions == 0 {
            0.0
        } else {
            within as f64 / questions as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_take_the_nearest_rank() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(quantile(&v, 0.5), Some(50));
        assert_eq!(quantile(&v, 0.9), Some(90));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7], 0.9), Some(7));
    }
}
