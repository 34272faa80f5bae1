//! Rollups: min, max, sum and count of a series per minute, hour, day and week.
//!
//! Pure. Minutes and hours are UTC buckets (zone-independent, so they never need rebuilding);
//! days and weeks (Monday first) are the user's own, in their time zone, so a day in a zone
//! with daylight saving may be 23 or 25 hours long. Every zone's offset is a whole number of
//! minutes, so any coarser bucket in any zone is exactly a regrouping of minute rollups: that is
//! how days and weeks are rebuilt when a user moves, and how hours are served in a zone whose
//! offset is not whole hours.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use platform::time::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::Series;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

/// A stored rollup level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Minute,
    Hour,
    Day,
    Week,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Minute, Level::Hour, Level::Day, Level::Week];

    /// The number the store keeps.
    pub fn code(self) -> i64 {
        match self {
            Level::Minute => 0,
            Level::Hour => 1,
            Level::Day => 2,
            Level::Week => 3,
        }
    }

    /// Whether the bucket depends on the user's time zone.
    pub fn is_local(self) -> bool {
        matches!(self, Level::Day | Level::Week)
    }
}

/// Min, max, sum and count of some values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Agg {
    pub count: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Agg {
    pub fn of(v: f64) -> Self {
        Self {
            count: 1,
            sum: v,
            min: v,
            max: v,
        }
    }

    pub fn merge(&mut self, other: &Agg) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn avg(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
}

/// A time zone by IANA name, e.g. `Asia/Seoul`.
pub fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

fn jiff_ts(t: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn from_jiff(t: jiff::Timestamp) -> Timestamp {
    Timestamp::from_micros(t.as_microsecond())
}

/// The offset of `tz` at `t`, in minutes east of UTC.
pub fn offset_minutes(t: Timestamp, tz: &TimeZone) -> i32 {
    tz.to_offset(jiff_ts(t)).seconds() / 60
}

/// The local date of `t`.
pub fn local_date(t: Timestamp, tz: &TimeZone) -> jiff::civil::Date {
    jiff_ts(t).to_zoned(tz.clone()).date()
}

/// When `date` starts in `tz` (midnight, or the first instant after a gap).
pub fn date_start(date: jiff::civil::Date, tz: &TimeZone) -> Timestamp {
    date.to_zoned(tz.clone())
        .and_then(|z| z.start_of_day())
        .map_or(Timestamp::from_micros(0), |z| from_jiff(z.timestamp()))
}

/// The start of the local day holding `t`.
fn day_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let zoned = jiff_ts(t).to_zoned(tz.clone());
    zoned
        .start_of_day()
        .map_or(t, |start| from_jiff(start.timestamp()))
}

/// The start of the local Monday of the week holding `t`.
fn week_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let date = jiff_ts(t).to_zoned(tz.clone()).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .and_then(|monday| monday.to_zoned(tz.clone()))
        .and_then(|monday| monday.start_of_day())
        .map_or(t, |start| from_jiff(start.timestamp()))
}

/// The start of the local hour holding `t` (the UTC hour unless the offset is fractional).
pub fn local_hour_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let offset = i64::from(tz.to_offset(jiff_ts(t)).seconds()) * 1_000_000;
    Timestamp::from_micros(t.micros() - (t.micros() + offset).rem_euclid(HOUR))
}

/// Whether every local hour between `from` and `to` is a UTC hour (offsets of whole hours).
pub fn hours_are_utc(tz: &TimeZone, from: Timestamp, to: Timestamp) -> bool {
    [from, to]
        .into_iter()
        .all(|t| tz.to_offset(jiff_ts(t)).seconds() % 3600 == 0)
}

/// The start of the bucket of `level` holding `t`.
pub fn bucket_start(level: Level, t: Timestamp, tz: &TimeZone) -> Timestamp {
    let m = t.micros();
    match level {
        Level::Minute => Timestamp::from_micros(m - m.rem_euclid(MINUTE)),
        Level::Hour => Timestamp::from_micros(m - m.rem_euclid(HOUR)),
        Level::Day => day_start(t, tz),
        Level::Week => week_start(t, tz),
    }
}

