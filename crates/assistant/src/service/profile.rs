//! The profile: read through the `profile:{sessionId}` cache (one hour), written as events.
//!
//! A write reads the current profile, drops changes that would change nothing, then, in one
//! transaction, raises the session's version from the one it read (a stale read loses and is
//! retried, or is a 409 when the writer named its expected version), appends one event per
//! change and, every `snapshot_every` events, a snapshot. After the commit the new profile goes
//! into the cache (only over an older one) and each event goes to the session's live topic.

use std::sync::Arc;
use std::time::Duration;

use platform::accounts::UserId;
use platform::cache::Family;
use platform::db::Tx;
use platform::time::Timestamp;
use platform::{AppContext, Error, FieldError, Result};

use super::committer::Write;
use super::sync::{UpdateFrame, topic};
use crate::model::{Event, ProfileUpdate, SessionId, VersionedProfile};
use crate::profile::{Change, Profile, fold};
use crate::store;

/// The seed's cache lifetime for `profile:{sessionId}`.
const PROFILE_TTL: Duration = Duration::from_secs(3600);
const CACHED_PROFILES: u64 = 100_000;
/// Most changes one write may carry.
pub const MAX_CHANGES: usize = 50;
/// Attempts of a write whose read went stale under it (without an expected version).
const ATTEMPTS: usize = 5;

fn cache(ctx: &AppContext) -> Family<SessionId, Arc<VersionedProfile>> {
    ctx.cache.family("profile", PROFILE_TTL, CACHED_PROFILES)
}

fn remember(ctx: &AppContext, profile: Arc<VersionedProfile>) -> impl Future<Output = ()> {
    let family = cache(ctx);
    async move {
        family
            .insert_if_newer(profile.session_id, profile, |old, new| {
                old.version > new.version
            })
            .await;
    }
}

pub(super) fn forget_cached(ctx: &AppContext, id: SessionId) {
    cache(ctx).invalidate(&id);
}

/// The current profile of a session (which must exist).
pub async fn current(ctx: &AppContext, id: SessionId) -> Result<Arc<VersionedProfile>> {
    if let Some(hit) = cache(ctx).get(&id) {
        return Ok(hit);
    }
    let row = store::session(ctx.db.reader(), id)
        .await?
        .ok_or_else(|| Error::not_found(format!("session {id}")))?;
    let version = row.session.version;
    let profile = Arc::new(VersionedProfile {
        session_id: id,
        version,
        profile: profile_at(ctx, id, version).await?,
    });
    remember(ctx, Arc::clone(&profile)).await;
    Ok(profile)
}

/// The profile as it was at `version`: the newest snapshot at or before it, folded forward.
pub async fn profile_at(ctx: &AppContext, id: SessionId, version: i64) -> Result<Profile> {
    let db = ctx.db.reader();
    let snapshot = store::latest_snapshot(db, id, version).await?;
    let from = snapshot.as_ref().map_or(0, |(seq, _)| *seq);
    let events = store::events_after(db, id, from, version, i64::MAX).await?;
    Ok(fold_events(
        snapshot.map(|(_, p)| p).unwrap_or_default(),
        &events,
    ))
}

fn fold_events(start: Profile, events: &[Event]) -> Profile {
    let changes: Vec<Change> = events.iter().filter_map(Event::change).collect();
    fold(start, &changes)
}

/// 400 naming the first change that cannot be stored.
pub fn validate(changes: &[Change]) -> Result<()> {
    if changes.is_empty() || changes.len() > MAX_CHANGES {
        return Err(Error::invalid_field("changes", "1 to 50 changes"));
    }
    for (i, change) in changes.iter().enumerate() {
        if let Some(problem) = change.fact().problem() {
            return Err(Error::invalid_field(format!("changes[{i}].value"), problem));
        }
    }
    Ok(())
}

fn conflict(expected: i64, current: i64) -> Error {
    Error::conflict_on(FieldError::new(
        "expected_version",
        format!("the profile is at version {current}, not {expected}: read it again and retry"),
    ))
}

/// A write ready for a transaction: what it read and what it will change.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub base: Arc<VersionedProfile>,
    pub changes: Vec<Change>,
}

/// What a committed write produced.
#[derive(Debug, Clone)]
pub struct Applied {
    pub version: i64,
    pub profile: Profile,
    pub changes: Vec<Change>,
    pub frames: Vec<UpdateFrame>,
}

/// Reads the current profile and keeps the changes that would alter it; 409 when `expected`
/// is not the current version.
pub async fn prepare(
    ctx: &AppContext,
    id: SessionId,
    expected: Option<i64>,
    changes: &[Change],
) -> Result<Prepared> {
    let base = current(ctx, id).await?;
    if let Some(expected) = expected
        && expected != base.version
    {
        return Err(conflict(expected, base.version));
    }
    Ok(Prepared {
        changes: effective(&base.profile, changes),
        base,
    })
}

