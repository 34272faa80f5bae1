//! Posts, their edits, likes, comments and shares.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::files::MediaId;
use platform::validation::{Validate, field};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::page_size;
use crate::model::{self, Comment, CommentId, ContentId, ContentType, MAX_MEDIA, Visibility};
use crate::post::Post;
use crate::service::{self, NewContent};
use crate::views::Views;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// `text` (default), `image`, `video` or `link`.
    #[serde(rename = "type", alias = "content_type")]
    content_type: Option<String>,
    /// Up to 5,000 characters; may be empty when media are attached.
    #[serde(default)]
    text: String,
    /// Ids of the caller's uploads (`POST /api/v1/uploads`), at most 10.
    #[serde(default)]
    media_ids: Vec<String>,
    /// `public` (default), `followers` or `private`.
    visibility: Option<String>,
}

fn visibility(raw: Option<&str>) -> std::result::Result<Visibility, String> {
    raw.map_or(Ok(Visibility::Public), |v| {
        Visibility::parse(v).ok_or_else(|| "must be public, followers or private".to_owned())
    })
}

fn media_ids(raw: &[String]) -> std::result::Result<Vec<MediaId>, String> {
    if raw.len() > MAX_MEDIA {
        return Err(format!("at most {MAX_MEDIA} uploads"));
    }
    raw.iter()
        .map(|id| {
            id.parse::<i64>()
                .map(MediaId::from_raw)
                .map_err(|_| format!("`{id}` is not an upload id"))
        })
        .collect()
}

/// Publish a post. Hashtags (`#제주맛집`) and mentions (`@username`) are read from the text;
/// followers' feeds receive it within moments, through the bus.
#[utoipa::path(post, path = "/api/v1/content", tag = "social", security(("bearer" = [])), request_body = NewPost,
    responses((status = 201, body = Post), (status = 422, body = ProblemBody)))]
pub async fn create_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<NewPost>,
) -> Result<(StatusCode, Json<Post>)> {
    let (content_type, text, media_ids, visibility) = (
        field(
            "type",
            req.content_type
                .as_deref()
                .map_or(Ok(ContentType::Text), |t| {
                    ContentType::parse(t).ok_or("must be text, image, video or link")
                }),
        ),
        field("text", model::text(&req.text, !req.media_ids.is_empty())),
        field("media_ids", media_ids(&req.media_ids)),
        field("visibility", visibility(req.visibility.as_deref())),
    )
        .validate()?;
    let new = NewContent {
        content_type,
        text,
        media_ids,
        visibility,
    };
    let content = service::create(&ctx, &user, new).await?;
    let post = service::present_one(&ctx, user.id, content).await?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// A post, if the caller may see it (404 otherwise, whether missing or hidden). Counts as a
/// view unless the caller wrote it; view counts are written every couple of seconds.
#[utoipa::path(get, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Post), (status = 404, body = ProblemBody)))]
pub async fn get_content(
    State(ctx): State<AppContext>,
    Extension(views): Extension<Arc<Views>>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Post>> {
    let content = service::content(&ctx, user.id, id).await?;
    if content.author_id != user.id {
        views.seen(&ctx, id);
    }
    Ok(Json(service::present_one(&ctx, user.id, content).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPost {
    text: String,
}

/// Replace the text of one's own post; the old text is kept in its history.
#[utoipa::path(patch, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = EditPost,
    responses((status = 200, body = Post), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn edit_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<EditPost>,
) -> Result<Json<Post>> {
    let text = model::text(&req.text, false).map_err(|e| Error::invalid_field("text", e))?;
    let content = service::edit(&ctx, &user, id, text).await?;
    Ok(Json(service::present_one(&ctx, user.id, content).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    text: String,
    replaced_at: platform::time::Timestamp,
}

/// Earlier texts of a post, newest first.
#[utoipa::path(get, path = "/api/v1/content/{id}/history", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<Revision>), (status = 404, body = ProblemBody)))]
pub async fn content_history(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Vec<Revision>>> {
    let history = service::history(&ctx, user.id, id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|(text, replaced_at)| Revision { text, replaced_at })
            .collect(),
    ))
}

/// Delete one's own post: it leaves every feed, list and search at once.
#[utoipa::path(delete, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn delete_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<StatusCode> {
    service::delete(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Like a post; liking twice is still one like.
#[utoipa::path(post, path = "/api/v1/content/{id}/like", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Post), (status = 404, body = ProblemBody)))]
pub async fn like(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Post>> {
    let content = service::like(&ctx, &user, id).await?;
    Ok(Json(service::present_one(&ctx, user.id, content).await?))
}

#[utoipa::path(delete, path = "/api/v1/content/{id}/like", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn unlike(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<StatusCode> {
    service::unlike(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    text: String,
    /// The comment this one answers, on the same post.
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[schema(value_type = Option<String>)]
    parent_comment_id: Option<i64>,
}

/// Comment on a post, or reply to a comment on it (any depth).
#[utoipa::path(post, path = "/api/v1/content/{id}/comment", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = Comment), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn add_comment(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<NewComment>,
) -> Result<(StatusCode, Json<Comment>)> {
    let text = model::text(&req.text, false).map_err(|e| Error::invalid_field("text", e))?;
    let parent = req.parent_comment_id.map(CommentId::from_raw);
    let comment = service::comment(&ctx, &user, id, text, parent).await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThreadParams {
    /// Only threads started after this comment id.
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[param(value_type = Option<String>)]
    after: Option<i64>,
    /// Threads per page, 1-50 (default 20).
    size: Option<i64>,
}

/// A post's comments as threads: top-level comments oldest first, replies nested under them.
#[utoipa::path(get, path = "/api/v1/content/{id}/comments", tag = "social", security(("bearer" = [])), params(("id" = String, Path), ThreadParams),
    responses((status = 200, body = Vec<Comment>), (status = 404, body = ProblemBody)))]
pub async fn list_comments(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Query(params): Query<ThreadParams>,
) -> Result<Json<Vec<Comment>>> {
    let size = page_size(params.size)?;
    let after = params.after.map(CommentId::from_raw);
    service::threads(&ctx, user.id, id, after, size)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    /// Optional quote text.
    #[serde(default)]
    text: String,
    /// `public` (default), `followers` or `private`.
    visibility: Option<String>,
}

/// Reshare a public post, optionally with quote text.
#[utoipa::path(post, path = "/api/v1/content/{id}/share", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = NewShare,
    responses((status = 201, body = Post), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn share(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<NewShare>,
) -> Result<(StatusCode, Json<Post>)> {
    let (text, visibility) = (
        field("text", model::text(&req.text, true)),
        field("visibility", visibility(req.visibility.as_deref())),
    )
        .validate()?;
    let shared = service::share(&ctx, &user, id, text, visibility).await?;
    let post = service::present_one(&ctx, user.id, shared).await?;
    Ok((StatusCode::CREATED, Json(post)))
}
