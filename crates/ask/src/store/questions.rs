//! Questions: writing, reading, moderation and acceptance, the nearby cells, expired bounties,
//! and the answer-time figures. Lists live in [`super::lists`], likes in [`super::likes`].

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use platform::db::placeholders;

use super::{LISTED, SUMMARY_COLUMNS, json, json_list, summary_row};
use crate::geo::Precision;
use crate::model::{
    Acceptance as Accepted, AnswerId, Category, Place, QuestionId, QuestionState, QuestionSummary,
    Status, Urgency,
};

/// A question to store.
#[derive(Debug)]
pub struct NewQuestionRow<'a> {
    pub id: QuestionId,
    pub user: UserId,
    pub title: &'a str,
    pub content: &'a str,
    pub category: Category,
    pub hashtags: &'a [String],
    pub image_ids: &'a [String],
    pub place: Option<&'a Place>,
    /// The geohash cells of the place at precisions 5, 6 and 7.
    pub cells: Option<[String; 3]>,
    pub region: Option<&'a str>,
    pub urgency: Urgency,
    pub bounty: i64,
    pub now: Timestamp,
}

pub async fn insert_question(tx: &mut Tx, q: &NewQuestionRow<'_>) -> Result<()> {
    let [cell5, cell6, cell7] = q.cells.clone().map_or([None, None, None], |c| c.map(Some));
    sqlx::query(
        "INSERT INTO ask_questions (id, user_id, title, content, category, hashtags, image_ids, lat, lng, place_name, \
         cell5, cell6, cell7, region_code, urgent, bounty, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'active', $17, $17)",
    )
    .bind(q.id.get())
    .bind(q.user.get())
    .bind(q.title)
    .bind(q.content)
    .bind(q.category.as_str())
    .bind(json(&q.hashtags))
    .bind(json(&q.image_ids))
    .bind(q.place.map(|p| p.lat))
    .bind(q.place.map(|p| p.lng))
    .bind(q.place.and_then(|p| p.place_name.clone()))
    .bind(cell5)
    .bind(cell6)
    .bind(cell7)
    .bind(q.region)
    .bind(i64::from(q.urgency == Urgency::Urgent))
    .bind(q.bounty)
    .bind(q.now.micros())
    .execute(&mut **tx)
    .await?;
    write_tags(tx, q.id, q.hashtags).await
}

/// Drops a question's tags from the tag index: it left the lists.
async fn clear_tags(tx: &mut Tx, id: QuestionId) -> Result<()> {
    sqlx::query("DELETE FROM ask_question_tags WHERE question_id = $1")
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Replaces a listed question's tags in the tag index, copying what tag lists filter and sort
/// on from the question's row.
async fn write_tags(tx: &mut Tx, id: QuestionId, tags: &[String]) -> Result<()> {
    clear_tags(tx, id).await?;
    for tag in tags {
        sqlx::query(
            "INSERT INTO ask_question_tags (question_id, tag, region_code, category, created_at, popularity, urgent) \
             SELECT id, $1, region_code, category, created_at, popularity, urgent FROM ask_questions WHERE id = $2",
        )
        .bind(tag)
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What a question's rules need, read inside the deciding transaction.
pub async fn question_state<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: QuestionId,
) -> Result<Option<QuestionState>> {
    let row = sqlx::query(
        "SELECT q.id, q.user_id, q.status, q.hidden, q.bounty, q.answer_count, q.accepted_answer_id, q.accepted_at, \
         q.reward, q.created_at, a.user_id AS answerer FROM ask_questions q \
         LEFT JOIN ask_answers a ON a.id = q.accepted_answer_id WHERE q.id = $1",
    )
    .bind(id.get())
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let author = UserId::from_raw(r.try_get("user_id")?);
        let accepted = match (
            r.try_get::<Option<i64>, _>("accepted_answer_id")?,
            r.try_get::<Option<i64>, _>("answerer")?,
        ) {
            (Some(answer), Some(answerer)) => Some(Accepted {
                question_id: id,
                answer_id: AnswerId::from_raw(answer),
                answerer_id: UserId::from_raw(answerer),
                questioner_id: author,
                points: r.try_get::<Option<i64>, _>("reward")?.unwrap_or(0),
                accepted_at: Timestamp::from_micros(
                    r.try_get::<Option<i64>, _>("accepted_at")?.unwrap_or(0),
                ),
            }),
            _ => None,
        };
        Ok(QuestionState {
            id,
            author,
            status: Status::parse(&r.try_get::<String, _>("status")?).unwrap_or(Status::Deleted),
            hidden: r.try_get::<i64, _>("hidden")? != 0,
            bounty: r.try_get("bounty")?,
            accepted,
            answer_count: r.try_get("answer_count")?,
            created_at: Timestamp::from_micros(r.try_get("created_at")?),
        })
    })
    .transpose()
}

