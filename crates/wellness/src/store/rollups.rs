//! Rollups: upserted at ingestion, recomputed for edited buckets, regrouped when a user moves.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

use platform::db::placeholders;

use super::value_rows;
use crate::catalog::Series;
use crate::rollup::{self, Agg, Key, Level};

const WIDTH: usize = 8;
const CHUNK: usize = 2_000;

/// Adds `deltas` to the stored rollups (a new bucket starts from its delta).
pub async fn add_rollups(tx: &mut Tx, user: UserId, deltas: &BTreeMap<Key, Agg>) -> Result<()> {
    let deltas: Vec<(&Key, &Agg)> = deltas.iter().collect();
    for chunk in super::chunks(&deltas, CHUNK) {
        let sql = format!(
            "INSERT INTO wellness_rollups (user_id, series, level, bucket, count, sum, min, max) VALUES {} \
             ON CONFLICT (user_id, series, level, bucket) DO UPDATE SET \
             count = wellness_rollups.count + excluded.count, sum = wellness_rollups.sum + excluded.sum, \
             min = CASE WHEN excluded.min < wellness_rollups.min THEN excluded.min ELSE wellness_rollups.min END, \
             max = CASE WHEN excluded.max > wellness_rollups.max THEN excluded.max ELSE wellness_rollups.max END",
            value_rows(tx, chunk.len(), WIDTH)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (k, a) in chunk {
            q = q
                .bind(user.get())
                .bind(k.series.as_str())
                .bind(k.level.code())
                .bind(k.bucket.micros())
                .bind(a.count)
                .bind(a.sum)
                .bind(a.min)
                .bind(a.max);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn agg(r: &AnyRow) -> Result<Option<Agg>> {
    let count: Option<i64> = r.try_get("count")?;
    Ok(match count {
        Some(count) if count > 0 => Some(Agg {
            count,
            sum: r.try_get("sum")?,
            min: r.try_get("min")?,
            max: r.try_get("max")?,
        }),
        _ => None,
    })
}

/// Stored buckets of `series` at `level` starting in `[from, to)`, oldest first.
pub async fn rollups<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    series: Series,
    level: Level,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(Timestamp, Agg)>> {
    let mut found = rollups_of(db, user, &[series], level, from, to).await?;
    Ok(found.remove(&series).unwrap_or_default())
}

/// [`rollups`] of several series in one statement (a dashboard draws several at once).
pub async fn rollups_of<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    series: &[Series],
    level: Level,
    from: Timestamp,
    to: Timestamp,
) -> Result<BTreeMap<Series, Vec<(Timestamp, Agg)>>> {
    let sql = format!(
        "SELECT series, bucket, count, sum, min, max FROM wellness_rollups \
         WHERE user_id = $1 AND level = $2 AND bucket >= $3 AND bucket < $4 AND series IN ({}) \
         ORDER BY series, bucket",
        placeholders(5, series.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(level.code())
        .bind(from.micros())
        .bind(to.micros());
    for s in series {
        query = query.bind(s.as_str());
    }
    let rows = query.fetch_all(db).await?;
    let mut out: BTreeMap<Series, Vec<(Timestamp, Agg)>> =
        series.iter().map(|s| (*s, Vec::new())).collect();
    for r in &rows {
        let name: String = r.try_get("series")?;
        if let (Some(points), Some(a)) =
            (Series::parse(&name).and_then(|s| out.get_mut(&s)), agg(r)?)
        {
            points.push((Timestamp::from_micros(r.try_get("bucket")?), a));
        }
    }
    Ok(out)
}

async fn put(tx: &mut Tx, user: UserId, key: Key, value: Option<Agg>) -> Result<()> {
    sqlx::query("DELETE FROM wellness_rollups WHERE user_id = $1 AND series = $2 AND level = $3 AND bucket = $4")
        .bind(user.get())
        .bind(key.series.as_str())
        .bind(key.level.code())
        .bind(key.bucket.micros())
        .execute(&mut **tx)
        .await?;
    if let Some(a) = value {
        add_rollups(tx, user, &BTreeMap::from([(key, a)])).await?;
    }
    Ok(())
}

/// Recomputes every bucket holding `at` for `series` after a record there changed: the minute
/// from the raw records, the coarser ones from the minutes.
pub async fn recompute(
    tx: &mut Tx,
    user: UserId,
    series: Series,
    at: Timestamp,
    tz: &TimeZone,
) -> Result<()> {
    let minute = rollup::bucket_start(Level::Minute, at, tz);
    let column = if series == Series::Diastolic {
        "value2"
    } else {
        "value"
    };
    let sql = format!(
        "SELECT COUNT({column}) AS count, SUM({column}) AS sum, MIN({column}) AS min, MAX({column}) AS max \
         FROM wellness_records WHERE user_id = $1 AND kind = $2 AND at >= $3 AND at < $4 AND deleted = 0"
    );
    let r = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(series.kind().as_str())
        .bind(minute.micros())
        .bind(rollup::next_bucket(Level::Minute, minute, tz).micros())
        .fetch_one(&mut **tx)
        .await?;
    let value = agg(&r)?;
    put(
        tx,
        user,
        Key {
            series,
            level: Level::Minute,
            bucket: minute,
        },
        value,
    )
    .await?;
    for level in [Level::Hour, Level::Day, Level::Week] {
        let start = rollup::bucket_start(level, at, tz);
        let end = rollup::next_bucket(level, start, tz);
        let r = sqlx::query(
            "SELECT CAST(SUM(count) AS BIGINT) AS count, SUM(sum) AS sum, MIN(min) AS min, MAX(max) AS max \
             FROM wellness_rollups WHERE user_id = $1 AND series = $2 AND level = 0 AND bucket >= $3 AND bucket < $4",
        )
        .bind(user.get())
        .bind(series.as_str())
        .bind(start.micros())
        .bind(end.micros())
        .fetch_one(&mut **tx)
        .await?;
        let value = agg(&r)?;
        put(
            tx,
            user,
            Key {
                series,
                level,
                bucket: start,
            },
            value,
        )
        .await?;
    }
    Ok(())
}

/// Rebuilds the user's days and weeks in time zone `tz` from their minutes.
pub async fn rebuild_local(tx: &mut Tx, user: UserId, tz: &TimeZone) -> Result<()> {
    sqlx::query("DELETE FROM wellness_rollups WHERE user_id = $1 AND level IN (2, 3)")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    let rows = sqlx::query(
        "SELECT series, bucket, count, sum, min, max FROM wellness_rollups \
         WHERE user_id = $1 AND level = 0 ORDER BY series, bucket",
    )
    .bind(user.get())
    .fetch_all(&mut **tx)
    .await?;
    let mut by_series: BTreeMap<Series, Vec<(Timestamp, Agg)>> = BTreeMap::new();
    for r in &rows {
        let name: String = r.try_get("series")?;
        if let (Some(series), Some(a)) = (Series::parse(&name), agg(r)?) {
            by_series
                .entry(series)
                .or_default()
                .push((Timestamp::from_micros(r.try_get("bucket")?), a));
        }
    }
    let mut fresh = BTreeMap::new();
    for (series, minutes) in by_series {
        for level in [Level::Day, Level::Week] {
            let grouped = rollup::regroup(minutes.iter().copied(), |t| {
                rollup::bucket_start(level, t, tz)
            });
            fresh.extend(grouped.into_iter().map(|(bucket, a)| {
                (
                    Key {
                        series,
                        level,
                        bucket,
                    },
                    a,
                )
            }));
        }
    }
    add_rollups(tx, user, &fresh).await
}

/// Per member of `region` (everyone when `None`) with `series` data in day buckets starting
/// in `[from, to)`: (sum, count, days with data).
pub async fn member_totals<'e>(
    db: impl Executor<'e, Database = Any>,
    series: Series,
    (from, to): (Timestamp, Timestamp),
    region: Option<&str>,
) -> Result<Vec<(f64, i64, i64)>> {
    let sql = format!(
        "SELECT SUM(r.sum) AS total, CAST(SUM(r.count) AS BIGINT) AS n, COUNT(*) AS days FROM wellness_rollups r \
         JOIN wellness_members m ON m.user_id = r.user_id \
         WHERE r.series = $1 AND r.level = $2 AND r.bucket >= $3 AND r.bucket < $4{} \
         GROUP BY r.user_id",
        if region.is_some() {
            " AND m.region = $5"
        } else {
            ""
        }
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(series.as_str())
        .bind(Level::Day.code())
        .bind(from.micros())
        .bind(to.micros());
    if let Some(region) = region {
        query = query.bind(region);
    }
    let rows = query.fetch_all(db).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("total")?, r.try_get("n")?, r.try_get("days")?)))
        .collect()
}
