//! Reports and moderation.

use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path};
use platform::validation::{Validate, field};
use platform::{AppContext, Result};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::model::{AnswerId, QuestionId};
use crate::service::{self, Target, Visibility};
use crate::store::{Hidden, Report};

fn reason(raw: &str) -> std::result::Result<String, String> {
    let text = raw.trim();
    match text.chars().count() {
        1..=500 => Ok(text.to_owned()),
        _ => Err("must be 1-500 characters".to_owned()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// `question` or `answer`.
    target_type: String,
    target_id: String,
    reason: String,
}

/// Report a question or answer to the moderators.
#[utoipa::path(post, path = "/api/v1/ask/reports", tag = "ask", security(("bearer" = [])), request_body = ReportBody,
    responses((status = 202), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn report(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(body): Json<ReportBody>,
) -> Result<StatusCode> {
    let id = body.target_id.parse::<i64>().map_err(|_| "is not an id");
    let (target, reason) = (
        field(
            "target_type",
            match body.target_type.as_str() {
                "question" => id.map(|id| Target::Question(QuestionId::from_raw(id))),
                "answer" => id.map(|id| Target::Answer(AnswerId::from_raw(id))),
                _ => Err("must be question or answer"),
            },
        ),
        field("reason", reason(&body.reason)),
    )
        .validate()?;
    service::report(&ctx, &user, target, &reason).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Open reports, oldest first (moderators).
#[utoipa::path(get, path = "/api/v1/ask/moderation/reports", tag = "ask", security(("bearer" = [])),
    responses((status = 200, body = Vec<Report>), (status = 403, body = ProblemBody)))]
pub async fn reports(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<Vec<Report>>> {
    Ok(Json(service::reports(&ctx, &user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    reason: String,
}

/// Hide a question from everyone but its author and moderators (moderators).
#[utoipa::path(post, path = "/api/v1/ask/moderation/questions/{id}/hide", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn hide_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
    Json(body): Json<ReasonBody>,
) -> Result<StatusCode> {
    let (reason,) = (field("reason", reason(&body.reason)),).validate()?;
    service::set_visibility(
        &ctx,
        &user,
        Target::Question(id),
        Visibility::Hidden(&reason),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hide an answer from everyone but its author and moderators (moderators).
#[utoipa::path(post, path = "/api/v1/ask/moderation/answers/{id}/hide", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn hide_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
    Json(body): Json<ReasonBody>,
) -> Result<StatusCode> {
    let (reason,) = (field("reason", reason(&body.reason)),).validate()?;
    service::set_visibility(&ctx, &user, Target::Answer(id), Visibility::Hidden(&reason)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show a hidden question again (moderators).
#[utoipa::path(post, path = "/api/v1/ask/moderation/questions/{id}/restore", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn restore_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
) -> Result<StatusCode> {
    service::set_visibility(&ctx, &user, Target::Question(id), Visibility::Restored).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show a hidden answer again (moderators).
#[utoipa::path(post, path = "/api/v1/ask/moderation/answers/{id}/restore", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn restore_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
) -> Result<StatusCode> {
    service::set_visibility(&ctx, &user, Target::Answer(id), Visibility::Restored).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hidden questions and answers, latest first, with why they were hidden (moderators).
#[utoipa::path(get, path = "/api/v1/ask/moderation/hidden", tag = "ask", security(("bearer" = [])),
    responses((status = 200, body = Vec<Hidden>), (status = 403, body = ProblemBody)))]
pub async fn hidden(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Vec<Hidden>>> {
    Ok(Json(service::hidden(&ctx, &user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    /// 0-365; 0 lifts a suspension.
    days: u32,
    reason: String,
}

/// Suspend a member from asking, answering and liking (moderators).
#[utoipa::path(post, path = "/api/v1/ask/moderation/users/{id}/suspend", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SuspendBody,
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn suspend(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Json(body): Json<SuspendBody>,
) -> Result<StatusCode> {
    let (days, reason) = (
        field(
            "days",
            if body.days <= 365 {
                Ok(body.days)
            } else {
                Err("must be 0-365")
            },
        ),
        field("reason", reason(&body.reason)),
    )
        .validate()?;
    service::suspend(&ctx, &user, id, days, &reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
