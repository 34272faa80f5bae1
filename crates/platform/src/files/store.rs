//! Media rows: what was uploaded, by whom, for which app, and where its bytes are.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use utoipa::ToSchema;

use crate::Result;
use crate::accounts::UserId;
use crate::db::Tx;
use crate::time::Timestamp;

crate::id_type!(
    /// An uploaded file.
    MediaId
);

/// An upload as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Media {
    pub id: MediaId,
    pub owner_id: UserId,
    pub app: String,
    /// `image`, `video` or `file`.
    pub kind: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Where to fetch it.
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub created_at: Timestamp,
}

fn from_row(r: &AnyRow) -> Result<Media, sqlx::Error> {
    let key: String = r.try_get("storage_key")?;
    let thumb: Option<String> = r.try_get("thumbnail_key")?;
    Ok(Media {
        id: MediaId::from_raw(r.try_get("id")?),
        owner_id: UserId::from_raw(r.try_get("owner_id")?),
        app: r.try_get("app")?,
        kind: r.try_get("kind")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        url: format!("/files/{key}"),
        thumbnail_url: thumb.map(|t| format!("/files/{t}")),
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
    })
}

pub struct NewMedia<'a> {
    pub id: MediaId,
    pub owner: UserId,
    pub app: &'a str,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub dimensions: Option<(u32, u32)>,
    pub storage_key: &'a str,
    pub thumbnail_key: Option<&'a str>,
    pub now: Timestamp,
}

pub async fn insert(tx: &mut Tx, m: &NewMedia<'_>) -> Result<Media> {
    let row = sqlx::query(
        "INSERT INTO media (id, owner_id, app, kind, content_type, size_bytes, width, height, storage_key, thumbnail_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
    )
    .bind(m.id.get())
    .bind(m.owner.get())
    .bind(m.app)
    .bind(m.kind)
    .bind(m.content_type)
    .bind(m.size_bytes)
    .bind(m.dimensions.map(|(w, _)| i64::from(w)))
    .bind(m.dimensions.map(|(_, h)| i64::from(h)))
    .bind(m.storage_key)
    .bind(m.thumbnail_key)
    .bind(m.now.micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok(from_row(&row)?)
}

/// An upload by id; apps check its owner and kind before attaching it to something.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: MediaId,
) -> Result<Option<Media>> {
    let row = sqlx::query("SELECT * FROM media WHERE id = $1")
        .bind(id.get())
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The uploads of `ids` that exist, in no particular order: what a list of posts shows.
pub async fn find_many<'e, E: Executor<'e, Database = Any>>(
    db: E,
    ids: &[MediaId],
) -> Result<Vec<Media>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM media WHERE id IN ({})",
        crate::db::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.get());
    }
    let rows = query.fetch_all(db).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The content type of the object under `key`, if it belongs to an upload (or its thumbnail).
pub async fn content_type_of<'e, E: Executor<'e, Database = Any>>(
    db: E,
    key: &str,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT content_type, storage_key FROM media WHERE storage_key = $1 OR thumbnail_key = $1",
    )
    .bind(key)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let stored: String = r.try_get("storage_key")?;
        Ok(if stored == key {
            r.try_get("content_type")?
        } else {
            "image/jpeg".to_owned()
        })
    })
    .transpose()
}
