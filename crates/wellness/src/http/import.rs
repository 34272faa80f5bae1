//! `POST /api/v1/health/{user_id}/import/apple-health`: an Apple Health export, streamed.

use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use futures::TryStreamExt as _;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path};
use platform::{AppContext, Result};

use crate::service::{self, ImportSummary, Shared};

/// Imports the `export.xml` of an Apple Health export (send the file itself as the body, any
/// size: it is parsed as it arrives). Re-importing the same file adds nothing. Answers 200 with
/// counts, or 422 with the line where a malformed file stopped, keeping what came before it.
#[utoipa::path(post, path = "/api/v1/health/{user_id}/import/apple-health", tag = "wellness", params(("user_id" = String, Path)),
    request_body(content = String, content_type = "application/xml"), security(("bearer" = [])),
    responses((status = 200, body = ImportSummary), (status = 422, body = ImportSummary), (status = 403, body = ProblemBody)))]
pub async fn apple_health(
    State(ctx): State<AppContext>,
    Extension(health): Extension<Shared>,
    viewer: CurrentUser,
    Path(user_id): Path<String>,
    body: Body,
) -> Result<(StatusCode, Json<ImportSummary>)> {
    let user = service::writable(&viewer, &user_id)?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let reader = std::io::BufReader::with_capacity(1 << 20, reader);
    let summary = service::import_apple_health(&ctx, &health, user, reader, |_| {}).await?;
    let status = if summary.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(summary)))
}
