//! `GET /api/v1/health/community/stats`: how members are doing, under differential privacy.

use axum::extract::State;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Query};
use platform::{AppContext, Error, Result};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::catalog::Series;
use crate::community::{DEFAULT_EPSILON, EPSILON_RANGE};
use crate::service::{self, CommunityStats};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// `steps`, `sleep`, `resting_heart_rate`, `active_energy`, `water` or `mood`.
    metric: String,
    /// Region code members set in their profile (e.g. `KR-11`); everyone when absent.
    region: Option<String>,
    /// Days back (1 to 90, default 7).
    days: Option<u32>,
    /// Privacy budget this query spends (0.1 to 2, default 1): smaller is noisier and safer.
    epsilon: Option<f64>,
}

/// The mean daily value of a metric across members, released only for groups of at least 20,
/// with Laplace noise (each member's value clamped, half the budget on the count, half on the
/// sum). `released: false` means the group is too small.
#[utoipa::path(get, path = "/api/v1/health/community/stats", tag = "wellness", params(StatsParams),
    security(("bearer" = [])), responses((status = 200, body = CommunityStats), (status = 400, body = ProblemBody)))]
pub async fn stats(
    State(ctx): State<AppContext>,
    _viewer: CurrentUser,
    Query(p): Query<StatsParams>,
) -> Result<Json<CommunityStats>> {
    let metric = Series::parse(&p.metric).ok_or_else(|| {
        Error::bad_param(
            "metric",
            "must be steps, sleep, resting_heart_rate, active_energy, water or mood",
        )
    })?;
    let days = p.days.unwrap_or(7);
    if !(1..=90).contains(&days) {
        return Err(Error::bad_param("days", "must be between 1 and 90"));
    }
    let epsilon = p.epsilon.unwrap_or(DEFAULT_EPSILON);
    if !(EPSILON_RANGE.0..=EPSILON_RANGE.1).contains(&epsilon) {
        return Err(Error::bad_param("epsilon", "must be between 0.1 and 2"));
    }
    Ok(Json(
        service::community_stats(&ctx, metric, p.region, days, epsilon).await?,
    ))
}
