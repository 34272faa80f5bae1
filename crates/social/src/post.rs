//! A post as the API answers it, with what only an edit changes written as JSON once.
//!
//! Escaping a post's Korean text, its hashtags, its uploads and its timestamps into JSON at
//! every answer was a fifth of a feed request. [`Written`] holds that part, written when the
//! post is first answered and kept until it is edited; what changes without an edit (the
//! counts, the reader's like, the author's profile, the score) is written around it each time.

use std::sync::Arc;

use platform::accounts::UserId;
use platform::files::Media;
use platform::time::Timestamp;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::model::{Author, Content, ContentId, ContentType, Engagement, Visibility};
use crate::rank::Score;

/// What of a post changes without an edit, as one reader sees it now, with the edit it goes
/// with. A cached feed page reads only this for its posts.
#[derive(Debug, Clone, Copy)]
pub struct PostState {
    pub id: ContentId,
    pub updated_at: Timestamp,
    pub engagement: Engagement,
    /// Whether the reader likes it.
    pub liked: bool,
}

impl Content {
    pub fn state(&self) -> PostState {
        PostState {
            id: self.id,
            updated_at: self.updated_at,
            engagement: self.engagement,
            liked: self.liked,
        }
    }
}

/// The part of a post's answer that only an edit changes, its text parts already JSON.
#[derive(Debug)]
pub struct Written {
    id: ContentId,
    author_id: UserId,
    content_type: ContentType,
    visibility: Visibility,
    reshare_of: Option<ContentId>,
    /// The edit this was written from: a post whose `updated_at` differs is written again.
    updated_at: Timestamp,
    body: Box<RawValue>,
    created_text: Box<str>,
    updated_text: Box<str>,
    media: Box<RawValue>,
}

impl Written {
    /// `content` with `media`, the uploads of its `media_ids` that still exist, in that order.
    pub fn of(content: &Content, media: &[Media]) -> serde_json::Result<Self> {
        Ok(Self {
            id: content.id,
            author_id: content.author_id,
            content_type: content.content_type,
            visibility: content.visibility,
            reshare_of: content.reshare_of,
            updated_at: content.updated_at,
            body: serde_json::value::to_raw_value(&content.content)?,
            created_text: content.created_at.to_rfc3339().into(),
            updated_text: content.updated_at.to_rfc3339().into(),
            media: serde_json::value::to_raw_value(media)?,
        })
    }

    pub fn id(&self) -> ContentId {
        self.id
    }

    pub fn author_id(&self) -> UserId {
        self.author_id
    }

    /// Whether this was written from the edit `state` belongs to.
    pub fn is_for(&self, state: &PostState) -> bool {
        self.id == state.id && self.updated_at == state.updated_at
    }
}

/// A post as the API answers it, in the shape of [`PostShape`].
#[derive(Debug, Clone)]
pub struct Post {
    written: Arc<Written>,
    state: PostState,
    /// The author as JSON (`null` once their account is gone), shared by the author's posts in
    /// one answer.
    author: Arc<RawValue>,
    score: Option<Score>,
}

impl Post {
    pub fn new(
        written: Arc<Written>,
        state: PostState,
        author: Arc<RawValue>,
        score: Option<Score>,
    ) -> Self {
        Self {
            written,
            state,
            author,
            score,
        }
    }

    pub fn id(&self) -> ContentId {
        self.written.id
    }
}

impl Serialize for Post {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = &*self.written;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &w.id)?;
        map.serialize_entry("author_id", &w.author_id)?;
        map.serialize_entry("content_type", &w.content_type)?;
        map.serialize_entry("content", &*w.body)?;
        map.serialize_entry("visibility", &w.visibility)?;
        map.serialize_entry("reshare_of", &w.reshare_of)?;
        map.serialize_entry("engagement", &self.state.engagement)?;
        map.serialize_entry("liked", &self.state.liked)?;
        map.serialize_entry("created_at", &*w.created_text)?;
        map.serialize_entry("updated_at", &*w.updated_text)?;
        map.serialize_entry("author", &*self.author)?;
        map.serialize_entry("media", &*w.media)?;
        if let Some(score) = &self.score {
            map.serialize_entry("score", score)?;
        }
        map.end()
    }
}

/// The JSON shape of a [`Post`], for the API's documentation.
#[derive(Serialize, ToSchema)]
pub struct PostShape {
    #[serde(flatten)]
    pub content: Content,
    /// `null` once the author's account is gone.
    pub author: Option<Author>,
    /// The uploads of `content.media_ids` that still exist, in that order.
    pub media: Vec<Media>,
    /// In the ranked home feed with `?explain=true`: the score and its parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
}

impl utoipa::PartialSchema for Post {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        PostShape::schema()
    }
}

impl ToSchema for Post {
    fn name() -> std::borrow::Cow<'static, str> {
        "Post".into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        PostShape::schemas(schemas);
    }
}
