//! The seed's GraphQL types, filled from the service's views.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, SimpleObject};
use platform::time::Timestamp;

use super::{Caller, result};
use crate::catalog::{Detail, Kind, Series};
use crate::model::Record;
use crate::service::{self, GoalView, RecommendationView, Subject, Summary};

/// An instant, RFC 3339.
pub type DateTime = chrono::DateTime<chrono::Utc>;

pub fn date_time(t: Timestamp) -> DateTime {
    t.to_datetime()
}

#[derive(SimpleObject)]
pub struct UserProfile {
    pub username: String,
    pub display_name: Option<String>,
    pub time_zone: String,
    pub region: Option<String>,
}

/// A member whose health data the caller may read.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    /// The member's own e-mail; empty for anyone they shared with.
    pub email: String,
    pub profile: UserProfile,
    #[graphql(skip)]
    pub subject: Subject,
}

#[ComplexObject]
impl User {
    async fn health_data(&self, ctx: &Context<'_>) -> async_graphql::Result<HealthData> {
        let caller = ctx.data::<Caller>()?;
        let summary = result(service::summary(&caller.app, &caller.health, self.subject).await)?;
        Ok(HealthData::from(summary))
    }

    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
    ) -> async_graphql::Result<Vec<Recommendation>> {
        super::recommendations_of(ctx, self.subject, limit).await
    }
}

#[derive(SimpleObject)]
pub struct HealthData {
    pub vitals: VitalSigns,
    pub activities: Vec<Activity>,
    pub nutrition: NutritionData,
    pub sleep: SleepData,
    pub mood: MoodData,
}

impl From<Summary> for HealthData {
    fn from(s: Summary) -> Self {
        Self {
            vitals: VitalSigns::latest(&s.vitals),
            activities: s.workouts.iter().filter_map(Activity::of).collect(),
            nutrition: NutritionData {
                energy_kcal_today: s.energy_today,
                water_ml_today: s.water_today,
                meals: s.meals.iter().map(Meal::of).collect(),
            },
            sleep: SleepData {
                last_minutes: s.last_sleep.as_ref().and_then(|r| r.value),
                last_ended_at: s.last_sleep.as_ref().map(|r| date_time(r.end)),
                average_minutes_7_days: s.sleep_average,
            },
            mood: MoodData {
                latest_score: s.last_mood.as_ref().and_then(|r| r.value),
                latest_tags: s
                    .last_mood
                    .as_ref()
                    .and_then(|r| match &r.detail {
                        Some(Detail::Mood { tags }) => Some(tags.clone()),
                        _ => None,
                    })
                    .unwrap_or_default(),
                latest_note: s.last_mood.as_ref().and_then(|r| r.note.clone()),
                average_7_days: s.mood_average,
            },
        }
    }
}

/// The newest value of each vital sign, canonical units (bpm, mmHg, %, °C, mg/dL, kg).
#[derive(SimpleObject, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VitalSigns {
    pub heart_rate: Option<f64>,
    pub resting_heart_rate: Option<f64>,
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    pub oxygen_saturation: Option<f64>,
    pub body_temperature: Option<f64>,
    pub blood_glucose: Option<f64>,
    pub body_weight: Option<f64>,
    /// When the newest of these was measured.
    pub measured_at: Option<DateTime>,
}

impl VitalSigns {
    pub fn set(&mut self, series: Series, value: f64, at: Timestamp) {
        let slot = match series {
            Series::HeartRate => &mut self.heart_rate,
            Series::RestingHeartRate => &mut self.resting_heart_rate,
            Series::Systolic => &mut self.systolic,
            Series::Diastolic => &mut self.diastolic,
            Series::OxygenSaturation => &mut self.oxygen_saturation,
            Series::BodyTemperature => &mut self.body_temperature,
            Series::BloodGlucose => &mut self.blood_glucose,
            Series::BodyWeight => &mut self.body_weight,
            _ => return,
        };
        *slot = Some(value);
        let at = date_time(at);
        if self.measured_at.is_none_or(|m| m < at) {
            self.measured_at = Some(at);
        }
    }

