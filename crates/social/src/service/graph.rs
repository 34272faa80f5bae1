//! Follows, follow requests, locked accounts, blocks and mutes.

use platform::accounts::{CurrentUser, UserId};
use platform::db::Tx;
use platform::{AppContext, Error, Result};
use serde_json::json;

use super::{existing_user, notification};
use crate::feed_cache::FeedCache;
use crate::store;

/// How many of an author's latest posts a new follower's timeline receives.
const BACKFILL: i64 = 100;

/// Where the reader stands toward another user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outgoing {
    None,
    Following,
    /// Asked to follow a locked account; waiting.
    Requested,
}

/// Counts and relations between the reader and another user.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent yes/no facts, answered flat as clients read a relationship"
)]
pub struct Relationship {
    #[schema(value_type = String)]
    pub user_id: UserId,
    pub followers_count: i64,
    pub following_count: i64,
    pub locked: bool,
    /// The reader toward them.
    pub outgoing: Outgoing,
    /// They follow the reader.
    pub followed_by: bool,
    /// The reader blocks them.
    pub blocking: bool,
    /// The reader mutes them.
    pub muting: bool,
}

pub async fn relationship(ctx: &AppContext, reader: UserId, user: UserId) -> Result<Relationship> {
    existing_user(ctx, user).await?;
    let standing = store::standing(ctx.db.reader(), reader, user).await?;
    let outgoing = match (standing.follows, standing.requested) {
        (true, _) => Outgoing::Following,
        (false, true) => Outgoing::Requested,
        (false, false) => Outgoing::None,
    };
    Ok(Relationship {
        user_id: user,
        followers_count: standing.followers,
        following_count: standing.following,
        locked: standing.locked,
        outgoing,
        followed_by: standing.followed_by,
        blocking: standing.blocking,
        muting: standing.muting,
    })
}

/// One side of a user's follow graph, newest ids first before the cursor.
pub async fn follow_list(
    ctx: &AppContext,
    user: UserId,
    followers: bool,
    before: Option<UserId>,
    limit: i64,
) -> Result<Vec<UserId>> {
    existing_user(ctx, user).await?;
    store::follow_list(ctx.db.reader(), user, followers, before, limit).await
}

/// What follows from a follow request: followed at once, or waiting for a locked account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowState {
    Following,
    Requested,
}

/// Follows `target`, or asks to when the account is locked.
pub async fn follow(ctx: &AppContext, user: &CurrentUser, target: UserId) -> Result<FollowState> {
    if target == user.id {
        return Err(Error::bad_param("id", "you cannot follow yourself"));
    }
    existing_user(ctx, target).await?;
    if store::blocked_either_way(ctx.db.reader(), user.id, target).await? {
        return Err(Error::forbidden("one of you blocks the other"));
    }
    let (locked, ..) = store::account(ctx.db.reader(), target).await?;
    let mut tx = ctx.db.begin().await?;
    let state = if locked && !store::follows(&mut *tx, user.id, target).await? {
        if store::request_follow(&mut tx, user.id, target, ctx.clock.now()).await? {
            let n = notification(
                target,
                "follow_request",
                user.id,
                format!("user:{}", user.id),
                json!({}),
            );
            ctx.notifications.notify(&mut tx, &n).await?;
        }
        FollowState::Requested
    } else {
        start_following(ctx, &mut tx, user.id, target).await?;
        FollowState::Following
    };
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]);
    Ok(state)
}

async fn start_following(
    ctx: &AppContext,
    tx: &mut Tx,
    follower: UserId,
    target: UserId,
) -> Result<()> {
    if store::follow(tx, follower, target, ctx.clock.now()).await? {
        store::backfill(tx, follower, target, BACKFILL).await?;
        let n = notification(
            target,
            "follow",
            follower,
            format!("user:{target}"),
            json!({}),
        );
        ctx.notifications.notify(tx, &n).await?;
    }
    Ok(())
}

pub async fn unfollow(ctx: &AppContext, user: &CurrentUser, target: UserId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::unfollow(&mut tx, user.id, target).await?;
    store::take_request(&mut tx, user.id, target).await?;
    store::drop_from_timeline(&mut tx, user.id, target).await?;
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[user.id]);
    Ok(())
}

/// Accepts or rejects a pending follow request to the caller's locked account.
pub async fn answer_request(
    ctx: &AppContext,
    user: &CurrentUser,
    requester: UserId,
    accept: bool,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::take_request(&mut tx, requester, user.id).await? {
        return Err(Error::not_found("no pending request from that user"));
    }
    if accept {
        start_following(ctx, &mut tx, requester, user.id).await?;
    }
    tx.commit().await?;
    FeedCache::of(ctx).forget(ctx, &[requester]);
    Ok(())
}

pub async fn requests(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<UserId>> {
    store::pending_requests(ctx.db.reader(), user.id).await
}

pub async fn set_locked(ctx: &AppContext, user: &CurrentUser, locked: bool) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::set_locked(&mut tx, user.id, locked).await?;
    tx.commit().await?;
    Ok(())
}

/// What a user may hold against another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// Follows both ways end, and each disappears from the other's views.
    Block,
    /// The target's posts leave the caller's feed and lists; nothing else changes.
    Mute,
}

/// Puts `restriction` on `target` (`on`) or lifts it.
pub async fn restrict(
    ctx: &AppContext,
    user: &CurrentUser,
    target: UserId,
    restriction: Restriction,
    on: bool,
) -> Result<()> {
    if target == user.id {
        let verb = match restriction {
            Restriction::Block => "block",
            Restriction::Mute => "mute",
        };
        return Err(Error::bad_param(
            "id",
            format!("you cannot {verb} yourself"),
        ));
    }
    existing_user(ctx, target).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    match (restriction, on) {
        (Restriction::Block, true) => store::block(&mut tx, user.id, target, now).await?,
        (Restriction::Block, false) => store::unblock(&mut tx, user.id, target).await?,
        (Restriction::Mute, true) => store::mute(&mut tx, user.id, target, now).await?,
        (Restriction::Mute, false) => store::unmute(&mut tx, user.id, target).await?,
    }
    tx.commit().await?;
    // A block changes what both see; a mute only the muter's feed.
    let touched: &[UserId] = match restriction {
        Restriction::Block => &[user.id, target],
        Restriction::Mute => &[user.id],
    };
    FeedCache::of(ctx).forget(ctx, touched);
    Ok(())
}
