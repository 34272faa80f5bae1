//! Alert rules and raised alerts.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::alerts::Rule;

/// The user's rules: (id, rule).
pub async fn rules<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
) -> Result<Vec<(i64, Rule)>> {
    let rows = sqlx::query(
        "SELECT id, rule FROM wellness_alert_rules WHERE user_id = $1 AND enabled = 1 ORDER BY id",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let text: String = r.try_get("rule")?;
        if let Ok(rule) = serde_json::from_str(&text) {
            out.push((r.try_get("id")?, rule));
        }
    }
    Ok(out)
}

pub async fn insert_rule(
    tx: &mut Tx,
    id: i64,
    user: UserId,
    rule: &Rule,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wellness_alert_rules (id, user_id, rule, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user.get())
    .bind(serde_json::to_string(rule).map_err(platform::Error::internal)?)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the rule existed.
pub async fn delete_rule(tx: &mut Tx, user: UserId, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM wellness_alert_rules WHERE user_id = $1 AND id = $2")
        .bind(user.get())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A stored alert.
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub severity: String,
    pub series: String,
    pub message: String,
    pub value: f64,
    pub observed_at: Timestamp,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
}

const ALERT_COLUMNS: &str =
    "id, kind, severity, series, message, value, observed_at, created_at, acknowledged_at";

fn alert_row(r: &sqlx::any::AnyRow) -> Result<AlertRow> {
    Ok(AlertRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        severity: r.try_get("severity")?,
        series: r.try_get("series")?,
        message: r.try_get("message")?,
        value: r.try_get("value")?,
        observed_at: Timestamp::from_micros(r.try_get("observed_at")?),
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        acknowledged_at: r
            .try_get::<Option<i64>, _>("acknowledged_at")?
            .map(Timestamp::from_micros),
    })
}

/// Raises an alert unless one with the same `dedupe` exists, or the latest of the same `kind`
/// was observed at or after `episode_start` (the same episode: its evidence is extended
/// instead). The new alert, if any.
pub async fn insert_alert(
    tx: &mut Tx,
    id: i64,
    user: UserId,
    row: &AlertRow,
    dedupe: &str,
    episode_start: Timestamp,
) -> Result<Option<AlertRow>> {
    let latest = sqlx::query(
        "SELECT id, observed_at FROM wellness_alerts WHERE user_id = $1 AND kind = $2 ORDER BY observed_at DESC LIMIT 1",
    )
    .bind(user.get())
    .bind(row.kind.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(latest) = latest
        && latest.try_get::<i64, _>("observed_at")? >= episode_start.micros()
    {
        sqlx::query(
            "UPDATE wellness_alerts SET observed_at = $2 WHERE id = $1 AND observed_at < $2",
        )
        .bind(latest.try_get::<i64, _>("id")?)
        .bind(row.observed_at.micros())
        .execute(&mut **tx)
        .await?;
        return Ok(None);
    }
    let inserted = sqlx::query(
        "INSERT INTO wellness_alerts (id, user_id, kind, severity, series, message, value, observed_at, dedupe, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id, dedupe) DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(user.get())
    .bind(row.kind.as_str())
    .bind(row.severity.as_str())
    .bind(row.series.as_str())
    .bind(row.message.as_str())
    .bind(row.value)
    .bind(row.observed_at.micros())
    .bind(dedupe)
    .bind(row.created_at.micros())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(inserted.map(|_| AlertRow { id, ..row.clone() }))
}

/// The user's alerts, newest first; only unacknowledged ones when `open`.
pub async fn alerts<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    open: bool,
    limit: i64,
) -> Result<Vec<AlertRow>> {
    let sql = if open {
        format!(
            "SELECT {ALERT_COLUMNS} FROM wellness_alerts WHERE user_id = $1 AND acknowledged_at IS NULL ORDER BY id DESC LIMIT $2"
        )
    } else {
        format!(
            "SELECT {ALERT_COLUMNS} FROM wellness_alerts WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
        )
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.get())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter().map(alert_row).collect()
}

/// Acknowledges the given alerts (all open ones when `ids` is empty); how many changed.
pub async fn acknowledge(tx: &mut Tx, user: UserId, ids: &[i64], now: Timestamp) -> Result<u64> {
    if ids.is_empty() {
        let done = sqlx::query("UPDATE wellness_alerts SET acknowledged_at = $2 WHERE user_id = $1 AND acknowledged_at IS NULL")
            .bind(user.get())
            .bind(now.micros())
            .execute(&mut **tx)
            .await?;
        return Ok(done.rows_affected());
    }
    let mut changed = 0;
    for id in ids {
        let done = sqlx::query(
            "UPDATE wellness_alerts SET acknowledged_at = $3 WHERE user_id = $1 AND id = $2 AND acknowledged_at IS NULL",
        )
        .bind(user.get())
        .bind(id)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
        changed += done.rows_affected();
    }
    Ok(changed)
}
