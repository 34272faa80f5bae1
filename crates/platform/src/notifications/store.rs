//! Notification persistence.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::model::{Actor, NewNotification, Notification, NotificationId};
use crate::accounts::UserId;
use crate::db::Tx;
use crate::time::Timestamp;
use crate::{Error, Result};

const COLUMNS: &str = "n.id, n.app, n.kind, n.actor_id, n.subject, n.group_key, n.data, n.created_at, n.read_at, \
     u.username AS actor_username, u.display_name AS actor_display_name";

fn from_row(r: &AnyRow) -> Result<Notification, sqlx::Error> {
    let actor_id: Option<i64> = r.try_get("actor_id")?;
    let username: Option<String> = r.try_get("actor_username")?;
    let data: String = r.try_get("data")?;
    Ok(Notification {
        id: NotificationId::from_raw(r.try_get("id")?),
        app: r.try_get("app")?,
        kind: r.try_get("kind")?,
        actor: actor_id.zip(username).map(|(id, username)| Actor {
            id: UserId::from_raw(id),
            username,
            display_name: r.try_get("actor_display_name").ok().flatten(),
        }),
        subject: r.try_get("subject")?,
        group_key: r.try_get("group_key")?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        read_at: r
            .try_get::<Option<i64>, _>("read_at")?
            .map(Timestamp::from_micros),
    })
}

pub async fn insert(
    tx: &mut Tx,
    id: NotificationId,
    n: &NewNotification,
    group_key: &str,
    now: Timestamp,
) -> Result<Notification> {
    sqlx::query("INSERT INTO notifications (id, user_id, app, kind, actor_id, subject, group_key, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(id.get())
        .bind(n.user.get())
        .bind(n.app)
        .bind(n.kind)
        .bind(n.actor.map(UserId::get))
        .bind(n.subject.as_deref())
        .bind(group_key)
        .bind(n.data.to_string())
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id WHERE n.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_one(&mut **tx)
        .await?;
    Ok(from_row(&row)?)
}

/// A page of a user's notifications, newest first, older than `max_id` when given.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
    max_id: Option<i64>,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id \
         WHERE n.user_id = $1 AND ($2 IS NULL OR n.id < $2) AND ($3 = 0 OR n.read_at IS NULL) \
         ORDER BY n.id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.get())
        .bind(max_id)
        .bind(i64::from(unread_only))
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| from_row(r).map_err(Error::from))
        .collect()
}

pub async fn unread_count<'e, E: Executor<'e, Database = Any>>(db: E, user: UserId) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.get())
            .fetch_one(db)
            .await?;
    Ok(row.try_get(0)?)
}

pub async fn mark_read(
    tx: &mut Tx,
    user: UserId,
    id: NotificationId,
    now: Timestamp,
) -> Result<bool> {
    let found = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2",
    )
    .bind(id.get())
    .bind(user.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(found.rows_affected() == 1)
}

pub async fn mark_all_read(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<u64> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.get())
            .bind(now.micros())
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}
