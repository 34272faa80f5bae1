//! How an app plugs into maru, and the services it is handed.

use std::ops::Deref;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use tokio::sync::watch;

use crate::accounts::{Auth, UserId};
use crate::bus::{Bus, Subscriptions};
use crate::cache::Cache;
use crate::config::Config;
use crate::db::{Db, Migration};
use crate::files::{Files, UploadPolicy};
use crate::flags::Flags;
use crate::ids::IdGenerator;
use crate::jobs::{JobRegistry, Jobs};
use crate::notifications::Notifications;
use crate::ratelimit::RateLimits;
use crate::realtime::{Hub, TopicPolicy};
use crate::search::{Search, SearchType};
use crate::time::Clock;
use crate::{ApiRouter, Result};

/// One product living in maru. Adding an app is one crate implementing this and one line in
/// the server's list; apps never call one another, they meet through the bus and the hub.
#[async_trait]
pub trait App: Send + Sync + 'static {
    /// Short lowercase name: `social`, `ask`, ... Used for migrations, exports, metrics.
    fn name(&self) -> &'static str;

    /// Schema changes in version order.
    fn migrations(&self) -> &'static [Migration] {
        &[]
    }

    /// HTTP and WebSocket routes, with full paths (`/api/v1/...`).
    fn router(&self, ctx: &AppContext) -> ApiRouter;

    /// Bus events this app consumes.
    fn subscribe(&self, _subscriptions: &mut Subscriptions) {}

    /// Background work this app runs.
    fn jobs(&self, _jobs: &mut JobRegistry) {}

    /// Long-running work this app does beside serving requests (a batching writer, say). Each
    /// future runs until `stop` turns true; the server waits for them at shutdown.
    fn background(
        &self,
        _ctx: &AppContext,
        _stop: watch::Receiver<bool>,
    ) -> Vec<BoxFuture<'static, ()>> {
        Vec::new()
    }

    /// Document types this app adds to `/api/v1/search`.
    fn search_types(&self) -> Vec<Arc<dyn SearchType>> {
        Vec::new()
    }

    /// Who may subscribe to which realtime topics under this app's prefixes.
    fn topic_policies(&self) -> Vec<(&'static str, Arc<dyn TopicPolicy>)> {
        Vec::new()
    }

    /// File kinds beyond images this app accepts at `/api/v1/uploads`.
    fn upload_policy(&self) -> Option<UploadPolicy> {
        None
    }

    /// This app's part of a user's data export.
    async fn export(&self, _ctx: &AppContext, _user: UserId) -> Result<serde_json::Value> {
        Ok(serde_json::Value::Null)
    }

    /// Removes what this app holds about a user whose account is being purged.
    async fn forget(&self, _ctx: &AppContext, _user: UserId) -> Result<()> {
        Ok(())
    }

    /// What this app holds, counted for operators (`GET /api/v1/admin/stats`): names such as
    /// `posts` with their counts.
    async fn stats(&self, _ctx: &AppContext) -> Result<Vec<(&'static str, i64)>> {
        Ok(Vec::new())
    }

    /// Loads demonstration data (`maru demo`).
    async fn demo(&self, _ctx: &AppContext) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The apps a server runs, in order.
pub type Apps = Arc<[Arc<dyn App>]>;

/// The shared services, cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppContext(Arc<Services>);

pub struct Services {
    pub config: Arc<Config>,
    pub db: Db,
    pub ids: Arc<IdGenerator>,
    pub clock: Clock,
    pub auth: Auth,
    pub bus: Bus,
    pub jobs: Jobs,
    pub cache: Cache,
    pub hub: Hub,
    pub search: Search,
    pub notifications: Notifications,
    pub files: Files,
    pub flags: Flags,
    pub limits: RateLimits,
    pub apps: Apps,
}

impl AppContext {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }

    /// A fresh id from this node's generator.
    pub fn next_id(&self) -> i64 {
        self.ids.next_id()
    }
}

impl Deref for AppContext {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}
