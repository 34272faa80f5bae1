//! `/api/v1/flags` (the caller's answers) and the admin routes under `/api/v1/admin/flags`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{Flag, FlagSettings, check_name};
use crate::accounts::{CurrentUser, Role, UserId};
use crate::error::ProblemBody;
use crate::extract::{Json, Path};
use crate::{ApiRouter, AppContext, Error, Result};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(mine))
        .routes(routes!(list))
        .routes(routes!(set, delete))
        .routes(routes!(set_override, clear_override))
}

/// Every flag's answer for the caller, for clients to switch features on and off.
#[utoipa::path(get, path = "/api/v1/flags", tag = "flags", security(("bearer" = [])),
    responses((status = 200, body = BTreeMap<String, bool>), (status = 401, body = ProblemBody)))]
async fn mine(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<BTreeMap<String, bool>>> {
    Ok(Json(ctx.flags.evaluate_all(user.id).await?))
}

/// Every flag with its rollout and overrides (admins).
#[utoipa::path(get, path = "/api/v1/admin/flags", tag = "flags", security(("bearer" = [])),
    responses((status = 200, body = Vec<Flag>), (status = 403, body = ProblemBody)))]
async fn list(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Vec<Flag>>> {
    user.require_role(Role::Admin)?;
    Ok(Json(ctx.flags.all().await?))
}

/// Create or change a flag (admins).
#[utoipa::path(put, path = "/api/v1/admin/flags/{name}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path, description = "flag name, e.g. `assistant.semantic_cache`")),
    request_body = FlagSettings,
    responses((status = 200, body = Flag), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
async fn set(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(name): Path<String>,
    Json(settings): Json<FlagSettings>,
) -> Result<Json<Flag>> {
    user.require_role(Role::Admin)?;
    ctx.flags.set(&name, &settings, ctx.clock.now()).await?;
    find(&ctx, &name).await.map(Json)
}

/// Remove a flag and its overrides (admins); code asking for it gets its default again.
#[utoipa::path(delete, path = "/api/v1/admin/flags/{name}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path, description = "flag name")),
    responses((status = 204, description = "removed"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    user.require_role(Role::Admin)?;
    if ctx.flags.delete(&name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found(format!("flag `{name}`")))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    enabled: bool,
}

/// Force a flag on or off for one user (admins).
#[utoipa::path(put, path = "/api/v1/admin/flags/{name}/overrides/{user_id}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path, description = "flag name"), ("user_id" = String, Path, description = "user id")),
    request_body = Override,
    responses((status = 204, description = "set"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn set_override(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((name, target)): Path<(String, UserId)>,
    Json(body): Json<Override>,
) -> Result<StatusCode> {
    user.require_role(Role::Admin)?;
    check_name(&name)?;
    ctx.flags
        .set_override(&name, target, Some(body.enabled))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Let the rollout decide again for one user (admins).
#[utoipa::path(delete, path = "/api/v1/admin/flags/{name}/overrides/{user_id}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path, description = "flag name"), ("user_id" = String, Path, description = "user id")),
    responses((status = 204, description = "cleared"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn clear_override(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((name, target)): Path<(String, UserId)>,
) -> Result<StatusCode> {
    user.require_role(Role::Admin)?;
    ctx.flags.set_override(&name, target, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn find(ctx: &AppContext, name: &str) -> Result<Flag> {
    ctx.flags
        .all()
        .await?
        .into_iter()
        .find(|f| f.name == name)
        .ok_or_else(|| Error::not_found(format!("flag `{name}`")))
}
