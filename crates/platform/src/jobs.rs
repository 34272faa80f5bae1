//! A durable job queue in the database: retries with exponential backoff, a dead-letter state,
//! in-process workers, and periodic jobs.
//!
//! A claimed job is locked for a while; if its worker dies, the lock runs out and another worker
//! takes it again, so handlers must tolerate running twice (bus deliveries already do).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use tokio::sync::{Notify, watch};
use utoipa::ToSchema;

use crate::config::JobsConfig;
use crate::db::{Db, Dialect, Tx};
use crate::ids::IdGenerator;
use crate::time::{Clock, Timestamp};
use crate::{AppContext, Result};

/// How long a claimed job stays locked to its worker.
const LOCK: Duration = Duration::from_secs(300);
/// Longest a handler may run; past it the attempt counts as failed.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(240);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Work of one kind.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, ctx: &AppContext, payload: &Value) -> anyhow::Result<()>;
}

/// Handlers by kind and periodic schedules; filled by the apps at start.
#[derive(Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    schedules: Vec<(&'static str, Duration)>,
}

impl JobRegistry {
    pub fn handle(&mut self, kind: &'static str, handler: impl JobHandler) {
        self.handlers.insert(kind, Arc::new(handler));
    }

    /// Enqueues a `kind` job every `period` (never two waiting at once, across nodes too).
    pub fn every(&mut self, kind: &'static str, period: Duration) {
        self.schedules.push((kind, period));
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: Value,
    pub run_at: Option<Timestamp>,
    pub max_attempts: Option<u32>,
    /// While a job with this key waits or runs, enqueueing another is a no-op.
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: &'static str, payload: Value) -> Self {
        Self {
            kind,
            payload,
            run_at: None,
            max_attempts: None,
            dedupe_key: None,
        }
    }

    #[must_use]
    pub fn at(mut self, when: Timestamp) -> Self {
        self.run_at = Some(when);
        self
    }

    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n.max(1));
        self
    }

    #[must_use]
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

/// A job as the admin pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobRecord {
    #[serde(with = "crate::jobs::string_id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

pub(crate) mod string_id {
    #[allow(
        clippy::trivially_copy_pass_by_ref,
        reason = "the signature serde's `with` expects"
    )]
    pub fn serialize<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }
}

struct Inner {
    db: Db,
    ids: Arc<IdGenerator>,
    clock: Clock,
    config: JobsConfig,
    registry: JobRegistry,
    wake: Notify,
}

#[derive(Clone)]
pub struct Jobs(Arc<Inner>);

struct Claimed {
    id: i64,
    kind: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
}

impl Jobs {
    pub fn new(
        db: Db,
        ids: Arc<IdGenerator>,
        clock: Clock,
        config: JobsConfig,
        registry: JobRegistry,
    ) -> Self {
        Self(Arc::new(Inner {
            db,
            ids,
            clock,
            config,
            registry,
            wake: Notify::new(),
        }))
    }

    /// Adds a job inside `tx` (it exists only if `tx` commits). `None` when deduplicated.
    pub async fn enqueue(&self, tx: &mut Tx, job: NewJob) -> Result<Option<i64>> {
        let id = self.0.ids.next_id();
        let now = self.0.clock.now();
        let done = sqlx::query(
            "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at) \
             VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $7) \
             ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'running') DO NOTHING",
        )
        .bind(id)
        .bind(job.kind)
        .bind(job.payload.to_string())
        .bind(i64::from(job.max_attempts.unwrap_or(self.0.config.max_attempts)))
        .bind(job.run_at.unwrap_or(now).micros())
        .bind(job.dedupe_key)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
        Ok((done.rows_affected() == 1).then_some(id))
    }

