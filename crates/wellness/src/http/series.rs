//! `GET /api/v1/health/{user_id}/series`.

use axum::extract::{Extension, State};
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::time::Timestamp;
use platform::{AppContext, Error, Result};
use serde::Deserialize;
use utoipa::IntoParams;

use super::instant;
use crate::catalog::Series;
use crate::model::{SeriesPage, SeriesSet};
use crate::service::{self, Bucket, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesParams {
    /// A series: a record type, or `systolic`/`diastolic` for blood pressure.
    #[serde(rename = "type")]
    series: String,
    /// RFC 3339; default 7 days before `to`.
    from: Option<String>,
    /// RFC 3339, exclusive; default now.
    to: Option<String>,
    /// `raw`, `minute`, `hour`, `day` (default) or `week`.
    bucket: Option<Bucket>,
}

/// A series over time: min, max, avg, sum and count per bucket, days and weeks (Monday first)
/// in the owner's time zone, served from rollups kept at ingestion. Raw values are capped at
/// 10,000 (`truncated` says when more exist); ranges are capped per bucket size.
#[utoipa::path(get, path = "/api/v1/health/{user_id}/series", tag = "wellness",
    params(("user_id" = String, Path), SeriesParams), security(("bearer" = [])),
    responses((status = 200, body = SeriesPage), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn series(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<SeriesParams>,
) -> Result<Json<SeriesPage>> {
    let series = Series::parse(&p.series).ok_or_else(|| {
        Error::bad_param("type", "unknown series, e.g. heart_rate, steps or systolic")
    })?;
    let (from, to) = range(&ctx, p.from.as_deref(), p.to.as_deref())?;
    let subject = service::readable(&ctx, &viewer, &user_id, "series").await?;
    let bucket = p.bucket.unwrap_or(Bucket::Day);
    Ok(Json(
        service::series(&ctx, &health, subject, series, from, to, bucket).await?,
    ))
}

/// `[from, to)` as given, by default the 7 days up to now.
fn range(ctx: &AppContext, from: Option<&str>, to: Option<&str>) -> Result<(Timestamp, Timestamp)> {
    let to = instant("to", to, ctx.clock.now())?;
    let from = instant(
        "from",
        from,
        to.minus(std::time::Duration::from_secs(7 * 86_400)),
    )?;
    Ok((from, to))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesSetParams {
    /// Up to 8 series, comma-separated, each once: `heart_rate,steps,systolic`.
    types: String,
    /// RFC 3339; default 7 days before `to`.
    from: Option<String>,
    /// RFC 3339, exclusive; default now.
    to: Option<String>,
    /// `raw`, `minute`, `hour`, `day` (default) or `week`.
    bucket: Option<Bucket>,
}

/// Several series over one range, each as `GET .../series` answers it, in the order asked:
/// what a dashboard draws, in one request and one read of the rollups.
#[utoipa::path(get, path = "/api/v1/health/{user_id}/series/set", tag = "wellness",
    params(("user_id" = String, Path), SeriesSetParams), security(("bearer" = [])),
    responses((status = 200, body = SeriesSet), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn series_set(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<SeriesSetParams>,
) -> Result<Json<SeriesSet>> {
    let mut list = Vec::new();
    for name in p.types.split(',').map(str::trim) {
        let series = Series::parse(name).ok_or_else(|| {
            Error::bad_param(
                "types",
                format!("unknown series `{name}`, e.g. heart_rate, steps or systolic"),
            )
        })?;
        if list.contains(&series) {
            return Err(Error::bad_param(
                "types",
                format!("`{name}` is named twice"),
            ));
        }
        list.push(series);
    }
    if list.len() > service::MAX_SET {
        return Err(Error::bad_param(
            "types",
            format!("at most {} series at once", service::MAX_SET),
        ));
    }
    let (from, to) = range(&ctx, p.from.as_deref(), p.to.as_deref())?;
    let subject = service::readable(&ctx, &viewer, &user_id, "series").await?;
    let bucket = p.bucket.unwrap_or(Bucket::Day);
    let series = service::series_set(&ctx, &health, subject, &list, from, to, bucket).await?;
    Ok(Json(SeriesSet { series }))
}
