//! `/fhir/r4`: Observations as FHIR R4 resources (search as searchset Bundles, read, create)
//! and the CapabilityStatement that says so.

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::Path;
use platform::{AppContext, Error, Result};
use serde_json::{Value, json};

use crate::fhir;
use crate::service::{self, Shared};

const FHIR_JSON: &str = "application/fhir+json";

fn fhir_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response()
}

/// The server's FHIR base as the client reached it.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}/fhir/r4")
}

/// Searches Observations: `patient` (`me`, a user id or `Patient/{id}`; you by default),
/// `code` (LOINC, comma-separated), `date` (repeatable, with eq/ge/gt/le/lt; a bare date is
/// a day in the patient's zone), `_count` (≤ 1000). Steps are daily totals (41950-7).
#[utoipa::path(get, path = "/fhir/r4/Observation", tag = "wellness",
    params(("patient" = Option<String>, Query), ("code" = Option<String>, Query), ("date" = Option<String>, Query), ("_count" = Option<usize>, Query)),
    security(("bearer" = [])),
    responses((status = 200, description = "A searchset Bundle", content_type = "application/fhir+json"), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn search(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let query = query.unwrap_or_default();
    let search = fhir::parse_search(form_urlencoded::parse(query.as_bytes()))
        .map_err(|e| Error::bad_param(&e.field, e.message))?;
    let found = service::search_observations(&ctx, &health, &viewer, &search).await?;
    let base = base(&headers);
    let self_url = if query.is_empty() {
        format!("{base}/Observation")
    } else {
        format!("{base}/Observation?{query}")
    };
    Ok(fhir_response(
        StatusCode::OK,
        &fhir::bundle(&base, &self_url, found),
    ))
}

/// One Observation.
#[utoipa::path(get, path = "/fhir/r4/Observation/{id}", tag = "wellness", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, description = "An Observation", content_type = "application/fhir+json"), (status = 404, body = ProblemBody)))]
pub async fn read(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let observation = service::read_observation(&ctx, &health, &viewer, &id).await?;
    Ok(fhir_response(StatusCode::OK, &observation))
}

/// Records an Observation of yours (LOINC-coded, UCUM units). An identifier with system
/// `urn:maru:client-id` makes retries safe; without one, the code and time do.
#[utoipa::path(post, path = "/fhir/r4/Observation", tag = "wellness",
    request_body(content = Object, content_type = "application/fhir+json"), security(("bearer" = [])),
    responses((status = 201, description = "The stored Observation", content_type = "application/fhir+json"), (status = 422, body = ProblemBody)))]
pub async fn create(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| Error::invalid_field("body", format!("is not JSON: {e}")))?;
    let (observation, created) =
        service::create_observation(&ctx, &health, viewer.id, &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = fhir_response(status, &observation);
    let location = format!(
        "{}/Observation/{}",
        base(&headers),
        observation["id"].as_str().unwrap_or_default()
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// What this FHIR endpoint serves.
#[utoipa::path(get, path = "/fhir/r4/metadata", tag = "wellness",
    responses((status = 200, description = "A CapabilityStatement", content_type = "application/fhir+json")))]
pub async fn metadata() -> Response {
    let statement = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-22",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "resource": [{
                "type": "Observation",
                "interaction": [{ "code": "read" }, { "code": "search-type" }, { "code": "create" }],
                "searchParam": [
                    { "name": "patient", "type": "reference" },
                    { "name": "code", "type": "token" },
                    { "name": "date", "type": "date" },
                    { "name": "_count", "type": "number" }
                ]
            }]
        }]
    });
    fhir_response(StatusCode::OK, &statement)
}
