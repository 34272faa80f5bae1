//! Records: batches, single vitals, the member's profile.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Error, FieldError, Result};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::instant;
use crate::catalog::{self, Kind, Measurement, RecordInput};
use crate::model::{BatchOutcome, Record};
use crate::service::{self, Shared};

/// Most records in one batch.
pub const MAX_BATCH: usize = 10_000;

#[derive(Deserialize)]
struct BatchBody<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
    device_id: Option<String>,
}

/// The body of a batch upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BatchRequest {
    /// Up to 10,000 records.
    records: Vec<RecordInput>,
    /// The uploading device, kept with each record (sync's tie-break).
    device_id: Option<String>,
}

/// Parses one item; its errors name the field within the item.
fn item(raw: &RawValue, now: platform::time::Timestamp) -> Result<Measurement, FieldError> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let input: RecordInput = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = if path == "." {
            "record".to_owned()
        } else {
            path
        };
        FieldError::new(field, message)
    })?;
    catalog::measure(input, now)
}

/// Uploads up to 10,000 records at once, e.g. a wearable's backlog. Idempotent by each record's
/// `client_id`: a retry answers `duplicate` for what is already stored. Each item is answered
/// in order — accepted, duplicate, or rejected with the field and reason — and a bad item never
/// keeps the good ones out; the good ones are stored together or not at all.
#[utoipa::path(post, path = "/api/v1/health/{user_id}/records:batch", tag = "wellness",
    params(("user_id" = String, Path, description = "`me` or your user id")),
    request_body = BatchRequest,
    security(("bearer" = [])),
    responses((status = 200, body = BatchOutcome), (status = 400, body = ProblemBody),
        (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn batch(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<BatchOutcome>> {
    let user = service::writable(&viewer, &user_id)?;
    let body: BatchBody<'_> = serde_json::from_slice(&body)
        .map_err(|e| Error::bad_param("body", format!("expected {{\"records\": [...]}}: {e}")))?;
    if body.records.len() > MAX_BATCH {
        return Err(Error::invalid_field(
            "records",
            format!("at most {MAX_BATCH} records per batch"),
        ));
    }
    let now = ctx.clock.now();
    let items = body.records.iter().map(|raw| item(raw, now)).collect();
    let outcome = service::ingest(&ctx, &health, user, items, body.device_id.as_deref()).await?;
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VitalsParams {
    /// One vital type (`heart_rate`, `blood_pressure`, ...); all vitals when absent.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// RFC 3339; default 7 days before `to`.
    from: Option<String>,
    /// RFC 3339; default now.
    to: Option<String>,
    /// 1-1000, default 100.
    limit: Option<i64>,
}

/// Vital-sign records, newest first, with the latest of each type. Another user's only if
/// they shared theirs with you (the read is logged for them).
#[utoipa::path(get, path = "/api/v1/health/{user_id}/vitals", tag = "wellness", params(("user_id" = String, Path), VitalsParams),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn list_vitals(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Query(p): Query<VitalsParams>,
) -> Result<Json<serde_json::Value>> {
    let kinds: Vec<Kind> = match p.kind.as_deref() {
        Some(name) => vec![Kind::parse(name).filter(|k| k.is_vital()).ok_or_else(|| {
            Error::bad_param(
                "type",
                "must be a vital type, e.g. heart_rate or blood_pressure",
            )
        })?],
        None => Kind::ALL.into_iter().filter(|k| k.is_vital()).collect(),
    };
    let now = ctx.clock.now();
    let to = instant("to", p.to.as_deref(), now)?;
    let from = instant(
        "from",
        p.from.as_deref(),
        to.minus(std::time::Duration::from_secs(7 * 86_400)),
    )?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::bad_param("limit", "must be 1-1000"));
    }
    let subject = service::readable(&ctx, &viewer, &user_id, "vitals").await?;
    Ok(Json(
        service::vitals(&ctx, &health, subject, &kinds, from, to, limit).await?,
    ))
}

/// Records one vital sign (the batch endpoint takes many, and every other type).
#[utoipa::path(post, path = "/api/v1/health/{user_id}/vitals", tag = "wellness", params(("user_id" = String, Path)),
    request_body = RecordInput, security(("bearer" = [])),
    responses((status = 201, body = Record), (status = 200, description = "a record with this client_id exists already", body = Record),
        (status = 422, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn add_vital(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    Json(input): Json<RecordInput>,
) -> Result<(StatusCode, Json<Record>)> {
    let user = service::writable(&viewer, &user_id)?;
    let m = catalog::measure(input, ctx.clock.now()).map_err(|e| Error::validation(vec![e]))?;
    if !m.kind.is_vital() {
        return Err(Error::invalid_field(
            "type",
            "not a vital sign; use records:batch for other types",
        ));
    }
    let (record, created) = service::record_one(&ctx, &health, user, m).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(record)))
}

/// A member's settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// IANA time zone: days and weeks of rollups, goals and streaks are this zone's.
    pub time_zone: String,
    /// Region code for community statistics, e.g. `KR-11`; optional.
    pub region: Option<String>,
}

/// Your time zone and region.
#[utoipa::path(get, path = "/api/v1/health/me/profile", tag = "wellness", security(("bearer" = [])),
    responses((status = 200, body = Profile)))]
pub async fn profile(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
) -> Result<Json<Profile>> {
    let (time_zone, region) = service::profile(&ctx, &health, viewer.id).await?;
    Ok(Json(Profile { time_zone, region }))
}

/// Sets your time zone (days and weeks are rebuilt in it) and region.
#[utoipa::path(put, path = "/api/v1/health/me/profile", tag = "wellness", request_body = Profile, security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 422, body = ProblemBody)))]
pub async fn set_profile(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Json(p): Json<Profile>,
) -> Result<Json<Profile>> {
    if crate::rollup::zone(&p.time_zone).is_none() {
        return Err(Error::invalid_field(
            "time_zone",
            "not an IANA time zone, e.g. Asia/Seoul",
        ));
    }
    if p.region
        .as_ref()
        .is_some_and(|r| r.is_empty() || r.len() > 16)
    {
        return Err(Error::invalid_field("region", "1 to 16 characters"));
    }
    service::set_profile(&ctx, &health, viewer.id, &p.time_zone, p.region.as_deref()).await?;
    Ok(Json(p))
}
