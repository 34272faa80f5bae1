//! Usage and budget, the operators' cost report, and what the assistant is running on.

use axum::extract::{Extension, State};
use platform::accounts::{CurrentUser, Role};
use platform::error::ProblemBody;
use platform::extract::{Json, Query};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::service::{self, Embedder, MyUsage, Shared, UserUsage};

/// The caller's tokens today against the daily budget, and 30 days of usage.
#[utoipa::path(get, path = "/api/v1/assistant/usage", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = MyUsage)))]
pub async fn usage(
    State(ctx): State<AppContext>,
    Extension(state): Extension<Shared>,
    user: CurrentUser,
) -> Result<Json<MyUsage>> {
    Ok(Json(
        service::my_usage(&ctx, state.settings.daily_token_budget, user.id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Since {
    /// First UTC day, `YYYY-MM-DD` (default: all).
    since: Option<String>,
}

/// Usage and cost per user, day, provider and model (admins).
#[utoipa::path(get, path = "/api/v1/admin/assistant/usage", tag = "assistant", params(Since),
    security(("bearer" = [])), responses((status = 200, body = Vec<UserUsage>), (status = 403, body = ProblemBody)))]
pub async fn all_usage(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Query(since): Query<Since>,
) -> Result<Json<Vec<UserUsage>>> {
    user.require_role(Role::Admin)?;
    let since = since.since.unwrap_or_else(|| "0000-00-00".to_owned());
    let valid = since.len() == 10
        && since.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !valid {
        return Err(Error::bad_param("since", "a day, YYYY-MM-DD"));
    }
    Ok(Json(service::all_usage(&ctx, &since).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderStatus {
    name: String,
    /// `closed` (working), `open` (refusing calls after failures) or `half_open`.
    breaker: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// Configured providers in order; when none, the offline coach answers.
    providers: Vec<ProviderStatus>,
    /// What the semantic cache embeds with.
    embeddings: Embedder,
    semantic_cache_entries: usize,
    router_threshold: f64,
}

/// Providers and their breakers, and the embeddings in use.
#[utoipa::path(get, path = "/api/v1/assistant/status", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = Status)))]
pub async fn status(Extension(state): Extension<Shared>, _user: CurrentUser) -> Json<Status> {
    let entries = state.semantic.read().map_or(0, |indexes| {
        indexes.iter().map(crate::semantic::Index::len).sum()
    });
    Json(Status {
        providers: state
            .gateway
            .slots()
            .iter()
            .map(|s| ProviderStatus {
                name: s.name.clone(),
                breaker: s.breaker_state(),
            })
            .collect(),
        embeddings: state.embedder(),
        semantic_cache_entries: entries,
        router_threshold: state.settings.router_threshold,
    })
}
