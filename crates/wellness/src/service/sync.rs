//! Offline-first sync (the seed's OfflineSync): a device sends the changes it queued while
//! offline and gets back every change since its sync token.
//!
//! Each change to a user's records takes the next number of the user's change sequence, so
//! "everything after token N" is exact. Conflicts: of two versions of a record, the one whose
//! client timestamp (`modified_at`) is later wins; on equal timestamps, the greater device id.
//! A losing change is answered `stale` and the device receives the winner among the changes.

use std::collections::BTreeSet;

use platform::accounts::UserId;
use platform::time::Timestamp;
use platform::{AppContext, FieldError, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::records::{new_record, record_view};
use super::{Health, membership};
use crate::catalog::{Measurement, Series, Source};
use crate::crypto::Key;
use crate::events::{self, Added};
use crate::model::Record;
use crate::rollup;
use crate::store::{self, NewRecord, RecordRow};

/// One queued change from a device.
#[derive(Debug, Clone)]
pub enum Change {
    Upsert {
        record: Measurement,
        modified_at: Timestamp,
    },
    Delete {
        client_id: String,
        modified_at: Timestamp,
    },
}

/// What became of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Applied,
    /// A later version is stored; it is among the returned changes.
    Stale,
    Rejected,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeResult {
    pub index: usize,
    pub status: ChangeStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A change the device should apply: a record, or a deletion.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ServerChange {
    Upsert { record: Box<Record> },
    Delete { client_id: String, seq: i64 },
}

/// The answer to a sync.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncOutcome {
    /// Send it with the next sync.
    pub sync_token: String,
    pub results: Vec<ChangeResult>,
    pub changes: Vec<ServerChange>,
    /// More changes wait: sync again with the new token.
    pub has_more: bool,
}

/// Most server changes in one answer.
const PAGE: i64 = 1_000;

/// Whether a change made at `at` on `device` beats the stored version.
fn wins(at: Timestamp, device: &str, stored: &RecordRow) -> bool {
    (at, device)
        > (
            stored.modified_at,
            stored.device_id.as_deref().unwrap_or(""),
        )
}

/// The stored record as a measurement (for a deletion, which keeps the last values).
fn measurement_of(row: &RecordRow) -> Measurement {
    Measurement {
        client_id: row.client_id.clone(),
        kind: row.kind,
        start: row.start,
        end: row.end,
        utc_offset: row.utc_offset,
        value: row.value,
        value2: row.value2,
        detail: row
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok()),
        note: None,
        source: Source {
            device: row.source_device.clone(),
            app: row.source_app.clone(),
        },
    }
}

pub async fn sync(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    device_id: &str,
    token: i64,
    changes: Vec<std::result::Result<Change, FieldError>>,
) -> Result<SyncOutcome> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let member = membership(&mut tx, ctx, health, user).await?;
    let key = member.key(health)?;
    let mut results = Vec::with_capacity(changes.len());
    let mut touched: BTreeSet<(Series, Timestamp)> = BTreeSet::new();
    let mut added: Vec<Measurement> = Vec::new();
    for (index, change) in changes.into_iter().enumerate() {
        let change = match change {
            Ok(c) => c,
            Err(e) => {
                results.push(ChangeResult {
                    index,
                    status: ChangeStatus::Rejected,
                    field: Some(e.field),
                    reason: Some(e.message),
                });
                continue;
            }
        };
        let (client_id, modified_at) = match &change {
            Change::Upsert {
                record,
                modified_at,
            } => (record.client_id.clone(), *modified_at),
            Change::Delete {
                client_id,
                modified_at,
            } => (client_id.clone(), *modified_at),
        };
        let stored = store::record_by_client(&mut *tx, user, &client_id).await?;
        if stored
            .as_ref()
            .is_some_and(|s| !wins(modified_at, device_id, s))
        {
            results.push(ChangeResult {
                index,
                status: ChangeStatus::Stale,
                field: None,
                reason: None,
            });
            continue;
        }
        let seq = store::advance_seq(&mut tx, user, 1).await?;
        if let Some(old) = &stored {
            for s in old.kind.series() {
                touched.insert((*s, old.at()));
            }
        }
        match (change, stored) {
            (Change::Upsert { record, .. }, None) => {
                let row = new_record(
                    ctx.next_id(),
                    &record,
                    Some(&key),
                    seq,
                    Some(device_id),
                    modified_at,
                );
                store::insert_new(&mut tx, user, std::slice::from_ref(&row), now).await?;
                let values = record
                    .kind
                    .series()
                    .iter()
                    .filter_map(|s| s.value_of(&record).map(|v| (*s, record.at(), v)));
                store::add_rollups(&mut tx, user, &rollup::fold(values, &member.zone)).await?;
                added.push(record);
            }
            (Change::Upsert { record, .. }, Some(_)) => {
                let row = new_record(0, &record, Some(&key), seq, Some(device_id), modified_at);
                store::replace_record(&mut tx, user, &row, false).await?;
                for s in record.kind.series() {
                    touched.insert((*s, record.at()));
                }
                added.push(record);
            }
            (Change::Delete { .. }, Some(old)) => {
                let m = measurement_of(&old);
                let row = NewRecord {
                    note: old.note.clone(),
                    ..new_record(0, &m, None, seq, Some(device_id), modified_at)
                };
                store::replace_record(&mut tx, user, &row, true).await?;
            }
            (Change::Delete { .. }, None) => {}
        }
        results.push(ChangeResult {
            index,
            status: ChangeStatus::Applied,
            field: None,
            reason: None,
        });
    }
    for (series, at) in touched {
        store::recompute(&mut tx, user, series, at, &member.zone).await?;
    }
    if !added.is_empty() {
        let refs: Vec<&Measurement> = added.iter().collect();
        ctx.bus
            .publish(&mut tx, events::RECORDS_ADDED, &Added::of(user, &refs))
            .await?;
    }
    let current = store::advance_seq(&mut tx, user, 0).await?;
    let rows = store::changes_since(&mut *tx, user, token, PAGE + 1).await?;
    tx.commit().await?;
    if results.iter().any(|r| r.status == ChangeStatus::Applied) {
        super::forget(ctx, user).await;
    }
    ctx.bus.wake();
    let has_more = rows.len() as i64 > PAGE;
    let rows: Vec<RecordRow> = rows.into_iter().take(PAGE as usize).collect();
    let sync_token = if has_more {
        rows.last().map_or(current, |r| r.seq)
    } else {
        current
    };
    Ok(SyncOutcome {
        sync_token: sync_token.to_string(),
        results,
        changes: rows.into_iter().map(|r| server_change(r, &key)).collect(),
        has_more,
    })
}

fn server_change(row: RecordRow, key: &Key) -> ServerChange {
    if row.deleted {
        ServerChange::Delete {
            client_id: row.client_id,
            seq: row.seq,
        }
    } else {
        ServerChange::Upsert {
            record: Box::new(record_view(row, Some(key))),
        }
    }
}
