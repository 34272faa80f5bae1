//! Recommendations: plain rules over [`Input`], each naming the data that triggered it, with a
//! confidence from how clear the signal is and how much data backs it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Input, RECENT_DAYS, Window, label, shown};
use crate::catalog::Series;

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

fn evidence(series: Series, window: &'static str, value: f64) -> Evidence {
    let (value, unit) = shown(series, value);
    Evidence {
        about: label(series),
        window,
        value: (value * 10.0).round() / 10.0,
        unit,
    }
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
