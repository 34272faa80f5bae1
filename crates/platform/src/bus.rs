//! Domain events: written to the outbox in the same transaction as the change they describe,
//! then delivered to every subscriber at least once.
//!
//! Delivery rides on the job queue: the dispatcher turns each new outbox row into one
//! `bus.deliver` job per interested subscriber, so retries, backoff and dead letters are the
//! queue's. A delivery runs the subscriber inside a transaction that also records
//! `(subscriber, event id)` in `bus_inbox`; a redelivered event finds its row and is skipped,
//! which makes every subscriber idempotent by event id without any effort of its own.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::Row;
use tokio::sync::{Notify, watch};

use crate::db::{Db, Tx};
use crate::ids::IdGenerator;
use crate::jobs::{JobHandler, JobRegistry, NewJob};
use crate::time::{Clock, Timestamp};
use crate::{AppContext, Error, Result};

/// An event as stored and delivered.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub created_at: Timestamp,
}

impl Event {
    /// The payload as a typed value.
    pub fn parse<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        Ok(serde_json::from_value(self.payload.clone())?)
    }
}

/// Something that reacts to events. It writes only through `tx` (committed with the inbox row);
/// opening another write transaction inside it would wait on itself under SQLite.
#[async_trait]
pub trait Subscriber: Send + Sync + 'static {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()>;
}

struct Registered {
    name: &'static str,
    kinds: Vec<&'static str>,
    handler: Arc<dyn Subscriber>,
}

/// Who listens to what; filled by the apps at start.
#[derive(Default)]
pub struct Subscriptions(Vec<Registered>);

impl Subscriptions {
    /// Registers `handler` under a unique, stable `name` (it keys the inbox) for event `kinds`.
    pub fn on(&mut self, name: &'static str, kinds: &[&'static str], handler: impl Subscriber) {
        self.0.push(Registered {
            name,
            kinds: kinds.to_vec(),
            handler: Arc::new(handler),
        });
    }
}

struct Inner {
    db: Db,
    ids: Arc<IdGenerator>,
    clock: Clock,
    subscribers: Subscriptions,
    wake: Notify,
}

/// Publishing side of the bus, and the subscriber table.
#[derive(Clone)]
pub struct Bus(Arc<Inner>);

const DELIVER: &str = "bus.deliver";

impl Bus {
    pub fn new(db: Db, ids: Arc<IdGenerator>, clock: Clock, subscribers: Subscriptions) -> Self {
        Self(Arc::new(Inner {
            db,
            ids,
            clock,
            subscribers,
            wake: Notify::new(),
        }))
    }

    /// Writes an event into the outbox inside `tx`; it leaves only if `tx` commits.
    pub async fn publish(&self, tx: &mut Tx, kind: &str, payload: &impl Serialize) -> Result<i64> {
        let id = self.0.ids.next_id();
        let payload = serde_json::to_string(payload).map_err(Error::internal)?;
        sqlx::query("INSERT INTO outbox (id, kind, payload, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(kind)
            .bind(payload)
            .bind(self.0.clock.now().micros())
            .execute(&mut **tx)
            .await?;
        Ok(id)
    }

    /// Tells the dispatcher to look now (call after committing a publish).
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Events not yet handed to their subscribers.
    pub async fn pending(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM outbox WHERE dispatched_at IS NULL")
            .fetch_one(self.0.db.reader())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Registers the delivery job with the queue.
    pub(crate) fn register_jobs(jobs: &mut JobRegistry) {
        jobs.handle(DELIVER, Deliver);
    }

    fn subscriber(&self, name: &str) -> Option<Arc<dyn Subscriber>> {
        self.0
            .subscribers
            .0
            .iter()
            .find(|s| s.name == name)
            .map(|s| Arc::clone(&s.handler))
    }
}

/// Moves new outbox rows onto the job queue, one delivery per interested subscriber. Safe with
/// several nodes: an event is claimed by exactly one dispatcher.
pub async fn dispatch_pending(ctx: &AppContext) -> Result<usize> {
    let bus = &ctx.bus.0;
    let rows = sqlx::query(
        "SELECT id, kind FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT 500",
    )
    .fetch_all(bus.db.writer())
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let now = bus.clock.now();
    let mut deliveries = 0;
    let mut tx = bus.db.begin().await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let claimed = sqlx::query(
            "UPDATE outbox SET dispatched_at = $2 WHERE id = $1 AND dispatched_at IS NULL",
        )
        .bind(id)
        .bind(now.micros())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        for sub in bus
            .subscribers
            .0
            .iter()
            .filter(|s| s.kinds.iter().any(|k| *k == kind || *k == "*"))
        {
            ctx.jobs
                .enqueue(
                    &mut tx,
                    NewJob::new(
                        DELIVER,
                        json!({ "subscriber": sub.name, "event_id": id.to_string() }),
                    ),
                )
                .await?;
            deliveries += 1;
        }
    }
    tx.commit().await?;
    if deliveries > 0 {
        ctx.jobs.wake();
    }
    Ok(rows.len())
}

/// Deletes delivered events and inbox receipts older than `cutoff`; returns the events removed.
pub async fn trim(ctx: &AppContext, cutoff: Timestamp) -> Result<u64> {
    let mut tx = ctx.db.begin().await?;
    let events =
        sqlx::query("DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < $1")
            .bind(cutoff.micros())
            .execute(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM bus_inbox WHERE processed_at < $1")
        .bind(cutoff.micros())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(events.rows_affected())
}

/// Runs [`dispatch_pending`] whenever woken, and every `poll` in case another node published.
pub async fn run_dispatcher(ctx: AppContext, poll: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        let dispatched = match dispatch_pending(&ctx).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "outbox dispatch failed");
                0
            }
        };
        // A backlog does not hold a shutdown up: what is left stays in the outbox, and the
        // next start dispatches it.
        if *shutdown.borrow() {
            return;
        }
        if dispatched > 0 {
            continue;
        }
        tokio::select! {
            () = ctx.bus.0.wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {
                // Hand over what was committed before the shutdown, then stop.
                if let Err(e) = dispatch_pending(&ctx).await {
                    tracing::error!(error = %e, "outbox dispatch failed at shutdown");
                }
                return;
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct Delivery {
    subscriber: String,
    #[serde(deserialize_with = "crate::ids::deserialize_id")]
    event_id: i64,
}

struct Deliver;

#[async_trait]
impl JobHandler for Deliver {
    async fn run(&self, ctx: &AppContext, payload: &Value) -> anyhow::Result<()> {
        let delivery: Delivery = serde_json::from_value(payload.clone())?;
        let Some(subscriber) = ctx.bus.subscriber(&delivery.subscriber) else {
            anyhow::bail!("no subscriber named {}", delivery.subscriber);
        };
        let mut tx = ctx.db.begin().await?;
        let row = sqlx::query("SELECT id, kind, payload, created_at FROM outbox WHERE id = $1")
            .bind(delivery.event_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            tracing::warn!(
                event_id = delivery.event_id,
                "event vanished before delivery"
            );
            return Ok(());
        };
        let fresh = sqlx::query("INSERT INTO bus_inbox (subscriber, event_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(&delivery.subscriber)
            .bind(delivery.event_id)
            .bind(ctx.clock.now().micros())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if fresh {
            let payload: String = row.try_get("payload")?;
            let event = Event {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: serde_json::from_str(&payload)?,
                created_at: Timestamp::from_micros(row.try_get("created_at")?),
            };
            subscriber.handle(ctx, &mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
