//! Answers: writing, editing, deleting, likes, and accepting one.

use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path};
use platform::validation::{Validate, field};
use platform::{AppContext, Result};
use serde::Deserialize;
use utoipa::ToSchema;

use super::questions::Likes;
use super::{PlaceInput, place};
use crate::model::{self, Acceptance, Answer, AnswerId, QuestionId};
use crate::service::{self, NewAnswer};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswerBody {
    /// 1-5,000 characters.
    content: String,
    /// A place the answer recommends.
    place: Option<PlaceInput>,
}

fn new_answer(content: &str, at: Option<&PlaceInput>) -> Result<NewAnswer> {
    let (content, place) = (
        field("content", model::content(content)),
        place("place", at),
    )
        .validate()?;
    Ok(NewAnswer { content, place })
}

/// Answer a question.
#[utoipa::path(post, path = "/api/v1/questions/{id}/answers", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = NewAnswerBody,
    responses((status = 201, body = Answer), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn answer_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
    Json(body): Json<NewAnswerBody>,
) -> Result<(StatusCode, Json<Answer>)> {
    let new = new_answer(&body.content, body.place.as_ref())?;
    Ok((
        StatusCode::CREATED,
        Json(service::answer(&ctx, &user, id, new).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedAnswerBody {
    question_id: QuestionId,
    content: String,
    place: Option<PlaceInput>,
}

/// Answer a question, the seed's path (`question_id` in the body).
#[utoipa::path(post, path = "/api/v1/answers", tag = "ask", security(("bearer" = [])), request_body = SeedAnswerBody,
    responses((status = 201, body = Answer), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn create_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(body): Json<SeedAnswerBody>,
) -> Result<(StatusCode, Json<Answer>)> {
    let new = new_answer(&body.content, body.place.as_ref())?;
    Ok((
        StatusCode::CREATED,
        Json(service::answer(&ctx, &user, body.question_id, new).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditAnswerBody {
    content: String,
}

/// Replace the text of one's own answer, until it is accepted.
#[utoipa::path(patch, path = "/api/v1/answers/{id}", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = EditAnswerBody,
    responses((status = 200, body = Answer), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn edit_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
    Json(body): Json<EditAnswerBody>,
) -> Result<Json<Answer>> {
    let (content,) = (field("content", model::content(&body.content)),).validate()?;
    Ok(Json(service::edit_answer(&ctx, &user, id, &content).await?))
}

/// Delete one's own answer, until it is accepted.
#[utoipa::path(delete, path = "/api/v1/answers/{id}", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody)))]
pub async fn delete_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
) -> Result<StatusCode> {
    service::delete_answer(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept an answer to one's own question: pays its bounty and the base reward to the answerer.
/// Repeating it answers the same and pays nothing; another answer of an answered question is 409.
#[utoipa::path(put, path = "/api/v1/answers/{id}/accept", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Acceptance), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
pub async fn accept_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
) -> Result<Json<Acceptance>> {
    Ok(Json(service::accept(&ctx, &user, id).await?))
}

/// Like an answer (again: no change).
#[utoipa::path(post, path = "/api/v1/answers/{id}/like", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Likes), (status = 404, body = ProblemBody)))]
pub async fn like_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
) -> Result<Json<Likes>> {
    let like_count = service::like_answer(&ctx, &user, id, true).await?;
    Ok(Json(Likes { like_count }))
}

#[utoipa::path(delete, path = "/api/v1/answers/{id}/like", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Likes), (status = 404, body = ProblemBody)))]
pub async fn unlike_answer(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<AnswerId>,
) -> Result<Json<Likes>> {
    let like_count = service::like_answer(&ctx, &user, id, false).await?;
    Ok(Json(Likes { like_count }))
}
