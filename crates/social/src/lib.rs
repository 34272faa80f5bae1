//! social: the SNS feed of seed 004 — follows, blocks and mutes, posts with hashtags and
//! mentions, likes, threaded comments, shares, a ranked home timeline with hybrid fan-out, and
//! live updates.
//!
//! Visibility is decided at read time in the store's queries (see [`store`]), so no feed, list
//! or search can show a post its reader may no longer see.

mod demo;
mod events;
mod feed_cache;
mod http;
mod live;
mod markup;
pub mod model;
mod post;
mod rank;
mod search;
mod service;
mod store;
mod views;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform::accounts::{CurrentUser, UserId};
use platform::bus::Subscriptions;
use platform::config::{Config, ConfigError};
use platform::db::Migration;
use platform::files::UploadPolicy;
use platform::jobs::JobRegistry;
use platform::realtime::TopicPolicy;
use platform::search::SearchType;
use platform::{ApiRouter, App, AppContext};
use serde::Deserialize;

/// Largest video upload: 100 MB, stored as sent (images are re-encoded by the platform).
const MAX_VIDEO_BYTES: usize = 100 * 1024 * 1024;

/// social's settings, `[apps.social]` in `maru.toml`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Authors with at least this many followers are not pushed to followers' timelines at
    /// write time; their posts are merged in when a feed is read.
    pub fanout_threshold: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            fanout_threshold: 10_000,
        }
    }
}

/// The social app, as the server mounts it.
pub struct Social {
    settings: Settings,
    views: Arc<views::Views>,
}

impl Social {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            views: Arc::default(),
        }
    }

    /// The app with the settings of `[apps.social]`.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        config.app("social").map(Self::new)
    }
}

impl Default for Social {
    fn default() -> Self {
        Self::new(Settings::default())
    }
}

/// A user may listen to their own feed topic only.
struct OwnFeed;

#[async_trait]
impl TopicPolicy for OwnFeed {
    async fn may_subscribe(&self, user: &CurrentUser, topic: &str) -> bool {
        topic == events::feed_topic(user.id)
    }
}

#[async_trait]
impl App for Social {
    fn name(&self) -> &'static str {
        "social"
    }

    fn migrations(&self) -> &'static [Migration] {
        static MIGRATIONS: [Migration; 5] = [
            platform::migration!(1, "0001_social"),
            platform::migration!(2, "0002_hashtags"),
            platform::migration!(3, "0003_feed_marks"),
            // Migration 4 once held the index that 5 now makes.
            platform::migration!(
                4,
                "0004_pulled_marks",
                earlier = ["af11038afd87235fc49da12d9f61896776ad8349beb42b8ae739039353828b10"]
            ),
            platform::migration!(5, "0005_deleted_index"),
        ];
        &MIGRATIONS
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        http::router()
            .layer(axum::Extension(self.settings))
            .layer(axum::Extension(Arc::clone(&self.views)))
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on("social.fan_out", &[events::CONTENT_CREATED], events::FanOut);
        subscriptions.on(
            "social.index",
            &[
                events::CONTENT_CREATED,
                events::CONTENT_EDITED,
                events::CONTENT_DELETED,
            ],
            search::IndexContent,
        );
        subscriptions.on(
            "social.post_achievements",
            &[events::ACHIEVEMENT_SHARED],
            events::PostAchievement,
        );
        subscriptions.on(
            "social.hide_deleted_accounts",
            &[events::USER_DELETED],
            events::HideAuthor,
        );
    }

    fn jobs(&self, jobs: &mut JobRegistry) {
        jobs.handle(
            events::PUSH_POST,
            events::PushPost {
                threshold: self.settings.fanout_threshold,
            },
        );
        jobs.handle(events::PURGE_DELETED, events::PurgeDeleted);
        jobs.every(events::PURGE_DELETED, Duration::from_secs(3600));
    }

    fn upload_policy(&self) -> Option<UploadPolicy> {
        Some(UploadPolicy {
            app: "social",
            allowed: vec![("video/mp4", MAX_VIDEO_BYTES)],
        })
    }

    async fn stats(&self, ctx: &AppContext) -> platform::Result<Vec<(&'static str, i64)>> {
        store::counts(ctx.db.scan()).await
    }

    async fn export(&self, ctx: &AppContext, user: UserId) -> platform::Result<serde_json::Value> {
        store::export(ctx.db.reader(), user).await
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

    fn search_types(&self) -> Vec<Arc<dyn SearchType>> {
        vec![
            Arc::new(search::ContentSearch),
            Arc::new(search::HashtagSearch),
        ]
    }

    fn topic_policies(&self) -> Vec<(&'static str, Arc<dyn TopicPolicy>)> {
        vec![("social", Arc::new(OwnFeed))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_the_apps_table_and_bad_ones_name_it() {
        let config = |text: &str| {
            Config::from_sources(Some((std::path::Path::new("maru.toml"), text)), |_| None)
        };
        let set = config("[apps.social]\nfanout_threshold = 500").unwrap_or_default();
        assert_eq!(
            set.app::<Settings>("social")
                .ok()
                .map(|s| s.fanout_threshold),
            Some(500)
        );
        let unset = Config::default();
        assert_eq!(
            unset
                .app::<Settings>("social")
                .ok()
                .map(|s| s.fanout_threshold),
            Some(10_000)
        );
        let bad = config("[apps.social]\nfan_out = 5").unwrap_or_default();
        let err = bad.app::<Settings>("social").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("[apps.social]")));
    }
}
