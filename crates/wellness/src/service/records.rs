//! Recording: batches from wearables, single vitals, and reading records back.

use std::collections::HashSet;

use platform::accounts::UserId;
use platform::time::Timestamp;
use platform::{AppContext, FieldError, Result};
use serde_json::json;

use super::{Health, Subject, membership};
use crate::catalog::{Kind, Measurement};
use crate::crypto::Key;
use crate::events::{self, Added};
use crate::model::{BatchOutcome, ItemResult, ItemStatus, Record, RecordId};
use crate::rollup;
use crate::store::{self, NewRecord, RecordRow};

/// Stores every valid, new item of a batch in one transaction: raw rows, their rollups and
/// the event alerts and goals follow. Items are answered in order; an item whose client id
/// appeared earlier in the batch or in an earlier upload is a duplicate and changes nothing.
pub async fn ingest(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    items: Vec<Result<Measurement, FieldError>>,
    device_id: Option<&str>,
) -> Result<BatchOutcome> {
    let now = ctx.clock.now();
    let mut results = Vec::with_capacity(items.len());
    let mut fresh: Vec<(usize, Measurement)> = Vec::with_capacity(items.len());
    let mut seen = HashSet::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Ok(m) if seen.insert(m.client_id.clone()) => fresh.push((index, m)),
            Ok(m) => results.push(item_result(index, Some(m.client_id), ItemStatus::Duplicate)),
            Err(e) => results.push(ItemResult {
                field: Some(e.field),
                reason: Some(e.message),
                ..item_result(index, None, ItemStatus::Rejected)
            }),
        }
    }
    let mut tx = ctx.db.begin().await?;
    let new = if fresh.is_empty() {
        Vec::new()
    } else {
        let membership = membership(&mut tx, ctx, health, user).await?;
        let key = if fresh.iter().any(|(_, m)| m.note.is_some()) {
            Some(membership.key(health)?)
        } else {
            None
        };
        let last = store::advance_seq(&mut tx, user, fresh.len() as i64).await?;
        let first = last - fresh.len() as i64 + 1;
        let rows: Vec<NewRecord<'_>> = fresh
            .iter()
            .enumerate()
            .map(|(i, (_, m))| {
                new_record(
                    ctx.next_id(),
                    m,
                    key.as_ref(),
                    first + i as i64,
                    device_id,
                    now,
                )
            })
            .collect();
        let new = store::insert_new(&mut tx, user, &rows, now).await?;
        let mut accepted: Vec<&Measurement> = fresh
            .iter()
            .zip(&new)
            .filter_map(|((_, m), new)| new.then_some(m))
            .collect();
        if !accepted.is_empty() {
            accepted.sort_by_key(|m| m.at());
            let values = accepted.iter().flat_map(|m| {
                m.kind
                    .series()
                    .iter()
                    .filter_map(|s| s.value_of(m).map(|v| (*s, m.at(), v)))
            });
            let deltas = rollup::fold(values, &membership.zone);
            store::add_rollups(&mut tx, user, &deltas).await?;
            let added = Added::of(user, &accepted);
            ctx.bus
                .publish(&mut tx, events::RECORDS_ADDED, &added)
                .await?;
        }
        new
    };
    tx.commit().await?;
    if new.contains(&true) {
        super::forget(ctx, user).await;
        ctx.bus.wake();
    }
    for ((index, m), new) in fresh.into_iter().zip(new) {
        let status = if new {
            ItemStatus::Accepted
        } else {
            ItemStatus::Duplicate
        };
        results.push(item_result(index, Some(m.client_id), status));
    }
    results.sort_by_key(|r| r.index);
    let count = |s| results.iter().filter(|r| r.status == s).count();
    Ok(BatchOutcome {
        accepted: count(ItemStatus::Accepted),
        duplicates: count(ItemStatus::Duplicate),
        rejected: count(ItemStatus::Rejected),
        results,
    })
}

fn item_result(index: usize, client_id: Option<String>, status: ItemStatus) -> ItemResult {
    ItemResult {
        index,
        client_id,
        status,
        field: None,
        reason: None,
    }
}

