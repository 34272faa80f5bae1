//! Profiles: nickname, home region, local verification, activity, suspension.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::geo::GeoPoint;
use platform::db::placeholders;

/// A profile as stored; the balance comes from the ledger.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub user_id: UserId,
    pub nickname: String,
    pub region_code: Option<String>,
    pub verified_until: Option<Timestamp>,
    pub last_active_at: Timestamp,
    pub suspended_until: Option<Timestamp>,
    pub balance: i64,
}

/// Creates the profile if the user has none; true when it was created.
pub async fn ensure_profile(
    tx: &mut Tx,
    user: UserId,
    nickname: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ask_profiles (user_id, nickname, last_active_at, created_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.get())
    .bind(nickname)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn profile<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<Option<ProfileRow>> {
    let row = sqlx::query(
        "SELECT p.user_id, p.nickname, p.region_code, p.verified_until, p.last_active_at, p.suspended_until, \
         COALESCE(b.balance, 0) AS balance FROM ask_profiles p LEFT JOIN ask_balances b ON b.account_id = p.user_id \
         WHERE p.user_id = $1",
    )
    .bind(user.get())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(ProfileRow {
            user_id: UserId::from_raw(r.try_get("user_id")?),
            nickname: r.try_get("nickname")?,
            region_code: r.try_get("region_code")?,
            verified_until: r
                .try_get::<Option<i64>, _>("verified_until")?
                .map(Timestamp::from_micros),
            last_active_at: Timestamp::from_micros(r.try_get("last_active_at")?),
            suspended_until: r
                .try_get::<Option<i64>, _>("suspended_until")?
                .map(Timestamp::from_micros),
            balance: r.try_get("balance")?,
        })
    })
    .transpose()
}

pub async fn set_nickname(tx: &mut Tx, user: UserId, nickname: &str) -> Result<()> {
    sqlx::query("UPDATE ask_profiles SET nickname = $1 WHERE user_id = $2")
        .bind(nickname)
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records the user as a verified local of `region`, seen at `at`, until `until`.
pub async fn verify(
    tx: &mut Tx,
    user: UserId,
    region: &str,
    at: GeoPoint,
    until: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE ask_profiles SET region_code = $1, lat = $2, lng = $3, verified_until = $4 WHERE user_id = $5")
        .bind(region)
        .bind(at.lat())
        .bind(at.lng())
        .bind(until.micros())
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks the user active now.
pub async fn touch(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE ask_profiles SET last_active_at = $1 WHERE user_id = $2")
        .bind(now.micros())
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn suspend(tx: &mut Tx, user: UserId, until: Option<Timestamp>) -> Result<bool> {
    let done = sqlx::query("UPDATE ask_profiles SET suspended_until = $1 WHERE user_id = $2")
        .bind(until.map(Timestamp::micros))
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A verified local who might be asked an urgent question.
#[derive(Debug, Clone, Copy)]
pub struct RoutingCandidate {
    pub user: UserId,
    pub at: GeoPoint,
    pub last_asked_at: Timestamp,
}

/// Verified locals of `region` active since `active_since`, inside the box around a question.
pub async fn routing_candidates(
    tx: &mut Tx,
    region: &str,
    now: Timestamp,
    active_since: Timestamp,
    [south, west, north, east]: [f64; 4],
) -> Result<Vec<RoutingCandidate>> {
    let rows = sqlx::query(
        "SELECT user_id, lat, lng, last_asked_at FROM ask_profiles WHERE region_code = $1 AND verified_until > $2 \
         AND last_active_at >= $3 AND lat BETWEEN $4 AND $5 AND lng BETWEEN $6 AND $7 \
         AND (suspended_until IS NULL OR suspended_until <= $2)",
    )
    .bind(region)
    .bind(now.micros())
    .bind(active_since.micros())
    .bind(south)
    .bind(north)
    .bind(west)
    .bind(east)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RoutingCandidate {
                user: UserId::from_raw(r.try_get("user_id")?),
                at: GeoPoint::new_unchecked(r.try_get("lat")?, r.try_get("lng")?),
                last_asked_at: Timestamp::from_micros(r.try_get("last_asked_at")?),
            })
        })
        .collect()
}

/// Remembers that these users were just asked, so the next urgent question asks others first.
pub async fn mark_asked(tx: &mut Tx, users: &[UserId], now: Timestamp) -> Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE ask_profiles SET last_asked_at = $1 WHERE user_id IN ({})",
        placeholders(2, users.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now.micros());
    for u in users {
        query = query.bind(u.get());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
