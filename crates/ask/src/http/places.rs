//! Nearby questions, trending hashtags, and the answer-time figures.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use platform::error::ProblemBody;
use platform::extract::{Json, Query};
use platform::{AppContext, Error, Result};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::geo::{GeoPoint, MAX_RADIUS_KM};
use crate::regions;
use crate::service::{self, Nearby, Stats, Trending};

/// The deepest nearby page served.
const MAX_NEARBY_PAGE: i64 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearbyParams {
    lat: f64,
    lng: f64,
    /// Up to 20 km; default 3.
    radius_km: Option<f64>,
    /// 1-50, 20 questions a page.
    page: Option<i64>,
}

/// Listed questions within a radius of a point, nearest first, each with its distance.
#[utoipa::path(get, path = "/api/v1/locations/nearby", tag = "ask", params(NearbyParams),
    responses((status = 200, body = Nearby), (status = 400, body = ProblemBody)))]
pub async fn nearby(
    State(ctx): State<AppContext>,
    Query(p): Query<NearbyParams>,
) -> Result<Response> {
    let center = GeoPoint::new(p.lat, p.lng).map_err(|(f, m)| Error::bad_param(f, m))?;
    let radius_km = p.radius_km.unwrap_or(3.0);
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(Error::bad_param(
            "radius_km",
            format!("must be more than 0 and at most {MAX_RADIUS_KM}"),
        ));
    }
    let page = p.page.unwrap_or(1);
    if !(1..=MAX_NEARBY_PAGE).contains(&page) {
        return Err(Error::bad_param(
            "page",
            format!("must be 1-{MAX_NEARBY_PAGE}"),
        ));
    }
    let nearby = service::nearby(&ctx, center, radius_km * 1000.0, page).await?;
    Ok(([(CONTENT_TYPE, "application/json")], nearby.to_json()).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrendingParams {
    /// Only questions of this region; all of Korea when absent.
    region: Option<String>,
}

/// The 20 hashtags most used in the last 24 hours, with the change against the 24 hours before.
#[utoipa::path(get, path = "/api/v1/trending", tag = "ask", params(TrendingParams),
    responses((status = 200, body = Trending), (status = 400, body = ProblemBody)))]
pub async fn trending(
    State(ctx): State<AppContext>,
    Query(p): Query<TrendingParams>,
) -> Result<Json<Trending>> {
    if let Some(r) = &p.region
        && !regions::exists(r)
    {
        return Err(Error::bad_param("region", format!("unknown region `{r}`")));
    }
    Ok(Json((*service::trending(&ctx, p.region).await?).clone()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// The window, 1-365 days back; default 30.
    days: Option<i64>,
}

/// How fast questions get their first answer: p50, p90, and the share answered within 10 minutes.
#[utoipa::path(get, path = "/api/v1/ask/stats", tag = "ask", params(StatsParams),
    responses((status = 200, body = Stats), (status = 400, body = ProblemBody)))]
pub async fn stats(
    State(ctx): State<AppContext>,
    Query(p): Query<StatsParams>,
) -> Result<Json<Stats>> {
    let days = p.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(Error::bad_param("days", "must be 1-365"));
    }
    Ok(Json(service::stats(&ctx, days).await?))
}
