//! ask: 동네물어봐, the neighbourhood Q&A of seed 003 — questions tied to places, answers, one
//! accepted answer, a points ledger, nearby search on a geohash grid, trending hashtags, and
//! urgent questions routed to verified locals nearby.
//!
//! A question is *listed* while it is active and not hidden by a moderator; lists, nearby,
//! trending and search show listed questions only; the store applies that rule in every
//! query that lists.

mod blocks;
mod caches;
mod demo;
mod events;
pub mod geo;
mod http;
pub mod model;
mod points;
pub mod regions;
mod search;
mod service;
mod store;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform::accounts::UserId;
use platform::bus::Subscriptions;
use platform::db::Migration;
use platform::jobs::JobRegistry;
use platform::search::SearchType;
use platform::{ApiRouter, App, AppContext};
use serde_json::json;

/// The ask app, as the server mounts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ask;

#[async_trait]
impl App for Ask {
    fn name(&self) -> &'static str {
        "ask"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 1] = [platform::migration!(1, "0001_ask")];
        &MIGRATIONS
    }

    fn router(&self, ctx: &AppContext) -> ApiRouter {
        http::router(ctx)
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on("ask.welcome", &[events::USER_REGISTERED], events::Welcome);
        subscriptions.on(
            "ask.index",
            &[
                events::QUESTION_CREATED,
                events::QUESTION_CHANGED,
                events::ANSWER_CREATED,
                events::ANSWER_CHANGED,
                events::ANSWER_ACCEPTED,
            ],
            search::IndexQuestions,
        );
        subscriptions.on(
            "ask.route_urgent",
            &[events::QUESTION_CREATED],
            events::RouteUrgent,
        );
        subscriptions.on(
            "ask.notify",
            &[events::ANSWER_CREATED, events::ANSWER_ACCEPTED],
            events::NotifyAnswers,
        );
    }

    fn jobs(&self, jobs: &mut JobRegistry) {
        jobs.handle(events::CLOSE_EXPIRED, events::CloseExpired);
        jobs.every(events::CLOSE_EXPIRED, Duration::from_secs(10 * 60));
        jobs.handle(events::REFRESH_TRENDING, events::RefreshTrending);
        // Ahead of the lists' 15-minute expiry, so readers never wait for a recount.
        jobs.every(
            events::REFRESH_TRENDING,
            caches::TRENDING_TTL.saturating_sub(Duration::from_secs(60)),
        );
    }

    fn search_types(&self) -> Vec<Arc<dyn SearchType>> {
        vec![
            Arc::new(search::QuestionSearch),
            Arc::new(search::AnswerSearch),
        ]
    }

    async fn stats(&self, ctx: &AppContext) -> platform::Result<Vec<(&'static str, i64)>> {
        store::counts(ctx.db.scan()).await
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> platform::Result<serde_json::Value> {
        let db = ctx.db.reader();
        Ok(json!({
            "profile": service::profile(ctx, user).await.ok(),
            "questions": store::user_questions(db, user).await?,
            "answers": store::user_answers(db, user).await?,
            "points": store::statement(db, points::Account::User(user), None, i64::MAX).await?.1,
        }))
    }

    async fn forget(&self, ctx: &AppContext, user: UserId) -> platform::Result<()> {
        let mut tx = ctx.db.begin().await?;
        store::forget(&mut tx, user).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn demo(&self, ctx: &AppContext) -> anyhow::Result<()> {
        demo::load(ctx).await
    }
}
