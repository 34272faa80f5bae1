//! `POST /api/v1/uploads`, `GET /api/v1/uploads/{id}`, `GET /files/{key}`.

use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::image::{ImageError, process_image};
use super::store::{self, Media, MediaId, NewMedia};
use crate::accounts::CurrentUser;
use crate::error::ProblemBody;
use crate::extract::{Json, Path};
use crate::{ApiRouter, AppContext, Error, Result};

pub fn router(ctx: &AppContext) -> ApiRouter {
    let image_limit = ctx.config.uploads.max_image_bytes;
    // Multipart framing adds a little on top of the file itself.
    let body_limit = ctx.files.largest_allowance(image_limit) + 64 * 1024;
    ApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(body_limit))
        .routes(routes!(get_upload))
        .routes(routes!(serve))
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The file. Images are recognised by content; other kinds need the app's allowance.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// The app the upload is for (`social`, `ask`, ...); default `platform` (images only).
    app: Option<String>,
}

/// Upload a file (multipart/form-data, field `file`, optional field `app`).
#[utoipa::path(post, path = "/api/v1/uploads", tag = "files", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Media), (status = 413, body = ProblemBody), (status = 415, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn upload(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Media>)> {
    let mut file: Option<Bytes> = None;
    let mut app = "platform".to_owned();
    loop {
        let field = form.next_field().await.map_err(|e| multipart_error(&e))?;
        let Some(field) = field else { break };
        match field.name().unwrap_or_default() {
            "file" => file = Some(field.bytes().await.map_err(|e| multipart_error(&e))?),
            "app" => field
                .text()
                .await
                .map_err(|e| multipart_error(&e))?
                .trim()
                .clone_into(&mut app),
            _ => {}
        }
    }
    let bytes = file.ok_or_else(|| Error::invalid_field("file", "is required"))?;
    if !ctx.apps.iter().any(|a| a.name() == app) {
        return Err(Error::invalid_field("app", format!("unknown app `{app}`")));
    }
    let media = store_upload(&ctx, &user, &app, bytes).await?;
    Ok((StatusCode::CREATED, Json(media)))
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::too_large("the file is larger than uploads accept")
    } else {
        Error::bad_param("file", e.body_text())
    }
}

async fn store_upload(
    ctx: &AppContext,
    user: &CurrentUser,
    app: &str,
    bytes: Bytes,
) -> Result<Media> {
    let id = MediaId::from_raw(ctx.next_id());
    let sniffed = infer::get(&bytes).map(|k| k.mime_type());
    let is_image = matches!(
        sniffed,
        Some("image/jpeg" | "image/png" | "image/webp" | "image/gif")
    );
    let (kind, content_type, stored, dimensions, thumbnail, extension) = if is_image {
        let limit = ctx.config.uploads.max_image_bytes;
        if bytes.len() > limit {
            return Err(Error::too_large(format!(
                "images may be at most {} MB",
                limit / (1024 * 1024)
            ))
            .with_field("file"));
        }
        let px = ctx.config.uploads.thumbnail_px;
        let processed = tokio::task::spawn_blocking(move || process_image(&bytes, px))
            .await
            .map_err(Error::internal)?
            .map_err(|e: ImageError| Error::invalid_field("file", e.to_string()))?;
        (
            "image",
            processed.content_type,
            Bytes::from(processed.bytes),
            Some((processed.width, processed.height)),
            Some(processed.thumbnail),
            processed.extension,
        )
    } else {
        let content_type =
            sniffed.ok_or_else(|| Error::invalid_field("file", "unrecognised file type"))?;
        let Some(limit) = ctx.files.allowance(app, content_type) else {
            return Err(Error::new(
                crate::error::ErrorKind::UnsupportedMediaType,
                format!("`{app}` does not accept {content_type} files"),
            )
            .with_field("file"));
        };
        if bytes.len() > limit {
            return Err(Error::too_large(format!(
                "{content_type} files may be at most {} MB",
                limit / (1024 * 1024)
            ))
            .with_field("file"));
        }
        let kind = if content_type.starts_with("video/") {
            "video"
        } else {
            "file"
        };
        let extension = infer::get(&bytes).map_or("bin", |k| k.extension());
        (kind, content_type, bytes, None, None, extension)
    };
    let key = format!("{app}-{id}.{extension}");
    let thumb_key = thumbnail.as_ref().map(|_| format!("{app}-{id}.thumb.jpg"));
    ctx.files
        .store
        .put(&key, stored.clone())
        .await
        .map_err(Error::internal)?;
    if let (Some(t), Some(k)) = (thumbnail, &thumb_key) {
        ctx.files
            .store
            .put(k, Bytes::from(t))
            .await
            .map_err(Error::internal)?;
    }
    let mut tx = ctx.db.begin().await?;
    let media = store::insert(
        &mut tx,
        &NewMedia {
            id,
            owner: user.id,
            app,
            kind,
            content_type,
            size_bytes: stored.len() as i64,
            dimensions,
            storage_key: &key,
            thumbnail_key: thumb_key.as_deref(),
            now: ctx.clock.now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(media)
}

/// An upload's details.
#[utoipa::path(get, path = "/api/v1/uploads/{id}", tag = "files", params(("id" = String, Path, description = "media id")),
    responses((status = 200, body = Media), (status = 404, body = ProblemBody)))]
async fn get_upload(State(ctx): State<AppContext>, Path(id): Path<MediaId>) -> Result<Json<Media>> {
    store::find(ctx.db.reader(), id)
        .await?
        .map(Json)
        .ok_or_else(|| Error::not_found("no such upload"))
}

/// The bytes of an upload or its thumbnail; immutable, so cached for a year.
#[utoipa::path(get, path = "/files/{key}", tag = "files", params(("key" = String, Path, description = "file key from an upload's url")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ProblemBody)))]
async fn serve(State(ctx): State<AppContext>, Path(key): Path<String>) -> Result<Response> {
    let content_type = store::content_type_of(ctx.db.reader(), &key)
        .await?
        .ok_or_else(|| Error::not_found("no such file"))?;
    let bytes = ctx
        .files
        .store
        .get(&key)
        .await
        .map_err(|_| Error::not_found("no such file"))?
        .ok_or_else(|| Error::not_found("no such file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
