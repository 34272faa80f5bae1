//! `GET /ask/q/{id}`: a question with its answers, the answer form, and the accept button for
//! the asker.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::{Author, Card, Summary};
use crate::Web;
use crate::failure::Fields;
use crate::i18n::AskTexts;
use crate::pages::{PageResult, Shell, render, segment, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct Question {
    #[serde(flatten)]
    summary: Summary,
    status: String,
    #[serde(default)]
    answers: Vec<Answer>,
}

#[derive(Deserialize)]
struct Answer {
    id: String,
    content: String,
    author: Author,
    like_count: i64,
    is_accepted: bool,
    created_at: String,
}

/// An answer as the page shows it.
struct AnswerView {
    id: String,
    content: String,
    author: String,
    author_verified: bool,
    likes: i64,
    accepted: bool,
    at: String,
    at_iso: String,
}

#[derive(Template)]
#[template(path = "ask/question.html")]
struct QuestionPage {
    shell: Shell,
    a: &'static AskTexts,
    question: Card,
    content: String,
    answers: Vec<AnswerView>,
    /// The asker may still accept one of the answers.
    can_accept: bool,
    draft: String,
    fields: Fields,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    show(&web, &visit, &id, String::new(), Fields::default()).await
}

async fn show(web: &Web, visit: &Visit, id: &str, draft: String, fields: Fields) -> PageResult {
    let path = format!("/api/v1/questions/{}", segment(id));
    let (shell, question) = tokio::join!(
        Shell::load(web, visit, "ask"),
        web.api.get::<Question>(visit, &path),
    );
    let (shell, question) = (shell?, question?);
    let asker = shell
        .me
        .as_ref()
        .is_some_and(|me| me.id == question.summary.author.id);
    let can_accept = asker && question.status == "active" && !question.summary.has_accepted_answer;
    let content = question.summary.content.clone();
    Ok(render(&QuestionPage {
        shell,
        a: visit.lang.ask(),
        content,
        question: Card::new(visit, question.summary),
        answers: question
            .answers
            .into_iter()
            .map(|answer| AnswerView {
                id: answer.id,
                content: answer.content,
                author: answer.author.nickname,
                author_verified: answer.author.is_local_verified,
                likes: answer.like_count,
                accepted: answer.is_accepted,
                at: when(visit, &answer.created_at),
                at_iso: answer.created_at,
            })
            .collect(),
        can_accept,
        draft,
        fields,
    }))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    content: String,
}

/// `POST /ask/q/{id}/answers`; a refused answer comes back in its box with the reason.
pub async fn answer(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    let path = format!("/api/v1/questions/{}/answers", segment(&id));
    let sent = web
        .api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            &path,
            &json!({ "content": form.content }),
        )
        .await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/ask/q/{}#answers", segment(&id))).into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, &id, form.content, fields).await
        }
    }
}

#[derive(Deserialize)]
struct Accepted {
    question_id: String,
}

/// `POST /ask/answers/{id}/accept`: the asker accepts an answer; the bounty moves.
pub async fn accept(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/answers/{}/accept", segment(&id));
    let accepted: Accepted = web.api.send(&visit, Method::PUT, &path, &json!({})).await?;
    Ok(Redirect::to(&format!("/ask/q/{}", segment(&accepted.question_id))).into_response())
}
