//! Profiles, local verification and points.

use axum::extract::State;
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::validation::{Validate, field};
use platform::{AppContext, Error, FieldError, Result};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::geo::GeoPoint;
use crate::model::Profile;
use crate::service::{self, Points};
use crate::store::LedgerAudit;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    lat: f64,
    lng: f64,
}

/// Become a verified local of the region holding this point, for 30 days.
#[utoipa::path(post, path = "/api/v1/ask/verify-location", tag = "ask", security(("bearer" = [])), request_body = Position,
    responses((status = 200, body = Profile), (status = 422, body = ProblemBody)))]
pub async fn verify_location(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(at): Json<Position>,
) -> Result<Json<Profile>> {
    let point = GeoPoint::new(at.lat, at.lng)
        .map_err(|(f, m)| Error::validation(vec![FieldError::new(f, m)]))?;
    Ok(Json(service::verify_location(&ctx, &user, point).await?))
}

/// The caller's profile: nickname, region, local verification, points.
#[utoipa::path(get, path = "/api/v1/ask/profile", tag = "ask", security(("bearer" = [])),
    responses((status = 200, body = Profile)))]
pub async fn my_profile(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Profile>> {
    Ok(Json(service::my_profile(&ctx, &user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NicknameBody {
    /// 1-30 characters.
    nickname: String,
}

fn nickname(raw: &str) -> std::result::Result<String, String> {
    let name = raw.trim();
    match name.chars().count() {
        1..=30 => Ok(name.to_owned()),
        _ => Err("must be 1-30 characters".to_owned()),
    }
}

#[utoipa::path(patch, path = "/api/v1/ask/profile", tag = "ask", security(("bearer" = [])), request_body = NicknameBody,
    responses((status = 200, body = Profile), (status = 422, body = ProblemBody)))]
pub async fn set_nickname(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(body): Json<NicknameBody>,
) -> Result<Json<Profile>> {
    let (name,) = (field("nickname", nickname(&body.nickname)),).validate()?;
    Ok(Json(service::set_nickname(&ctx, &user, &name).await?))
}

/// Someone's profile.
#[utoipa::path(get, path = "/api/v1/ask/users/{id}", tag = "ask", params(("id" = String, Path)),
    responses((status = 200, body = Profile), (status = 404, body = ProblemBody)))]
pub async fn profile(
    State(ctx): State<AppContext>,
    Path(id): Path<UserId>,
) -> Result<Json<Profile>> {
    Ok(Json(service::profile(&ctx, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The previous page's `next_cursor`.
    before: Option<String>,
    /// 1-100, default 50.
    limit: Option<i64>,
}

/// The caller's balance and ledger entries, newest first.
#[utoipa::path(get, path = "/api/v1/ask/points", tag = "ask", security(("bearer" = [])), params(HistoryParams),
    responses((status = 200, body = Points), (status = 400, body = ProblemBody)))]
pub async fn points(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Query(p): Query<HistoryParams>,
) -> Result<Json<Points>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(Error::bad_param("limit", "must be 1-100"));
    }
    let before = p
        .before
        .map(|b| b.parse::<i64>())
        .transpose()
        .map_err(|_| Error::bad_param("before", "not a cursor from a previous page"))?;
    Ok(Json(service::points(&ctx, &user, before, limit).await?))
}

/// Checks every balance against the sum of its entries (administrators).
#[utoipa::path(get, path = "/api/v1/ask/admin/ledger", tag = "ask", security(("bearer" = [])),
    responses((status = 200, body = LedgerAudit), (status = 403, body = ProblemBody)))]
pub async fn ledger_audit(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<LedgerAudit>> {
    Ok(Json(service::audit(&ctx, &user).await?))
}
