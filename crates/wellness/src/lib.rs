//! wellness: 센테니얼 라이프 health tracking (seed 000) — vitals, activity, sleep, mood and
//! nutrition records, fast batch ingestion, rollups, goals, alerts, insights and sharing.
//!
//! Raw records are append-only; rollups (minute, hour, day, week) are kept beside them in the
//! ingesting transaction, so series are never computed by scanning raw rows. Pure parts —
//! [`catalog`] (types, units, ranges), [`rollup`] (buckets in the user's zone), [`alerts`]
//! (rules and the anomaly detector), [`goals`] (progress and streaks), [`insights`] (trends and
//! recommendations) — hold the product's rules; `store` holds all SQL.

pub mod alerts;
pub mod apple_health;
pub mod catalog;
pub mod community;
mod crypto;
mod demo;
mod events;
pub mod fhir;
pub mod goals;
mod graphql;
mod http;
pub mod insights;
pub mod model;
pub mod rollup;
mod service;
mod store;

use std::sync::Arc;

use async_trait::async_trait;
use platform::accounts::{CurrentUser, UserId};
use platform::bus::Subscriptions;
use platform::config::Config;
use platform::db::Migration;
use platform::realtime::TopicPolicy;
use platform::{ApiRouter, App, AppContext};
use serde::Deserialize;
use serde_json::json;

pub use crypto::Keyring;
pub use service::{ImportError, ImportSummary};

/// wellness' settings, `[apps.wellness]` in `maru.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The master key wrapping every user's note key: 32 bytes, base64. Without it, a key file
    /// `wellness-master.key` is made in the data directory (fine for one node; several nodes
    /// must share one key through this setting).
    pub master_key: Option<String>,
    /// Time zone of a member until they set theirs.
    pub default_time_zone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            master_key: None,
            default_time_zone: "Asia/Seoul".to_owned(),
        }
    }
}

/// The wellness app, as the server mounts it.
pub struct Wellness {
    health: service::Shared,
}

impl Wellness {
    /// The app with `keyring` and the default time zone of `settings`.
    pub fn new(keyring: Keyring, settings: &Settings) -> anyhow::Result<Self> {
        if rollup::zone(&settings.default_time_zone).is_none() {
            anyhow::bail!(
                "[apps.wellness] default_time_zone: unknown time zone `{}`",
                settings.default_time_zone
            );
        }
        Ok(Self {
            health: Arc::new(service::Health {
                keyring,
                default_zone: settings.default_time_zone.clone(),
            }),
        })
    }

    /// Imports an Apple Health `export.xml` as `username`'s records (idempotent: importing
    /// the same file again adds nothing); `on_progress` hears the bytes read so far.
    pub async fn import_apple_health(
        &self,
        ctx: &AppContext,
        username: &str,
        export: &std::path::Path,
        on_progress: impl Fn(u64) + Send,
    ) -> anyhow::Result<service::ImportSummary> {
        let user = platform::accounts::service::find_by_username(ctx, username)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ok_or_else(|| anyhow::anyhow!("no user named `{username}`"))?;
        let file = std::fs::File::open(export)
            .map_err(|e| anyhow::anyhow!("{}: {e}", export.display()))?;
        let reader = std::io::BufReader::with_capacity(1 << 20, file);
        service::import_apple_health(ctx, &self.health, user.id, reader, on_progress)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// The app as `[apps.wellness]` configures it.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let settings: Settings = config.app("wellness")?;
        let keyring = match &settings.master_key {
            Some(key) => Keyring::from_base64(key)?,
            None => Keyring::load_or_create(&config.data_dir.join("wellness-master.key"))?,
        };
        Self::new(keyring, &settings)
    }
}

/// A user may listen to their own live vitals topic.
struct OwnVitals;

#[async_trait]
impl TopicPolicy for OwnVitals {
    async fn may_subscribe(&self, user: &CurrentUser, topic: &str) -> bool {
        topic == events::vitals_topic(user.id)
    }
}

#[async_trait]
impl App for Wellness {
    fn name(&self) -> &'static str {
        "wellness"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 2] = [
            platform::migration!(1, "0001_wellness"),
            platform::migration!(2, "0002_goals"),
        ];
        &MIGRATIONS
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        http::router()
            .merge(graphql::router())
            .layer(axum::Extension(Arc::clone(&self.health)))
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on(
            "wellness.evaluate",
            &[events::RECORDS_ADDED],
            events::Evaluate,
        );
        subscriptions.on(
            "wellness.push_vitals",
            &[events::RECORDS_ADDED],
            events::PushVitals,
        );
    }

    fn topic_policies(&self) -> Vec<(&'static str, Arc<dyn TopicPolicy>)> {
        vec![("wellness", Arc::new(OwnVitals))]
    }

    async fn stats(&self, ctx: &AppContext) -> platform::Result<Vec<(&'static str, i64)>> {
        store::counts(ctx.db.scan()).await
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> platform::Result<serde_json::Value> {
        let (time_zone, region) = service::profile(ctx, &self.health, user).await?;
        let records = service::export_records(ctx, &self.health, user).await?;
        Ok(json!({
            "time_zone": time_zone,
            "region": region,
            "records": records,
            "alerts": service::alerts(ctx, service::Subject { user, own: true }, false).await?,
            "shares": service::shares(ctx, user).await?,
            "goals": service::goals(ctx, &self.health, service::Subject { user, own: true }).await?,
        }))
    }

    async fn demo(&self, ctx: &AppContext) -> anyhow::Result<()> {
        demo::load(ctx, &self.health).await
    }

    async fn forget(&self, ctx: &AppContext, user: UserId) -> platform::Result<()> {
        let mut tx = ctx.db.begin().await?;
        store::forget(&mut tx, user).await?;
        tx.commit().await?;
        service::forget(ctx, user).await;
        Ok(())
    }
}
