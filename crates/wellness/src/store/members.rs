//! Members: a user's time zone, wrapped note key and change sequence.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

/// What wellness keeps about a user.
#[derive(Debug, Clone)]
pub struct Member {
    pub time_zone: String,
    pub region: Option<String>,
    pub wrapped_key: Vec<u8>,
}

fn row(r: &sqlx::any::AnyRow) -> Result<Member> {
    Ok(Member {
        time_zone: r.try_get("time_zone")?,
        region: r.try_get("region")?,
        wrapped_key: r.try_get("wrapped_key")?,
    })
}

pub async fn member<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
) -> Result<Option<Member>> {
    let r = sqlx::query(
        "SELECT time_zone, region, wrapped_key FROM wellness_members WHERE user_id = $1",
    )
    .bind(user.get())
    .fetch_optional(db)
    .await?;
    r.as_ref().map(row).transpose()
}

/// The member row, made with `time_zone` and `wrapped_key` the first time.
pub async fn ensure_member(
    tx: &mut Tx,
    user: UserId,
    time_zone: &str,
    wrapped_key: &[u8],
    now: Timestamp,
) -> Result<Member> {
    sqlx::query(
        "INSERT INTO wellness_members (user_id, time_zone, wrapped_key, seq, created_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.get())
    .bind(time_zone)
    .bind(wrapped_key)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    member(&mut **tx, user)
        .await?
        .ok_or_else(|| platform::Error::internal(anyhow::anyhow!("member row vanished")))
}

/// Takes `n` change numbers; returns the last (the first is `last - n + 1`). Holds the member
/// row until commit, so one user's writes take numbers in commit order.
pub async fn advance_seq(tx: &mut Tx, user: UserId, n: i64) -> Result<i64> {
    let r =
        sqlx::query("UPDATE wellness_members SET seq = seq + $2 WHERE user_id = $1 RETURNING seq")
            .bind(user.get())
            .bind(n)
            .fetch_one(&mut **tx)
            .await?;
    Ok(r.try_get("seq")?)
}

pub async fn set_zone(
    tx: &mut Tx,
    user: UserId,
    time_zone: &str,
    region: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE wellness_members SET time_zone = $2, region = $3 WHERE user_id = $1")
        .bind(user.get())
        .bind(time_zone)
        .bind(region)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes everything wellness holds about `user`, their wrapped key first.
pub async fn forget(tx: &mut Tx, user: UserId) -> Result<()> {
    for sql in [
        "DELETE FROM wellness_members WHERE user_id = $1",
        "DELETE FROM wellness_records WHERE user_id = $1",
        "DELETE FROM wellness_rollups WHERE user_id = $1",
        "DELETE FROM wellness_shares WHERE owner_id = $1 OR grantee_id = $1",
        "DELETE FROM wellness_access_log WHERE owner_id = $1",
        "DELETE FROM wellness_alert_rules WHERE user_id = $1",
        "DELETE FROM wellness_alerts WHERE user_id = $1",
        "DELETE FROM wellness_goals WHERE user_id = $1",
        "DELETE FROM wellness_feedback WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user.get()).execute(&mut **tx).await?;
    }
    Ok(())
}
