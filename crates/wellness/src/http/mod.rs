//! wellness' routes: extract, check each field, call the service, answer.

use axum::extract::DefaultBodyLimit;
use platform::time::Timestamp;
use platform::{ApiRouter, Error, Result};
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

mod alerts;
mod community;
mod fhir;
mod goals;
mod import;
mod insights;
mod records;
mod series;
mod sharing;
mod sync;

/// Largest batch body: 10,000 records of a few hundred bytes each, with room.
const BATCH_BODY_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(records::batch).layer(DefaultBodyLimit::max(BATCH_BODY_BYTES)))
        .routes(routes!(sync::sync).layer(DefaultBodyLimit::max(BATCH_BODY_BYTES)))
        .routes(routes!(records::list_vitals, records::add_vital))
        .routes(routes!(records::profile, records::set_profile))
        .routes(routes!(series::series))
        .routes(routes!(series::series_set))
        .routes(routes!(sharing::shares, sharing::share))
        .routes(routes!(sharing::unshare))
        .routes(routes!(sharing::access_log))
        .routes(routes!(alerts::alerts))
        .routes(routes!(alerts::acknowledge))
        .routes(routes!(alerts::rules, alerts::add_rule))
        .routes(routes!(alerts::delete_rule))
        .routes(routes!(goals::goals, goals::add_goal))
        .routes(routes!(goals::delete_goal))
        .routes(routes!(goals::share_goal))
        .routes(routes!(insights::insights))
        .routes(routes!(insights::recommendations))
        .routes(routes!(insights::feedback))
        .routes(routes!(fhir::search, fhir::create))
        .routes(routes!(fhir::read))
        .routes(routes!(fhir::metadata))
        .routes(routes!(import::apple_health))
        .routes(routes!(community::stats))
}

/// An optional RFC 3339 query parameter, `default` when absent.
fn instant(name: &str, text: Option<&str>, default: Timestamp) -> Result<Timestamp> {
    text.map_or(Ok(default), |t| {
        Timestamp::parse_rfc3339(t).ok_or_else(|| {
            Error::bad_param(
                name,
                "must be an RFC 3339 time, e.g. 2026-11-22T00:00:00+09:00",
            )
        })
    })
}
