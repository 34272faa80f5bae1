//! Insights (`/api/v1/health/{user_id}/insights`) and the seed's recommendations with feedback.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::insights::{Insight, Period, RecommendationKind};
use crate::model::NOT_MEDICAL_ADVICE;
use crate::service::{self, RecommendationView, Shared, Verdict};

/// Insights with the disclaimer every answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct InsightList {
    pub insights: Vec<Insight>,
    pub disclaimer: &'static str,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InsightParams {
    /// `week` (default), `month` or `quarter`: the recent window, compared with the four
    /// windows before it.
    period: Option<Period>,
}

/// The last 7 days (or 30, or 90) against the four times as many before them for steps, resting heart rate, sleep, mood,
/// weight, water and active energy; bedtime regularity; how often each goal was met.
#[utoipa::path(get, path = "/api/v1/health/{user_id}/insights", tag = "wellness", params(("user_id" = String, Path), InsightParams),
    security(("bearer" = [])), responses((status = 200, body = InsightList), (status = 403, body = ProblemBody)))]
pub async fn insights(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<InsightParams>,
) -> Result<Json<InsightList>> {
    let subject = service::readable(&ctx, &viewer, &user_id, "insights").await?;
    Ok(Json(InsightList {
        insights: service::insights(&ctx, &health, subject, p.period.unwrap_or_default()).await?,
        disclaimer: NOT_MEDICAL_ADVICE,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecommendationParams {
    /// At most this many (1 to 50, default 10).
    limit: Option<usize>,
}

/// Recommendations with the disclaimer every answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationList {
    pub recommendations: Vec<RecommendationView>,
    pub disclaimer: &'static str,
}

/// Recommendations drawn by plain rules from your recent data, most confident first; each
/// names the data that triggered it (`because`). Kinds you dismissed are left out.
#[utoipa::path(get, path = "/api/v1/recommendations/{user_id}", tag = "wellness", params(("user_id" = String, Path), RecommendationParams),
    security(("bearer" = [])), responses((status = 200, body = RecommendationList), (status = 403, body = ProblemBody)))]
pub async fn recommendations(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<RecommendationParams>,
) -> Result<Json<RecommendationList>> {
    let limit = p.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(Error::bad_param("limit", "must be between 1 and 50"));
    }
    let subject = service::readable(&ctx, &viewer, &user_id, "recommendations").await?;
    Ok(Json(RecommendationList {
        recommendations: service::recommendations(&ctx, &health, subject, limit).await?,
        disclaimer: NOT_MEDICAL_ADVICE,
    }))
}

/// Your verdict on a recommendation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The recommendation's id (`{kind}:{date}`), or its kind alone.
    pub recommendation_id: String,
    pub verdict: Verdict,
}

/// Records your verdict; `dismissed` stops that kind of recommendation from being shown.
#[utoipa::path(post, path = "/api/v1/recommendations/{user_id}/feedback", tag = "wellness", params(("user_id" = String, Path)),
    request_body = FeedbackRequest, security(("bearer" = [])),
    responses((status = 204), (status = 422, body = ProblemBody)))]
pub async fn feedback(
    State(ctx): State<AppContext>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Json(body): Json<FeedbackRequest>,
) -> Result<StatusCode> {
    let user = service::writable(&viewer, &user_id)?;
    let kind_text = body
        .recommendation_id
        .split_once(':')
        .map_or(body.recommendation_id.as_str(), |(kind, _)| kind);
    let kind = RecommendationKind::parse(kind_text).ok_or_else(|| {
        Error::invalid_field("recommendation_id", "names no kind of recommendation")
    })?;
    service::feedback(&ctx, user, kind, body.verdict).await?;
    Ok(StatusCode::NO_CONTENT)
}
