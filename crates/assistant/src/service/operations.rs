//! The asynchronous path (seed Phase 1.2): `profile:batch` stores the update in the durable
//! queue and answers 202 at once; the batching writer commits waiting updates a batch per
//! transaction. An operation leaves `accepted` in the same transaction that applies it, so a
//! crash at any point leaves it either applied once or still waiting, never lost or doubled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use platform::accounts::UserId;
use platform::{AppContext, Error, Result};
use tokio::sync::watch;

use super::Shared;
use super::committer::Write;
use super::profile::{Applied, Prepared, current_in, effective, published, validate, write};
use crate::model::{
    Operation, OperationId, OperationStatus, ProfileUpdate, SessionId, VersionedProfile,
};
use crate::store;

/// Operations committed per transaction.
const BATCH: i64 = 256;
/// How often the writer looks for work nobody woke it for (another node's, or after a crash).
const POLL: Duration = Duration::from_secs(1);

/// Queues `update`; the operation id to ask about it.
pub async fn accept(
    ctx: &AppContext,
    state: &Shared,
    user: UserId,
    id: SessionId,
    update: &ProfileUpdate,
) -> Result<OperationId> {
    super::check_owner(ctx, user, id).await?;
    validate(&update.changes)?;
    let op = OperationId::from_raw(ctx.next_id());
    let write = Write::Queue {
        id: op,
        session: id,
        user,
        expected: update.expected_version,
        changes: update.changes.clone(),
    };
    state
        .committer
        .store(ctx, state.settings.snapshot_every, write)
        .await?;
    state.queued.notify_one();
    metrics::counter!("assistant_operations_total", "status" => "accepted").increment(1);
    Ok(op)
}

pub async fn operation(ctx: &AppContext, user: UserId, id: OperationId) -> Result<Operation> {
    store::operation(ctx.db.reader(), user, id)
        .await?
        .ok_or_else(|| Error::not_found(format!("operation {id}")))
}

/// The batching writer: drains the queue whenever woken, and every second regardless, until
/// `stop` (draining once more on the way out).
pub async fn run_writer(ctx: AppContext, state: Shared, mut stop: watch::Receiver<bool>) {
    let linger = Duration::from_millis(state.settings.batch_linger_ms);
    loop {
        tokio::select! {
            () = tokio::time::sleep(linger) => {}
            _ = stop.changed() => {}
        }
        let full = match drain(&ctx, &state).await {
            Ok(n) => n as i64 == BATCH,
            Err(e) => {
                tracing::warn!(error = %e, "profile batch failed; retrying");
                false
            }
        };
        if full {
            continue;
        }
        tokio::select! {
            () = state.queued.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {
                if let Err(e) = drain(&ctx, &state).await {
                    tracing::warn!(error = %e, "last profile batch failed; it stays queued");
                }
                return;
            }
        }
    }
}

/// Applies up to one batch in one transaction; how many operations it took.
async fn drain(ctx: &AppContext, state: &Shared) -> Result<usize> {
    let waiting = store::waiting_operations(ctx.db.reader(), BATCH).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let now = ctx.clock.now();
    let every = state.settings.snapshot_every;
    let mut tx = ctx.db.begin().await?;
    // What this transaction has written so far, per session.
    let mut profiles: HashMap<SessionId, Arc<VersionedProfile>> = HashMap::new();
    let mut done: Vec<(SessionId, Applied)> = Vec::new();
    let mut outcomes: HashMap<&'static str, u64> = HashMap::new();
    for op in &waiting {
        let base = match profiles.get(&op.session_id) {
            Some(p) => Some(Arc::clone(p)),
            None => current_in(&mut tx, op.session_id).await?,
        };
        let Some(base) = base else {
            store::finish_operation(
                &mut tx,
                op.id,
                OperationStatus::Rejected,
                None,
                Some("the session no longer exists"),
                now,
            )
            .await?;
            *outcomes.entry("rejected").or_default() += 1;
            continue;
        };
        if let Some(expected) = op.expected_version
            && expected != base.version
        {
            let error = format!(
                "the profile was at version {}, not {expected}",
                base.version
            );
            store::finish_operation(
                &mut tx,
                op.id,
                OperationStatus::Conflict,
                None,
                Some(&error),
                now,
            )
            .await?;
            *outcomes.entry("conflict").or_default() += 1;
            continue;
        }
        let prepared = Prepared {
            changes: effective(&base.profile, &op.changes),
            base: Arc::clone(&base),
        };
        let version = base.version + prepared.changes.len() as i64;
        // Claimed first: if another node's writer took it, this one must not apply it too.
        if !store::finish_operation(
            &mut tx,
            op.id,
            OperationStatus::Applied,
            Some(version),
            None,
            now,
        )
        .await?
        {
            continue;
        }
        let Some(applied) = write(&mut tx, every, &prepared, "batch", now).await? else {
            // Another writer moved this session under us: undo the whole batch and retry.
            return Err(Error::conflict("a session changed during the batch"));
        };
        profiles.insert(
            op.session_id,
            Arc::new(VersionedProfile {
                session_id: op.session_id,
                version: applied.version,
                profile: applied.profile.clone(),
            }),
        );
        *outcomes.entry("applied").or_default() += 1;
        done.push((op.session_id, applied));
    }
    tx.commit().await?;
    for (id, applied) in &done {
        published(ctx, *id, applied).await;
    }
    for (status, n) in outcomes {
        metrics::counter!("assistant_operations_total", "status" => status).increment(n);
    }
    metrics::histogram!("assistant_batch_size").record(waiting.len() as f64);
    Ok(waiting.len())
}
