//! assistant: the AI conversation sessions of seed 001 — a live profile updated at every step,
//! event-sourced and synced to every device of the session, and an LLM gateway behind a
//! semantic cache and an intent router.
//!
//! Pure parts hold the product's rules: [`profile`] (facts, changes, the fold), [`extract`]
//! (facts by rules), [`intents`] (the router), [`coach`] (words said without a model),
//! [`redact`] (personal data out of prompts), [`embed`] and [`semantic`] (the semantic cache).
//! [`llm`] speaks to providers; [`local`] runs models in this process; `store` holds all SQL; `service` the use cases; `http` the API.

pub mod coach;
mod demo;
pub mod embed;
pub mod extract;
mod http;
pub mod intents;
pub mod llm;
pub mod local;
pub mod model;
pub mod profile;
pub mod redact;
pub mod semantic;
mod service;
mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt;
use futures::future::BoxFuture;
use platform::accounts::UserId;
use platform::config::Config;
use platform::db::Migration;
use platform::jobs::{JobHandler, JobRegistry};
use platform::{ApiRouter, App, AppContext};
use serde::Deserialize;
use tokio::sync::watch;

pub use llm::ProviderSettings;

/// Which embeddings the semantic cache uses.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Embeddings {
    /// A provider's embeddings endpoint when one has an `embedding_model`, else the local
    /// model when its files are in the models dir, else `ngram`.
    #[default]
    Auto,
    Provider,
    /// all-MiniLM-L6-v2 run here (cargo feature `local-models`; see `local`).
    Local,
    /// Hashed character n-grams, computed here (see `embed`).
    Ngram,
}

/// assistant's settings, `[apps.assistant]` in `maru.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The router answers locally above this confidence (seed: 0.9).
    pub router_threshold: f64,
    /// A profile snapshot every this many events.
    pub snapshot_every: i64,
    /// Tokens a user may spend a day across providers; past it the offline coach answers.
    pub daily_token_budget: i64,
    pub semantic_cache: bool,
    /// Cosine similarity at or above which an earlier answer is reused; unset, each embedder's
    /// own (`Embedder::similarity_threshold`).
    pub similarity_threshold: Option<f32>,
    pub semantic_cache_entries: usize,
    pub semantic_cache_ttl_secs: u64,
    pub embeddings: Embeddings,
    /// Let providers extract profile facts (JSON-schema-constrained); rules otherwise.
    pub llm_extraction: bool,
    /// Redact personal data before a prompt leaves for a provider.
    pub redact: bool,
    /// How long the batching writer lingers after being woken, gathering more queued updates
    /// into the same transaction.
    pub batch_linger_ms: u64,
    /// Sessions idle this long are deleted with their messages and events.
    pub retention_days: u64,
    /// Tried in order; none means the offline coach answers everything.
    pub providers: Vec<ProviderSettings>,
    /// Where local model files are (`maru models`); `<data_dir>/models` when unset.
    pub models_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            router_threshold: 0.9,
            snapshot_every: 50,
            daily_token_budget: 50_000,
            semantic_cache: true,
            similarity_threshold: None,
            semantic_cache_entries: 100_000,
            semantic_cache_ttl_secs: 24 * 3600,
            embeddings: Embeddings::Auto,
            llm_extraction: true,
            redact: true,
            batch_linger_ms: 2,
            retention_days: 365,
            providers: Vec::new(),
            models_dir: None,
        }
    }
}

/// The assistant app, as the server mounts it.
pub struct Assistant {
    state: service::Shared,
}

impl Assistant {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        if !(0.0..=1.0).contains(&settings.router_threshold) {
            anyhow::bail!("[apps.assistant] router_threshold: a probability from 0 to 1");
        }
        Ok(Self {
            state: Arc::new(service::State::new(settings)?),
        })
    }

    /// The app as `[apps.assistant]` configures it.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let mut settings: Settings = config.app("assistant")?;
        settings.models_dir = Some(models_dir(config)?);
        Self::new(settings)
    }
}

/// Where local model files go: `[apps.assistant] models_dir`, else `<data_dir>/models`.
pub fn models_dir(config: &Config) -> anyhow::Result<PathBuf> {
    let settings: Settings = config.app("assistant")?;
    Ok(settings
        .models_dir
        .unwrap_or_else(|| config.data_dir.join("models")))
}

const PURGE_EXPIRED: &str = "assistant.purge_expired";

/// Deletes sessions past the retention.
struct PurgeExpired(Duration);

#[async_trait]
impl JobHandler for PurgeExpired {
    async fn run(&self, ctx: &AppContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        let purged = service::purge_expired(ctx, self.0).await?;
        if purged > 0 {
            tracing::info!(purged, "expired assistant sessions deleted");
        }
        Ok(())
    }
}

#[async_trait]
impl App for Assistant {
    fn name(&self) -> &'static str {
        "assistant"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 1] = [platform::migration!(1, "0001_assistant")];
        &MIGRATIONS
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        http::router().layer(axum::Extension(Arc::clone(&self.state)))
    }

    fn jobs(&self, jobs: &mut JobRegistry) {
        let retention = Duration::from_secs(self.state.settings.retention_days * 86_400);
        jobs.handle(PURGE_EXPIRED, PurgeExpired(retention));
        jobs.every(PURGE_EXPIRED, Duration::from_secs(3600));
    }

    fn background(
        &self,
        ctx: &AppContext,
        stop: watch::Receiver<bool>,
    ) -> Vec<BoxFuture<'static, ()>> {
        vec![service::run_writer(ctx.clone(), Arc::clone(&self.state), stop).boxed()]
    }

    async fn stats(&self, ctx: &AppContext) -> platform::Result<Vec<(&'static str, i64)>> {
        store::counts(ctx.db.scan()).await
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> platform::Result<serde_json::Value> {
        service::export(ctx, user).await
    }

    async fn demo(&self, ctx: &AppContext) -> anyhow::Result<()> {
        demo::load(ctx, &self.state).await
    }

    async fn forget(&self, ctx: &AppContext, user: UserId) -> platform::Result<()> {
        let mut tx = ctx.db.begin().await?;
        store::forget(&mut tx, user).await?;
        tx.commit().await?;
        if let Ok(mut indexes) = self.state.semantic.write() {
            for index in indexes.iter_mut() {
                index.forget(user);
            }
        }
        Ok(())
    }
}
