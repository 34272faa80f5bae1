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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Week,
    Month,
    Quarter,
}

impl Period {
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

/// The seed's `RecommendationType`: the area a recommendation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Activity,
    Sleep,
    Heart,
    Hydration,
    Mood,
    Goal,
}

/// Which rule made a recommendation; a member who dismisses one kind stops seeing it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    StepsDeclining,
    LowActivity,
    RestingHeartRateRising,
    ShortSleep,
    IrregularSleep,
    LowMood,
    LowHydration,
    GoalBehind,
    GoalStreak,
}

impl RecommendationKind {
    pub const ALL: [RecommendationKind; 9] = [
        RecommendationKind::StepsDeclining,
        RecommendationKind::LowActivity,
        RecommendationKind::RestingHeartRateRising,
        RecommendationKind::ShortSleep,
        RecommendationKind::IrregularSleep,
        RecommendationKind::LowMood,
        RecommendationKind::LowHydration,
        RecommendationKind::GoalBehind,
        RecommendationKind::GoalStreak,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationKind::StepsDeclining => "steps_declining",
            RecommendationKind::LowActivity => "low_activity",
            RecommendationKind::RestingHeartRateRising => "resting_heart_rate_rising",
            RecommendationKind::ShortSleep => "short_sleep",
            RecommendationKind::IrregularSleep => "irregular_sleep",
            RecommendationKind::LowMood => "low_mood",
            RecommendationKind::LowHydration => "low_hydration",
            RecommendationKind::GoalBehind => "goal_behind",
            RecommendationKind::GoalStreak => "goal_streak",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn area(self) -> Area {
        match self {
            RecommendationKind::StepsDeclining | RecommendationKind::LowActivity => Area::Activity,
            RecommendationKind::RestingHeartRateRising => Area::Heart,
            RecommendationKind::ShortSleep | RecommendationKind::IrregularSleep => Area::Sleep,
            RecommendationKind::LowMood => Area::Mood,
            RecommendationKind::LowHydration => Area::Hydration,
            RecommendationKind::GoalBehind | RecommendationKind::GoalStreak => Area::Goal,
        }
    }
}

/// A fact a recommendation rests on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Evidence {
    /// The series, or the goal's title.
    pub about: String,
    /// Which window: `last 7 days`, `previous 28 days`, `last 7 nights`.
    pub window: &'static str,
    pub value: f64,
    pub unit: &'static str,
}

/// Something the member could try, with why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Recommendation {
    pub kind: RecommendationKind,
    #[serde(rename = "type")]
    pub area: Area,
    pub title: String,
    pub description: String,
    /// 0 to 1: how sure the rule is, from how clear the signal is and how much data backs it.
    pub confidence: f64,
    pub because: Vec<Evidence>,
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

