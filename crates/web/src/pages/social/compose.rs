//! `POST /social/posts`: a new post from the compose box, with an optional image. The image
//! goes to the platform's uploads first (checked, re-encoded and stripped of EXIF there); the
//! post then names it. A refusal shows the feed again with the text kept and the reason next
//! to its field.

use axum::Extension;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::feed::{Position, show};
use crate::Web;
use crate::api::Payload;
use crate::failure::{Failure, Reason};
use crate::pages::PageResult;
use crate::session::Visit;

/// What the compose box holds, kept as typed.
#[derive(Debug, Default)]
pub struct Draft {
    pub text: String,
    /// `public`, `followers` or `private`.
    pub visibility: String,
}

/// An image chosen in the compose box.
struct Image {
    name: String,
    content_type: String,
    bytes: Bytes,
}

#[derive(Deserialize)]
struct Uploaded {
    id: String,
}

pub async fn submit(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    form: Multipart,
) -> PageResult {
    let (draft, image) = read(form)
        .await
        .map_err(|_| Failure::new(&visit, Reason::TooLarge))?;
    match publish(&web, &visit, &draft, image).await {
        Ok(()) => Ok(Redirect::to("/social?filter=latest").into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            let position = Position::default();
            show(&web, &visit, position, draft, fields).await
        }
    }
}

/// The form's fields; an empty file input sends a part with no bytes, which is no image.
async fn read(
    mut form: Multipart,
) -> Result<(Draft, Option<Image>), axum::extract::multipart::MultipartError> {
    let mut draft = Draft::default();
    let mut image = None;
    while let Some(field) = form.next_field().await? {
        match field.name().unwrap_or_default() {
            "text" => draft.text = field.text().await?,
            "visibility" => draft.visibility = field.text().await?,
            "image" => {
                let name = field.file_name().unwrap_or("image").to_owned();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await?;
                if !bytes.is_empty() {
                    image = Some(Image {
                        name,
                        content_type,
                        bytes,
                    });
                }
            }
            _ => {}
        }
    }
    Ok((draft, image))
}

async fn publish(
    web: &Web,
    visit: &Visit,
    draft: &Draft,
    image: Option<Image>,
) -> Result<(), Failure> {
    let mut media_ids = Vec::new();
    if let Some(image) = image {
        let payload = Payload::upload("social", &image.name, &image.content_type, &image.bytes);
        let uploaded = web
            .api
            .post::<Uploaded>(visit, "/api/v1/uploads", payload)
            .await
            .map_err(|failure| failure.renamed("file", "image"))?;
        media_ids.push(uploaded.id);
    }
    let body = json!({
        "type": if media_ids.is_empty() { "text" } else { "image" },
        "text": draft.text,
        "media_ids": media_ids,
        "visibility": match draft.visibility.as_str() {
            "followers" | "private" => draft.visibility.as_str(),
            _ => "public",
        },
    });
    web.api
        .send::<IgnoredAny>(visit, axum::http::Method::POST, "/api/v1/content", &body)
        .await?;
    Ok(())
}
