//! Insights (how the last week compares with the weeks before it) and recommendations drawn
//! from them by plain rules, each naming the data that triggered it.
//!
//! Pure: [`Input`] carries a member's values per local day; the windows are the 7 complete
//! days before today ("recent") and the 28 days before those ("baseline"), so a change is
//! never diluted by the days it is compared with.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::Series;
use crate::goals::Progress;

mod recommend;

pub use recommend::{Area, Evidence, Recommendation, RecommendationKind, recommend};

/// Series whose trends are shown.
pub const TREND_SERIES: [Series; 7] = [
    Series::Steps,
    Series::RestingHeartRate,
    Series::Sleep,
    Series::Mood,
    Series::BodyWeight,
    Series::Water,
    Series::ActiveEnergy,
];

/// Days in the recent window and in the baseline before it.
pub const RECENT_DAYS: i64 = 7;
pub const BASELINE_DAYS: i64 = 28;

/// How far back insights look: the recent window, compared with the four before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Week,
    Month,
    Quarter,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Week, Period::Month, Period::Quarter];

    /// Days in the recent window; the baseline is the four times as many days before it.
    pub fn days(self) -> i64 {
        match self {
            Period::Week => RECENT_DAYS,
            Period::Month => 30,
            Period::Quarter => 90,
        }
    }

    /// Days of data the period needs, today included.
    pub fn history(self) -> i64 {
        self.days() * 5 + 1
    }
}

/// Fewest days with data for a window's average to mean anything.
const MIN_RECENT: usize = 4;
const MIN_BASELINE: usize = 10;

/// What the rules look at.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub today: Option<Date>,
    /// The value of each series per local day: totals for additive series, else averages.
    pub daily: BTreeMap<Series, BTreeMap<Date, f64>>,
    /// When the member went to bed on recent nights, in minutes after local midnight.
    pub bedtimes: Vec<f64>,
    /// Daily goals with their titles and progress.
    pub goals: Vec<(String, Progress)>,
}

/// The average of a window, with how many days had data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Window {
    pub average: f64,
    pub days: usize,
}

/// Which way a series went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Steady,
}

/// What an insight is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// The last 7 days against the 28 before them.
    Trend,
    /// How much bedtimes wandered over the last nights.
    SleepRegularity,
    /// How often a goal was met over the last 7 days.
    GoalAttainment,
}

/// One observation about the member's data.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Insight {
    pub kind: InsightKind,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

fn day_offset(today: Date, back: i64) -> Option<Date> {
    today.checked_sub(jiff::Span::new().days(back)).ok()
}

