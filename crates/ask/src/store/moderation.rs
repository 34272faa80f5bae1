//! Reports, the moderation log, and what a user wrote (exports, forgetting).

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use serde::Serialize;
use sqlx::{Any, Executor, Row};
use utoipa::ToSchema;

/// A user's report of a question or answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub id: String,
    pub reporter_id: String,
    pub target_type: String,
    pub target_id: String,
    /// The question the target is or answers.
    pub question_id: Option<String>,
    /// The start of the reported text (a question's title, an answer's content).
    pub excerpt: String,
    pub reason: String,
    pub created_at: Timestamp,
}

/// A hidden question or answer, and why it was hidden.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hidden {
    pub target_type: String,
    pub target_id: String,
    pub question_id: String,
    pub excerpt: String,
    pub reason: Option<String>,
}

/// How much of a reported or hidden text moderators see in a list.
const EXCERPT_CHARS: usize = 200;

fn excerpt(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).collect()
}

/// What a report or hidden item is about, by its target: the question it belongs to, and its
/// text.
const TARGET_COLUMNS: &str = "CASE WHEN r.target_type = 'question' THEN r.target_id \
     ELSE (SELECT question_id FROM ask_answers WHERE id = r.target_id) END AS question_id, \
     CASE WHEN r.target_type = 'question' THEN (SELECT title FROM ask_questions WHERE id = r.target_id) \
     ELSE (SELECT content FROM ask_answers WHERE id = r.target_id) END AS excerpt";

/// Files a report; false when the reporter already reported this target.
pub async fn insert_report(
    tx: &mut Tx,
    id: i64,
    reporter: UserId,
    target: (&str, i64),
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ask_reports (id, reporter_id, target_type, target_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (reporter_id, target_type, target_id) DO NOTHING",
    )
    .bind(id)
    .bind(reporter.get())
    .bind(target.0)
    .bind(target.1)
    .bind(reason)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Unresolved reports, oldest first.
pub async fn open_reports<'e, E: Executor<'e, Database = Any>>(
    db: E,
    limit: i64,
) -> Result<Vec<Report>> {
    let sql = format!(
        "SELECT r.id, r.reporter_id, r.target_type, r.target_id, r.reason, r.created_at, {TARGET_COLUMNS} \
         FROM ask_reports r WHERE r.resolved_at IS NULL ORDER BY r.created_at LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Report {
                id: r.try_get::<i64, _>("id")?.to_string(),
                reporter_id: r.try_get::<i64, _>("reporter_id")?.to_string(),
                target_type: r.try_get("target_type")?,
                target_id: r.try_get::<i64, _>("target_id")?.to_string(),
                question_id: r
                    .try_get::<Option<i64>, _>("question_id")?
                    .map(|id| id.to_string()),
                excerpt: excerpt(
                    &r.try_get::<Option<String>, _>("excerpt")?
                        .unwrap_or_default(),
                ),
                reason: r.try_get("reason")?,
                created_at: Timestamp::from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// Hidden questions and answers, latest first.
pub async fn hidden<'e, E: Executor<'e, Database = Any>>(db: E, limit: i64) -> Result<Vec<Hidden>> {
    let rows = sqlx::query(
        "SELECT 'question' AS target_type, id AS target_id, id AS question_id, title AS excerpt, hidden_reason \
         FROM ask_questions WHERE hidden = 1 \
         UNION ALL SELECT 'answer', id, question_id, content, hidden_reason FROM ask_answers WHERE hidden = 1 \
         ORDER BY target_id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Hidden {
                target_type: r.try_get("target_type")?,
                target_id: r.try_get::<i64, _>("target_id")?.to_string(),
                question_id: r.try_get::<i64, _>("question_id")?.to_string(),
                excerpt: excerpt(&r.try_get::<String, _>("excerpt")?),
                reason: r.try_get("hidden_reason")?,
            })
        })
        .collect()
}

/// Marks every open report about a target resolved.
pub async fn resolve_reports(tx: &mut Tx, target: (&str, i64), now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE ask_reports SET resolved_at = $1 WHERE target_type = $2 AND target_id = $3 AND resolved_at IS NULL")
        .bind(now.micros())
        .bind(target.0)
        .bind(target.1)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes what a moderator did.
pub async fn log_action(
    tx: &mut Tx,
    id: i64,
    moderator: UserId,
    action: &str,
    target: (&str, i64),
    reason: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ask_moderation_log (id, moderator_id, action, target_type, target_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(moderator.get())
    .bind(action)
    .bind(target.0)
    .bind(target.1)
    .bind(reason)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A user's questions as stored, for their data export: (id, title, content, created_at).
pub async fn user_questions<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<Vec<serde_json::Value>> {
    let rows = sqlx::query("SELECT id, title, content, status, created_at FROM ask_questions WHERE user_id = $1 ORDER BY id")
        .bind(user.get())
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?.to_string(),
                "title": r.try_get::<String, _>("title")?,
                "content": r.try_get::<String, _>("content")?,
                "status": r.try_get::<String, _>("status")?,
                "created_at": Timestamp::from_micros(r.try_get("created_at")?),
            }))
        })
        .collect()
}

/// A user's answers as stored, for their data export.
pub async fn user_answers<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<Vec<serde_json::Value>> {
    let rows = sqlx::query("SELECT id, question_id, content, created_at FROM ask_answers WHERE user_id = $1 ORDER BY id")
        .bind(user.get())
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?.to_string(),
                "question_id": r.try_get::<i64, _>("question_id")?.to_string(),
                "content": r.try_get::<String, _>("content")?,
                "created_at": Timestamp::from_micros(r.try_get("created_at")?),
            }))
        })
        .collect()
}

/// Removes what a purged account wrote: its questions leave every list and lose their text,
/// its answers, likes, reports and profile go. Ledger entries stay: they are other members'
/// history too, and name the account only by its number.
pub async fn forget(tx: &mut Tx, user: UserId) -> Result<()> {
    sqlx::query(
        "DELETE FROM ask_question_tags WHERE question_id IN (SELECT id FROM ask_questions WHERE user_id = $1)",
    )
    .bind(user.get())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE ask_questions SET status = 'deleted', title = '', content = '', place_name = NULL WHERE user_id = $1")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    for sql in [
        "UPDATE ask_answers SET content = '', hidden = 1, hidden_reason = 'account deleted' WHERE user_id = $1",
        "DELETE FROM ask_question_likes WHERE user_id = $1",
        "DELETE FROM ask_answer_likes WHERE user_id = $1",
        "DELETE FROM ask_reports WHERE reporter_id = $1",
        "DELETE FROM ask_profiles WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user.get()).execute(&mut **tx).await?;
    }
    Ok(())
}