/// The changes of `changes` that alter the profile, each judged after the ones before it.
pub fn effective(profile: &Profile, changes: &[Change]) -> Vec<Change> {
    let mut profile = profile.clone();
    let mut kept = Vec::new();
    for change in changes {
        if profile.would_change(change) {
            profile.apply(change);
            kept.push(change.clone());
        }
    }
    kept
}

/// Writes `prepared` in `tx`; `None` when the version moved since it was read.
pub async fn write(
    tx: &mut Tx,
    snapshot_every: i64,
    prepared: &Prepared,
    source: &str,
    now: Timestamp,
) -> Result<Option<Applied>> {
    let base = &prepared.base;
    let id = base.session_id;
    let n = prepared.changes.len() as i64;
    if n == 0 {
        return Ok(Some(Applied {
            version: base.version,
            profile: base.profile.clone(),
            changes: Vec::new(),
            frames: Vec::new(),
        }));
    }
    let Some(version) = store::bump_version(tx, id, Some(base.version), n, now).await? else {
        return Ok(None);
    };
    let events = store::append(tx, id, base.version + 1, &prepared.changes, source, now).await?;
    let mut profile = base.profile.clone();
    let mut frames = Vec::with_capacity(events.len());
    for (event, change) in events.iter().zip(&prepared.changes) {
        profile.apply(change);
        frames.push(UpdateFrame::new(id, event, change, &profile));
    }
    let every = snapshot_every.max(1);
    if base.version / every != version / every {
        store::save_snapshot(tx, id, version, &profile).await?;
    }
    Ok(Some(Applied {
        version,
        profile,
        changes: prepared.changes.clone(),
        frames,
    }))
}

/// After the commit: the cache gets the new profile, every device the new events.
pub async fn published(ctx: &AppContext, id: SessionId, applied: &Applied) {
    if applied.frames.is_empty() {
        return;
    }
    remember(
        ctx,
        Arc::new(VersionedProfile {
            session_id: id,
            version: applied.version,
            profile: applied.profile.clone(),
        }),
    )
    .await;
    let topic = topic(id);
    for frame in &applied.frames {
        ctx.hub.publish(&topic, "UPDATE", frame.to_json());
    }
    metrics::counter!("assistant_profile_events_total").increment(applied.frames.len() as u64);
}

/// `PATCH .../profile`: applies `update` at once.
pub async fn update(
    ctx: &AppContext,
    state: &super::Shared,
    user: UserId,
    id: SessionId,
    update: &ProfileUpdate,
) -> Result<Applied> {
    super::check_owner(ctx, user, id).await?;
    validate(&update.changes)?;
    for _ in 0..ATTEMPTS {
        let prepared = prepare(ctx, id, update.expected_version, &update.changes).await?;
        let write = Write::Profile {
            prepared,
            asked: update.changes.clone(),
            expected: update.expected_version,
            source: "api",
            message: None,
        };
        let Some(applied) = state
            .committer
            .profile(ctx, state.settings.snapshot_every, write)
            .await?
        else {
            forget_cached(ctx, id);
            if let Some(expected) = update.expected_version {
                let now = current(ctx, id).await?;
                return Err(conflict(expected, now.version));
            }
            continue;
        };
        published(ctx, id, &applied).await;
        return Ok(applied);
    }
    Err(Error::conflict("the profile kept changing; try again"))
}

/// The event log after `after`, at most `limit` events.
pub async fn events(
    ctx: &AppContext,
    user: UserId,
    id: SessionId,
    after: i64,
    limit: i64,
) -> Result<Vec<Event>> {
    super::check_owner(ctx, user, id).await?;
    store::events_after(ctx.db.reader(), id, after, i64::MAX, limit).await
}

/// The current profile as `tx` sees it; `None` when the session is gone.
pub async fn current_in(tx: &mut Tx, id: SessionId) -> Result<Option<Arc<VersionedProfile>>> {
    let Some(row) = store::session(&mut **tx, id).await? else {
        return Ok(None);
    };
    let version = row.session.version;
    let snapshot = store::latest_snapshot(&mut **tx, id, version).await?;
    let from = snapshot.as_ref().map_or(0, |(seq, _)| *seq);
    let events = store::events_after(&mut **tx, id, from, version, i64::MAX).await?;
    Ok(Some(Arc::new(VersionedProfile {
        session_id: id,
        version,
        profile: fold_events(snapshot.map(|(_, p)| p).unwrap_or_default(), &events),
    })))
}