fn evidence(series: Series, window: &'static str, value: f64) -> Evidence {
    let (value, unit) = shown(series, value);
    Evidence {
        about: label(series),
        window,
        value: (value * 10.0).round() / 10.0,
        unit,
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

/// How much data backs a window: full confidence from 7 days on.
#[allow(clippy::cast_precision_loss)]
fn coverage(w: Window) -> f64 {
    (w.days as f64 / RECENT_DAYS as f64).min(1.0)
}

fn confidence(strength: f64, w: Window) -> f64 {
    ((0.5 + 0.45 * strength.clamp(0.0, 1.0)) * coverage(w) * 100.0).round() / 100.0
}

const RECENT: &str = "last 7 days";
const BASELINE: &str = "previous 28 days";

fn recommendation(
    kind: RecommendationKind,
    title: String,
    description: String,
    confidence: f64,
    because: Vec<Evidence>,
) -> Recommendation {
    Recommendation {
        kind,
        area: kind.area(),
        title,
        description,
        confidence,
        because,
    }
}

/// Recommendations the rules draw from `input`, most confident first, leaving out the kinds in
/// `dismissed`.
pub fn recommend(input: &Input, dismissed: &[RecommendationKind]) -> Vec<Recommendation> {
    let mut out = activity(input);
    out.extend(heart(input));
    out.extend(sleep(input));
    out.extend(mood_and_water(input));
    out.extend(goals(input));
    out.retain(|r| !dismissed.contains(&r.kind));
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    out
}

fn activity(input: &Input) -> Vec<Recommendation> {
    let mut out = Vec::new();
    let Some(recent) = input.recent(Series::Steps) else {
        return out;
    };
    if let Some(b) = input
        .baseline(Series::Steps)
        .filter(|b| b.average >= 3000.0 && recent.average < 0.8 * b.average)
    {
        let drop = 1.0 - recent.average / b.average;
        out.push(recommendation(
            RecommendationKind::StepsDeclining,
            "Your steps are down this week".to_owned(),
            format!(
                "You walked {:.0}% less than usual. A short walk after meals is an easy way back to your usual {:.0} steps.",
                drop * 100.0,
                b.average
            ),
            confidence(drop * 2.0, recent),
            vec![
                evidence(Series::Steps, RECENT, recent.average),
                evidence(Series::Steps, BASELINE, b.average),
            ],
        ));
    }
    if recent.average < 5000.0 {
        out.push(recommendation(
            RecommendationKind::LowActivity,
            "Move a little more each day".to_owned(),
            "You averaged under 5,000 steps a day. Adding 1,000 steps a day (about 10 minutes of walking) is a good first step.".to_owned(),
            confidence(1.0 - recent.average / 5000.0 + 0.2, recent),
            vec![evidence(Series::Steps, RECENT, recent.average)],
        ));
    }
    out
}

fn heart(input: &Input) -> Option<Recommendation> {
    let recent = input.recent(Series::RestingHeartRate)?;
    let b = input.baseline(Series::RestingHeartRate)?;
    (recent.average >= b.average + 5.0).then(|| {
        recommendation(
            RecommendationKind::RestingHeartRateRising,
            "Your resting heart rate is up".to_owned(),
            format!(
                "It rose {:.0} bpm above your usual. Stress, short sleep, illness or hard training can all do this; consider an easier few days, and see a clinician if it persists.",
                recent.average - b.average
            ),
            confidence((recent.average - b.average) / 10.0, recent),
            vec![
                evidence(Series::RestingHeartRate, RECENT, recent.average),
                evidence(Series::RestingHeartRate, BASELINE, b.average),
            ],
        )
    })
}

fn sleep(input: &Input) -> Vec<Recommendation> {
    let mut out = Vec::new();
    if let Some(recent) = input.recent(Series::Sleep)
        && recent.average < 7.0 * 60.0
    {
        out.push(recommendation(
            RecommendationKind::ShortSleep,
            "Aim for 7 hours of sleep".to_owned(),
            format!(
                "You slept {:.1} hours a night on average. Adults do best with 7 to 9; try moving bedtime 30 minutes earlier.",
                recent.average / 60.0
            ),
            confidence((7.0 * 60.0 - recent.average) / 90.0, recent),
            vec![evidence(Series::Sleep, RECENT, recent.average)],
        ));
    }
    if let Some(spread) = input.bedtime_spread()
        && spread > 60.0
    {
        let nights = Window {
            average: spread,
            days: input.bedtimes.len(),
        };
        out.push(recommendation(
            RecommendationKind::IrregularSleep,
            "Keep a steadier bedtime".to_owned(),
            format!(
                "Your bedtime varied by about {spread:.0} minutes. Going to bed within the same half hour each night helps sleep quality."
            ),
            confidence((spread - 60.0) / 60.0, nights),
            vec![Evidence {
                about: "bedtime spread".to_owned(),
                window: "last 7 nights",
                value: spread.round(),
                unit: "min",
            }],
        ));
    }
    out
}

fn mood_and_water(input: &Input) -> Vec<Recommendation> {
    let mut out = Vec::new();
    if let Some(recent) = input
        .window(Series::Mood, 1, RECENT_DAYS)
        .filter(|w| w.days >= 3)
        && recent.average <= 2.5
    {
        out.push(recommendation(
            RecommendationKind::LowMood,
            "A harder week".to_owned(),
            "Your mood has been low. Time outdoors, movement and talking with someone you trust can help; if it lasts, reach out to a professional.".to_owned(),
            confidence((3.0 - recent.average) / 2.0, recent),
            vec![evidence(Series::Mood, RECENT, recent.average)],
        ));
    }
    if let Some(recent) = input.recent(Series::Water)
        && recent.average < 1500.0
    {
        out.push(recommendation(
            RecommendationKind::LowHydration,
            "Drink a little more water".to_owned(),
            format!(
                "You logged {:.1} L a day. Keeping a bottle in sight is a simple way to reach 1.5 to 2 L.",
                recent.average / 1000.0
            ),
            confidence((1500.0 - recent.average) / 1000.0, recent),
            vec![evidence(Series::Water, RECENT, recent.average)],
        ));
    }
    out
}

fn goals(input: &Input) -> Vec<Recommendation> {
    let mut out = Vec::new();
    for (title, p) in &input.goals {
        let week = Window {
            average: f64::from(p.met_last_7_days),
            days: 7,
        };
        let because = vec![Evidence {
            about: title.clone(),
            window: RECENT,
            value: f64::from(p.met_last_7_days),
            unit: "days met",
        }];
        if p.met_last_7_days < 3 {
            out.push(recommendation(
                RecommendationKind::GoalBehind,
                format!("Your goal “{title}” is slipping"),
                format!(
                    "You met it on {} of the last 7 days. A smaller target you can meet daily builds the habit; raise it again later.",
                    p.met_last_7_days
                ),
                confidence(f64::from(3 - p.met_last_7_days) / 3.0, week),
                because,
            ));
        } else if p.streak >= 7 {
            out.push(recommendation(
                RecommendationKind::GoalStreak,
                format!("{} days in a row: “{title}”", p.streak),
                "You are on a streak. Share it with your friends, or raise the target a little."
                    .to_owned(),
                confidence(f64::from(p.streak) / 14.0, week),
                because,
            ));
        }
    }
    out
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