/// Stores one measurement (a retry changes nothing); the stored record and whether it is new.
pub async fn record_one(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    m: Measurement,
) -> Result<(Record, bool)> {
    let client_id = m.client_id.clone();
    let outcome = ingest(ctx, health, user, vec![Ok(m)], None).await?;
    let record = own_record(ctx, health, user, &client_id).await?;
    Ok((record, outcome.accepted == 1))
}

/// The stored form of `m`, its note sealed under the user's key.
pub fn new_record<'a>(
    id: i64,
    m: &'a Measurement,
    key: Option<&Key>,
    seq: i64,
    device_id: Option<&'a str>,
    modified_at: Timestamp,
) -> NewRecord<'a> {
    NewRecord {
        id,
        m,
        detail: m
            .detail
            .as_ref()
            .and_then(|d| serde_json::to_string(d).ok()),
        note: m
            .note
            .as_ref()
            .zip(key)
            .map(|(n, k)| k.seal(n.as_bytes(), m.client_id.as_bytes())),
        seq,
        device_id,
        modified_at,
    }
}

/// A stored record as shown to `subject`'s reader: notes opened for the owner only.
pub fn record_view(row: RecordRow, key: Option<&Key>) -> Record {
    let bp = row.kind == Kind::BloodPressure;
    let note = row
        .note
        .as_deref()
        .zip(key)
        .and_then(|(sealed, k)| k.open(sealed, row.client_id.as_bytes()).ok())
        .and_then(|plain| String::from_utf8(plain).ok());
    Record {
        id: RecordId::from_raw(row.id),
        kind: row.kind,
        value: (!bp).then_some(row.value),
        systolic: bp.then_some(row.value),
        diastolic: if bp { row.value2 } else { None },
        unit: row.kind.unit(),
        start: row.start,
        end: row.end,
        utc_offset_minutes: row.utc_offset,
        detail: row
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok()),
        note,
        source: crate::catalog::Source {
            device: row.source_device,
            app: row.source_app,
        },
        seq: row.seq,
        client_id: row.client_id,
    }
}

/// Vital-sign records of `subject` in `[from, to)`, newest first, with the latest of each kind.
pub async fn vitals(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    kinds: &[Kind],
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<serde_json::Value> {
    let key = owner_key(ctx, health, subject).await?;
    let db = ctx.db.reader();
    let rows = store::records(db, subject.user, kinds, from, to, limit).await?;
    let latest = store::latest_per_kind(db, subject.user, kinds).await?;
    let records: Vec<Record> = rows
        .into_iter()
        .map(|r| record_view(r, key.as_ref()))
        .collect();
    let latest: serde_json::Map<String, serde_json::Value> = latest
        .into_iter()
        .map(|r| {
            let view = record_view(r, key.as_ref());
            (view.kind.as_str().to_owned(), json!(view))
        })
        .collect();
    Ok(json!({ "user_id": subject.user, "latest": latest, "records": records }))
}

/// The owner's note key, for the owner's own reads.
pub async fn owner_key(ctx: &AppContext, health: &Health, subject: Subject) -> Result<Option<Key>> {
    if !subject.own {
        return Ok(None);
    }
    let member = store::member(ctx.db.reader(), subject.user).await?;
    member
        .map(|m| {
            health
                .keyring
                .unwrap(&m.wrapped_key)
                .map_err(platform::Error::internal)
        })
        .transpose()
}

/// The owner's record with `client_id`.
pub async fn own_record(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    client_id: &str,
) -> Result<Record> {
    let key = owner_key(ctx, health, Subject { user, own: true }).await?;
    let row = store::record_by_client(ctx.db.reader(), user, client_id)
        .await?
        .filter(|r| !r.deleted)
        .ok_or_else(|| platform::Error::not_found("record"))?;
    Ok(record_view(row, key.as_ref()))
}

/// Every live record of `user`, for their data export.
pub async fn export_records(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
) -> Result<Vec<Record>> {
    let key = owner_key(ctx, health, Subject { user, own: true }).await?;
    Ok(store::changes_since(ctx.db.reader(), user, 0, i64::MAX)
        .await?
        .into_iter()
        .filter(|r| !r.deleted)
        .map(|r| record_view(r, key.as_ref()))
        .collect())
}
