//! The event store and its snapshots.

use platform::Result;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::model::{Event, SessionId};
use crate::profile::{Change, Profile};

/// Appends `changes` as events `first_seq`, `first_seq + 1`, ...
pub async fn append(
    tx: &mut Tx,
    session: SessionId,
    first_seq: i64,
    changes: &[Change],
    source: &str,
    now: Timestamp,
) -> Result<Vec<Event>> {
    let mut events = Vec::with_capacity(changes.len());
    for (seq, change) in (first_seq..).zip(changes) {
        let data = serde_json::to_value(change.fact()).map_err(platform::Error::internal)?;
        sqlx::query(
            "INSERT INTO assistant_events (session_id, seq, kind, data, source, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(session.get())
        .bind(seq)
        .bind(change.event_type())
        .bind(data.to_string())
        .bind(source)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
        events.push(Event {
            seq,
            kind: change.event_type().to_owned(),
            data,
            source: source.to_owned(),
            at: now,
        });
    }
    Ok(events)
}

/// Events after `after` up to `upto` (inclusive), in order, at most `limit`.
pub async fn events_after<'e>(
    db: impl Executor<'e, Database = Any>,
    session: SessionId,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT seq, kind, data, source, at FROM assistant_events \
         WHERE session_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
    )
    .bind(session.get())
    .bind(after)
    .bind(upto)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let data: String = r.try_get("data")?;
            Ok(Event {
                seq: r.try_get("seq")?,
                kind: r.try_get("kind")?,
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                source: r.try_get("source")?,
                at: Timestamp::from_micros(r.try_get("at")?),
            })
        })
        .collect()
}

/// The newest snapshot at or before `version`, if any.
pub async fn latest_snapshot<'e>(
    db: impl Executor<'e, Database = Any>,
    session: SessionId,
    version: i64,
) -> Result<Option<(i64, Profile)>> {
    let row = sqlx::query(
        "SELECT seq, profile FROM assistant_snapshots WHERE session_id = $1 AND seq <= $2 \
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(session.get())
    .bind(version)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let text: String = r.try_get("profile")?;
    // A snapshot that no longer reads (its shape changed) is skipped: the fold from the
    // events still gives the profile.
    Ok(serde_json::from_str(&text)
        .ok()
        .map(|p| (r.try_get("seq").unwrap_or(0), p)))
}

pub async fn save_snapshot(
    tx: &mut Tx,
    session: SessionId,
    seq: i64,
    profile: &Profile,
) -> Result<()> {
    let text = serde_json::to_string(profile).map_err(platform::Error::internal)?;
    sqlx::query(
        "INSERT INTO assistant_snapshots (session_id, seq, profile) VALUES ($1, $2, $3) \
         ON CONFLICT (session_id, seq) DO NOTHING",
    )
    .bind(session.get())
    .bind(seq)
    .bind(text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
