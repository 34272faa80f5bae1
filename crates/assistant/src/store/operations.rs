//! The durable queue behind `profile:batch`.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::model::{Operation, OperationId, OperationStatus, QueuedOperation, SessionId};
use crate::profile::Change;

pub async fn insert_operation(
    tx: &mut Tx,
    id: OperationId,
    session: SessionId,
    user: UserId,
    expected_version: Option<i64>,
    changes: &[Change],
    now: Timestamp,
) -> Result<()> {
    let changes = serde_json::to_string(changes).map_err(platform::Error::internal)?;
    sqlx::query(
        "INSERT INTO assistant_operations \
         (id, session_id, user_id, expected_version, changes, status, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, 'accepted', $6)",
    )
    .bind(id.get())
    .bind(session.get())
    .bind(user.get())
    .bind(expected_version)
    .bind(changes)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The oldest operations still waiting, at most `limit`.
pub async fn waiting_operations<'e>(
    db: impl Executor<'e, Database = Any>,
    limit: i64,
) -> Result<Vec<QueuedOperation>> {
    let rows = sqlx::query(
        "SELECT id, session_id, expected_version, changes FROM assistant_operations \
         WHERE status = 'accepted' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let changes: String = r.try_get("changes")?;
            Ok(QueuedOperation {
                id: OperationId::from_raw(r.try_get("id")?),
                session_id: SessionId::from_raw(r.try_get("session_id")?),
                expected_version: r.try_get("expected_version")?,
                changes: serde_json::from_str(&changes).unwrap_or_default(),
            })
        })
        .collect()
}

/// Moves a waiting operation to its outcome; `false` when another writer already did.
pub async fn finish_operation(
    tx: &mut Tx,
    id: OperationId,
    status: OperationStatus,
    version: Option<i64>,
    error: Option<&str>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assistant_operations SET status = $2, version = $3, error = $4, finished_at = $5 \
         WHERE id = $1 AND status = 'accepted'",
    )
    .bind(id.get())
    .bind(status.as_str())
    .bind(version)
    .bind(error)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// An operation of `user`.
pub async fn operation<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    id: OperationId,
) -> Result<Option<Operation>> {
    let row = sqlx::query(
        "SELECT id, session_id, status, version, error, accepted_at, finished_at \
         FROM assistant_operations WHERE id = $1 AND user_id = $2",
    )
    .bind(id.get())
    .bind(user.get())
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let status: String = r.try_get("status")?;
    let finished: Option<i64> = r.try_get("finished_at")?;
    Ok(Some(Operation {
        id,
        session_id: SessionId::from_raw(r.try_get("session_id")?),
        status: OperationStatus::parse(&status),
        version: r.try_get("version")?,
        error: r.try_get("error")?,
        accepted_at: Timestamp::from_micros(r.try_get("accepted_at")?),
        finished_at: finished.map(Timestamp::from_micros),
    }))
}