/// Summaries of the given questions (any order), each with whether it is listed.
pub async fn summaries<'e, E: Executor<'e, Database = Any>>(
    db: E,
    ids: &[QuestionId],
    now: Timestamp,
) -> Result<Vec<(QuestionSummary, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM ask_questions q JOIN ask_profiles p ON p.user_id = q.user_id WHERE q.id IN ({})",
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
        .map(|r| summary_row(r, now))
        .collect()
}

/// Every listed question, for rebuilding the search index.
pub async fn all_listed<'e, E: Executor<'e, Database = Any>>(
    db: E,
    now: Timestamp,
) -> Result<Vec<QuestionSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM ask_questions q JOIN ask_profiles p ON p.user_id = q.user_id WHERE {LISTED}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| summary_row(r, now).map(|(s, _)| s))
        .collect()
}

/// The parts of a question's page beyond its summary.
#[derive(Debug, Clone)]
pub struct QuestionDetailRow {
    pub summary: QuestionSummary,
    pub listed: bool,
    pub hidden: bool,
    pub image_ids: Vec<String>,
    pub accepted_answer_id: Option<AnswerId>,
    pub hidden_reason: Option<String>,
    pub updated_at: Timestamp,
}

pub async fn question_detail<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: QuestionId,
    now: Timestamp,
) -> Result<Option<QuestionDetailRow>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, q.image_ids, q.accepted_answer_id, q.hidden_reason, q.updated_at \
         FROM ask_questions q JOIN ask_profiles p ON p.user_id = q.user_id WHERE q.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let (summary, listed) = summary_row(&r, now)?;
        Ok(QuestionDetailRow {
            summary,
            listed,
            hidden: r.try_get::<i64, _>("hidden")? != 0,
            image_ids: json_list(&r, "image_ids")?,
            accepted_answer_id: r
                .try_get::<Option<i64>, _>("accepted_answer_id")?
                .map(AnswerId::from_raw),
            hidden_reason: r.try_get("hidden_reason")?,
            updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
        })
    })
    .transpose()
}

/// New text, category and tags for a question; the tag index follows only while it is listed.
pub async fn edit_question(
    tx: &mut Tx,
    id: QuestionId,
    (title, content, category, hashtags): (&str, &str, Category, &[String]),
    listed: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE ask_questions SET title = $1, content = $2, category = $3, hashtags = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(title)
    .bind(content)
    .bind(category.as_str())
    .bind(json(&hashtags))
    .bind(now.micros())
    .bind(id.get())
    .execute(&mut **tx)
    .await?;
    if !listed {
        return clear_tags(tx, id).await;
    }
    write_tags(tx, id, hashtags).await
}

/// Moves a question to `status` (it leaves the lists unless active).
pub async fn delete_question(
    tx: &mut Tx,
    id: QuestionId,
    status: Status,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE ask_questions SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now.micros())
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    clear_tags(tx, id).await
}

