//! `POST /api/v1/health/sync`.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::Json;
use platform::{AppContext, Error, FieldError, Result};
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::records::MAX_BATCH;
use crate::catalog::{self, RecordInput};
use crate::service::{self, Change, Shared, SyncOutcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncBody<'a> {
    device_id: String,
    sync_token: Option<String>,
    #[serde(borrow, default)]
    changes: Vec<&'a RawValue>,
}

/// A sync request.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SyncRequest {
    /// This device's stable id (1-64 characters): the tie-break of equal timestamps.
    device_id: String,
    /// The token of the previous sync; absent the first time (everything is sent).
    sync_token: Option<String>,
    /// Up to 10,000 queued changes, oldest first.
    changes: Vec<ChangeInput>,
}

/// One queued change: `{"op": "upsert", "modified_at": ..., "record": {...}}` or
/// `{"op": "delete", "modified_at": ..., "client_id": ...}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    /// `upsert` or `delete`.
    op: String,
    /// When the device made the change (RFC 3339): later changes win.
    modified_at: String,
    record: Option<RecordInput>,
    client_id: Option<String>,
}

fn change(raw: &RawValue, now: platform::time::Timestamp) -> Result<Change, FieldError> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let input: ChangeInput = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        FieldError::new(
            if path == "." {
                "change".to_owned()
            } else {
                path
            },
            e.into_inner().to_string(),
        )
    })?;
    let (modified_at, _) = catalog::parse_instant("modified_at", &input.modified_at)?;
    match (input.op.as_str(), input.record, input.client_id) {
        ("upsert", Some(record), None) => {
            let record = catalog::measure(record, now)
                .map_err(|e| FieldError::new(format!("record.{}", e.field), e.message))?;
            Ok(Change::Upsert {
                record,
                modified_at,
            })
        }
        ("delete", None, Some(client_id)) => Ok(Change::Delete {
            client_id,
            modified_at,
        }),
        ("upsert", ..) => Err(FieldError::new(
            "record",
            "an upsert carries `record` (and no `client_id`)",
        )),
        ("delete", ..) => Err(FieldError::new(
            "client_id",
            "a delete carries `client_id` (and no `record`)",
        )),
        _ => Err(FieldError::new("op", "must be upsert or delete")),
    }
}

/// Offline-first sync: applies a device's queued changes (each answered applied, stale or
/// rejected) and returns every change since `sync_token` with a new token. Conflicts: the later
/// `modified_at` wins; equal times, the greater `device_id`.
#[utoipa::path(post, path = "/api/v1/health/sync", tag = "wellness", request_body = SyncRequest, security(("bearer" = [])),
    responses((status = 200, body = SyncOutcome), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
pub async fn sync(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    body: Bytes,
) -> Result<Json<SyncOutcome>> {
    let body: SyncBody<'_> = serde_json::from_slice(&body).map_err(|e| {
        Error::bad_param(
            "body",
            format!("expected {{\"device_id\", \"sync_token\", \"changes\"}}: {e}"),
        )
    })?;
    let device_id = body.device_id.trim();
    if device_id.is_empty() || device_id.chars().count() > 64 {
        return Err(Error::invalid_field("device_id", "1 to 64 characters"));
    }
    let token =
        match body.sync_token.as_deref() {
            None => 0,
            Some(t) => t.parse::<i64>().ok().filter(|t| *t >= 0).ok_or_else(|| {
                Error::invalid_field("sync_token", "not a token this server gave")
            })?,
        };
    if body.changes.len() > MAX_BATCH {
        return Err(Error::invalid_field(
            "changes",
            format!("at most {MAX_BATCH} changes per sync"),
        ));
    }
    let now = ctx.clock.now();
    let changes = body.changes.iter().map(|raw| change(raw, now)).collect();
    Ok(Json(
        service::sync(&ctx, &health, viewer.id, device_id, token, changes).await?,
    ))
}
