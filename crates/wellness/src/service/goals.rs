//! Goals, their progress and streaks, and sharing an achievement.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use platform::accounts::UserId;
use platform::time::Timestamp;
use platform::{AppContext, Error, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::derived::{Dated, Derived, forget};
use super::{Health, Subject, membership, zone_of};
use crate::catalog::Series;
use crate::events::{ACHIEVEMENT_SHARED, Achievement};
use crate::goals::{self, Goal, Progress};
use crate::model::GoalId;
use crate::rollup::{self, Level};
use crate::store;

/// Days of history a streak is counted over.
const STREAK_DAYS: i64 = 400;

/// A goal with how far along it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: GoalId,
    #[serde(flatten)]
    pub goal: Goal,
    pub title: String,
    pub created_at: Timestamp,
    pub progress: Progress,
}

/// The value of `series` on each local day of `[first, last]`: totals for additive series,
/// averages for the rest; read from day rollups.
pub async fn daily_values(
    ctx: &AppContext,
    user: UserId,
    series: Series,
    tz: &TimeZone,
    first: Date,
    last: Date,
) -> Result<BTreeMap<Date, f64>> {
    let to = last
        .tomorrow()
        .map_or(Timestamp::from_micros(i64::MAX), |d| {
            rollup::date_start(d, tz)
        });
    let rows = store::rollups(
        ctx.db.reader(),
        user,
        series,
        Level::Day,
        rollup::date_start(first, tz),
        to,
    )
    .await?;
    let additive = goals::is_additive(series);
    Ok(rows
        .into_iter()
        .map(|(start, agg)| {
            let value = if additive { agg.sum } else { agg.avg() };
            (rollup::local_date(start, tz), value)
        })
        .collect())
}

/// Today's date for a member in `tz`.
pub fn today(ctx: &AppContext, tz: &TimeZone) -> Date {
    rollup::local_date(ctx.clock.now(), tz)
}

fn days_before(date: Date, days: i64) -> Date {
    date.checked_sub(jiff::Span::new().days(days))
        .unwrap_or(date)
}

async fn progress(
    ctx: &AppContext,
    user: UserId,
    tz: &TimeZone,
    row: &store::GoalRow,
) -> Result<Progress> {
    let today = today(ctx, tz);
    if let Some(daily) = row.goal.daily() {
        let days = daily_values(
            ctx,
            user,
            daily.series,
            tz,
            days_before(today, STREAK_DAYS),
            today,
        )
        .await?;
        return Ok(goals::daily_progress(daily, &days, today));
    }
    let Goal::Weight { target_kg } = row.goal else {
        return Err(Error::internal(anyhow::anyhow!(
            "a goal neither daily nor weight"
        )));
    };
    let weight = |from: Timestamp, to: Timestamp, newest: bool| {
        store::edge_value(
            ctx.db.reader(),
            user,
            Series::BodyWeight,
            (from, to),
            newest,
        )
    };
    let epoch = Timestamp::from_micros(0);
    let end = Timestamp::from_micros(i64::MAX);
    let start = match weight(epoch, row.created_at, true).await? {
        Some(v) => Some(v),
        None => weight(row.created_at, end, false).await?,
    };
    let latest = weight(epoch, end, true).await?;
    Ok(goals::weight_progress(target_kg, start, latest))
}

fn view(row: store::GoalRow, progress: Progress) -> GoalView {
    GoalView {
        id: GoalId::from_raw(row.id),
        title: row.goal.title(),
        goal: row.goal,
        created_at: row.created_at,
        progress,
    }
}

/// The member's goals with their progress.
pub async fn goals(ctx: &AppContext, health: &Health, subject: Subject) -> Result<Vec<GoalView>> {
    let user = subject.user;
    let load = Box::pin(async move {
        let (_, zone) = zone_of(ctx, health, user).await?;
        let mut value = Vec::new();
        for row in store::goals(ctx.db.reader(), user).await? {
            let p = progress(ctx, user, &zone, &row).await?;
            value.push(view(row, p));
        }
        Ok(Dated {
            today: today(ctx, &zone),
            zone,
            value,
        })
    });
    Ok(Derived::of(ctx).goals(ctx, user, load).await?.value.clone())
}

pub async fn add_goal(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    goal: Goal,
) -> Result<GoalView> {
    goal.check()
        .map_err(|(field, message)| Error::invalid_field(field, message))?;
    let row = store::GoalRow {
        id: ctx.next_id(),
        goal,
        created_at: ctx.clock.now(),
    };
    let mut tx = ctx.db.begin().await?;
    let tz = membership(&mut tx, ctx, health, user).await?.zone;
    store::insert_goal(&mut tx, row.id, user, &row.goal, row.created_at).await?;
    tx.commit().await?;
    forget(ctx, user).await;
    let p = progress(ctx, user, &tz, &row).await?;
    Ok(view(row, p))
}

pub async fn delete_goal(ctx: &AppContext, user: UserId, id: GoalId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::delete_goal(&mut tx, user, id.get()).await? {
        return Err(Error::not_found("goal"));
    }
    tx.commit().await?;
    forget(ctx, user).await;
    Ok(())
}

/// Publishes the goal's current streak (or a reached weight) for other apps — `social` turns
/// it into a post. Refused while there is nothing to celebrate.
pub async fn share_goal(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    id: GoalId,
) -> Result<Achievement> {
    let (_, tz) = zone_of(ctx, health, user).await?;
    let row = store::goal(ctx.db.reader(), user, id.get())
        .await?
        .ok_or_else(|| Error::not_found("goal"))?;
    let p = progress(ctx, user, &tz, &row).await?;
    let text = if row.goal.daily().is_some() {
        if p.streak == 0 {
            return Err(Error::conflict("there is no streak to share yet"));
        }
        format!("🏅 {} days in a row: {}", p.streak, row.goal.title())
    } else {
        if !p.achieved {
            return Err(Error::conflict("the goal is not reached yet"));
        }
        format!("🏅 Goal reached: {}", row.goal.title())
    };
    let achievement = Achievement {
        user_id: user,
        goal_id: id,
        title: row.goal.title(),
        streak_days: p.streak,
        text,
    };
    let mut tx = ctx.db.begin().await?;
    ctx.bus
        .publish(&mut tx, ACHIEVEMENT_SHARED, &achievement)
        .await?;
    tx.commit().await?;
    Ok(achievement)
}
