//! wellness' use cases: each checks who may do it, runs one transaction, and publishes what
//! happened through the outbox in that same transaction.

use std::sync::Arc;

use jiff::tz::TimeZone;
use platform::accounts::{CurrentUser, UserId};
use platform::db::Tx;
use platform::{AppContext, Error, Result};

use crate::crypto::{Key, Keyring};
use crate::store;

mod alerts;
mod community;
mod derived;
mod fhir;
mod goals;
mod import;
mod insights;
mod records;
mod series;
mod sharing;
mod summary;
mod sync;

pub use alerts::{RuleView, acknowledge, add_rule, alerts, delete_rule, rules};
pub use community::{CommunityStats, community_stats};
pub use derived::forget;
pub use fhir::{
    create as create_observation, read as read_observation, search as search_observations,
};
pub use goals::{GoalView, add_goal, delete_goal, goals, share_goal};
pub use import::{ImportError, ImportSummary, import_apple_health};
pub use insights::{RecommendationView, Verdict, feedback, insights, recommendations};
pub use records::{export_records, ingest, record_one, vitals};
pub use series::{Bucket, MAX_SET, series, series_set};
pub use sharing::{access_log, set_share, shares};
pub use summary::{Summary, summary};
pub use sync::{Change, SyncOutcome, sync};

/// What the app carries beside the shared services.
#[derive(Debug)]
pub struct Health {
    pub keyring: Keyring,
    /// New members' time zone until they set their own.
    pub default_zone: String,
}

pub type Shared = Arc<Health>;

/// Whose data a request touches, once allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub user: UserId,
    /// Whether the reader is the owner (notes are shown to the owner only).
    pub own: bool,
}

/// `{userId}` of a path: `me` or a user id.
pub fn parse_user(viewer: &CurrentUser, text: &str) -> Result<UserId> {
    if text == "me" {
        return Ok(viewer.id);
    }
    text.parse()
        .map_err(|_| Error::bad_param("userId", "must be `me` or a user id"))
}

/// Who `{userId}` is, if `viewer` may read their data: themselves, or someone who shared with
/// them — a read that is logged for the owner to see (`what` says what was read).
pub async fn readable(
    ctx: &AppContext,
    viewer: &CurrentUser,
    who: &str,
    what: &str,
) -> Result<Subject> {
    let user = parse_user(viewer, who)?;
    if user == viewer.id {
        return Ok(Subject { user, own: true });
    }
    if !store::may_read(ctx.db.reader(), user, viewer.id).await? {
        return Err(Error::forbidden(
            "this user has not shared their health data with you",
        ));
    }
    let mut tx = ctx.db.begin().await?;
    store::log_access(
        &mut tx,
        ctx.next_id(),
        user,
        viewer.id,
        what,
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Subject { user, own: false })
}

/// Who `{userId}` is, if it is the viewer: only owners write their data.
pub fn writable(viewer: &CurrentUser, who: &str) -> Result<UserId> {
    let user = parse_user(viewer, who)?;
    if user != viewer.id {
        return Err(Error::forbidden("only the owner writes their health data"));
    }
    Ok(user)
}

/// The member row of `user`, made on first use; with their time zone and note key.
pub struct Membership {
    pub member: store::Member,
    pub zone: TimeZone,
}

impl Membership {
    pub fn key(&self, health: &Health) -> Result<Key> {
        health
            .keyring
            .unwrap(&self.member.wrapped_key)
            .map_err(Error::internal)
    }
}

pub async fn membership(
    tx: &mut Tx,
    ctx: &AppContext,
    health: &Health,
    user: UserId,
) -> Result<Membership> {
    let member = if let Some(m) = store::member(&mut **tx, user).await? {
        m
    } else {
        let m = store::ensure_member(
            tx,
            user,
            &health.default_zone,
            &health.keyring.new_user_key(),
            ctx.clock.now(),
        )
        .await?;
        for rule in crate::alerts::Rule::defaults() {
            store::insert_rule(tx, ctx.next_id(), user, &rule, ctx.clock.now()).await?;
        }
        m
    };
    let zone = crate::rollup::zone(&member.time_zone).unwrap_or(TimeZone::UTC);
    Ok(Membership { member, zone })
}

/// The time zone of `user` (the default one before their first record).
pub async fn zone_of(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
) -> Result<(String, TimeZone)> {
    let load = Box::pin(async {
        let name = store::member(ctx.db.reader(), user)
            .await?
            .map_or_else(|| health.default_zone.clone(), |m| m.time_zone);
        let zone = crate::rollup::zone(&name).unwrap_or(TimeZone::UTC);
        Ok((name, zone))
    });
    let zone = derived::Derived::of(ctx).zone(user, load).await?;
    Ok((zone.0.clone(), zone.1.clone()))
}

/// The member's time zone and region.
pub async fn profile(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
) -> Result<(String, Option<String>)> {
    let member = store::member(ctx.db.reader(), user).await?;
    Ok(member.map_or_else(
        || (health.default_zone.clone(), None),
        |m| (m.time_zone, m.region),
    ))
}

/// Sets the member's time zone and region; a new zone rebuilds their days and weeks.
pub async fn set_profile(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    time_zone: &str,
    region: Option<&str>,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let current = membership(&mut tx, ctx, health, user).await?;
    store::set_zone(&mut tx, user, time_zone, region).await?;
    if current.member.time_zone != time_zone {
        let zone = crate::rollup::zone(time_zone).unwrap_or(TimeZone::UTC);
        store::rebuild_local(&mut tx, user, &zone).await?;
    }
    tx.commit().await?;
    forget(ctx, user).await;
    Ok(())
}
