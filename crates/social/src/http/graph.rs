//! Follows, requests, blocks, mutes, privacy and the follow lists.

use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Result};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Cursor, page_size};
use crate::service::{self, FollowState, Relationship, Restriction};

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowAnswer {
    state: FollowState,
}

/// Follow a user, or ask to when their account is locked.
#[utoipa::path(post, path = "/api/v1/users/{id}/follow", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FollowAnswer), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn follow(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Json<FollowAnswer>> {
    let state = service::follow(&ctx, &user, id).await?;
    Ok(Json(FollowAnswer { state }))
}

/// Stop following a user (or withdraw a pending request).
#[utoipa::path(delete, path = "/api/v1/users/{id}/follow", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204)))]
pub async fn unfollow(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::unfollow(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a user: follows both ways end and each disappears from the other's views.
#[utoipa::path(post, path = "/api/v1/users/{id}/block", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn block(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::restrict(&ctx, &user, id, Restriction::Block, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/block", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn unblock(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::restrict(&ctx, &user, id, Restriction::Block, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mute a user: their posts leave the caller's feed and lists.
#[utoipa::path(post, path = "/api/v1/users/{id}/mute", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn mute(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::restrict(&ctx, &user, id, Restriction::Mute, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/mute", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn unmute(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::restrict(&ctx, &user, id, Restriction::Mute, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserIds {
    #[schema(value_type = Vec<String>)]
    users: Vec<UserId>,
    /// Pass as `max_id` for the next page.
    #[schema(value_type = Option<String>)]
    next_max_id: Option<UserId>,
}

pub async fn follow_page(
    ctx: &AppContext,
    user: UserId,
    followers: bool,
    cursor: Cursor,
) -> Result<Json<UserIds>> {
    let size = page_size(cursor.size)?;
    let users = service::follow_list(
        ctx,
        user,
        followers,
        cursor.max_id.map(UserId::from_raw),
        size,
    )
    .await?;
    let full = users.len() == usize::try_from(size).unwrap_or(0);
    Ok(Json(UserIds {
        next_max_id: full.then(|| users.last().copied()).flatten(),
        users,
    }))
}

/// Who follows a user.
#[utoipa::path(get, path = "/api/v1/users/{id}/followers", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = UserIds), (status = 404, body = ProblemBody)))]
pub async fn followers(
    State(ctx): State<AppContext>,
    _user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<UserIds>> {
    follow_page(&ctx, id, true, cursor).await
}

/// Whom a user follows.
#[utoipa::path(get, path = "/api/v1/users/{id}/following", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = UserIds), (status = 404, body = ProblemBody)))]
pub async fn following(
    State(ctx): State<AppContext>,
    _user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<UserIds>> {
    follow_page(&ctx, id, false, cursor).await
}

/// Follower and following counts of a user and how the caller stands with them.
#[utoipa::path(get, path = "/api/v1/users/{id}/relationship", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Relationship), (status = 404, body = ProblemBody)))]
pub async fn relationship(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Json<Relationship>> {
    service::relationship(&ctx, user.id, id).await.map(Json)
}

/// Pending requests to follow the caller's locked account, oldest first.
#[utoipa::path(get, path = "/api/v1/me/follow-requests", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = UserIds)))]
pub async fn follow_requests(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<UserIds>> {
    Ok(Json(UserIds {
        users: service::requests(&ctx, &user).await?,
        next_max_id: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestAnswer {
    accept: bool,
}

/// Accept or reject a request to follow the caller.
#[utoipa::path(post, path = "/api/v1/me/follow-requests/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = RequestAnswer,
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn answer_follow_request(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Json(req): Json<RequestAnswer>,
) -> Result<StatusCode> {
    service::answer_request(&ctx, &user, id, req.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// A locked account approves each new follower.
    locked: bool,
}

/// Lock or unlock the caller's account.
#[utoipa::path(put, path = "/api/v1/me/privacy", tag = "social", security(("bearer" = [])), request_body = Privacy,
    responses((status = 204)))]
pub async fn set_privacy(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<Privacy>,
) -> Result<StatusCode> {
    service::set_locked(&ctx, &user, req.locked).await?;
    Ok(StatusCode::NO_CONTENT)
}
