//! Goals and feedback on recommendations.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::goals::Goal;
use crate::insights::RecommendationKind;

/// A stored goal.
#[derive(Debug, Clone)]
pub struct GoalRow {
    pub id: i64,
    pub goal: Goal,
    pub created_at: Timestamp,
}

fn goal_row(r: &sqlx::any::AnyRow) -> Result<Option<GoalRow>> {
    let text: String = r.try_get("goal")?;
    // A goal that no longer parses (a kind since removed) is skipped rather than failing the
    // whole list.
    let Ok(goal) = serde_json::from_str(&text) else {
        return Ok(None);
    };
    Ok(Some(GoalRow {
        id: r.try_get("id")?,
        goal,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
    }))
}

/// The user's goals, oldest first.
pub async fn goals<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
) -> Result<Vec<GoalRow>> {
    let rows = sqlx::query(
        "SELECT id, goal, created_at FROM wellness_goals WHERE user_id = $1 ORDER BY id",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.extend(goal_row(r)?);
    }
    Ok(out)
}

pub async fn goal<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    id: i64,
) -> Result<Option<GoalRow>> {
    let row = sqlx::query(
        "SELECT id, goal, created_at FROM wellness_goals WHERE user_id = $1 AND id = $2",
    )
    .bind(user.get())
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some(r) => goal_row(&r)?,
        None => None,
    })
}

pub async fn insert_goal(
    tx: &mut Tx,
    id: i64,
    user: UserId,
    goal: &Goal,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wellness_goals (id, user_id, goal, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user.get())
    .bind(serde_json::to_string(goal).map_err(platform::Error::internal)?)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the goal existed.
pub async fn delete_goal(tx: &mut Tx, user: UserId, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM wellness_goals WHERE user_id = $1 AND id = $2")
        .bind(user.get())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Records the member's verdict on a kind of recommendation, replacing an earlier one.
pub async fn set_feedback(
    tx: &mut Tx,
    user: UserId,
    kind: RecommendationKind,
    verdict: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wellness_feedback (user_id, kind, verdict, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, kind) DO UPDATE SET verdict = excluded.verdict, created_at = excluded.created_at",
    )
    .bind(user.get())
    .bind(kind.as_str())
    .bind(verdict)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The kinds the member dismissed.
pub async fn dismissed<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
) -> Result<Vec<RecommendationKind>> {
    let rows = sqlx::query(
        "SELECT kind FROM wellness_feedback WHERE user_id = $1 AND verdict = 'dismissed'",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        out.extend(RecommendationKind::parse(&kind));
    }
    Ok(out)
}
