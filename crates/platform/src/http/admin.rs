//! Operator routes: the job queue and its dead letters, and what each app holds (moderators and
//! admins).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::accounts::{CurrentUser, Role};
use crate::error::ProblemBody;
use crate::extract::{Json, Path};
use crate::jobs::JobRecord;
use crate::time::Timestamp;
use crate::{ApiRouter, AppContext, Error, Result};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(retry))
        .routes(routes!(stats))
}

/// How long the figures are reused: they count whole tables, and an operators' page polled
/// by several people would otherwise count them at every load.
const STATS_TTL: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    /// When these figures were counted (they are reused for up to 10 s).
    #[schema(value_type = String)]
    counted_at: Timestamp,
    /// Live accounts.
    users: i64,
    /// Per app, its counts in the order it gives them
    /// (`{"social": [{"name": "posts", "count": 12}, ...], ...}`).
    #[schema(value_type = Object)]
    apps: BTreeMap<&'static str, Vec<Count>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    name: &'static str,
    count: i64,
}

/// Accounts, and what each app holds.
#[utoipa::path(get, path = "/api/v1/admin/stats", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Stats), (status = 403, body = ProblemBody)))]
async fn stats(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Arc<Stats>>> {
    user.require_role(Role::Moderator)?;
    let figures = ctx
        .cache
        .family::<(), Arc<Stats>>("admin.stats", STATS_TTL, 1);
    Ok(Json(figures.get_or_load((), count(&ctx)).await?))
}

async fn count(ctx: &AppContext) -> Result<Arc<Stats>> {
    let counted = futures::future::try_join_all(ctx.apps.iter().map(|app| {
        let ctx = ctx.clone();
        async move { Ok::<_, Error>((app.name(), app.stats(&ctx).await?)) }
    }))
    .await?;
    Ok(Arc::new(Stats {
        counted_at: ctx.clock.now(),
        users: crate::accounts::service::count_users(ctx).await?,
        apps: counted
            .into_iter()
            .map(|(app, counts)| {
                let counts = counts
                    .into_iter()
                    .map(|(name, count)| Count { name, count })
                    .collect();
                (app, counts)
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueState {
    queued: i64,
    running: i64,
    dead: i64,
    /// The 100 newest dead-lettered jobs.
    dead_letters: Vec<JobRecord>,
}

/// The job queue: counts by state and the dead letters.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = QueueState), (status = 403, body = ProblemBody)))]
async fn queue(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<QueueState>> {
    user.require_role(Role::Moderator)?;
    let counts = ctx.jobs.counts().await?;
    let count = |name: &str| {
        counts
            .iter()
            .find(|(s, _)| *s == name)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Json(QueueState {
        queued: count("queued"),
        running: count("running"),
        dead: count("dead"),
        dead_letters: ctx.jobs.dead(100).await?,
    }))
}

/// Put a dead-lettered job back in the queue.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "job id")),
    responses((status = 204, description = "queued again"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn retry(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    user.require_role(Role::Admin)?;
    if ctx.jobs.retry_dead(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::not_found("no dead job with this id"))
    }
}
