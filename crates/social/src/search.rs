//! Posts and hashtags in the platform's search (`/api/v1/search?type=content|hashtags`).
//!
//! Documents follow the post events; what a reader gets back is decided when hits are hydrated,
//! by the same visibility rules as every other read path.

use std::collections::HashMap;

use async_trait::async_trait;
use platform::accounts::{CurrentUser, UserId};
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::search::{Document, SearchType};
use platform::time::Timestamp;
use platform::{AppContext, Result};
use serde::Deserialize;
use serde_json::json;

use crate::model::{Content, ContentId};
use crate::store;

/// Who an anonymous search reader is: no one, so public posts only.
const NOBODY: UserId = UserId::from_raw(0);

fn reader(viewer: Option<&CurrentUser>) -> UserId {
    viewer.map_or(NOBODY, |v| v.id)
}

fn content_document(c: &Content) -> Document {
    Document {
        doc_type: "content",
        id: c.id.get(),
        title: String::new(),
        body: c.content.text.clone(),
        tags: c.content.hashtags.clone(),
        facets: Vec::new(),
        created_at: c.created_at,
    }
}

fn hashtag_document(id: i64, tag: &str, created_at: Timestamp) -> Document {
    Document {
        doc_type: "hashtags",
        id,
        title: tag.to_owned(),
        body: String::new(),
        tags: vec![tag.to_owned()],
        facets: Vec::new(),
        created_at,
    }
}

pub struct ContentSearch;

#[async_trait]
impl SearchType for ContentSearch {
    fn name(&self) -> &'static str {
        "content"
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>> {
        let mut contents = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(c) =
                store::content(ctx.db.reader(), reader(viewer), ContentId::from_raw(id)).await?
            {
                contents.push(c);
            }
        }
        // Found posts are answered as every post is: with their authors and uploads.
        Ok(crate::service::present(ctx, reader(viewer), contents)
            .await?
            .into_iter()
            .map(|post| {
                let id = post.id().get();
                (id, serde_json::to_value(&post).unwrap_or_default())
            })
            .collect())
    }

    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(store::all_live_content(ctx.db.scan())
            .await?
            .iter()
            .map(content_document)
            .collect())
    }
}

pub struct HashtagSearch;

#[async_trait]
impl SearchType for HashtagSearch {
    fn name(&self) -> &'static str {
        "hashtags"
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>> {
        let tags = store::hashtags(ctx.db.reader(), reader(viewer), ids).await?;
        Ok(tags
            .into_iter()
            .map(|(id, tag, posts)| (id, json!({ "tag": tag, "posts": posts })))
            .collect())
    }

    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(store::all_hashtags(ctx.db.scan())
            .await?
            .iter()
            .map(|(id, tag, at)| hashtag_document(*id, tag, *at))
            .collect())
    }
}

/// Keeps post and hashtag documents in step with post events.
pub struct IndexContent;

#[async_trait]
impl Subscriber for IndexContent {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Subject {
            content_id: ContentId,
        }
        let subject: Subject = event.parse()?;
        match store::live_content(&mut **tx, subject.content_id).await? {
            Some(content) => {
                ctx.search.index(&content_document(&content))?;
                for tag in &content.content.hashtags {
                    let doc = hashtag_document(store::hashtag_id(tag), tag, content.created_at);
                    ctx.search.index(&doc)?;
                }
            }
            None => ctx.search.remove("content", subject.content_id.get())?,
        }
        Ok(())
    }
}
