//! The platform's own part, plugged in like any app: accounts, notifications, search, uploads,
//! the realtime stream, and the housekeeping jobs behind them.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::accounts::{self, IndexUsers, UserId, UserSearch};
use crate::bus::Subscriptions;
use crate::db::Migration;
use crate::jobs::{JobHandler, JobRegistry};
use crate::search::SearchType;
use crate::{ApiRouter, App, AppContext, Result, migration, notifications, realtime};

/// The platform's own part: accounts, notifications, realtime, jobs. Every server runs it first.
pub struct Core;

const PURGE_ACCOUNTS: &str = "platform.purge_accounts";
const TRIM_OUTBOX: &str = "platform.trim_outbox";

/// Delivered outbox rows and inbox receipts are kept this long, for audits and redelivery.
const OUTBOX_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Password of the demo accounts `maru demo` creates (they are for local trials only).
pub const DEMO_PASSWORD: &str = "maru-demo-2026";

#[async_trait]
impl App for Core {
    fn name(&self) -> &'static str {
        "platform"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 2] =
            [migration!(1, "0001_platform"), migration!(2, "0002_flags")];
        &MIGRATIONS
    }

    fn router(&self, ctx: &AppContext) -> ApiRouter {
        ApiRouter::new()
            .merge(accounts::router(ctx))
            .merge(notifications::router())
            .merge(crate::search::router(ctx))
            .merge(crate::files::router(ctx))
            .merge(realtime::router())
            .merge(crate::http::admin_router())
            .merge(crate::flags::router())
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on(
            "platform.index_users",
            &[
                "user.registered",
                "user.updated",
                "user.deleted",
                "user.purged",
            ],
            IndexUsers,
        );
        subscriptions.on(
            "platform.push_notifications",
            &["notification.created"],
            notifications::PushLive,
        );
    }

    fn jobs(&self, jobs: &mut JobRegistry) {
        crate::bus::Bus::register_jobs(jobs);
        jobs.handle(PURGE_ACCOUNTS, PurgeAccounts);
        jobs.every(PURGE_ACCOUNTS, Duration::from_secs(3600));
        jobs.handle(TRIM_OUTBOX, TrimOutbox);
        jobs.every(TRIM_OUTBOX, Duration::from_secs(6 * 3600));
    }

    fn search_types(&self) -> Vec<Arc<dyn SearchType>> {
        vec![Arc::new(UserSearch)]
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> Result<Value> {
        let notifications = notifications::export(ctx, user).await?;
        Ok(json!({ "notifications": notifications }))
    }

    async fn demo(&self, ctx: &AppContext) -> anyhow::Result<()> {
        for (username, display_name) in [
            ("demo", "데모"),
            ("minji", "김민지"),
            ("jiho", "이지호"),
            ("seoyeon", "박서연"),
        ] {
            let registration = accounts::service::Registration {
                username: accounts::Username::parse(username).map_err(anyhow::Error::msg)?,
                email: accounts::Email::parse(&format!("{username}@demo.maru.local"))
                    .map_err(anyhow::Error::msg)?,
                password: accounts::NewPassword::parse(DEMO_PASSWORD)
                    .map_err(anyhow::Error::msg)?,
            };
            match accounts::service::register(ctx, registration).await {
                Ok(user) => {
                    let change = accounts::ProfileChange {
                        display_name: Some(Some(display_name.to_owned())),
                        ..Default::default()
                    };
                    accounts::service::update_profile(ctx, user.id, &change).await?;
                }
                Err(e) if e.kind() == crate::error::ErrorKind::Conflict => {}
                Err(e) => return Err(e.into()),
            }
        }
        accounts::service::grant_role_by_username(ctx, "demo", accounts::Role::Admin).await?;
        Ok(())
    }
}

struct PurgeAccounts;

#[async_trait]
impl JobHandler for PurgeAccounts {
    async fn run(&self, ctx: &AppContext, _payload: &Value) -> anyhow::Result<()> {
        let purged = accounts::service::purge_deleted(ctx).await?;
        if purged > 0 {
            tracing::info!(purged, "purged deleted accounts");
        }
        Ok(())
    }
}

struct TrimOutbox;

#[async_trait]
impl JobHandler for TrimOutbox {
    async fn run(&self, ctx: &AppContext, _payload: &Value) -> anyhow::Result<()> {
        let removed = crate::bus::trim(ctx, ctx.clock.now().minus(OUTBOX_RETENTION)).await?;
        tracing::debug!(removed, "trimmed delivered outbox rows");
        Ok(())
    }
}