    /// Adds a job in a transaction of its own and wakes a worker.
    pub async fn enqueue_now(&self, job: NewJob) -> Result<Option<i64>> {
        let mut tx = self.0.db.begin().await?;
        let id = self.enqueue(&mut tx, job).await?;
        tx.commit().await?;
        self.wake();
        Ok(id)
    }

    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Jobs by status (`queued`, `running`, `dead`), for metrics and the admin page.
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(self.0.db.reader())
            .await?;
        let mut counts = vec![("queued", 0), ("running", 0), ("dead", 0)];
        for row in rows {
            let status: String = row.try_get(0)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
                slot.1 = row.try_get(1)?;
            }
        }
        Ok(counts)
    }

    /// Dead-lettered jobs, newest first.
    pub async fn dead(&self, limit: i64) -> Result<Vec<JobRecord>> {
        let rows = sqlx::query(
            "SELECT id, kind, status, attempts, max_attempts, run_at, last_error, payload FROM jobs WHERE status = 'dead' ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.0.db.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                Ok(JobRecord {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    max_attempts: r.try_get("max_attempts")?,
                    run_at: Timestamp::from_micros(r.try_get("run_at")?),
                    last_error: r.try_get("last_error")?,
                    payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                })
            })
            .collect()
    }

    /// Puts a dead job back in the queue with a fresh set of attempts.
    pub async fn retry_dead(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, updated_at = $2 WHERE id = $1 AND status = 'dead'")
            .bind(id)
            .bind(self.0.clock.now().micros())
            .execute(self.0.db.writer())
            .await?;
        self.wake();
        Ok(done.rows_affected() == 1)
    }

    async fn claim(&self) -> Result<Option<Claimed>> {
        let now = self.0.clock.now();
        // PostgreSQL: several nodes claim concurrently, so skip rows another one holds.
        // SQLite: one writer connection already serialises claims.
        let sql = match self.0.db.dialect() {
            Dialect::Postgres => {
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
                 WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) \
                 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, kind, payload, attempts, max_attempts"
            }
            Dialect::Sqlite => {
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
                 WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) \
                 ORDER BY run_at LIMIT 1) \
                 RETURNING id, kind, payload, attempts, max_attempts"
            }
        };
        let row = sqlx::query(sql)
            .bind(now.micros())
            .bind(now.plus(LOCK).micros())
            .fetch_optional(self.0.db.writer())
            .await?;
        row.map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
                max_attempts: r.try_get("max_attempts")?,
            })
        })
        .transpose()
    }

    async fn succeed(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(id)
            .execute(self.0.db.writer())
            .await?;
        Ok(())
    }

    async fn fail(&self, job: &Claimed, error: &str) -> Result<()> {
        let now = self.0.clock.now();
        let message: String = error.chars().take(2000).collect();
        if job.attempts >= job.max_attempts {
            tracing::error!(job_id = job.id, kind = %job.kind, attempts = job.attempts, error, "job dead-lettered");
            metrics::counter!("jobs_dead_lettered_total", "kind" => job.kind.clone()).increment(1);
            sqlx::query("UPDATE jobs SET status = 'dead', locked_until = NULL, last_error = $2, updated_at = $3 WHERE id = $1")
                .bind(job.id)
                .bind(message)
                .bind(now.micros())
                .execute(self.0.db.writer())
                .await?;
        } else {
            let delay = backoff(self.0.config.backoff_base_ms, job.attempts, job.id);
            tracing::warn!(job_id = job.id, kind = %job.kind, attempts = job.attempts, retry_in_ms = delay.as_millis() as u64, error, "job failed; will retry");
            sqlx::query("UPDATE jobs SET status = 'queued', locked_until = NULL, run_at = $2, last_error = $3, updated_at = $4 WHERE id = $1")
                .bind(job.id)
                .bind(now.plus(delay).micros())
                .bind(message)
                .bind(now.micros())
                .execute(self.0.db.writer())
                .await?;
        }
        Ok(())
    }

    /// Claims and runs one due job; false when none was due.
    pub async fn run_one(&self, ctx: &AppContext) -> Result<bool> {
        let Some(job) = self.claim().await? else {
            return Ok(false);
        };
        let outcome = match self.0.registry.handlers.get(job.kind.as_str()) {
            None => Err(format!("no handler for job kind `{}`", job.kind)),
            Some(handler) => {
                let payload: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
                match tokio::time::timeout(HANDLER_TIMEOUT, handler.run(ctx, &payload)).await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(format!("{e:#}")),
                    Err(_) => Err("timed out".to_owned()),
                }
            }
        };
        metrics::counter!("jobs_run_total", "kind" => job.kind.clone(), "outcome" => if outcome.is_ok() { "ok" } else { "error" }).increment(1);
        match outcome {
            Ok(()) => self.succeed(job.id).await?,
            Err(e) => self.fail(&job, &e).await?,
        }
        Ok(true)
    }
}

/// `base * 2^(attempt-1)`, capped at an hour, spread by up to +25% so retries do not stampede.
fn backoff(base_ms: u64, attempt: i64, id: i64) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let raw = Duration::from_millis(base_ms.saturating_mul(1u64 << exp)).min(MAX_BACKOFF);
    let spread = (id.unsigned_abs() % 251) as f64 / 1000.0;
    raw.mul_f64(1.0 + spread)
}

/// A worker: runs due jobs until shutdown, finishing the one in hand.
pub async fn run_worker(ctx: AppContext, mut shutdown: watch::Receiver<bool>) {
    let poll = Duration::from_millis(ctx.jobs.0.config.poll_interval_ms.max(10));
    loop {
        if *shutdown.borrow() {
            return;
        }
        match ctx.jobs.run_one(&ctx).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "job queue unavailable"),
        }
        tokio::select! {
            () = ctx.jobs.0.wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Enqueues periodic jobs on their schedules until shutdown.
pub async fn run_scheduler(ctx: AppContext, mut shutdown: watch::Receiver<bool>) {
    let schedules = ctx.jobs.0.registry.schedules.clone();
    if schedules.is_empty() {
        return;
    }
    let tick = schedules
        .iter()
        .map(|(_, p)| *p)
        .min()
        .unwrap_or(Duration::from_secs(60))
        .min(Duration::from_secs(60));
    let mut last: HashMap<&'static str, tokio::time::Instant> = HashMap::new();
    loop {
        for (kind, period) in &schedules {
            let due = last.get(kind).is_none_or(|at| at.elapsed() >= *period);
            if due {
                let job = NewJob::new(kind, Value::Null).dedupe(format!("schedule:{kind}"));
                match ctx.jobs.enqueue_now(job).await {
                    Ok(_) => {
                        last.insert(kind, tokio::time::Instant::now());
                    }
                    Err(e) => tracing::error!(error = %e, kind, "scheduling failed"),
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = backoff(1000, 1, 0);
        let third = backoff(1000, 3, 0);
        assert_eq!(first, Duration::from_secs(1));
        assert_eq!(third, Duration::from_secs(4));
        assert!(backoff(1000, 40, 7) <= MAX_BACKOFF.mul_f64(1.25));
        assert!(
            backoff(1000, 2, 250) > Duration::from_secs(2),
            "spread by id"
        );
    }
}
