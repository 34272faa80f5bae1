//! Writing, sharing, editing and deleting posts, and reading one.

use platform::accounts::{CurrentUser, UserId};
use platform::db::Tx;
use platform::{AppContext, Error, Result};
use serde_json::json;

use super::{NewContent, mentioned, notification, notify_mentions};
use crate::events::{self, ContentCreated};
use crate::markup;
use crate::model::{Body, Content, ContentId, ContentType, Engagement, MAX_TAGS, Visibility};
use crate::store;

/// Checks that every attached upload is the author's and fits the post type.
async fn check_media(ctx: &AppContext, author: UserId, new: &NewContent) -> Result<Vec<String>> {
    let mut urls = Vec::with_capacity(new.media_ids.len());
    for (i, &id) in new.media_ids.iter().enumerate() {
        let field = format!("media_ids[{i}]");
        let media = platform::files::find(ctx.db.reader(), id)
            .await?
            .filter(|m| m.owner_id == author)
            .ok_or_else(|| Error::invalid_field(&field, "is not one of your uploads"))?;
        let fits = match new.content_type {
            ContentType::Image => media.kind == "image",
            ContentType::Video => media.kind == "video" || media.kind == "image",
            ContentType::Text | ContentType::Link => true,
        };
        if !fits {
            return Err(Error::invalid_field(
                &field,
                format!(
                    "is a {} upload, not fit for a {} post",
                    media.kind,
                    new.content_type.as_str()
                ),
            ));
        }
        urls.push(id.to_string());
    }
    if matches!(new.content_type, ContentType::Image | ContentType::Video) && urls.is_empty() {
        return Err(Error::invalid_field(
            "media_ids",
            "an image or video post needs at least one upload",
        ));
    }
    Ok(urls)
}

/// Publishes a post; its followers' timelines receive it through the bus, not in this request.
pub async fn create(ctx: &AppContext, author: &CurrentUser, new: NewContent) -> Result<Content> {
    create_at(ctx, author, new, ctx.clock.now()).await
}

/// [`create`], dated `now` (the demo dataset spreads its posts over past days).
pub async fn create_at(
    ctx: &AppContext,
    author: &CurrentUser,
    new: NewContent,
    now: platform::time::Timestamp,
) -> Result<Content> {
    let media_ids = check_media(ctx, author.id, &new).await?;
    let body = body(ctx, author.id, new.text, media_ids).await?;
    let content = draft(
        ctx,
        author.id,
        new.content_type,
        body,
        new.visibility,
        None,
        now,
    );
    let mut tx = ctx.db.begin().await?;
    publish(ctx, &mut tx, &content).await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(content)
}

/// The text of a new post with its hashtags and the users it mentions.
async fn body(
    ctx: &AppContext,
    author: UserId,
    text: String,
    media_ids: Vec<String>,
) -> Result<Body> {
    Ok(Body {
        hashtags: markup::hashtags(&text, MAX_TAGS),
        mentions: mentioned(ctx, author, &text).await?,
        text,
        media_ids,
    })
}

/// A new post of `author`, not yet stored.
fn draft(
    ctx: &AppContext,
    author: UserId,
    content_type: ContentType,
    content: Body,
    visibility: Visibility,
    reshare_of: Option<ContentId>,
    now: platform::time::Timestamp,
) -> Content {
    Content {
        id: ContentId::from_raw(ctx.next_id()),
        author_id: author,
        content_type,
        content,
        visibility,
        reshare_of,
        engagement: Engagement::default(),
        liked: false,
        created_at: now,
        updated_at: now,
    }
}

/// Posts `text` for `author` to their followers inside the caller's transaction: a post another
/// app asked for through the bus (a shared wellness achievement).
pub async fn create_in(
    ctx: &AppContext,
    tx: &mut Tx,
    author: UserId,
    text: String,
) -> Result<Content> {
    let body = body(ctx, author, text, Vec::new()).await?;
    let content = draft(
        ctx,
        author,
        ContentType::Text,
        body,
        Visibility::Followers,
        None,
        ctx.clock.now(),
    );
    publish(ctx, tx, &content).await?;
    Ok(content)
}

