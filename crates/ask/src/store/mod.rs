//! ask's persistence: all of its SQL.
//!
//! A question is *listed* (in lists, nearby, trending and search) while it is active and not
//! hidden; [`LISTED`] is that predicate, and the partial indexes of the schema carry it too.

use platform::Result;
use platform::accounts::UserId;
use platform::time::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{
    Answer, AnswerId, Author, Category, Place, QuestionId, QuestionSummary, Status, Urgency,
};

/// Questions (alias `q`) that lists show.
const LISTED: &str = "q.status = 'active' AND q.hidden = 0";

/// The columns [`summary_row`] reads: a question (`q`) and its author's profile (`p`).
const SUMMARY_COLUMNS: &str = "q.id, q.user_id, q.title, q.content, q.category, q.hashtags, q.lat, q.lng, \
     q.place_name, q.region_code, q.urgent, q.bounty, q.status, q.hidden, q.answer_count, q.like_count, \
     CAST(CASE WHEN q.accepted_answer_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_accepted, q.created_at, \
     p.nickname, p.region_code AS author_region, p.verified_until";

/// The columns [`answer_row`] reads: an answer (`a`) and its author's profile (`p`).
const ANSWER_COLUMNS: &str = "a.id, a.question_id, a.user_id, a.content, a.lat, a.lng, a.place_name, \
     a.like_count, a.accepted, a.hidden, a.hidden_reason, a.created_at, a.updated_at, \
     p.nickname, p.region_code AS author_region, p.verified_until";

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

fn json_list(r: &AnyRow, name: &str) -> Result<Vec<String>> {
    let text: String = r.try_get(name)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn place(r: &AnyRow) -> Result<Option<Place>> {
    let (lat, lng): (Option<f64>, Option<f64>) = (r.try_get("lat")?, r.try_get("lng")?);
    Ok(match (lat, lng) {
        (Some(lat), Some(lng)) => Some(Place {
            lat,
            lng,
            place_name: r.try_get("place_name")?,
        }),
        _ => None,
    })
}

fn author(r: &AnyRow, now: Timestamp) -> Result<Author> {
    let verified_until: Option<i64> = r.try_get("verified_until")?;
    Ok(Author {
        id: UserId::from_raw(r.try_get("user_id")?),
        nickname: r.try_get("nickname")?,
        region_code: r.try_get("author_region")?,
        is_local_verified: verified_until.is_some_and(|t| t > now.micros()),
    })
}

/// A question summary and whether it is listed.
fn summary_row(r: &AnyRow, now: Timestamp) -> Result<(QuestionSummary, bool)> {
    let status = Status::parse(&r.try_get::<String, _>("status")?).unwrap_or(Status::Deleted);
    let hidden = r.try_get::<i64, _>("hidden")? != 0;
    let summary = QuestionSummary {
        id: QuestionId::from_raw(r.try_get("id")?),
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        category: Category::parse(&r.try_get::<String, _>("category")?).unwrap_or(Category::Other),
        hashtags: json_list(r, "hashtags")?,
        location: place(r)?,
        region_code: r.try_get("region_code")?,
        urgency: if r.try_get::<i64, _>("urgent")? == 1 {
            Urgency::Urgent
        } else {
            Urgency::Normal
        },
        bounty: r.try_get("bounty")?,
        status,
        author: author(r, now)?,
        answer_count: r.try_get("answer_count")?,
        like_count: r.try_get("like_count")?,
        has_accepted_answer: r.try_get::<i64, _>("has_accepted")? != 0,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
    };
    Ok((summary, status == Status::Active && !hidden))
}

/// An answer and whether a moderator hid it.
fn answer_row(r: &AnyRow, now: Timestamp) -> Result<(Answer, bool)> {
    let hidden = r.try_get::<i64, _>("hidden")? != 0;
    Ok((
        Answer {
            id: AnswerId::from_raw(r.try_get("id")?),
            question_id: QuestionId::from_raw(r.try_get("question_id")?),
            content: r.try_get("content")?,
            place: place(r)?,
            author: author(r, now)?,
            like_count: r.try_get("like_count")?,
            is_accepted: r.try_get::<i64, _>("accepted")? != 0,
            created_at: Timestamp::from_micros(r.try_get("created_at")?),
            updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
            hidden_reason: r.try_get("hidden_reason")?,
        },
        hidden,
    ))
}

mod answers;
mod likes;
mod lists;
mod moderation;
mod points;
mod profiles;
mod questions;

pub use answers::{
    AnswerFacts, NewAnswerRow, answer_facts, answers_of, delete_answer, edit_answer,
    indexable_answers, insert_answer, set_answer_hidden, visible_answers,
};
pub use likes::{Liked, set_like};
pub use lists::{ListFilter, Sort, count, list, tag_counts};
pub use moderation::{
    Hidden, Report, forget, hidden, insert_report, log_action, open_reports, resolve_reports,
    user_answers, user_questions,
};
pub use points::{
    LedgerAudit, PointEntry, audit, balance, count_since, has_entry, statement, transfer,
};
pub use profiles::{
    ProfileRow, RoutingCandidate, ensure_profile, mark_asked, profile, routing_candidates,
    set_nickname, suspend, touch, verify,
};
pub use questions::{
    NewQuestionRow, accept, all_listed, cells, delete_question, edit_question, expired_bounties,
    first_answer_waits, insert_question, question_detail, question_state, set_question_hidden,
    summaries,
};

/// What operators count on the admin page (`GET /api/v1/admin/stats`).
pub async fn counts<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
) -> platform::Result<Vec<(&'static str, i64)>> {
    platform::db::counts(
        db,
        &[
            ("questions", "ask_questions WHERE status <> 'deleted'"),
            ("answers", "ask_answers"),
            (
                "accepted",
                "ask_questions WHERE accepted_answer_id IS NOT NULL",
            ),
            ("open_reports", "ask_reports WHERE resolved_at IS NULL"),
        ],
    )
    .await
}
