//! `/api/v1/health/{user_id}/goals`: goals, progress, streaks, sharing an achievement.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path};
use platform::{AppContext, Result};

use crate::events::Achievement;
use crate::goals::Goal;
use crate::model::GoalId;
use crate::service::{self, GoalView, Shared};

/// Goals with today's progress, the current and best streak, and the last 7 days.
#[utoipa::path(get, path = "/api/v1/health/{user_id}/goals", tag = "wellness", params(("user_id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<GoalView>), (status = 403, body = ProblemBody)))]
pub async fn goals(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<GoalView>>> {
    let subject = service::readable(&ctx, &viewer, &user_id, "goals").await?;
    Ok(Json(service::goals(&ctx, &health, subject).await?))
}

/// Sets a goal: `{"kind": "steps", "per_day": 8000}`, `{"kind": "sleep", "hours": 7.5}`,
/// `{"kind": "weight", "target_kg": 68}` or `{"kind": "custom", "series": "water",
/// "per_day": 2000, "direction": "at_least"}`.
#[utoipa::path(post, path = "/api/v1/health/{user_id}/goals", tag = "wellness", params(("user_id" = String, Path)),
    request_body = Goal, security(("bearer" = [])),
    responses((status = 201, body = GoalView), (status = 422, body = ProblemBody)))]
pub async fn add_goal(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Json(goal): Json<Goal>,
) -> Result<(StatusCode, Json<GoalView>)> {
    let user = service::writable(&viewer, &user_id)?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_goal(&ctx, &health, user, goal).await?),
    ))
}

/// Removes a goal.
#[utoipa::path(delete, path = "/api/v1/health/{user_id}/goals/{goal_id}", tag = "wellness",
    params(("user_id" = String, Path), ("goal_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn delete_goal(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path((user_id, goal_id)): Path<(String, GoalId)>,
) -> Result<StatusCode> {
    let user = service::writable(&viewer, &user_id)?;
    service::delete_goal(&ctx, user, goal_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shares the goal's streak (or a reached weight) with your followers: the social app, when
/// running, posts it for you. 409 while there is nothing to share.
#[utoipa::path(post, path = "/api/v1/health/{user_id}/goals/{goal_id}/share", tag = "wellness",
    params(("user_id" = String, Path), ("goal_id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = Achievement), (status = 409, body = ProblemBody)))]
pub async fn share_goal(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path((user_id, goal_id)): Path<(String, GoalId)>,
) -> Result<(StatusCode, Json<Achievement>)> {
    let user = service::writable(&viewer, &user_id)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(service::share_goal(&ctx, &health, user, goal_id).await?),
    ))
}
