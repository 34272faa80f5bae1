//! The profile: current or any past version, written at once (with an expected version) or
//! through the durable queue (202), its event log, and queued operations.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{Event, Operation, OperationId, ProfileUpdate, SessionId, VersionedProfile};
use crate::profile::{Change, Profile};
use crate::service::{self, Shared};

#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionParam {
    /// A past version (0 is the empty profile); the current one when left out.
    version: Option<i64>,
}

/// The profile now, or as it was at `version`.
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}/profile", tag = "assistant",
    params(("id" = String, Path), VersionParam), security(("bearer" = [])),
    responses((status = 200, body = VersionedProfile), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn profile(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    Query(param): Query<VersionParam>,
) -> Result<Json<VersionedProfile>> {
    service::check_owner(&ctx, user.id, id).await?;
    let current = service::profile_current(&ctx, id).await?;
    match param.version {
        None => Ok(Json((*current).clone())),
        Some(v) if !(0..=current.version).contains(&v) => Err(Error::bad_param(
            "version",
            format!("0 to {} (the current version)", current.version),
        )),
        Some(version) => Ok(Json(VersionedProfile {
            session_id: id,
            version,
            profile: service::profile_at(&ctx, id, version).await?,
        })),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Updated {
    version: i64,
    profile: Profile,
    /// The changes that altered the profile (ones that changed nothing are dropped).
    changes: Vec<Change>,
}

/// Applies changes at once. With `expected_version`, a profile that moved since is a 409.
#[utoipa::path(patch, path = "/api/v1/assistant/sessions/{id}/profile", tag = "assistant",
    params(("id" = String, Path)), request_body = ProfileUpdate, security(("bearer" = [])),
    responses((status = 200, body = Updated), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody),
        (status = 409, body = ProblemBody)))]
pub async fn update(
    State(ctx): State<AppContext>,
    Extension(state): Extension<Shared>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    Json(update): Json<ProfileUpdate>,
) -> Result<Json<Updated>> {
    let applied = service::update(&ctx, &state, user.id, id, &update).await?;
    Ok(Json(Updated {
        version: applied.version,
        profile: applied.profile,
        changes: applied.changes,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`.
    status: &'static str,
    operation_id: OperationId,
}

/// Queues changes for the batching writer and answers at once; ask
/// `/api/v1/assistant/operations/{operation_id}` for the outcome.
#[utoipa::path(post, path = "/api/v1/assistant/sessions/{id}/profile:batch", tag = "assistant",
    params(("id" = String, Path)), request_body = ProfileUpdate, security(("bearer" = [])),
    responses((status = 202, body = Accepted), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn batch(
    State(ctx): State<AppContext>,
    Extension(state): Extension<Shared>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    Json(update): Json<ProfileUpdate>,
) -> Result<(StatusCode, Json<Accepted>)> {
    let operation_id = service::accept(&ctx, &state, user.id, id, &update).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "accepted",
            operation_id,
        }),
    ))
}

/// Where a queued update stands.
#[utoipa::path(get, path = "/api/v1/assistant/operations/{id}", tag = "assistant",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Operation), (status = 404, body = ProblemBody)))]
pub async fn operation(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<OperationId>,
) -> Result<Json<Operation>> {
    Ok(Json(service::operation(&ctx, user.id, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EventsParams {
    /// Events after this sequence number (default 0: from the start).
    after: Option<i64>,
    /// 1 to 1000 (default 100).
    limit: Option<i64>,
}

/// The event log: every change, in order; folding it gives the profile.
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}/events", tag = "assistant",
    params(("id" = String, Path), EventsParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<Event>), (status = 404, body = ProblemBody)))]
pub async fn events(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    Query(params): Query<EventsParams>,
) -> Result<Json<Vec<Event>>> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::bad_param("limit", "1 to 1000"));
    }
    Ok(Json(
        service::events(&ctx, user.id, id, params.after.unwrap_or(0), limit).await?,
    ))
}