/// The start of the bucket after the one starting at `start`.
pub fn next_bucket(level: Level, start: Timestamp, tz: &TimeZone) -> Timestamp {
    match level {
        Level::Minute => Timestamp::from_micros(start.micros() + MINUTE),
        Level::Hour => Timestamp::from_micros(start.micros() + HOUR),
        Level::Day | Level::Week => {
            let days = if level == Level::Day { 1 } else { 7 };
            let zoned = jiff_ts(start).to_zoned(tz.clone());
            zoned
                .date()
                .checked_add(jiff::Span::new().days(days))
                .and_then(|d| d.to_zoned(tz.clone()))
                .and_then(|d| d.start_of_day())
                .map_or(start, |d| from_jiff(d.timestamp()))
        }
    }
}

/// Which rollup row a value lands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub series: Series,
    pub level: Level,
    pub bucket: Timestamp,
}

/// Remembers the last bucket of each level, so a time-ordered batch asks the zone database
/// once per day instead of once per value.
struct Buckets<'a> {
    tz: &'a TimeZone,
    last: [Option<(Timestamp, Timestamp)>; 4],
}

impl Buckets<'_> {
    fn start(&mut self, level: Level, t: Timestamp) -> Timestamp {
        let slot = &mut self.last[level.code() as usize];
        if let Some((start, end)) = *slot
            && start <= t
            && t < end
        {
            return start;
        }
        let start = bucket_start(level, t, self.tz);
        *slot = Some((start, next_bucket(level, start, self.tz)));
        start
    }
}

/// The rollup rows a set of values adds to, at every level.
pub fn fold(
    values: impl IntoIterator<Item = (Series, Timestamp, f64)>,
    tz: &TimeZone,
) -> BTreeMap<Key, Agg> {
    let mut buckets = Buckets {
        tz,
        last: [None; 4],
    };
    let mut out: BTreeMap<Key, Agg> = BTreeMap::new();
    for (series, t, v) in values {
        for level in Level::ALL {
            let key = Key {
                series,
                level,
                bucket: buckets.start(level, t),
            };
            out.entry(key)
                .and_modify(|a| a.merge(&Agg::of(v)))
                .or_insert_with(|| Agg::of(v));
        }
    }
    out
}

