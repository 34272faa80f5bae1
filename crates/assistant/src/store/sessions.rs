//! Sessions, and removing everything a session or a user has.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::model::{Session, SessionId, SessionRow};

fn session_row(r: &AnyRow) -> Result<SessionRow> {
    Ok(SessionRow {
        session: Session {
            id: SessionId::from_raw(r.try_get("id")?),
            title: r.try_get("title")?,
            version: r.try_get("version")?,
            created_at: Timestamp::from_micros(r.try_get("created_at")?),
            updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
        },
        user_id: UserId::from_raw(r.try_get("user_id")?),
    })
}

pub async fn insert_session(
    tx: &mut Tx,
    id: SessionId,
    user: UserId,
    title: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assistant_sessions (id, user_id, title, version, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, $4, $4)",
    )
    .bind(id.get())
    .bind(user.get())
    .bind(title)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn session<'e>(
    db: impl Executor<'e, Database = Any>,
    id: SessionId,
) -> Result<Option<SessionRow>> {
    let row = sqlx::query(
        "SELECT id, user_id, title, version, created_at, updated_at FROM assistant_sessions \
         WHERE id = $1",
    )
    .bind(id.get())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(session_row).transpose()
}

/// The user's sessions, most recently active first.
pub async fn sessions<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
) -> Result<Vec<Session>> {
    let rows = sqlx::query(
        "SELECT id, user_id, title, version, created_at, updated_at FROM assistant_sessions \
         WHERE user_id = $1 ORDER BY updated_at DESC, id DESC",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| session_row(r).map(|s| s.session))
        .collect()
}

/// Raises the version by `by` — only from `expected` when given — and returns the new one;
/// `None` when the session is gone or its version is not `expected`. The row stays locked
/// until the transaction ends, so appends to one session never interleave.
pub async fn bump_version(
    tx: &mut Tx,
    id: SessionId,
    expected: Option<i64>,
    by: i64,
    now: Timestamp,
) -> Result<Option<i64>> {
    let row = match expected {
        Some(expected) => {
            sqlx::query(
                "UPDATE assistant_sessions SET version = version + $2, updated_at = $3 \
                 WHERE id = $1 AND version = $4 RETURNING version",
            )
            .bind(id.get())
            .bind(by)
            .bind(now.micros())
            .bind(expected)
            .fetch_optional(&mut **tx)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE assistant_sessions SET version = version + $2, updated_at = $3 \
                 WHERE id = $1 RETURNING version",
            )
            .bind(id.get())
            .bind(by)
            .bind(now.micros())
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    Ok(match row {
        Some(r) => Some(r.try_get("version")?),
        None => None,
    })
}

/// Marks the session active now (a step that changed no fact still counts).
pub async fn touch(tx: &mut Tx, id: SessionId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE assistant_sessions SET updated_at = $2 WHERE id = $1")
        .bind(id.get())
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sessions idle since before `cutoff` (retention), at most `limit`.
pub async fn expired_sessions<'e>(
    db: impl Executor<'e, Database = Any>,
    cutoff: Timestamp,
    limit: i64,
) -> Result<Vec<SessionId>> {
    let rows = sqlx::query("SELECT id FROM assistant_sessions WHERE updated_at < $1 LIMIT $2")
        .bind(cutoff.micros())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok(SessionId::from_raw(r.try_get("id")?)))
        .collect()
}

/// Removes a session with its messages, events, snapshots and queued operations.
pub async fn delete_session(tx: &mut Tx, id: SessionId) -> Result<()> {
    for sql in [
        "DELETE FROM assistant_messages WHERE session_id = $1",
        "DELETE FROM assistant_events WHERE session_id = $1",
        "DELETE FROM assistant_snapshots WHERE session_id = $1",
        "DELETE FROM assistant_operations WHERE session_id = $1",
        "DELETE FROM assistant_sessions WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id.get()).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Removes everything the assistant holds about `user`.
pub async fn forget(tx: &mut Tx, user: UserId) -> Result<()> {
    let ids = sqlx::query("SELECT id FROM assistant_sessions WHERE user_id = $1")
        .bind(user.get())
        .fetch_all(&mut **tx)
        .await?;
    for r in &ids {
        delete_session(tx, SessionId::from_raw(r.try_get("id")?)).await?;
    }
    for sql in [
        "DELETE FROM assistant_usage WHERE user_id = $1",
        "DELETE FROM assistant_operations WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user.get()).execute(&mut **tx).await?;
    }
    Ok(())
}
