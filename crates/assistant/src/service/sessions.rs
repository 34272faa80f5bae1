//! Sessions: made by their user, seen and removed only by them, purged after the retention.

use std::time::Duration;

use platform::cache::Family;

use platform::accounts::UserId;
use platform::{AppContext, Error, Result};
use serde_json::{Value, json};

use crate::model::{Message, MessageId, NewSession, Session, SessionId, SessionRow};
use crate::store;

const TITLE_CHARS: usize = 100;
const OWNER_TTL: Duration = Duration::from_secs(3600);

pub async fn create(ctx: &AppContext, user: UserId, new: NewSession) -> Result<Session> {
    let title = match new.title.as_deref().map(str::trim) {
        None | Some("") => "새 대화 · New conversation".to_owned(),
        Some(t) if t.chars().count() > TITLE_CHARS => {
            return Err(Error::invalid_field("title", "at most 100 characters"));
        }
        Some(t) => t.to_owned(),
    };
    let id = SessionId::from_raw(ctx.next_id());
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    store::insert_session(&mut tx, id, user, &title, now).await?;
    tx.commit().await?;
    Ok(Session {
        id,
        title,
        version: 0,
        created_at: now,
        updated_at: now,
    })
}

pub async fn list(ctx: &AppContext, user: UserId) -> Result<Vec<Session>> {
    store::sessions(ctx.db.reader(), user).await
}

/// The session, if it exists and belongs to `user`; another user's session is reported as
/// missing, so ids reveal nothing.
pub async fn owned(ctx: &AppContext, user: UserId, id: SessionId) -> Result<SessionRow> {
    match store::session(ctx.db.reader(), id).await? {
        Some(row) if row.user_id == user => Ok(row),
        _ => Err(Error::not_found(format!("session {id}"))),
    }
}

/// Who owns each session: it never changes, so every request can check it without a query.
fn owners(ctx: &AppContext) -> Family<SessionId, UserId> {
    ctx.cache
        .family("assistant_session_owner", OWNER_TTL, 100_000)
}

/// 404 unless the session exists and belongs to `user` (the owner is cached).
pub async fn check_owner(ctx: &AppContext, user: UserId, id: SessionId) -> Result<()> {
    let owner = owners(ctx)
        .get_or_load(id, async {
            match store::session(ctx.db.reader(), id).await {
                Ok(Some(row)) => Ok(row.user_id),
                Ok(None) => Err(Error::not_found(format!("session {id}"))),
                Err(e) => Err(e),
            }
        })
        .await;
    match owner {
        Ok(owner) if owner == user => Ok(()),
        _ => Err(Error::not_found(format!("session {id}"))),
    }
}

fn forget_session(ctx: &AppContext, id: SessionId) {
    owners(ctx).invalidate(&id);
    super::profile::forget_cached(ctx, id);
}

pub async fn delete(ctx: &AppContext, user: UserId, id: SessionId) -> Result<()> {
    owned(ctx, user, id).await?;
    let mut tx = ctx.db.begin().await?;
    store::delete_session(&mut tx, id).await?;
    tx.commit().await?;
    forget_session(ctx, id);
    Ok(())
}

/// Messages, newest first, before the message id `before`.
pub async fn messages(
    ctx: &AppContext,
    user: UserId,
    id: SessionId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<Message>> {
    check_owner(ctx, user, id).await?;
    store::messages(
        ctx.db.reader(),
        id,
        before.map_or(i64::MAX, MessageId::get),
        limit,
    )
    .await
}

/// Every session of `user` with its profile, messages and events, for the account export.
pub async fn export(ctx: &AppContext, user: UserId) -> Result<Value> {
    let db = ctx.db.reader();
    let mut out = Vec::new();
    for session in store::sessions(db, user).await? {
        let profile = super::profile_at(ctx, session.id, session.version).await?;
        let mut messages = store::messages(db, session.id, i64::MAX, i64::MAX).await?;
        messages.reverse();
        let events = store::events_after(db, session.id, 0, i64::MAX, i64::MAX).await?;
        out.push(json!({
            "session": session,
            "profile": profile,
            "messages": messages,
            "events": events,
        }));
    }
    Ok(json!({
        "sessions": out,
        "usage": super::usage::usage_rows(ctx, Some(user), "0000-00-00").await?,
    }))
}

/// Removes sessions idle for longer than `retention`; how many went.
pub async fn purge_expired(ctx: &AppContext, retention: Duration) -> Result<usize> {
    let cutoff = ctx.clock.now().minus(retention);
    let mut purged = 0;
    loop {
        let ids = store::expired_sessions(ctx.db.reader(), cutoff, 100).await?;
        if ids.is_empty() {
            return Ok(purged);
        }
        let mut tx = ctx.db.begin().await?;
        for id in &ids {
            store::delete_session(&mut tx, *id).await?;
        }
        tx.commit().await?;
        for id in &ids {
            forget_session(ctx, *id);
        }
        purged += ids.len();
    }
}
