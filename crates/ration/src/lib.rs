//! ration: livestock nutrition (seed 002).
//!
//! The engine ([`engine`]) is a pure library — problem files, least-cost formulation by linear
//! programming, sensitivity and infeasibility diagnosis — with no I/O, used by the CLI
//! (`maru ration solve`) and by this app's routes under `/api/v1/ration`.

mod demo;
pub mod engine;
mod events;
mod http;
pub mod model;
mod service;
mod store;

use async_trait::async_trait;
use platform::accounts::UserId;
use platform::bus::Subscriptions;
use platform::db::Migration;
use platform::{ApiRouter, App, AppContext, Result};

/// The ration app, as the server mounts it.
pub struct Ration;

#[async_trait]
impl App for Ration {
    fn name(&self) -> &'static str {
        "ration"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 2] = [
            platform::migration!(1, "0001_ration"),
            platform::migration!(2, "0002_animal_groups"),
        ];
        &MIGRATIONS
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        http::router()
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on(
            "ration.reprice",
            &[events::FEED_PRICE_CHANGED],
            events::Reprice,
        );
    }

    async fn stats(&self, ctx: &AppContext) -> Result<Vec<(&'static str, i64)>> {
        store::counts(ctx.db.scan()).await
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> Result<serde_json::Value> {
        service::export(ctx, user).await
    }

    async fn forget(&self, ctx: &AppContext, user: UserId) -> Result<()> {
        service::forget(ctx, user).await
    }

    async fn demo(&self, ctx: &AppContext) -> anyhow::Result<()> {
        demo::load(ctx).await
    }
}
