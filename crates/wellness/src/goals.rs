//! Goals and how far along a member is: daily goals (steps, sleep, any series per day) with
//! streaks, and a body-weight target reached once.
//!
//! Pure: [`progress`] takes the member's days, already summed or averaged per local day, and
//! today's date in their zone.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::Series;

/// Which way a daily goal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// At least the target each day (steps, water).
    AtLeast,
    /// At most the target each day (calories eaten).
    AtMost,
}

/// A goal as a member sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Goal {
    /// Steps walked per local day.
    Steps { per_day: f64 },
    /// Hours slept per night (counted on the day the member wakes).
    Sleep { hours: f64 },
    /// A body weight to reach, in kilograms.
    Weight { target_kg: f64 },
    /// Any series per day: its total for additive series (water, energy), else its average
    /// (mood).
    Custom {
        series: Series,
        per_day: f64,
        #[serde(default = "at_least")]
        direction: Direction,
    },
}

fn at_least() -> Direction {
    Direction::AtLeast
}

/// A goal checked day by day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Daily {
    pub series: Series,
    /// In the series' canonical unit (sleep in minutes).
    pub target: f64,
    pub direction: Direction,
}

impl Daily {
    fn met(self, value: f64) -> bool {
        match self.direction {
            Direction::AtLeast => value >= self.target,
            Direction::AtMost => value <= self.target,
        }
    }

    fn percent(self, value: f64) -> f64 {
        let p = match self.direction {
            Direction::AtLeast if self.target > 0.0 => value / self.target * 100.0,
            Direction::AtMost if value > self.target => self.target / value * 100.0,
            _ => 100.0,
        };
        p.clamp(0.0, 100.0)
    }
}

impl Goal {
    /// The series the goal follows.
    pub fn series(&self) -> Series {
        match self {
            Goal::Steps { .. } => Series::Steps,
            Goal::Sleep { .. } => Series::Sleep,
            Goal::Weight { .. } => Series::BodyWeight,
            Goal::Custom { series, .. } => *series,
        }
    }

    /// The day-by-day form of the goal; `None` for a weight target.
    pub fn daily(&self) -> Option<Daily> {
        match *self {
            Goal::Steps { per_day } => Some(Daily {
                series: Series::Steps,
                target: per_day,
                direction: Direction::AtLeast,
            }),
            Goal::Sleep { hours } => Some(Daily {
                series: Series::Sleep,
                target: hours * 60.0,
                direction: Direction::AtLeast,
            }),
            Goal::Weight { .. } => None,
            Goal::Custom {
                series,
                per_day,
                direction,
            } => Some(Daily {
                series,
                target: per_day,
                direction,
            }),
        }
    }

    /// A short name for lists and shared achievements.
    pub fn title(&self) -> String {
        match self {
            Goal::Steps { per_day } => format!("{per_day:.0} steps a day"),
            Goal::Sleep { hours } => format!("{hours} hours of sleep a night"),
            Goal::Weight { target_kg } => format!("reach {target_kg} kg"),
            Goal::Custom {
                series,
                per_day,
                direction,
            } => {
                let how = match direction {
                    Direction::AtLeast => "at least",
                    Direction::AtMost => "at most",
                };
                format!(
                    "{} {how} {per_day} {} a day",
                    series.as_str().replace('_', " "),
                    series.kind().unit()
                )
            }
        }
    }

    /// The field at fault and why, if the goal cannot be pursued.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let (field, value, low, high) = match *self {
            Goal::Steps { per_day } => ("per_day", per_day, 1.0, 100_000.0),
            Goal::Sleep { hours } => ("hours", hours, 1.0, 16.0),
            Goal::Weight { target_kg } => ("target_kg", target_kg, 20.0, 400.0),
            Goal::Custom { per_day, .. } => ("per_day", per_day, 0.0, 1_000_000.0),
        };
        if !value.is_finite() || value < low || value > high {
            return Err((field, format!("must be between {low} and {high}")));
        }
        Ok(())
    }
}

/// Whether series are summed over a day (steps) or averaged (heart rate, mood).
pub fn is_additive(series: Series) -> bool {
    matches!(
        series,
        Series::Steps
            | Series::Distance
            | Series::ActiveEnergy
            | Series::Workout
            | Series::Sleep
            | Series::Nutrition
            | Series::Water
    )
}

/// One day of a daily goal.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Day {
    #[schema(value_type = String, example = "2026-11-22")]
    pub date: Date,
    pub value: f64,
    pub met: bool,
}

/// How far along a goal is.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Progress {
    /// Today's value (daily goals) or the latest weight; absent without data.
    pub current: Option<f64>,
    /// In the series' canonical unit.
    pub target: f64,
    pub unit: &'static str,
    /// 0 to 100.
    pub percent: f64,
    /// Met today (daily goals) or reached (weight).
    pub achieved: bool,
    /// Days in a row the goal was met, up to today (or yesterday while today is under way).
    pub streak: u32,
    pub best_streak: u32,
    /// Of the 7 days before today, how many met the goal.
    pub met_last_7_days: u32,
    /// The last 7 days, today included, oldest first (daily goals only).
    pub recent: Vec<Day>,
}

