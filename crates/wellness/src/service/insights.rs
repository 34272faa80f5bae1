//! Insights and recommendations: the member's recent days gathered from rollups, handed to the
//! pure rules in [`crate::insights`].

use std::sync::Arc;

use jiff::tz::TimeZone;
use platform::accounts::UserId;
use platform::time::Timestamp;
use platform::{AppContext, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::derived::{Dated, Derived, forget};
use super::goals::{daily_values, goals, today};
use super::{Health, Subject, zone_of};
use crate::catalog::Kind;
use crate::insights::{
    self, Input, Insight, Period, RECENT_DAYS, Recommendation, RecommendationKind, TREND_SERIES,
};
use crate::rollup;
use crate::store;

/// Most sleep records read for bedtimes (a few per night).
const MAX_SLEEPS: i64 = 64;

/// What the rules look at over `period`, shared until the member next writes.
async fn input(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    period: Period,
) -> Result<Arc<Dated<Input>>> {
    let load = Box::pin(async move {
        let (_, zone) = zone_of(ctx, health, subject.user).await?;
        let today = today(ctx, &zone);
        let first = today
            .checked_sub(jiff::Span::new().days(period.history()))
            .unwrap_or(today);
        let mut value = Input {
            today: Some(today),
            ..Input::default()
        };
        for series in TREND_SERIES {
            let days = daily_values(ctx, subject.user, series, &zone, first, today).await?;
            if !days.is_empty() {
                value.daily.insert(series, days);
            }
        }
        value.bedtimes = bedtimes(ctx, subject.user, &zone, today).await?;
        value.goals = goals(ctx, health, subject)
            .await?
            .into_iter()
            .filter(|g| g.goal.daily().is_some())
            .map(|g| (g.title, g.progress))
            .collect();
        Ok(Dated { zone, today, value })
    });
    Derived::of(ctx)
        .input(ctx, subject.user, period, load)
        .await
}

/// When sleeps of the last 7 nights began, in minutes after local midnight; naps (under three
/// hours) left out.
async fn bedtimes(
    ctx: &AppContext,
    user: UserId,
    tz: &TimeZone,
    today: jiff::civil::Date,
) -> Result<Vec<f64>> {
    let from = today
        .checked_sub(jiff::Span::new().days(RECENT_DAYS))
        .map_or(Timestamp::from_micros(0), |d| rollup::date_start(d, tz));
    let sleeps = store::records(
        ctx.db.reader(),
        user,
        &[Kind::Sleep],
        from,
        rollup::date_start(today, tz),
        MAX_SLEEPS,
    )
    .await?;
    Ok(sleeps
        .iter()
        .filter(|s| s.value >= 180.0)
        .map(|s| {
            let start = s.start.micros();
            let midnight = rollup::bucket_start(rollup::Level::Day, s.start, tz).micros();
            #[allow(clippy::cast_precision_loss)]
            let minutes = (start - midnight) as f64 / 60_000_000.0;
            minutes
        })
        .collect())
}

pub async fn insights(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    period: Period,
) -> Result<Vec<Insight>> {
    Ok(insights::insights(
        &input(ctx, health, subject, period).await?.value,
        period,
    ))
}

/// A recommendation as answered: an id that stays the same through the day, so feedback can
/// name it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationView {
    /// `{kind}:{local date}`.
    pub id: String,
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub created_at: Timestamp,
}

/// Recommendations for the member, most confident first, without the kinds they dismissed.
pub async fn recommendations(
    ctx: &AppContext,
    health: &Health,
    subject: Subject,
    limit: usize,
) -> Result<Vec<RecommendationView>> {
    let input = input(ctx, health, subject, Period::Week).await?;
    let dismissed = Derived::of(ctx)
        .dismissed(
            subject.user,
            Box::pin(store::dismissed(ctx.db.reader(), subject.user)),
        )
        .await?;
    let now = ctx.clock.now();
    let day = input.today.to_string();
    Ok(insights::recommend(&input.value, &dismissed)
        .into_iter()
        .take(limit)
        .map(|r| RecommendationView {
            id: format!("{}:{day}", r.kind.as_str()),
            recommendation: r,
            created_at: now,
        })
        .collect())
}

/// What the member thought of a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Helpful,
    NotHelpful,
    /// Stop showing this kind.
    Dismissed,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Helpful => "helpful",
            Verdict::NotHelpful => "not_helpful",
            Verdict::Dismissed => "dismissed",
        }
    }
}

pub async fn feedback(
    ctx: &AppContext,
    user: UserId,
    kind: RecommendationKind,
    verdict: Verdict,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::set_feedback(&mut tx, user, kind, verdict.as_str(), ctx.clock.now()).await?;
    tx.commit().await?;
    forget(ctx, user).await;
    Ok(())
}