/// Hides a question from everyone but its author and moderators (`Some(reason)`), or shows
/// it again (`None`); whether it changed. A hidden question leaves the tag index; a restored
/// active one returns to it.
pub async fn set_question_hidden(
    tx: &mut Tx,
    id: QuestionId,
    hidden: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE ask_questions SET hidden = $1, hidden_reason = $2 WHERE id = $3 AND hidden = $4",
    )
    .bind(i64::from(hidden.is_some()))
    .bind(hidden)
    .bind(id.get())
    .bind(i64::from(hidden.is_none()))
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    if hidden.is_some() {
        clear_tags(tx, id).await?;
    } else {
        let row = sqlx::query("SELECT status, hashtags FROM ask_questions WHERE id = $1")
            .bind(id.get())
            .fetch_one(&mut **tx)
            .await?;
        if row.try_get::<String, _>("status")? == Status::Active.as_str() {
            write_tags(tx, id, &super::json_list(&row, "hashtags")?).await?;
        }
    }
    Ok(true)
}

/// Records `answer` as the accepted one unless the question already has one; true if it won.
pub async fn accept(tx: &mut Tx, a: &Accepted) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE ask_questions SET accepted_answer_id = $1, accepted_at = $2, reward = $3 \
         WHERE id = $4 AND accepted_answer_id IS NULL AND status = 'active'",
    )
    .bind(a.answer_id.get())
    .bind(a.accepted_at.micros())
    .bind(a.points)
    .bind(a.question_id.get())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE ask_answers SET accepted = 1 WHERE id = $1")
        .bind(a.answer_id.get())
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Keeps the tag index's copy of a question's popularity (answers + likes) in step.
pub(super) async fn bump_tag_popularity(tx: &mut Tx, id: QuestionId, by: i64) -> Result<()> {
    sqlx::query("UPDATE ask_question_tags SET popularity = popularity + $1 WHERE question_id = $2")
        .bind(by)
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Listed questions in the given cells: (cell, id, lat, lng).
pub async fn cells<'e, E: Executor<'e, Database = Any>>(
    db: E,
    precision: Precision,
    hashes: &[&str],
) -> Result<Vec<(String, QuestionId, f64, f64)>> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let column = match precision {
        Precision::Five => "cell5",
        Precision::Six => "cell6",
        Precision::Seven => "cell7",
    };
    let sql = format!(
        "SELECT q.{column} AS cell, q.id, q.lat, q.lng FROM ask_questions q WHERE {LISTED} AND q.{column} IS NOT NULL \
         AND q.{column} IN ({})",
        placeholders(1, hashes.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for h in hashes {
        query = query.bind(*h);
    }
    query
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("cell")?,
                QuestionId::from_raw(r.try_get("id")?),
                r.try_get("lat")?,
                r.try_get("lng")?,
            ))
        })
        .collect()
}

/// Active bounty questions with no accepted answer, asked before `before`: (id, asker, bounty).
pub async fn expired_bounties<'e, E: Executor<'e, Database = Any>>(
    db: E,
    before: Timestamp,
    limit: i64,
) -> Result<Vec<(QuestionId, UserId, i64)>> {
    let rows = sqlx::query(
        "SELECT id, user_id, bounty FROM ask_questions WHERE status = 'active' AND accepted_answer_id IS NULL \
         AND bounty > 0 AND created_at < $1 ORDER BY created_at LIMIT $2",
    )
    .bind(before.micros())
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                QuestionId::from_raw(r.try_get("id")?),
                UserId::from_raw(r.try_get("user_id")?),
                r.try_get("bounty")?,
            ))
        })
        .collect()
}

/// For questions asked since `since`: how long each answered one waited for its first answer
/// (seconds), and how many were asked in all.
pub async fn first_answer_waits<'e, E: Executor<'e, Database = Any> + Copy>(
    db: E,
    since: Timestamp,
) -> Result<(Vec<i64>, i64)> {
    let waits = sqlx::query(
        "SELECT (first_answer_at - created_at) / 1000000 AS wait FROM ask_questions \
         WHERE first_answer_at IS NOT NULL AND created_at >= $1 ORDER BY wait",
    )
    .bind(since.micros())
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>("wait"))
    .collect::<std::result::Result<Vec<_>, _>>()?;
    let asked: i64 = sqlx::query("SELECT COUNT(*) AS n FROM ask_questions WHERE created_at >= $1")
        .bind(since.micros())
        .fetch_one(db)
        .await?
        .try_get("n")?;
    Ok((waits, asked))
}
