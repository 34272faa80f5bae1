//! Series: a metric over time, raw or bucketed, read from rollups.

use std::time::Duration;

use platform::time::Timestamp;
use platform::{AppContext, Error, Result};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Health, Subject, zone_of};
use crate::catalog::Series;
use crate::model::{Point, SeriesPage};
use crate::rollup::{self, Level};
use crate::store;

/// How a series is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Raw,
    Minute,
    Hour,
    Day,
    Week,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Bucket::Raw => "raw",
            Bucket::Minute => "minute",
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }

    /// The longest range one request may cover, so one answer stays small.
    fn longest(self) -> Duration {
        const DAY: u64 = 86_400;
        Duration::from_secs(match self {
            Bucket::Raw | Bucket::Minute => 31 * DAY,
            Bucket::Hour => 366 * DAY,
            Bucket::Day | Bucket::Week => 10 * 366 * DAY,
        })
    }
}

/// Most raw values in one answer.
const MAX_RAW: i64 = 10_000;

/// Most series one set may hold.
pub const MAX_SET: usize = 8;

/// `series` of `subject` in `[from, to)`, bucketed in the owner's time zone.
pub async fn series(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    series: Series,
    from: Timestamp,
    to: Timestamp,
    bucket: Bucket,
) -> Result<SeriesPage> {
    let mut set = series_set(ctx, health, subject, &[series], from, to, bucket).await?;
    set.pop()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("a set of one series came back empty")))
}

/// Each of `list` as [`series`] answers it, in that order; the buckets of all of them are one
/// read.
pub async fn series_set(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    list: &[Series],
    from: Timestamp,
    to: Timestamp,
    bucket: Bucket,
) -> Result<Vec<SeriesPage>> {
    if to <= from {
        return Err(Error::bad_param("to", "must be after `from`"));
    }
    if from.until(to) > bucket.longest() {
        return Err(Error::bad_param(
            "to",
            format!(
                "{} buckets cover at most {} days per request",
                bucket.as_str(),
                bucket.longest().as_secs() / 86_400
            ),
        ));
    }
    let (zone_name, tz) = zone_of(ctx, health, subject.user).await?;
    let db = ctx.db.reader();
    let user = subject.user;
    let page = |series: Series, points: Vec<Point>, truncated: bool| SeriesPage {
        user_id: user,
        series,
        unit: series.kind().unit(),
        bucket: bucket.as_str().to_owned(),
        time_zone: zone_name.clone(),
        from,
        to,
        points,
        truncated,
    };
    let (level, start) = match bucket {
        Bucket::Raw => {
            let mut pages = Vec::with_capacity(list.len());
            for &series in list {
                let mut values =
                    store::series_values(db, user, series, from, to, MAX_RAW + 1).await?;
                let truncated = values.len() as i64 > MAX_RAW;
                values.truncate(MAX_RAW as usize);
                let points = values
                    .into_iter()
                    .map(|(t, v)| point(t, None, &rollup::Agg::of(v)))
                    .collect();
                pages.push(page(series, points, truncated));
            }
            return Ok(pages);
        }
        Bucket::Minute => (Level::Minute, from),
        Bucket::Hour if rollup::hours_are_utc(&tz, from, to) => {
            (Level::Hour, rollup::bucket_start(Level::Hour, from, &tz))
        }
        // Local hours that are not UTC hours are made from minutes.
        Bucket::Hour => (Level::Minute, rollup::local_hour_start(from, &tz)),
        Bucket::Day => (Level::Day, rollup::bucket_start(Level::Day, from, &tz)),
        Bucket::Week => (Level::Week, rollup::bucket_start(Level::Week, from, &tz)),
    };
    let mut found = store::rollups_of(db, user, list, level, start, to).await?;
    let pages = list
        .iter()
        .map(|&series| {
            let rows = found.remove(&series).unwrap_or_default();
            let points = if bucket == Bucket::Hour && level == Level::Minute {
                rollup::regroup(rows, |t| rollup::local_hour_start(t, &tz))
                    .into_iter()
                    .map(|(start, a)| {
                        point(
                            start,
                            Some(Timestamp::from_micros(start.micros() + 3_600_000_000)),
                            &a,
                        )
                    })
                    .collect()
            } else {
                rows.into_iter()
                    .map(|(start, a)| {
                        point(start, Some(rollup::next_bucket(level, start, &tz)), &a)
                    })
                    .collect()
            };
            page(series, points, false)
        })
        .collect();
    Ok(pages)
}

fn point(start: Timestamp, end: Option<Timestamp>, a: &rollup::Agg) -> Point {
    Point {
        start,
        end,
        count: a.count,
        min: a.min,
        max: a.max,
        avg: a.avg(),
        sum: a.sum,
    }
}
