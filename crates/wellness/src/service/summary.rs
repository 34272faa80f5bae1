//! A member's health at a glance: latest vitals, recent workouts, today's nutrition, last
//! night's sleep, recent mood (GraphQL's `HealthData`).

use platform::{AppContext, Result};

use super::goals::{daily_values, today};
use super::records::{owner_key, record_view};
use super::{Health, Subject, zone_of};
use crate::catalog::{Kind, Series};
use crate::model::Record;
use crate::store;

/// Most workouts listed.
const MAX_WORKOUTS: i64 = 50;
const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The summary; values in canonical units.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The newest record of each vital kind.
    pub vitals: Vec<Record>,
    /// Workouts of the last 30 days, newest first.
    pub workouts: Vec<Record>,
    /// Today's food energy (kcal) and water (mL) in the member's zone.
    pub energy_today: f64,
    pub water_today: f64,
    /// Today's meals, newest first.
    pub meals: Vec<Record>,
    /// The newest sleep session, and the average nightly minutes of the last 7 days.
    pub last_sleep: Option<Record>,
    pub sleep_average: Option<f64>,
    /// The newest mood entry, and the average score of the last 7 days.
    pub last_mood: Option<Record>,
    pub mood_average: Option<f64>,
}

fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0_u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

pub async fn summary(ctx: &AppContext, health: &Health, subject: Subject) -> Result<Summary> {
    let key = owner_key(ctx, health, subject).await?;
    let db = ctx.db.reader();
    let user = subject.user;
    let (_, tz) = zone_of(ctx, health, user).await?;
    let now = ctx.clock.now();
    let today = today(ctx, &tz);
    let week_ago = today
        .checked_sub(jiff::Span::new().days(7))
        .unwrap_or(today);
    let view = |rows: Vec<store::RecordRow>| -> Vec<Record> {
        rows.into_iter()
            .map(|r| record_view(r, key.as_ref()))
            .collect()
    };
    let vitals: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.is_vital()).collect();
    let vitals = view(store::latest_per_kind(db, user, &vitals).await?);
    let workouts = view(
        store::records(
            db,
            user,
            &[Kind::Workout],
            now.minus(30 * DAY),
            now.plus(DAY),
            MAX_WORKOUTS,
        )
        .await?,
    );
    let day = |series| daily_values(ctx, user, series, &tz, today, today);
    let energy_today = day(Series::Nutrition)
        .await?
        .get(&today)
        .copied()
        .unwrap_or(0.0);
    let water_today = day(Series::Water)
        .await?
        .get(&today)
        .copied()
        .unwrap_or(0.0);
    let start_of_today = crate::rollup::date_start(today, &tz);
    let meals = view(
        store::records(
            db,
            user,
            &[Kind::Nutrition],
            start_of_today,
            now.plus(DAY),
            20,
        )
        .await?,
    );
    let mut latest = view(store::latest_per_kind(db, user, &[Kind::Sleep, Kind::Mood]).await?);
    let last_mood = latest
        .iter()
        .position(|r| r.kind == Kind::Mood)
        .map(|i| latest.remove(i));
    let last_sleep = latest.pop();
    let week = |series| daily_values(ctx, user, series, &tz, week_ago, today);
    let sleep_average = average(week(Series::Sleep).await?.into_values());
    let mood_average = average(week(Series::Mood).await?.into_values());
    Ok(Summary {
        vitals,
        workouts,
        energy_today,
        water_today,
        meals,
        last_sleep,
        sleep_average,
        last_mood,
        mood_average,
    })
}
