//! Answers: writing, editing, likes, hiding, and reading a question's answers.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use platform::db::placeholders;

use super::{ANSWER_COLUMNS, LISTED, answer_row};
use crate::model::{Answer, AnswerId, Place, QuestionId};

/// An answer to store.
#[derive(Debug)]
pub struct NewAnswerRow<'a> {
    pub id: AnswerId,
    pub question: QuestionId,
    pub user: UserId,
    pub content: &'a str,
    pub place: Option<&'a Place>,
    pub now: Timestamp,
}

/// Stores an answer and counts it on its question; true when it is the question's first.
pub async fn insert_answer(tx: &mut Tx, a: &NewAnswerRow<'_>) -> Result<bool> {
    sqlx::query(
        "INSERT INTO ask_answers (id, question_id, user_id, content, lat, lng, place_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(a.id.get())
    .bind(a.question.get())
    .bind(a.user.get())
    .bind(a.content)
    .bind(a.place.map(|p| p.lat))
    .bind(a.place.map(|p| p.lng))
    .bind(a.place.and_then(|p| p.place_name.clone()))
    .bind(a.now.micros())
    .execute(&mut **tx)
    .await?;
    let first = sqlx::query(
        "UPDATE ask_questions SET first_answer_at = $1 WHERE id = $2 AND first_answer_at IS NULL",
    )
    .bind(a.now.micros())
    .bind(a.question.get())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    bump_answers(tx, a.question, 1).await?;
    Ok(first)
}

async fn bump_answers(tx: &mut Tx, question: QuestionId, by: i64) -> Result<()> {
    sqlx::query("UPDATE ask_questions SET answer_count = answer_count + $1, popularity = popularity + $1 WHERE id = $2")
        .bind(by)
        .bind(question.get())
        .execute(&mut **tx)
        .await?;
    super::questions::bump_tag_popularity(tx, question, by).await
}

/// What the rules about one answer need.
#[derive(Debug, Clone, Copy)]
pub struct AnswerFacts {
    pub id: AnswerId,
    pub question: QuestionId,
    pub author: UserId,
    pub accepted: bool,
    pub hidden: bool,
}

pub async fn answer_facts<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: AnswerId,
) -> Result<Option<AnswerFacts>> {
    let row =
        sqlx::query("SELECT question_id, user_id, accepted, hidden FROM ask_answers WHERE id = $1")
            .bind(id.get())
            .fetch_optional(db)
            .await?;
    row.map(|r| {
        Ok(AnswerFacts {
            id,
            question: QuestionId::from_raw(r.try_get("question_id")?),
            author: UserId::from_raw(r.try_get("user_id")?),
            accepted: r.try_get::<i64, _>("accepted")? != 0,
            hidden: r.try_get::<i64, _>("hidden")? != 0,
        })
    })
    .transpose()
}

/// A question's answers with whether each is hidden: accepted first, then most liked, then oldest.
pub async fn answers_of<'e, E: Executor<'e, Database = Any>>(
    db: E,
    question: QuestionId,
    now: Timestamp,
) -> Result<Vec<(Answer, bool)>> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM ask_answers a JOIN ask_profiles p ON p.user_id = a.user_id \
         WHERE a.question_id = $1 ORDER BY a.accepted DESC, a.like_count DESC, a.created_at, a.id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(question.get())
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| answer_row(r, now))
        .collect()
}

pub async fn edit_answer(tx: &mut Tx, id: AnswerId, content: &str, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE ask_answers SET content = $1, updated_at = $2 WHERE id = $3")
        .bind(content)
        .bind(now.micros())
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes an answer that was not accepted; true if it was there.
pub async fn delete_answer(tx: &mut Tx, a: &AnswerFacts) -> Result<bool> {
    let done = sqlx::query("DELETE FROM ask_answers WHERE id = $1 AND accepted = 0")
        .bind(a.id.get())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM ask_answer_likes WHERE answer_id = $1")
        .bind(a.id.get())
        .execute(&mut **tx)
        .await?;
    bump_answers(tx, a.question, -1).await?;
    Ok(true)
}

/// Hides an answer from everyone but its author and moderators (`Some(reason)`), or shows it
/// again (`None`); whether it changed.
pub async fn set_answer_hidden(tx: &mut Tx, id: AnswerId, hidden: Option<&str>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE ask_answers SET hidden = $1, hidden_reason = $2 WHERE id = $3 AND hidden = $4",
    )
    .bind(i64::from(hidden.is_some()))
    .bind(hidden)
    .bind(id.get())
    .bind(i64::from(hidden.is_none()))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Answers by id that a reader may see (not hidden, on a listed question), each with its
/// question's title.
pub async fn visible_answers<'e, E: Executor<'e, Database = Any>>(
    db: E,
    ids: &[AnswerId],
    now: Timestamp,
) -> Result<Vec<(Answer, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ANSWER_COLUMNS}, q.title FROM ask_answers a JOIN ask_profiles p ON p.user_id = a.user_id \
         JOIN ask_questions q ON q.id = a.question_id WHERE a.hidden = 0 AND {LISTED} AND a.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.get());
    }
    query
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| Ok((answer_row(r, now)?.0, r.try_get("title")?)))
        .collect()
}

/// Every answer a reader may see, for rebuilding the search index: (id, text, region, time).
pub async fn indexable_answers<'e, E: Executor<'e, Database = Any>>(
    db: E,
) -> Result<Vec<(AnswerId, String, Option<String>, Timestamp)>> {
    let sql = format!(
        "SELECT a.id, a.content, q.region_code, a.created_at FROM ask_answers a JOIN ask_questions q ON q.id = a.question_id \
         WHERE a.hidden = 0 AND {LISTED}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                AnswerId::from_raw(r.try_get("id")?),
                r.try_get("content")?,
                r.try_get("region_code")?,
                Timestamp::from_micros(r.try_get("created_at")?),
            ))
        })
        .collect()
}
