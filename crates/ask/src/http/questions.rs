//! Questions: asking, the list, the page, edits, deletion, likes.

use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::{CurrentUser, MaybeUser};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::files::MediaId;
use platform::validation::{Validate, field};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{PlaceInput, place};
use crate::model::{self, Category, Question, QuestionId, Urgency};
use crate::regions;
use crate::service::{self, EditQuestion, NewQuestion, QuestionPage};
use crate::store::{ListFilter, Sort};

/// The deepest list page served.
const MAX_PAGE: i64 = 500;

fn category(raw: &str) -> std::result::Result<Category, String> {
    Category::parse(raw).ok_or_else(|| format!("must be one of {}", Category::choices()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestionBody {
    /// 1-100 characters.
    title: String,
    /// 1-5,000 characters.
    content: String,
    /// food, lodging, transport, weather, activity, life or other.
    category: String,
    /// Up to 10, with or without `#`.
    #[serde(default)]
    hashtags: Vec<String>,
    /// Where the question is about; its region comes from it.
    location: Option<PlaceInput>,
    /// `normal` (default) or `urgent`: urgent questions are put to verified locals nearby.
    urgency: Option<String>,
    /// 0-1,000 points, held in escrow from the asker's balance until an answer is accepted.
    bounty: Option<i64>,
    /// The caller's image uploads (`POST /api/v1/uploads`), at most 10.
    #[serde(default)]
    image_ids: Vec<String>,
}

fn image_ids(raw: &[String]) -> std::result::Result<Vec<MediaId>, String> {
    if raw.len() > model::MAX_IMAGES {
        return Err(format!("at most {} images", model::MAX_IMAGES));
    }
    raw.iter()
        .map(|id| {
            id.parse::<i64>()
                .map(MediaId::from_raw)
                .map_err(|_| format!("`{id}` is not an upload id"))
        })
        .collect()
}

/// Ask a question (5 per minute per caller).
#[utoipa::path(post, path = "/api/v1/questions", tag = "ask", security(("bearer" = [])), request_body = NewQuestionBody,
    responses((status = 201, body = Question), (status = 422, body = ProblemBody), (status = 429, body = ProblemBody)))]
pub async fn ask_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(body): Json<NewQuestionBody>,
) -> Result<(StatusCode, Json<Question>)> {
    let (title, content, category, hashtags, place, urgency, bounty, image_ids) = (
        field("title", model::title(&body.title)),
        field("content", model::content(&body.content)),
        field("category", category(&body.category)),
        field("hashtags", model::hashtags(&body.hashtags)),
        place("location", body.location.as_ref()),
        field(
            "urgency",
            body.urgency.as_deref().map_or(Ok(Urgency::Normal), |u| {
                Urgency::parse(u).ok_or("must be normal or urgent")
            }),
        ),
        field("bounty", model::bounty(body.bounty)),
        field("image_ids", image_ids(&body.image_ids)),
    )
        .validate()?;
    let new = NewQuestion {
        title,
        content,
        category,
        hashtags,
        place,
        urgency,
        bounty,
        image_ids,
    };
    Ok((
        StatusCode::CREATED,
        Json(service::ask(&ctx, &user, new).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A region code (`jeju`, `busan`, `seoul`, ...).
    region: Option<String>,
    category: Option<String>,
    /// Comma-separated; questions carrying any of them.
    hashtags: Option<String>,
    /// `created_at` (default), `popularity` or `urgent`.
    #[serde(rename = "sortBy")]
    #[param(rename = "sortBy")]
    sort_by: Option<String>,
    /// 1-500, 20 questions a page.
    page: Option<i64>,
}

fn list_params(p: ListParams) -> Result<(ListFilter, Sort, i64)> {
    let region = match p.region.filter(|r| !r.is_empty()) {
        Some(r) if !regions::exists(&r) => {
            return Err(Error::bad_param("region", format!("unknown region `{r}`")));
        }
        r => r,
    };
    let category = p
        .category
        .filter(|c| !c.is_empty())
        .map(|c| category(&c))
        .transpose()
        .map_err(|m| Error::bad_param("category", m))?;
    let hashtags: Vec<String> = p
        .hashtags
        .map(|h| {
            h.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let hashtags = model::hashtags(&hashtags).map_err(|m| Error::bad_param("hashtags", m))?;
    let sort = match p.sort_by.as_deref() {
        None | Some("created_at") => Sort::CreatedAt,
        Some("popularity") => Sort::Popularity,
        Some("urgent") => Sort::Urgent,
        Some(_) => {
            return Err(Error::bad_param(
                "sortBy",
                "must be created_at, popularity or urgent",
            ));
        }
    };
    let page = p.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(Error::bad_param("page", format!("must be 1-{MAX_PAGE}")));
    }
    Ok((
        ListFilter {
            region,
            category,
            hashtags,
        },
        sort,
        page,
    ))
}

/// Listed questions, filtered and sorted (100 per minute per caller).
#[utoipa::path(get, path = "/api/v1/questions", tag = "ask", params(ListParams),
    responses((status = 200, body = QuestionPage), (status = 400, body = ProblemBody), (status = 429, body = ProblemBody)))]
pub async fn list_questions(
    State(ctx): State<AppContext>,
    Query(params): Query<ListParams>,
) -> Result<Json<QuestionPage>> {
    let (filter, sort, page) = list_params(params)?;
    Ok(Json(service::list(&ctx, filter, sort, page).await?))
}

/// A question with its answers: accepted first, then most liked.
#[utoipa::path(get, path = "/api/v1/questions/{id}", tag = "ask", params(("id" = String, Path)),
    responses((status = 200, body = Question), (status = 404, body = ProblemBody)))]