    pub fn latest(records: &[Record]) -> Self {
        let mut v = Self::default();
        for r in records {
            if r.kind == Kind::BloodPressure {
                v.set(Series::Systolic, r.systolic.unwrap_or_default(), r.start);
                v.set(Series::Diastolic, r.diastolic.unwrap_or_default(), r.start);
            } else if let (Some(series), Some(value)) = (r.kind.series().first(), r.value) {
                v.set(*series, value, r.start);
            }
        }
        v
    }
}

/// Field names follow the GraphQL schema.
#[allow(clippy::struct_field_names)]
#[derive(SimpleObject)]
pub struct Activity {
    pub id: ID,
    /// e.g. `running`.
    pub activity: String,
    pub start: DateTime,
    pub end: DateTime,
    pub duration_minutes: f64,
    pub distance_meters: Option<f64>,
    pub energy_kcal: Option<f64>,
}

impl Activity {
    pub fn of(r: &Record) -> Option<Self> {
        let Some(Detail::Workout {
            activity,
            distance_m,
            energy_kcal,
        }) = &r.detail
        else {
            return None;
        };
        Some(Self {
            id: ID(r.id.to_string()),
            activity: activity.clone(),
            start: date_time(r.start),
            end: date_time(r.end),
            duration_minutes: r.value.unwrap_or_default(),
            distance_meters: *distance_m,
            energy_kcal: *energy_kcal,
        })
    }
}

/// Field names follow the GraphQL schema.
#[allow(clippy::struct_field_names)]
#[derive(SimpleObject)]
pub struct Meal {
    pub meal: Option<String>,
    pub energy_kcal: f64,
    pub protein_g: Option<f64>,
    pub carbs_g: Option<f64>,
    pub fat_g: Option<f64>,
    /// The description; its owner's eyes only.
    pub description: Option<String>,
    pub at: DateTime,
}

impl Meal {
    fn of(r: &Record) -> Self {
        let (meal, protein_g, carbs_g, fat_g) = match &r.detail {
            Some(Detail::Meal {
                meal,
                protein_g,
                carbs_g,
                fat_g,
            }) => (Some(meal.clone()), *protein_g, *carbs_g, *fat_g),
            _ => (None, None, None, None),
        };
        Self {
            meal,
            energy_kcal: r.value.unwrap_or_default(),
            protein_g,
            carbs_g,
            fat_g,
            description: r.note.clone(),
            at: date_time(r.start),
        }
    }
}

#[derive(SimpleObject)]
pub struct NutritionData {
    pub energy_kcal_today: f64,
    pub water_ml_today: f64,
    pub meals: Vec<Meal>,
}

#[derive(SimpleObject)]
pub struct SleepData {
    /// Minutes asleep in the newest session.
    pub last_minutes: Option<f64>,
    pub last_ended_at: Option<DateTime>,
    pub average_minutes_7_days: Option<f64>,
}

#[derive(SimpleObject)]
pub struct MoodData {
    /// 1 to 5.
    pub latest_score: Option<f64>,
    pub latest_tags: Vec<String>,
    /// Its owner's eyes only.
    pub latest_note: Option<String>,
    pub average_7_days: Option<f64>,
}

/// The seed's `RecommendationType`.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RecommendationType {
    Activity,
    Sleep,
    Heart,
    Hydration,
    Mood,
    Goal,
}

#[derive(SimpleObject)]
pub struct Evidence {
    pub about: String,
    pub window: String,
    pub value: f64,
    pub unit: String,
}

#[derive(SimpleObject)]
pub struct Recommendation {
    pub id: ID,
    #[graphql(name = "type")]
    pub kind_type: RecommendationType,
    /// The rule that made it (dismissing one hides its kind).
    pub kind: String,
    pub title: String,
    pub description: String,
    pub confidence: f64,
    pub because: Vec<Evidence>,
    pub created_at: DateTime,
}

