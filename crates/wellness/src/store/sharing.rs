//! Shares (who may read whose data) and the log of every such read.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use serde::Serialize;
use sqlx::{Any, Executor, Row};
use utoipa::ToSchema;

/// One grant of read access.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Share {
    pub owner_id: UserId,
    pub grantee_id: UserId,
    pub created_at: Timestamp,
    /// When the owner took it back; absent while it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// Grants (`active`) or revokes `grantee`'s access to `owner`'s data.
pub async fn set_share(
    tx: &mut Tx,
    owner: UserId,
    grantee: UserId,
    active: bool,
    now: Timestamp,
) -> Result<()> {
    if active {
        sqlx::query(
            "INSERT INTO wellness_shares (owner_id, grantee_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (owner_id, grantee_id) DO UPDATE SET created_at = excluded.created_at, revoked_at = NULL",
        )
        .bind(owner.get())
        .bind(grantee.get())
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE wellness_shares SET revoked_at = $3 WHERE owner_id = $1 AND grantee_id = $2 AND revoked_at IS NULL",
        )
        .bind(owner.get())
        .bind(grantee.get())
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Shares `user` gave and was given, revoked ones included.
pub async fn shares<'e>(db: impl Executor<'e, Database = Any>, user: UserId) -> Result<Vec<Share>> {
    let rows = sqlx::query(
        "SELECT owner_id, grantee_id, created_at, revoked_at FROM wellness_shares \
         WHERE owner_id = $1 OR grantee_id = $1 ORDER BY created_at DESC",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Share {
                owner_id: UserId::from_raw(r.try_get("owner_id")?),
                grantee_id: UserId::from_raw(r.try_get("grantee_id")?),
                created_at: Timestamp::from_micros(r.try_get("created_at")?),
                revoked_at: r
                    .try_get::<Option<i64>, _>("revoked_at")?
                    .map(Timestamp::from_micros),
            })
        })
        .collect()
}

pub async fn may_read<'e>(
    db: impl Executor<'e, Database = Any>,
    owner: UserId,
    reader: UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM wellness_shares WHERE owner_id = $1 AND grantee_id = $2 AND revoked_at IS NULL",
    )
    .bind(owner.get())
    .bind(reader.get())
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

pub async fn log_access(
    tx: &mut Tx,
    id: i64,
    owner: UserId,
    reader: UserId,
    what: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO wellness_access_log (id, owner_id, reader_id, what, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(owner.get())
        .bind(reader.get())
        .bind(what)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who read `owner`'s data, newest first: (reader, what, when).
pub async fn access_log<'e>(
    db: impl Executor<'e, Database = Any>,
    owner: UserId,
    limit: i64,
) -> Result<Vec<(UserId, String, Timestamp)>> {
    let rows = sqlx::query(
        "SELECT reader_id, what, at FROM wellness_access_log WHERE owner_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(owner.get())
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                UserId::from_raw(r.try_get("reader_id")?),
                r.try_get("what")?,
                Timestamp::from_micros(r.try_get("at")?),
            ))
        })
        .collect()
}
