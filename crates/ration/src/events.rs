//! Events ration publishes and consumes.
//!
//! `ration.feed_price_changed` `{farm_id, feed_id}`: published with every price change. ration
//! itself consumes it: each saved formulation of the farm is solved again at today's prices, and
//! when the recipe got at least 0.5 % cheaper the farm's owners and nutritionists are notified.

use async_trait::async_trait;
use platform::AppContext;
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::notifications::NewNotification;
use serde::Deserialize;
use serde_json::json;

use crate::engine::formulate;
use crate::engine::problem::Problem;
use crate::model::{FarmId, FarmRole, FeedId};
use crate::store;

pub const FEED_PRICE_CHANGED: &str = "ration.feed_price_changed";

/// Savings below this share are not worth a notification.
const WORTH_TELLING: f64 = 0.005;

pub struct Reprice;

#[async_trait]
impl Subscriber for Reprice {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Changed {
            farm_id: FarmId,
            feed_id: FeedId,
        }
        let changed: Changed = event.parse()?;
        let farm = changed.farm_id;
        let feeds = store::feeds(&mut **tx, farm).await?;
        let Some(code) = feeds
            .iter()
            .find(|f| f.id == changed.feed_id)
            .map(|f| f.code.clone())
        else {
            return Ok(());
        };
        let saved = store::formulations(&mut **tx, farm).await?;
        let members = store::members(&mut **tx, farm).await?;
        // Only recipes that could use the repriced feed can change.
        for formulation in saved.iter().filter(|f| f.summary.status == "optimal") {
            let Ok(mut problem) = serde_json::from_value::<Problem>(formulation.problem.clone())
            else {
                continue;
            };
            if !problem.ingredients.iter().any(|i| i.id == code) {
                continue;
            }
            for ingredient in &mut problem.ingredients {
                if let Some(feed) = feeds.iter().find(|f| f.code == ingredient.id) {
                    ingredient.cost = feed.price;
                }
            }
            let (Some(now), Some(before)) = (
                formulate(&problem).objective,
                formulation.summary.cost_per_kg,
            ) else {
                continue;
            };
            if now < before * (1.0 - WORTH_TELLING) {
                for member in members.iter().filter(|m| m.role >= FarmRole::Nutritionist) {
                    let notification = NewNotification {
                        user: member.user_id,
                        app: "ration",
                        kind: "cheaper_ration",
                        actor: None,
                        subject: Some(format!("formulation:{}", formulation.summary.id)),
                        group_key: None,
                        data: json!({ "farm_id": farm, "formulation": formulation.summary.name, "cost_per_kg_before": before, "cost_per_kg_now": now }),
                    };
                    ctx.notifications.notify(tx, &notification).await?;
                }
            }
        }
        Ok(())
    }
}