impl Input {
    /// The average of `series` over the `len` days ending `end_back` days before today.
    fn window(&self, series: Series, end_back: i64, len: i64) -> Option<Window> {
        let today = self.today?;
        let last = day_offset(today, end_back)?;
        let first = day_offset(today, end_back + len - 1)?;
        let values: Vec<f64> = self
            .daily
            .get(&series)?
            .range(first..=last)
            .map(|(_, v)| *v)
            .collect();
        if values.is_empty() {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let average = values.iter().sum::<f64>() / values.len() as f64;
        Some(Window {
            average,
            days: values.len(),
        })
    }

    fn recent(&self, series: Series) -> Option<Window> {
        self.recent_over(series, Period::Week)
    }

    fn baseline(&self, series: Series) -> Option<Window> {
        self.baseline_over(series, Period::Week)
    }

    fn recent_over(&self, series: Series, period: Period) -> Option<Window> {
        self.window(series, 1, period.days())
            .filter(|w| w.days >= MIN_RECENT)
    }

    fn baseline_over(&self, series: Series, period: Period) -> Option<Window> {
        self.window(series, 1 + period.days(), 4 * period.days())
            .filter(|w| w.days >= MIN_BASELINE)
    }

    /// Standard deviation of bedtimes in minutes, measured around noon so that 23:30 and
    /// 00:30 are an hour apart.
    fn bedtime_spread(&self) -> Option<f64> {
        if self.bedtimes.len() < MIN_RECENT {
            return None;
        }
        let shifted: Vec<f64> = self
            .bedtimes
            .iter()
            .map(|m| (m + 12.0 * 60.0).rem_euclid(24.0 * 60.0))
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let n = shifted.len() as f64;
        let mean = shifted.iter().sum::<f64>() / n;
        Some((shifted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt())
    }
}

fn label(series: Series) -> String {
    series.as_str().replace('_', " ")
}

/// How a series is shown: sleep in hours, the rest in its canonical unit.
fn shown(series: Series, value: f64) -> (f64, &'static str) {
    match series {
        Series::Sleep => (value / 60.0, "h"),
        _ => (value, series.kind().unit()),
    }
}

/// Trends over `period`, sleep regularity and goal attainment, for whatever has enough data.
pub fn insights(input: &Input, period: Period) -> Vec<Insight> {
    let mut out = Vec::new();
    let days = period.days();
    for series in TREND_SERIES {
        let Some(recent) = input.recent_over(series, period) else {
            continue;
        };
        let baseline = input.baseline_over(series, period);
        let change_percent = baseline
            .filter(|b| b.average.abs() > f64::EPSILON)
            .map(|b| (recent.average - b.average) / b.average * 100.0);
        let direction = change_percent.map(|c| {
            if c >= 5.0 {
                Direction::Up
            } else if c <= -5.0 {
                Direction::Down
            } else {
                Direction::Steady
            }
        });
        let (value, unit) = shown(series, recent.average);
        let description = match (change_percent, baseline) {
            (Some(c), Some(b)) => {
                let (before, _) = shown(series, b.average);
                format!(
                    "Your {} averaged {value:.1} {unit} a day over the last {days} days, {:.0}% {} than the {before:.1} {unit} of the {} days before.",
                    label(series),
                    c.abs(),
                    if c >= 0.0 { "more" } else { "less" },
                    4 * days
                )
            }
            _ => format!(
                "Your {} averaged {value:.1} {unit} a day over the last {days} days.",
                label(series)
            ),
        };
        out.push(Insight {
            kind: InsightKind::Trend,
            title: format!("{} over the last {days} days", capitalised(&label(series))),
            description,
            series: Some(series),
            recent: Some(recent),
            baseline,
            change_percent,
            direction,
        });
    }
    if let Some(spread) = input.bedtime_spread() {
        out.push(Insight {
            kind: InsightKind::SleepRegularity,
            title: "Bedtime regularity".to_owned(),
            description: format!(
                "Over the last {} nights your bedtime varied by about {spread:.0} minutes.",
                input.bedtimes.len()
            ),
            series: Some(Series::Sleep),
            recent: None,
            baseline: None,
            change_percent: None,
            direction: None,
        });
    }
    for (title, p) in &input.goals {
        out.push(Insight {
            kind: InsightKind::GoalAttainment,
            title: format!("Goal: {title}"),
            description: format!(
                "Met on {} of the last 7 days; current streak {} days.",
                p.met_last_7_days, p.streak
            ),
            series: None,
            recent: None,
            baseline: None,
            change_percent: None,
            direction: None,
        });
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp, clippy::unwrap_used)]

    use super::*;

    const TODAY: Date = jiff::civil::date(2026, 11, 22);

    /// `recent` for the 7 days before today, `baseline` for the 28 before those.
    fn series(baseline: f64, recent: f64) -> BTreeMap<Date, f64> {
        (1..=35)
            .map(|back| {
                let d = day_offset(TODAY, back).unwrap();
                (d, if back <= 7 { recent } else { baseline })
            })
            .collect()
    }

    fn input(pairs: &[(Series, f64, f64)]) -> Input {
        Input {
            today: Some(TODAY),
            daily: pairs.iter().map(|(s, b, r)| (*s, series(*b, *r))).collect(),
            ..Input::default()
        }
    }

    fn kinds(input: &Input) -> Vec<RecommendationKind> {
        recommend(input, &[]).into_iter().map(|r| r.kind).collect()
    }

    #[test]
    fn a_healthy_steady_week_recommends_nothing() {
        let i = input(&[
            (Series::Steps, 9000.0, 9100.0),
            (Series::RestingHeartRate, 58.0, 58.5),
            (Series::Sleep, 450.0, 440.0),
            (Series::Mood, 4.0, 4.0),
            (Series::Water, 2000.0, 1950.0),
        ]);
        assert!(kinds(&i).is_empty());
        let trends = insights(&i, Period::Week);
        assert_eq!(trends.len(), 5);
        assert!(
            trends
                .iter()
                .all(|t| t.direction == Some(Direction::Steady))
        );
    }

    #[test]
    fn each_rule_names_its_evidence() {
        let mut i = input(&[
            (Series::Steps, 9000.0, 4000.0),
            (Series::RestingHeartRate, 58.0, 66.0),
            (Series::Sleep, 420.0, 330.0),
            (Series::Mood, 4.0, 2.0),
            (Series::Water, 2000.0, 800.0),
        ]);
        i.bedtimes = vec![
            22.0 * 60.0,
            1.5 * 60.0,
            23.0 * 60.0,
            2.5 * 60.0,
            21.5 * 60.0,
        ];
        let got = recommend(&i, &[]);
        let mut names: Vec<_> = got.iter().map(|r| r.kind).collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                RecommendationKind::StepsDeclining,
                RecommendationKind::LowActivity,
                RecommendationKind::RestingHeartRateRising,
                RecommendationKind::ShortSleep,
                RecommendationKind::IrregularSleep,
                RecommendationKind::LowMood,
                RecommendationKind::LowHydration,
            ]
        );
        assert!(got.iter().all(|r| !r.because.is_empty()));
        assert!(got.iter().all(|r| (0.0..=1.0).contains(&r.confidence)));
        let steps = got
            .iter()
            .find(|r| r.kind == RecommendationKind::StepsDeclining)
            .unwrap();
        assert_eq!(steps.because[0].value, 4000.0);
        assert_eq!(steps.because[1].value, 9000.0);
        let sleep = got
            .iter()
            .find(|r| r.kind == RecommendationKind::ShortSleep)
            .unwrap();
        assert_eq!((sleep.because[0].value, sleep.because[0].unit), (5.5, "h"));
    }

    #[test]
    fn dismissed_kinds_are_left_out() {
        let i = input(&[(Series::Steps, 9000.0, 4000.0)]);
        let left = kinds(&i);
        assert!(left.contains(&RecommendationKind::StepsDeclining));
        let filtered: Vec<_> = recommend(&i, &[RecommendationKind::StepsDeclining])
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(filtered, vec![RecommendationKind::LowActivity]);
    }

    #[test]
    fn too_little_data_says_nothing() {
        let mut i = input(&[]);
        i.daily.insert(
            Series::Steps,
            BTreeMap::from([(day_offset(TODAY, 1).unwrap(), 100.0)]),
        );
        assert!(kinds(&i).is_empty());
        assert!(insights(&i, Period::Week).is_empty());
    }

    #[test]
    fn bedtimes_around_midnight_are_close() {
        let i = Input {
            bedtimes: vec![23.5 * 60.0, 0.5 * 60.0, 23.5 * 60.0, 0.5 * 60.0],
            ..Input::default()
        };
        assert_eq!(i.bedtime_spread(), Some(30.0));
    }
}