/// Groups finer buckets (minutes, usually) into buckets of `into` starting where `start` says.
pub fn regroup(
    finer: impl IntoIterator<Item = (Timestamp, Agg)>,
    mut start: impl FnMut(Timestamp) -> Timestamp,
) -> BTreeMap<Timestamp, Agg> {
    let mut out: BTreeMap<Timestamp, Agg> = BTreeMap::new();
    for (t, agg) in finer {
        out.entry(start(t))
            .and_modify(|a| a.merge(&agg))
            .or_insert(agg);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The local calendar date (and ISO week) of `t`, computed directly.
    fn naive_day(t: Timestamp, tz: &TimeZone) -> jiff::civil::Date {
        jiff_ts(t).to_zoned(tz.clone()).date()
    }

    fn naive_week(t: Timestamp, tz: &TimeZone) -> (i16, i8) {
        let w = naive_day(t, tz).iso_week_date();
        (w.year(), w.week())
    }

    fn close(a: &Agg, b: &Agg) -> bool {
        a.count == b.count
            && (a.sum - b.sum).abs() < 1e-6
            && (a.min - b.min).abs() < 1e-9
            && (a.max - b.max).abs() < 1e-9
    }

    /// Folds `values` in batches as ingestion does (each batch upserted into what is stored)
    /// and checks every level against a recomputation from the raw values.
    fn check(values: &[(Timestamp, f64)], cuts: &[usize], tz: &TimeZone) {
        let mut stored: BTreeMap<Key, Agg> = BTreeMap::new();
        let mut rest = values;
        for &cut in cuts.iter().chain(std::iter::once(&usize::MAX)) {
            let (batch, tail) = rest.split_at(cut.min(rest.len()));
            rest = tail;
            for (k, a) in fold(batch.iter().map(|&(t, v)| (Series::HeartRate, t, v)), tz) {
                stored.entry(k).and_modify(|s| s.merge(&a)).or_insert(a);
            }
        }
        let mut naive: BTreeMap<(u8, String), Agg> = BTreeMap::new();
        for &(t, v) in values {
            let m = t.micros();
            for key in [
                (0, (m.div_euclid(MINUTE)).to_string()),
                (1, (m.div_euclid(HOUR)).to_string()),
                (2, naive_day(t, tz).to_string()),
                (3, format!("{:?}", naive_week(t, tz))),
            ] {
                naive
                    .entry(key)
                    .and_modify(|a| a.merge(&Agg::of(v)))
                    .or_insert(Agg::of(v));
            }
        }
        let ours: BTreeMap<(u8, String), Agg> = stored
            .iter()
            .map(|(k, a)| {
                let b = k.bucket;
                let name = match k.level {
                    Level::Minute => b.micros().div_euclid(MINUTE).to_string(),
                    Level::Hour => b.micros().div_euclid(HOUR).to_string(),
                    Level::Day => naive_day(b, tz).to_string(),
                    Level::Week => format!("{:?}", naive_week(b, tz)),
                };
                ((k.level.code() as u8, name), *a)
            })
            .collect();
        assert_eq!(ours.len(), naive.len());
        for (key, a) in &naive {
            assert!(
                ours.get(key).is_some_and(|b| close(a, b)),
                "{key:?}: {a:?} vs {:?}",
                ours.get(key)
            );
        }
        // Days and weeks rebuilt from minutes equal the incremental ones (a move between zones).
        let minutes = stored
            .iter()
            .filter(|(k, _)| k.level == Level::Minute)
            .map(|(k, a)| (k.bucket, *a));
        let days = regroup(minutes, |t| bucket_start(Level::Day, t, tz));
        for (start, a) in days {
            let key = Key {
                series: Series::HeartRate,
                level: Level::Day,
                bucket: start,
            };
            assert!(stored.get(&key).is_some_and(|b| close(&a, b)));
        }
    }

    /// 2026-03-01T00:00Z: a span covering New York's spring-forward (March 8) and the weeks
    /// around it, plus the autumn fall-back when `spread` is large.
    const BASE: i64 = 1_772_323_200_000_000;

    proptest! {
        #[test]
        fn rollups_equal_a_recomputation(
            raw in prop::collection::vec((0_i64..300 * 24 * 3600, 20.0_f64..200.0), 1..400),
            cuts in prop::collection::vec(0_usize..100, 0..6),
            zone_name in prop::sample::select(vec!["Asia/Seoul", "America/New_York", "Asia/Kolkata"]),
        ) {
            let tz = zone(zone_name).unwrap();
            let mut values: Vec<(Timestamp, f64)> = raw
                .into_iter()
                .map(|(s, v)| (Timestamp::from_micros(BASE + s * 1_000_000), v))
                .collect();
            values.sort_by_key(|v| v.0);
            check(&values, &cuts, &tz);
        }
    }

    #[test]
    fn daylight_saving_days_have_their_own_length() {
        let tz = zone("America/New_York").unwrap();
        let t = Timestamp::parse_rfc3339("2026-03-08T12:00:00-04:00").unwrap();
        let start = bucket_start(Level::Day, t, &tz);
        let end = next_bucket(Level::Day, start, &tz);
        assert_eq!(start.until(end).as_secs(), 23 * 3600);
        let monday = bucket_start(Level::Week, t, &tz);
        assert_eq!(
            monday,
            Timestamp::parse_rfc3339("2026-03-02T00:00:00-05:00").unwrap()
        );
    }

    #[test]
    fn fractional_offsets_make_local_hours() {
        let tz = zone("Asia/Kolkata").unwrap();
        let t = Timestamp::parse_rfc3339("2026-03-08T12:10:00+05:30").unwrap();
        assert_eq!(
            local_hour_start(t, &tz),
            Timestamp::parse_rfc3339("2026-03-08T12:00:00+05:30").unwrap()
        );
        assert!(!hours_are_utc(&tz, t, t));
    }
}
