//! The live profile: the facts a conversation has established about its user, and the changes
//! that build it. A profile is never edited in place: it is the fold of its change events
//! ([`Profile::apply`]), so any past version can be rebuilt and a replay gives the same profile.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Age in decades, as people say it ("30대", "in my thirties").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Under20,
    #[serde(rename = "20s")]
    Twenties,
    #[serde(rename = "30s")]
    Thirties,
    #[serde(rename = "40s")]
    Forties,
    #[serde(rename = "50s")]
    Fifties,
    #[serde(rename = "60s")]
    Sixties,
    #[serde(rename = "70_plus")]
    SeventyPlus,
}

impl AgeBand {
    pub fn from_age(age: u32) -> Option<Self> {
        Some(match age {
            0..=9 | 120.. => return None,
            10..=19 => Self::Under20,
            20..=29 => Self::Twenties,
            30..=39 => Self::Thirties,
            40..=49 => Self::Forties,
            50..=59 => Self::Fifties,
            60..=69 => Self::Sixties,
            _ => Self::SeventyPlus,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    LoseWeight,
    GainMuscle,
    SleepBetter,
    ReduceStress,
    MoveMore,
    EatBetter,
    QuitSmoking,
    DrinkLess,
    RunRace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityLevel {
    Sedentary,
    Light,
    Moderate,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SleepQuality {
    Poor,
    Fair,
    Good,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Diet {
    Omnivore,
    Vegetarian,
    Vegan,
    Pescatarian,
    LowCarb,
    Halal,
}

/// Conditions a user said they live with. Self-reported, never a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Diabetes,
    Hypertension,
    HighCholesterol,
    Asthma,
    BackPain,
    KneePain,
    Insomnia,
    Depression,
    Anxiety,
    Pregnancy,
    HeartDisease,
}

/// How the user likes to be coached or to exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    MorningWorkouts,
    EveningWorkouts,
    HomeWorkouts,
    Outdoors,
    Walking,
    Running,
    Cycling,
    Swimming,
    Yoga,
    StrengthTraining,
    ShortAnswers,
    DetailedAnswers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ko,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ko => "ko",
            Self::En => "en",
        }
    }

    /// Korean when at least a fifth of the letters are Hangul (mixed messages are common).
    pub fn detect(text: &str) -> Option<Self> {
        let (mut hangul, mut latin) = (0usize, 0usize);
        for c in text.chars() {
            if ('\u{AC00}'..='\u{D7A3}').contains(&c) || ('\u{3131}'..='\u{318E}').contains(&c) {
                hangul += 1;
            } else if c.is_ascii_alphabetic() {
                latin += 1;
            }
        }
        if hangul + latin == 0 {
            None
        } else if hangul * 5 >= hangul + latin {
            Some(Self::Ko)
        } else {
            Some(Self::En)
        }
    }
}

/// One fact. Single-valued facts (age band, activity, sleep, diet, language, name) replace the
/// previous value; the others (goals, conditions, preferences) are sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Fact {
    AgeBand(AgeBand),
    ActivityLevel(ActivityLevel),
    /// Usual hours of sleep a night, 0 to 16.
    SleepHours(f64),
    SleepQuality(SleepQuality),
    Diet(Diet),
    Language(Language),
    /// What the user asked to be called; redacted before prompts leave for a provider.
    Name(String),
    Goal(Goal),
    Condition(Condition),
    Preference(Preference),
}

impl Fact {
    /// Why this fact cannot be stored, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            Self::SleepHours(h) if !(0.0..=16.0).contains(h) => Some("sleep_hours is 0 to 16"),
            Self::Name(n) if n.trim().is_empty() || n.chars().count() > 40 => {
                Some("a name is 1 to 40 characters")
            }
            _ => None,
        }
    }
}

/// A change to a profile: set a fact (for sets, add a member), or remove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    Set(Fact),
    Remove(Fact),
}

impl Change {
    /// The event type this change is stored under.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Set(_) => "fact_set",
            Self::Remove(_) => "fact_removed",
        }
    }

    /// Rebuilds a change from a stored event.
    pub fn from_event(event_type: &str, data: &serde_json::Value) -> Option<Self> {
        let fact: Fact = serde_json::from_value(data.clone()).ok()?;
        match event_type {
            "fact_set" => Some(Self::Set(fact)),
            "fact_removed" => Some(Self::Remove(fact)),
            _ => None,
        }
    }

    pub fn fact(&self) -> &Fact {
        match self {
            Self::Set(f) | Self::Remove(f) => f,
        }
    }
}

/// The profile of one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    pub age_band: Option<AgeBand>,
    pub activity_level: Option<ActivityLevel>,
    pub sleep_hours: Option<f64>,
    pub sleep_quality: Option<SleepQuality>,
    pub diet: Option<Diet>,
    pub language: Option<Language>,
    pub name: Option<String>,
    pub goals: BTreeSet<Goal>,
    pub conditions: BTreeSet<Condition>,
    pub preferences: BTreeSet<Preference>,
}

