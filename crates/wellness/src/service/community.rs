//! Community statistics: members' daily averages gathered from day rollups, released through
//! [`crate::community`].

use std::time::Duration;

use platform::{AppContext, Error, Result};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::Series;
use crate::community::{self, Release};
use crate::goals::is_additive;
use crate::store;

/// A released statistic with what it covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunityStats {
    pub metric: Series,
    pub unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub days: u32,
    #[serde(flatten)]
    pub release: Release,
}

pub async fn community_stats(
    ctx: &AppContext,
    metric: Series,
    region: Option<String>,
    days: u32,
    epsilon: f64,
) -> Result<CommunityStats> {
    if community::bounds(metric).is_none() {
        return Err(Error::bad_param(
            "metric",
            "must be steps, sleep, resting_heart_rate, active_energy, water or mood",
        ));
    }
    let to = ctx.clock.now();
    let from = to.minus(Duration::from_secs(u64::from(days) * 86_400));
    let totals = store::member_totals(ctx.db.scan(), metric, (from, to), region.as_deref()).await?;
    #[allow(clippy::cast_precision_loss)]
    let values: Vec<f64> = totals
        .into_iter()
        .map(|(sum, count, days)| {
            if is_additive(metric) {
                sum / days.max(1) as f64
            } else {
                sum / count.max(1) as f64
            }
        })
        .collect();
    let noise = (rand::random::<f64>(), rand::random::<f64>());
    Ok(CommunityStats {
        metric,
        unit: metric.kind().unit(),
        region,
        days,
        release: community::release(metric, &values, epsilon, noise),
    })
}
