//! Who follows, asks to follow, blocks and mutes whom.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use super::drop_from_timeline;

/// Whether one of the two blocks the other.
pub async fn blocked_either_way<'e, E: Executor<'e, Database = Any>>(
    db: E,
    a: UserId,
    b: UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM social_blocks WHERE (blocker_id = $1 AND blocked_id = $2) \
         OR (blocker_id = $2 AND blocked_id = $1)",
    )
    .bind(a.get())
    .bind(b.get())
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

async fn ensure_account(tx: &mut Tx, user: UserId) -> Result<()> {
    sqlx::query("INSERT INTO social_accounts (user_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records that `follower` follows `target`, keeping both counts; whether it is new.
pub async fn follow(tx: &mut Tx, follower: UserId, target: UserId, now: Timestamp) -> Result<bool> {
    ensure_account(tx, follower).await?;
    ensure_account(tx, target).await?;
    let done = sqlx::query(
        "INSERT INTO social_follows (follower_id, following_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(follower.get())
    .bind(target.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    let new = done.rows_affected() == 1;
    if new {
        follow_counts(tx, follower, target, 1).await?;
    }
    Ok(new)
}

pub async fn unfollow(tx: &mut Tx, follower: UserId, target: UserId) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM social_follows WHERE follower_id = $1 AND following_id = $2")
            .bind(follower.get())
            .bind(target.get())
            .execute(&mut **tx)
            .await?;
    let gone = done.rows_affected() == 1;
    if gone {
        follow_counts(tx, follower, target, -1).await?;
    }
    Ok(gone)
}

async fn follow_counts(tx: &mut Tx, follower: UserId, target: UserId, delta: i64) -> Result<()> {
    sqlx::query(
        "UPDATE social_accounts SET following_count = following_count + $2 WHERE user_id = $1",
    )
    .bind(follower.get())
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE social_accounts SET followers_count = followers_count + $2 WHERE user_id = $1",
    )
    .bind(target.get())
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `follower` follows `target`.
pub async fn follows<'e, E: Executor<'e, Database = Any>>(
    db: E,
    follower: UserId,
    target: UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM social_follows WHERE follower_id = $1 AND following_id = $2",
    )
    .bind(follower.get())
    .bind(target.get())
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

/// How `reader` and `user` stand toward each other, as one statement reads it.
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent yes/no facts, each one column"
)]
pub struct Standing {
    pub locked: bool,
    pub followers: i64,
    pub following: i64,
    /// The reader follows them.
    pub follows: bool,
    /// The reader asked to follow them and waits.
    pub requested: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub muting: bool,
}

pub async fn standing<'e, E: Executor<'e, Database = Any>>(
    db: E,
    reader: UserId,
    user: UserId,
) -> Result<Standing> {
    let row = sqlx::query(
        "SELECT COALESCE(a.locked, 0) AS locked, \
                COALESCE(a.followers_count, 0) AS followers, \
                COALESCE(a.following_count, 0) AS following, \
                (SELECT COUNT(*) FROM social_follows WHERE follower_id = $1 AND following_id = $2) AS follows, \
                (SELECT COUNT(*) FROM social_follow_requests WHERE requester_id = $1 AND target_id = $2) AS requested, \
                (SELECT COUNT(*) FROM social_follows WHERE follower_id = $2 AND following_id = $1) AS followed_by, \
                (SELECT COUNT(*) FROM social_blocks WHERE blocker_id = $1 AND blocked_id = $2) AS blocking, \
                (SELECT COUNT(*) FROM social_mutes WHERE muter_id = $1 AND muted_id = $2) AS muting \
         FROM (SELECT 1 AS one) o LEFT JOIN social_accounts a ON a.user_id = $2",
    )
    .bind(reader.get())
    .bind(user.get())
    .fetch_one(db)
    .await?;
    let yes = |name: &str| -> Result<bool, sqlx::Error> { Ok(row.try_get::<i64, _>(name)? > 0) };
    Ok(Standing {
        locked: yes("locked")?,
        followers: row.try_get("followers")?,
        following: row.try_get("following")?,
        follows: yes("follows")?,
        requested: yes("requested")?,
        followed_by: yes("followed_by")?,
        blocking: yes("blocking")?,
        muting: yes("muting")?,
    })
}

/// `(locked, followers, following)` of an account.
pub async fn account<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<(bool, i64, i64)> {
    let row = sqlx::query(
        "SELECT locked, followers_count, following_count FROM social_accounts WHERE user_id = $1",
    )
    .bind(user.get())
    .fetch_optional(db)
    .await?;
    match row {
        Some(r) => Ok((
            r.try_get::<i64, _>("locked")? != 0,
            r.try_get("followers_count")?,
            r.try_get("following_count")?,
        )),
        None => Ok((false, 0, 0)),
    }
}

pub async fn set_locked(tx: &mut Tx, user: UserId, locked: bool) -> Result<()> {
    ensure_account(tx, user).await?;
    sqlx::query("UPDATE social_accounts SET locked = $2 WHERE user_id = $1")
        .bind(user.get())
        .bind(i64::from(locked))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Follower count of an author, for the fan-out decision.
pub async fn followers_count<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<i64> {
    Ok(account(db, user).await?.1)
}

pub async fn request_follow(
    tx: &mut Tx,
    requester: UserId,
    target: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO social_follow_requests (requester_id, target_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(requester.get())
    .bind(target.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a pending request; whether there was one.
pub async fn take_request(tx: &mut Tx, requester: UserId, target: UserId) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM social_follow_requests WHERE requester_id = $1 AND target_id = $2",
    )
    .bind(requester.get())
    .bind(target.get())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn pending_requests<'e, E: Executor<'e, Database = Any>>(
    db: E,
    target: UserId,
) -> Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT requester_id FROM social_follow_requests WHERE target_id = $1 ORDER BY created_at",
    )
    .bind(target.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Ids on one side of the follow graph, newest first after the cursor (`before` = a user id).
pub async fn follow_list<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
    followers: bool,
    before: Option<UserId>,
    limit: i64,
) -> Result<Vec<UserId>> {
    let sql = if followers {
        "SELECT follower_id FROM social_follows WHERE following_id = $1 AND follower_id < $2 \
         ORDER BY follower_id DESC LIMIT $3"
    } else {
        "SELECT following_id FROM social_follows WHERE follower_id = $1 AND following_id < $2 \
         ORDER BY following_id DESC LIMIT $3"
    };
    let rows = sqlx::query(sql)
        .bind(user.get())
        .bind(before.map_or(i64::MAX, UserId::get))
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Blocks `blocked`: any follow between the two ends, and each leaves the other's timeline.
pub async fn block(tx: &mut Tx, blocker: UserId, blocked: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(blocker.get())
    .bind(blocked.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    for (a, b) in [(blocker, blocked), (blocked, blocker)] {
        unfollow(tx, a, b).await?;
        take_request(tx, a, b).await?;
        drop_from_timeline(tx, a, b).await?;
    }
    Ok(())
}

pub async fn unblock(tx: &mut Tx, blocker: UserId, blocked: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker.get())
        .bind(blocked.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mute(tx: &mut Tx, muter: UserId, muted: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO social_mutes (muter_id, muted_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(muter.get())
    .bind(muted.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unmute(tx: &mut Tx, muter: UserId, muted: UserId) -> Result<()> {
    sqlx::query("DELETE FROM social_mutes WHERE muter_id = $1 AND muted_id = $2")
        .bind(muter.get())
        .bind(muted.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