impl Profile {
    /// The profile after `change`.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Set(fact) => self.set(fact),
            Change::Remove(fact) => self.remove(fact),
        }
    }

    /// Whether `change` would alter this profile (steps record only real changes).
    pub fn would_change(&self, change: &Change) -> bool {
        let mut next = self.clone();
        next.apply(change);
        next != *self
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn set(&mut self, fact: &Fact) {
        match fact {
            Fact::AgeBand(v) => self.age_band = Some(*v),
            Fact::ActivityLevel(v) => self.activity_level = Some(*v),
            Fact::SleepHours(v) => self.sleep_hours = Some(*v),
            Fact::SleepQuality(v) => self.sleep_quality = Some(*v),
            Fact::Diet(v) => self.diet = Some(*v),
            Fact::Language(v) => self.language = Some(*v),
            Fact::Name(v) => self.name = Some(v.trim().to_owned()),
            Fact::Goal(v) => {
                self.goals.insert(*v);
            }
            Fact::Condition(v) => {
                self.conditions.insert(*v);
            }
            Fact::Preference(v) => {
                self.preferences.insert(*v);
            }
        }
    }

    /// Removing a single-valued fact clears it whatever its value; removing a set member
    /// removes that member.
    fn remove(&mut self, fact: &Fact) {
        match fact {
            Fact::AgeBand(_) => self.age_band = None,
            Fact::ActivityLevel(_) => self.activity_level = None,
            Fact::SleepHours(_) => self.sleep_hours = None,
            Fact::SleepQuality(_) => self.sleep_quality = None,
            Fact::Diet(_) => self.diet = None,
            Fact::Language(_) => self.language = None,
            Fact::Name(_) => self.name = None,
            Fact::Goal(v) => {
                self.goals.remove(v);
            }
            Fact::Condition(v) => {
                self.conditions.remove(v);
            }
            Fact::Preference(v) => {
                self.preferences.remove(v);
            }
        }
    }

    /// A one-line summary for a system prompt, without the name (which is personal data).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.age_band {
            parts.push(format!("age {}", label(v)));
        }
        if let Some(v) = &self.activity_level {
            parts.push(format!("activity {}", label(v)));
        }
        if let Some(h) = self.sleep_hours {
            parts.push(format!("sleeps about {h} h"));
        }
        if let Some(v) = &self.sleep_quality {
            parts.push(format!("sleep quality {}", label(v)));
        }
        if let Some(v) = &self.diet {
            parts.push(format!("diet {}", label(v)));
        }
        if !self.goals.is_empty() {
            parts.push(format!("goals {}", labels(&self.goals)));
        }
        if !self.conditions.is_empty() {
            parts.push(format!("conditions {}", labels(&self.conditions)));
        }
        if !self.preferences.is_empty() {
            parts.push(format!("prefers {}", labels(&self.preferences)));
        }
        parts.join("; ")
    }
}

/// The wire name of a vocabulary value (`lose_weight`).
pub fn label<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn labels<T: Serialize>(values: &BTreeSet<T>) -> String {
    values.iter().map(label).collect::<Vec<_>>().join(", ")
}

/// The profile made by `changes` in order.
pub fn fold<'a>(start: Profile, changes: impl IntoIterator<Item = &'a Change>) -> Profile {
    changes.into_iter().fold(start, |mut p, c| {
        p.apply(c);
        p
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_read_and_write_as_op_field_value() {
        let change = Change::Set(Fact::Diet(Diet::Vegan));
        let value = serde_json::to_value(&change).unwrap();
        assert_eq!(
            value,
            json!({"op": "set", "field": "diet", "value": "vegan"})
        );
        let back: Change = serde_json::from_value(
            json!({"op": "remove", "field": "goal", "value": "lose_weight"}),
        )
        .unwrap();
        assert_eq!(back, Change::Remove(Fact::Goal(Goal::LoseWeight)));
        let age: Change =
            serde_json::from_value(json!({"op": "set", "field": "age_band", "value": "30s"}))
                .unwrap();
        assert_eq!(age, Change::Set(Fact::AgeBand(AgeBand::Thirties)));
    }

    #[test]
    fn sets_accumulate_and_scalars_replace() {
        let p = fold(
            Profile::default(),
            &[
                Change::Set(Fact::Goal(Goal::LoseWeight)),
                Change::Set(Fact::Goal(Goal::SleepBetter)),
                Change::Set(Fact::Diet(Diet::Vegan)),
                Change::Set(Fact::Diet(Diet::Vegetarian)),
                Change::Remove(Fact::Goal(Goal::LoseWeight)),
            ],
        );
        assert_eq!(
            p.goals.iter().copied().collect::<Vec<_>>(),
            vec![Goal::SleepBetter]
        );
        assert_eq!(p.diet, Some(Diet::Vegetarian));
        assert!(!p.would_change(&Change::Set(Fact::Diet(Diet::Vegetarian))));
        assert!(p.summary().contains("diet vegetarian"));
    }

    #[test]
    fn languages_are_detected_from_the_letters() {
        assert_eq!(Language::detect("요즘 잠을 잘 못 자요"), Some(Language::Ko));
        assert_eq!(Language::detect("I can't sleep well"), Some(Language::En));
        assert_eq!(
            Language::detect("오늘 running 5km 했어요"),
            Some(Language::Ko)
        );
        assert_eq!(Language::detect("123"), None);
    }
}