/// Progress of a daily goal over `days` (the member's value per local day).
pub fn daily_progress(goal: Daily, days: &BTreeMap<Date, f64>, today: Date) -> Progress {
    let met = |d: Date| days.get(&d).is_some_and(|v| goal.met(*v));
    let current = days.get(&today).copied();
    let mut streak = 0;
    let mut day = if met(today) {
        Some(today)
    } else {
        today.yesterday().ok()
    };
    while let Some(d) = day.filter(|d| met(*d)) {
        streak += 1;
        day = d.yesterday().ok();
    }
    let (mut best, mut run, mut last) = (0, 0, None::<Date>);
    for (d, v) in days.range(..=today) {
        if goal.met(*v) {
            let follows = last.and_then(|l| l.tomorrow().ok()) == Some(*d);
            run = if follows { run + 1 } else { 1 };
            best = best.max(run);
            last = Some(*d);
        } else {
            last = None;
        }
    }
    let recent: Vec<Day> = (0..7i8)
        .rev()
        .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
        .map(|date| {
            let value = days.get(&date).copied().unwrap_or(0.0);
            Day {
                date,
                value,
                met: met(date),
            }
        })
        .collect();
    let met_last_7_days = (1..=7i8)
        .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
        .filter(|d| met(*d))
        .count();
    Progress {
        current,
        target: goal.target,
        unit: goal.series.kind().unit(),
        percent: goal.percent(current.unwrap_or(0.0)),
        achieved: met(today),
        streak,
        best_streak: best,
        met_last_7_days: u32::try_from(met_last_7_days).unwrap_or(u32::MAX),
        recent,
    }
}

/// Progress toward a weight target from `start` (the weight when the goal was set) to
/// `latest`.
pub fn weight_progress(target: f64, start: Option<f64>, latest: Option<f64>) -> Progress {
    let (percent, achieved) = match (start, latest) {
        (Some(start), Some(latest)) => {
            let achieved = if start >= target {
                latest <= target
            } else {
                latest >= target
            };
            let span = start - target;
            let percent = if achieved || span == 0.0 {
                100.0
            } else {
                ((start - latest) / span * 100.0).clamp(0.0, 100.0)
            };
            (percent, achieved)
        }
        _ => (0.0, false),
    };
    Progress {
        current: latest,
        target,
        unit: Series::BodyWeight.kind().unit(),
        percent,
        achieved,
        streak: 0,
        best_streak: 0,
        met_last_7_days: 0,
        recent: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp, clippy::unwrap_used)]

    use super::*;

    fn steps(target: f64) -> Daily {
        Goal::Steps { per_day: target }.daily().unwrap()
    }

    fn days(start: Date, values: &[f64]) -> BTreeMap<Date, f64> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let d = start
                    .checked_add(jiff::Span::new().days(i64::try_from(i).unwrap()))
                    .unwrap();
                (d, *v)
            })
            .collect()
    }

    #[test]
    fn streak_counts_back_from_today_or_yesterday() {
        let start = jiff::civil::date(2026, 11, 10);
        // 10..=13 met, 14 missed, 15..=21 met, 22 (today) under way.
        let values = [
            9000.0, 8000.0, 8500.0, 9999.0, 100.0, 8000.0, 8000.0, 8000.0, 8000.0, 8000.0, 8000.0,
            8000.0, 3000.0,
        ];
        let today = jiff::civil::date(2026, 11, 22);
        let p = daily_progress(steps(8000.0), &days(start, &values), today);
        assert_eq!(p.streak, 7);
        assert_eq!(p.best_streak, 7);
        assert!(!p.achieved);
        assert_eq!(p.current, Some(3000.0));
        assert_eq!(p.percent, 37.5);
        assert_eq!(p.met_last_7_days, 7);
        assert_eq!(p.recent.len(), 7);
        assert_eq!(p.recent[6].date, today);

        // Meeting today extends the streak to today.
        let mut met = days(start, &values);
        met.insert(today, 12_000.0);
        let p = daily_progress(steps(8000.0), &met, today);
        assert_eq!((p.streak, p.best_streak, p.achieved), (8, 8, true));
        assert_eq!(p.percent, 100.0);
    }

    #[test]
    fn a_missing_day_breaks_the_streak() {
        let mut d = days(jiff::civil::date(2026, 11, 1), &[9000.0, 9000.0]);
        d.insert(jiff::civil::date(2026, 11, 4), 9000.0);
        let p = daily_progress(steps(8000.0), &d, jiff::civil::date(2026, 11, 4));
        assert_eq!((p.streak, p.best_streak), (1, 2));
    }

    #[test]
    fn at_most_goals_are_met_below_the_target() {
        let goal = Goal::Custom {
            series: Series::Nutrition,
            per_day: 2000.0,
            direction: Direction::AtMost,
        }
        .daily()
        .unwrap();
        let today = jiff::civil::date(2026, 11, 22);
        let p = daily_progress(goal, &BTreeMap::from([(today, 2500.0)]), today);
        assert!(!p.achieved);
        assert_eq!(p.percent, 80.0);
    }

    #[test]
    fn weight_progress_either_way() {
        let losing = weight_progress(70.0, Some(80.0), Some(75.0));
        assert_eq!((losing.percent, losing.achieved), (50.0, false));
        let reached = weight_progress(70.0, Some(80.0), Some(69.5));
        assert_eq!((reached.percent, reached.achieved), (100.0, true));
        let gaining = weight_progress(60.0, Some(55.0), Some(54.0));
        assert_eq!((gaining.percent, gaining.achieved), (0.0, false));
        assert!(!weight_progress(60.0, None, None).achieved);
    }

    #[test]
    fn goals_outside_reason_are_refused() {
        assert!(Goal::Steps { per_day: 0.0 }.check().is_err());
        assert!(Goal::Sleep { hours: 30.0 }.check().is_err());
        assert!(
            Goal::Weight {
                target_kg: f64::NAN
            }
            .check()
            .is_err()
        );
        assert!(Goal::Steps { per_day: 8000.0 }.check().is_ok());
    }
}
