//! Flags and overrides in the database.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;

use super::{Flag, Rollout};
use crate::Result;
use crate::accounts::UserId;
use crate::db::Db;
use crate::time::Timestamp;

/// Every flag with its overrides.
pub async fn load(db: &Db) -> Result<HashMap<String, Flag>> {
    let rows =
        sqlx::query("SELECT name, enabled, rollout_bp, description, updated_at FROM feature_flags")
            .fetch_all(db.writer())
            .await?;
    let mut flags = HashMap::with_capacity(rows.len());
    for r in &rows {
        let name: String = r.try_get("name")?;
        let rollout: Option<i64> = r.try_get("rollout_bp")?;
        flags.insert(
            name.clone(),
            Flag {
                name,
                enabled: r.try_get::<i64, _>("enabled")? != 0,
                rollout_percent: rollout.map(|bp| Rollout::from_basis_points(bp).percent()),
                description: r.try_get("description")?,
                overrides: BTreeMap::new(),
                updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
            },
        );
    }
    let overrides = sqlx::query("SELECT flag, user_id, enabled FROM feature_flag_overrides")
        .fetch_all(db.writer())
        .await?;
    for r in &overrides {
        let flag: String = r.try_get("flag")?;
        if let Some(f) = flags.get_mut(&flag) {
            f.overrides.insert(
                UserId::from_raw(r.try_get("user_id")?),
                r.try_get::<i64, _>("enabled")? != 0,
            );
        }
    }
    Ok(flags)
}

pub async fn upsert(
    db: &Db,
    name: &str,
    enabled: bool,
    rollout: Option<Rollout>,
    description: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO feature_flags (name, enabled, rollout_bp, description, updated_at) \
         VALUES ($1, $2, $3, COALESCE($4, ''), $5) \
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, \
         rollout_bp = excluded.rollout_bp, \
         description = COALESCE($4, feature_flags.description), updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(i64::from(enabled))
    .bind(rollout.map(Rollout::basis_points))
    .bind(description)
    .bind(now.micros())
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, name: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM feature_flag_overrides WHERE flag = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    let deleted = sqlx::query("DELETE FROM feature_flags WHERE name = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(deleted > 0)
}

/// Sets or clears one override; `false` when the flag does not exist.
pub async fn set_override(db: &Db, flag: &str, user: UserId, forced: Option<bool>) -> Result<bool> {
    let mut tx = db.begin().await?;
    let exists = sqlx::query("SELECT 1 FROM feature_flags WHERE name = $1")
        .bind(flag)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !exists {
        return Ok(false);
    }
    match forced {
        Some(on) => {
            sqlx::query(
                "INSERT INTO feature_flag_overrides (flag, user_id, enabled) VALUES ($1, $2, $3) \
                 ON CONFLICT (flag, user_id) DO UPDATE SET enabled = excluded.enabled",
            )
            .bind(flag)
            .bind(user.get())
            .bind(i64::from(on))
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM feature_flag_overrides WHERE flag = $1 AND user_id = $2")
                .bind(flag)
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