/// Stores a new post with its event and mention notifications in the caller's transaction.
async fn publish(ctx: &AppContext, tx: &mut Tx, content: &Content) -> Result<()> {
    store::insert_content(tx, content).await?;
    if let Some(original) = content.reshare_of {
        store::count_share(tx, original).await?;
    }
    ctx.bus
        .publish(tx, events::CONTENT_CREATED, &ContentCreated::of(content))
        .await?;
    notify_mentions(
        ctx,
        tx,
        content.author_id,
        &content.content.mentions,
        content.id,
    )
    .await
}

/// A post the reader may see; 404 otherwise, whether it never existed or is hidden from them.
pub async fn content(ctx: &AppContext, reader: UserId, id: ContentId) -> Result<Content> {
    store::content(ctx.db.reader(), reader, id)
        .await?
        .ok_or_else(|| Error::not_found("no such post"))
}

/// Reshares a public post, with optional quote text, as a new post of the sharer.
pub async fn share(
    ctx: &AppContext,
    sharer: &CurrentUser,
    original: ContentId,
    text: String,
    visibility: Visibility,
) -> Result<Content> {
    let source = content(ctx, sharer.id, original).await?;
    if source.visibility != Visibility::Public {
        return Err(Error::forbidden(
            "only public posts can be shared; this one is for its audience alone",
        ));
    }
    let now = ctx.clock.now();
    let body = body(ctx, sharer.id, text, Vec::new()).await?;
    let shared = draft(
        ctx,
        sharer.id,
        ContentType::Text,
        body,
        visibility,
        Some(original),
        now,
    );
    let mut tx = ctx.db.begin().await?;
    publish(ctx, &mut tx, &shared).await?;
    if source.author_id != sharer.id {
        let n = notification(
            source.author_id,
            "share",
            sharer.id,
            format!("content:{original}"),
            json!({ "content_id": original, "share_id": shared.id }),
        );
        ctx.notifications.notify(&mut tx, &n).await?;
    }
    tx.commit().await?;
    ctx.bus.wake();
    Ok(shared)
}

/// Replaces the text of one's own post; the old text stays in its history.
pub async fn edit(
    ctx: &AppContext,
    author: &CurrentUser,
    id: ContentId,
    text: String,
) -> Result<Content> {
    let before = content(ctx, author.id, id).await?;
    if before.author_id != author.id {
        return Err(Error::forbidden("only the author can edit a post"));
    }
    let body = Body {
        hashtags: markup::hashtags(&text, MAX_TAGS),
        mentions: mentioned(ctx, author.id, &text).await?,
        text,
        media_ids: before.content.media_ids.clone(),
    };
    let newly_mentioned: Vec<UserId> = body
        .mentions
        .iter()
        .copied()
        .filter(|u| !before.content.mentions.contains(u))
        .collect();
    let mut tx = ctx.db.begin().await?;
    store::edit_content(&mut tx, ctx.next_id(), &before, &body, ctx.clock.now()).await?;
    ctx.bus
        .publish(
            &mut tx,
            events::CONTENT_EDITED,
            &json!({ "content_id": id }),
        )
        .await?;
    notify_mentions(ctx, &mut tx, author.id, &newly_mentioned, id).await?;
    tx.commit().await?;
    ctx.bus.wake();
    super::present::forget(ctx, id);
    content(ctx, author.id, id).await
}

/// Earlier texts of one's own post, newest first.
pub async fn history(
    ctx: &AppContext,
    reader: UserId,
    id: ContentId,
) -> Result<Vec<(String, platform::time::Timestamp)>> {
    content(ctx, reader, id).await?;
    store::edits(ctx.db.reader(), id).await
}

/// Deletes one's own post: gone from every view at once, purged later.
pub async fn delete(ctx: &AppContext, author: &CurrentUser, id: ContentId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::delete_content(&mut tx, id, author.id, ctx.clock.now()).await? {
        return Err(Error::not_found("no such post of yours"));
    }
    ctx.bus
        .publish(
            &mut tx,
            events::CONTENT_DELETED,
            &json!({ "content_id": id }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(())
}
