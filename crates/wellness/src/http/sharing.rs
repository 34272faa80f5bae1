//! Sharing your data with a named user, and who read it.

use axum::extract::State;
use axum::http::StatusCode;
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path};
use platform::{AppContext, Error, Result};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::service;
use crate::store::Share;

/// Whom to share with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    pub username: String,
}

/// Shares you gave and were given, revoked ones included.
#[utoipa::path(get, path = "/api/v1/health/me/shares", tag = "wellness", security(("bearer" = [])),
    responses((status = 200, body = Vec<Share>)))]
pub async fn shares(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
) -> Result<Json<Vec<Share>>> {
    Ok(Json(service::shares(&ctx, viewer.id).await?))
}

/// Lets a named user read your health data until you revoke it; each of their reads is logged.
#[utoipa::path(post, path = "/api/v1/health/me/shares", tag = "wellness", request_body = ShareRequest,
    security(("bearer" = [])), responses((status = 201, body = Share), (status = 422, body = ProblemBody)))]
pub async fn share(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Json(body): Json<ShareRequest>,
) -> Result<(StatusCode, Json<Share>)> {
    let share = service::set_share(&ctx, viewer.id, body.username.trim(), true).await?;
    Ok((StatusCode::CREATED, Json(share)))
}

/// Revokes a share: from now on that user reads nothing of yours.
#[utoipa::path(delete, path = "/api/v1/health/me/shares/{user_id}", tag = "wellness",
    params(("user_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Share), (status = 404, body = ProblemBody)))]
pub async fn unshare(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path(grantee): Path<UserId>,
) -> Result<Json<Share>> {
    let user = platform::accounts::service::get_user(&ctx, grantee)
        .await
        .map_err(|_| Error::not_found("share"))?;
    Ok(Json(
        service::set_share(&ctx, viewer.id, &user.username, false).await?,
    ))
}

/// Who read your data, what and when, newest first.
#[utoipa::path(get, path = "/api/v1/health/me/access-log", tag = "wellness", security(("bearer" = [])),
    responses((status = 200, body = Object)))]
pub async fn access_log(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
) -> Result<Json<serde_json::Value>> {
    Ok(Json(service::access_log(&ctx, viewer.id).await?))
}
