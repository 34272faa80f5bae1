//! `/api/v1/alerts/{user_id}`: alerts, acknowledgement, rules.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::alerts::Rule;
use crate::model::{Alert, AlertId, NOT_MEDICAL_ADVICE, RuleId};
use crate::service::{self, RuleView, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Only alerts not yet acknowledged.
    open: Option<bool>,
}

/// Alerts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<Alert>,
    pub disclaimer: &'static str,
}

/// Alerts raised by your rules and the anomaly detector, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/alerts/{user_id}", tag = "wellness", params(("user_id" = String, Path), AlertParams),
    security(("bearer" = [])), responses((status = 200, body = AlertList), (status = 403, body = ProblemBody)))]
pub async fn alerts(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<AlertParams>,
) -> Result<Json<AlertList>> {
    let subject = service::readable(&ctx, &viewer, &user_id, "alerts").await?;
    Ok(Json(AlertList {
        alerts: service::alerts(&ctx, subject, p.open.unwrap_or(false)).await?,
        disclaimer: NOT_MEDICAL_ADVICE,
    }))
}

/// Which alerts to acknowledge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// Alert ids; every open alert when absent or empty.
    #[serde(default)]
    pub alert_ids: Vec<AlertId>,
}

/// Acknowledges alerts; answers how many changed (acknowledging twice changes nothing).
#[utoipa::path(post, path = "/api/v1/alerts/{user_id}/acknowledge", tag = "wellness", params(("user_id" = String, Path)),
    request_body = AcknowledgeRequest, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ProblemBody)))]
pub async fn acknowledge(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Json(body): Json<AcknowledgeRequest>,
) -> Result<Json<serde_json::Value>> {
    let user = service::writable(&viewer, &user_id)?;
    let ids: Vec<i64> = body.alert_ids.iter().map(|id| id.get()).collect();
    let changed = service::acknowledge(&ctx, user, &ids).await?;
    Ok(Json(serde_json::json!({ "acknowledged": changed })))
}

/// Your alert rules; every member starts with sustained heart rate above 120 for 10 minutes
/// (outside workouts), 3 blood pressures of 140/90 or more within 7 days, and SpO2 below 92%.
#[utoipa::path(get, path = "/api/v1/alerts/{user_id}/rules", tag = "wellness", params(("user_id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<RuleView>)))]
pub async fn rules(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<RuleView>>> {
    let user = service::writable(&viewer, &user_id)?;
    Ok(Json(service::rules(&ctx, &health, user).await?))
}

/// Adds a rule: `{"kind": "threshold", "series": "heart_rate", "above": 110, "minutes": 15}` or
/// `{"kind": "blood_pressure", "systolic": 135, "diastolic": 85, "readings": 2, "days": 7}`.
#[utoipa::path(post, path = "/api/v1/alerts/{user_id}/rules", tag = "wellness", params(("user_id" = String, Path)),
    request_body = Rule, security(("bearer" = [])),
    responses((status = 201, body = RuleView), (status = 422, body = ProblemBody)))]
pub async fn add_rule(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Json(rule): Json<Rule>,
) -> Result<(StatusCode, Json<RuleView>)> {
    let user = service::writable(&viewer, &user_id)?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_rule(&ctx, &health, user, rule).await?),
    ))
}

/// Removes a rule.
#[utoipa::path(delete, path = "/api/v1/alerts/{user_id}/rules/{rule_id}", tag = "wellness",
    params(("user_id" = String, Path), ("rule_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn delete_rule(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path((user_id, rule_id)): Path<(String, RuleId)>,
) -> Result<StatusCode> {
    let user = service::writable(&viewer, &user_id)?;
    service::delete_rule(&ctx, user, rule_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
