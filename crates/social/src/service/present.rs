//! Posts made ready to answer with: each with its author and its uploads, looked up for a
//! whole list at once.

use std::collections::HashMap;

use platform::accounts::{UserId, service as accounts};
use platform::files::{Media, MediaId};
use platform::{AppContext, Result};

use crate::model::{Author, Content, Post};

/// `contents` as [`Post`]s, in the same order.
pub async fn present(ctx: &AppContext, contents: Vec<Content>) -> Result<Vec<Post>> {
    let found = Found::of(ctx, &contents).await?;
    Ok(contents.into_iter().map(|c| found.post(c)).collect())
}

/// One post as a [`Post`].
pub async fn present_one(ctx: &AppContext, content: Content) -> Result<Post> {
    let found = Found::of(ctx, std::slice::from_ref(&content)).await?;
    Ok(found.post(content))
}

/// The authors and uploads of some posts.
struct Found {
    authors: HashMap<UserId, Author>,
    media: HashMap<String, Media>,
}

impl Found {
    /// Authors come from the accounts cache, the uploads of all the posts in one read.
    async fn of(ctx: &AppContext, contents: &[Content]) -> Result<Self> {
        let mut authors: Vec<UserId> = contents.iter().map(|c| c.author_id).collect();
        authors.sort_unstable();
        authors.dedup();
        let media_ids: Vec<MediaId> = contents
            .iter()
            .flat_map(|c| c.content.media_ids.iter())
            .filter_map(|id| id.parse().ok())
            .collect();
        let (authors, media) = tokio::try_join!(
            accounts::public_users(ctx, &authors),
            platform::files::find_many(ctx.db.reader(), &media_ids),
        )?;
        Ok(Self {
            authors: authors
                .into_iter()
                .map(|user| (user.id, Author::from(user)))
                .collect(),
            media: media.into_iter().map(|m| (m.id.to_string(), m)).collect(),
        })
    }

    fn post(&self, content: Content) -> Post {
        Post {
            author: self.authors.get(&content.author_id).cloned(),
            media: content
                .content
                .media_ids
                .iter()
                .filter_map(|id| self.media.get(id).cloned())
                .collect(),
            content,
        }
    }
}