impl From<RecommendationView> for Recommendation {
    fn from(v: RecommendationView) -> Self {
        use crate::insights::Area;
        let r = v.recommendation;
        Self {
            id: ID(v.id),
            kind_type: match r.area {
                Area::Activity => RecommendationType::Activity,
                Area::Sleep => RecommendationType::Sleep,
                Area::Heart => RecommendationType::Heart,
                Area::Hydration => RecommendationType::Hydration,
                Area::Mood => RecommendationType::Mood,
                Area::Goal => RecommendationType::Goal,
            },
            kind: r.kind.as_str().to_owned(),
            title: r.title,
            description: r.description,
            confidence: r.confidence,
            because: r
                .because
                .into_iter()
                .map(|e| Evidence {
                    about: e.about,
                    window: e.window.to_owned(),
                    value: e.value,
                    unit: e.unit.to_owned(),
                })
                .collect(),
            created_at: date_time(v.created_at),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum TimeRange {
    Week,
    Month,
    Quarter,
}

#[derive(SimpleObject)]
pub struct Insight {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub metric: Option<String>,
    pub recent_average: Option<f64>,
    pub baseline_average: Option<f64>,
    pub change_percent: Option<f64>,
    /// `up`, `down` or `steady`.
    pub direction: Option<String>,
}

impl From<crate::insights::Insight> for Insight {
    fn from(i: crate::insights::Insight) -> Self {
        let text = |v: serde_json::Value| v.as_str().map(str::to_owned);
        Self {
            kind: text(serde_json::json!(i.kind)).unwrap_or_default(),
            title: i.title,
            description: i.description,
            metric: i.series.map(|s| s.as_str().to_owned()),
            recent_average: i.recent.map(|w| w.average),
            baseline_average: i.baseline.map(|w| w.average),
            change_percent: i.change_percent,
            direction: i.direction.and_then(|d| text(serde_json::json!(d))),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum GoalKind {
    Steps,
    Sleep,
    Weight,
    Custom,
}

#[derive(InputObject)]
pub struct GoalInput {
    pub kind: GoalKind,
    /// Steps a day, hours of sleep, kilograms, or the custom series' daily value.
    pub target: f64,
    /// For custom goals: the series, e.g. `water`.
    pub series: Option<String>,
    /// For custom goals: at most the target instead of at least.
    #[graphql(default)]
    pub at_most: bool,
}

#[derive(SimpleObject)]
pub struct GoalProgress {
    pub current: Option<f64>,
    pub target: f64,
    pub unit: String,
    pub percent: f64,
    pub achieved: bool,
    pub streak: u32,
    pub best_streak: u32,
}

#[derive(SimpleObject)]
pub struct Goal {
    pub id: ID,
    pub title: String,
    pub created_at: DateTime,
    pub progress: GoalProgress,
}

impl From<GoalView> for Goal {
    fn from(g: GoalView) -> Self {
        let p = g.progress;
        Self {
            id: ID(g.id.to_string()),
            title: g.title,
            created_at: date_time(g.created_at),
            progress: GoalProgress {
                current: p.current,
                target: p.target,
                unit: p.unit.to_owned(),
                percent: p.percent,
                achieved: p.achieved,
                streak: p.streak,
                best_streak: p.best_streak,
            },
        }
    }
}

/// New measurements, each stored as its own record; `clientId` makes a retry harmless.
#[derive(InputObject)]
pub struct HealthDataInput {
    pub client_id: String,
    pub measured_at: DateTime,
    pub heart_rate: Option<f64>,
    pub resting_heart_rate: Option<f64>,
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    pub oxygen_saturation: Option<f64>,
    pub body_temperature: Option<f64>,
    pub blood_glucose: Option<f64>,
    pub body_weight: Option<f64>,
    /// 1 to 5.
    pub mood: Option<f64>,
    pub water_ml: Option<f64>,
}

#[derive(InputObject)]
pub struct ActivityInput {
    pub client_id: String,
    /// e.g. `running`.
    pub activity: String,
    pub start: DateTime,
    pub end: DateTime,
    pub distance_meters: Option<f64>,
    pub energy_kcal: Option<f64>,
}

#[derive(SimpleObject, Clone, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct HealthAlert {
    pub id: ID,
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub series: String,
    pub message: String,
    pub value: f64,
    pub observed_at: DateTime,
}
