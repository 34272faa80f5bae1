//! Posts made ready to answer with: each with its author and its uploads, looked up for a
//! whole list at once, and its [`Written`] part from the cache when the post is unchanged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use platform::accounts::{UserId, service as accounts};
use platform::cache::Family;
use platform::files::MediaId;
use platform::{AppContext, Result};
use serde_json::value::RawValue;

use crate::model::{Author, Content, ContentId};
use crate::post::{Post, PostState, Written};
use crate::rank::Score;
use crate::store;

/// How long a written post stays. It is checked against the post's `updated_at` at every use,
/// so this bounds only the memory of posts nobody reads.
const WRITTEN_TTL: Duration = Duration::from_secs(10 * 60);
/// Written posts kept: a post's text may be 5,000 characters.
const WRITTEN: u64 = 20_000;

/// A post on its way into an answer: read whole, or only its [`PostState`] where its written
/// part is most likely cached (a cached feed page).
#[derive(Debug, Clone)]
pub enum Read {
    Whole(Content),
    State(PostState),
}

impl Read {
    pub fn id(&self) -> ContentId {
        match self {
            Self::Whole(content) => content.id,
            Self::State(state) => state.id,
        }
    }

    fn state(&self) -> PostState {
        match self {
            Self::Whole(content) => content.state(),
            Self::State(state) => *state,
        }
    }
}

impl From<Content> for Read {
    fn from(content: Content) -> Self {
        Self::Whole(content)
    }
}

impl From<PostState> for Read {
    fn from(state: PostState) -> Self {
        Self::State(state)
    }
}

/// `posts` as [`Post`]s, in the same order.
pub async fn present(
    ctx: &AppContext,
    reader: UserId,
    posts: Vec<impl Into<Read>>,
) -> Result<Vec<Post>> {
    let items = posts.into_iter().map(|p| (p.into(), None)).collect();
    answer(ctx, reader, items).await
}

/// One post as a [`Post`].
pub async fn present_one(ctx: &AppContext, reader: UserId, content: Content) -> Result<Post> {
    let id = content.id;
    present(ctx, reader, vec![content])
        .await?
        .pop()
        .ok_or_else(|| platform::Error::internal(anyhow::anyhow!("post {id} was not presented")))
}

/// Posts as the `reader` is answered them, in order, each with its score if it has one. A
/// post read by its state alone whose written part is not cached is read whole again; one that
/// the reader may no longer see by then is left out.
pub async fn answer(
    ctx: &AppContext,
    reader: UserId,
    items: Vec<(Read, Option<Score>)>,
) -> Result<Vec<Post>> {
    let cache = written_posts(ctx);
    let mut written: HashMap<ContentId, Arc<Written>> = HashMap::with_capacity(items.len());
    let mut unwritten: Vec<Content> = Vec::new();
    let mut unread: Vec<ContentId> = Vec::new();
    for (read, _) in &items {
        let state = read.state();
        match cache.get(&state.id).filter(|w| w.is_for(&state)) {
            Some(w) => {
                written.insert(state.id, w);
            }
            None => match read {
                Read::Whole(content) => unwritten.push(content.clone()),
                Read::State(state) => unread.push(state.id),
            },
        }
    }
    if !unread.is_empty() {
        unwritten.extend(store::posts(ctx.db.reader(), reader, &unread).await?);
    }
    for w in write(ctx, &unwritten).await? {
        let w = Arc::new(w);
        cache.insert(w.id(), Arc::clone(&w));
        written.insert(w.id(), w);
    }
    let authors = authors(ctx, written.values()).await?;
    let null: Arc<RawValue> = Arc::from(RawValue::NULL.to_owned());
    Ok(items
        .into_iter()
        .filter_map(|(read, score)| {
            let w = written.get(&read.id())?;
            let author = authors.get(&w.author_id()).unwrap_or(&null);
            Some(Post::new(
                Arc::clone(w),
                read.state(),
                Arc::clone(author),
                score,
            ))
        })
        .collect())
}

/// Drops a post's written part, after an edit on this node (other nodes see the edit by its
/// `updated_at`).
pub fn forget(ctx: &AppContext, id: ContentId) {
    written_posts(ctx).invalidate(&id);
}

fn written_posts(ctx: &AppContext) -> Family<ContentId, Arc<Written>> {
    ctx.cache
        .family("social.written_posts", WRITTEN_TTL, WRITTEN)
}

/// The written parts of `contents`, their uploads read at once.
async fn write(ctx: &AppContext, contents: &[Content]) -> Result<Vec<Written>> {
    if contents.is_empty() {
        return Ok(Vec::new());
    }
    let media_ids: Vec<MediaId> = contents
        .iter()
        .flat_map(|c| c.content.media_ids.iter())
        .filter_map(|id| id.parse().ok())
        .collect();
    let media: HashMap<String, _> = platform::files::find_many(ctx.db.reader(), &media_ids)
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m))
        .collect();
    contents
        .iter()
        .map(|content| {
            let uploads: Vec<_> = content
                .content
                .media_ids
                .iter()
                .filter_map(|id| media.get(id).cloned())
                .collect();
            Written::of(content, &uploads).map_err(platform::Error::internal)
        })
        .collect()
}

/// The authors of some written posts as JSON, each written once, from the accounts cache.
async fn authors<'a>(
    ctx: &AppContext,
    written: impl Iterator<Item = &'a Arc<Written>>,
) -> Result<HashMap<UserId, Arc<RawValue>>> {
    let mut ids: Vec<UserId> = written.map(|w| w.author_id()).collect();
    ids.sort_unstable();
    ids.dedup();
    accounts::public_users(ctx, &ids)
        .await?
        .into_iter()
        .map(|user| {
            let id = user.id;
            serde_json::value::to_raw_value(&Author::from(user))
                .map(|json| (id, Arc::from(json)))
                .map_err(platform::Error::internal)
        })
        .collect()
}