pub async fn get_question(
    State(ctx): State<AppContext>,
    MaybeUser(viewer): MaybeUser,
    Path(id): Path<QuestionId>,
) -> Result<Json<Question>> {
    Ok(Json(service::question(&ctx, viewer.as_ref(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditQuestionBody {
    title: String,
    content: String,
    category: String,
    #[serde(default)]
    hashtags: Vec<String>,
}

/// Replace the text, category and hashtags of one's own question.
#[utoipa::path(patch, path = "/api/v1/questions/{id}", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = EditQuestionBody,
    responses((status = 200, body = Question), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn edit_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
    Json(body): Json<EditQuestionBody>,
) -> Result<Json<Question>> {
    let (title, content, category, hashtags) = (
        field("title", model::title(&body.title)),
        field("content", model::content(&body.content)),
        field("category", category(&body.category)),
        field("hashtags", model::hashtags(&body.hashtags)),
    )
        .validate()?;
    let edit = EditQuestion {
        title,
        content,
        category,
        hashtags,
    };
    Ok(Json(service::edit_question(&ctx, &user, id, edit).await?))
}

/// Delete one's own question; an unpaid bounty returns to the asker.
#[utoipa::path(delete, path = "/api/v1/questions/{id}", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn delete_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
) -> Result<StatusCode> {
    service::delete_question(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Likes {
    pub(super) like_count: i64,
}

/// Like a question (again: no change).
#[utoipa::path(post, path = "/api/v1/questions/{id}/like", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Likes), (status = 404, body = ProblemBody)))]
pub async fn like_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
) -> Result<Json<Likes>> {
    let like_count = service::like_question(&ctx, &user, id, true).await?;
    Ok(Json(Likes { like_count }))
}

#[utoipa::path(delete, path = "/api/v1/questions/{id}/like", tag = "ask", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Likes), (status = 404, body = ProblemBody)))]
pub async fn unlike_question(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<QuestionId>,
) -> Result<Json<Likes>> {
    let like_count = service::like_question(&ctx, &user, id, false).await?;
    Ok(Json(Likes { like_count }))
}
