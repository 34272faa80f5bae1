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
    let with_end = |level: Level, rows: Vec<(Timestamp, rollup::Agg)>| -> Vec<Point> {
        rows.into_iter()
            .map(|(start, a)| point(start, Some(rollup::next_bucket(level, start, &tz)), &a))
            .collect()
    };
    let mut truncated = false;
    let points = match bucket {
        Bucket::Raw => {
            let mut values = store::series_values(db, user, series, from, to, MAX_RAW + 1).await?;
            truncated = values.len() as i64 > MAX_RAW;
            values.truncate(MAX_RAW as usize);
            values
                .into_iter()
                .map(|(t, v)| point(t, None, &rollup::Agg::of(v)))
                .collect()
        }
        Bucket::Minute => with_end(
            Level::Minute,
            store::rollups(db, user, series, Level::Minute, from, to).await?,
        ),
        Bucket::Hour if rollup::hours_are_utc(&tz, from, to) => {
            let start = rollup::bucket_start(Level::Hour, from, &tz);
            with_end(
                Level::Hour,
                store::rollups(db, user, series, Level::Hour, start, to).await?,
            )
        }
        Bucket::Hour => {
            let start = rollup::local_hour_start(from, &tz);
            let minutes = store::rollups(db, user, series, Level::Minute, start, to).await?;
            rollup::regroup(minutes, |t| rollup::local_hour_start(t, &tz))
                .into_iter()
                .map(|(start, a)| {
                    point(
                        start,
                        Some(Timestamp::from_micros(start.micros() + 3_600_000_000)),
                        &a,
                    )
                })
                .collect()
        }
        Bucket::Day | Bucket::Week => {
            let level = if bucket == Bucket::Day {
                Level::Day
            } else {
                Level::Week
            };
            let start = rollup::bucket_start(level, from, &tz);
            with_end(
                level,
                store::rollups(db, user, series, level, start, to).await?,
            )
        }
    };
    Ok(SeriesPage {
        user_id: user,
        series,
        unit: series.kind().unit(),
        bucket: bucket.as_str().to_owned(),
        time_zone: zone_name,
        from,
        to,
        points,
        truncated,
    })
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
