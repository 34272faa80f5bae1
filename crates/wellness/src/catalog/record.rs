//! A record as a client sends it, and [`measure`], which checks it against its kind.

use std::time::Duration;

use platform::FieldError;
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Kind;

/// Where a record came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The device that measured it, e.g. "Apple Watch".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The app that sent it, e.g. "Health".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// One sleep stage within a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// `awake`, `light`, `deep`, `rem` or `asleep` (unspecified sleep).
    pub stage: String,
    pub start: String,
    pub end: String,
}

/// A record as a client sends it. Which fields apply depends on `type`; the canonical unit of
/// each type is in docs/API.md, other units listed there are converted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// The client's own id for this record (≤ 128 characters): sending it again is a no-op.
    pub client_id: String,
    /// `heart_rate`, `resting_heart_rate`, `blood_pressure`, `oxygen_saturation`,
    /// `body_temperature`, `blood_glucose`, `body_weight`, `steps`, `distance`,
    /// `active_energy`, `workout`, `sleep`, `mood`, `nutrition` or `water`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value (mood: the score 1–5; nutrition: kcal). Workouts and sleep derive theirs.
    pub value: Option<f64>,
    /// UCUM unit of `value` (or of `systolic`/`diastolic`); the canonical one when absent.
    pub unit: Option<String>,
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    /// RFC 3339 with offset, e.g. `2026-11-22T07:30:00+09:00`.
    pub start: String,
    /// RFC 3339 with offset; the same as `start` when absent.
    pub end: Option<String>,
    pub source: Option<Source>,
    /// Free text (a mood note, a meal's description): stored encrypted.
    pub note: Option<String>,
    /// Mood tags.
    pub tags: Option<Vec<String>>,
    /// Sleep stages.
    pub stages: Option<Vec<StageInput>>,
    /// Workout activity, e.g. `running`.
    pub activity: Option<String>,
    pub distance_m: Option<f64>,
    pub energy_kcal: Option<f64>,
    /// Meal: `breakfast`, `lunch`, `dinner` or `snack`.
    pub meal: Option<String>,
    pub protein_g: Option<f64>,
    pub carbs_g: Option<f64>,
    pub fat_g: Option<f64>,
}

/// A sleep stage, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Awake,
    Light,
    Deep,
    Rem,
    Asleep,
}

impl Stage {
    fn parse(s: &str) -> Option<Stage> {
        Some(match s {
            "awake" => Stage::Awake,
            "light" | "core" => Stage::Light,
            "deep" => Stage::Deep,
            "rem" => Stage::Rem,
            "asleep" => Stage::Asleep,
            _ => return None,
        })
    }
}

/// A checked sleep stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SleepStage {
    pub stage: Stage,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The kind-specific part of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "detail", rename_all = "snake_case")]
pub enum Detail {
    Sleep {
        stages: Vec<SleepStage>,
    },
    Workout {
        activity: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        distance_m: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        energy_kcal: Option<f64>,
    },
    Mood {
        tags: Vec<String>,
    },
    Meal {
        meal: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        protein_g: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carbs_g: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fat_g: Option<f64>,
    },
}

/// A checked record, values in canonical units.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub client_id: String,
    pub kind: Kind,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The offset the client wrote `start` with, in minutes east of UTC.
    pub utc_offset: i32,
    pub value: f64,
    /// Diastolic pressure for blood pressure.
    pub value2: Option<f64>,
    pub detail: Option<Detail>,
    pub note: Option<String>,
    pub source: Source,
}

impl Measurement {
    /// The instant rollups file the record under: its start, except a night's sleep, which
    /// belongs to the morning it ends.
    pub fn at(&self) -> Timestamp {
        if self.kind == Kind::Sleep {
            self.end
        } else {
            self.start
        }
    }
}

const MAX_CLIENT_ID: usize = 128;
const MAX_NOTE: usize = 2000;
const MAX_LABEL: usize = 40;
const MAX_TAGS: usize = 10;
/// How far ahead of the server's clock a record may be (clock skew between devices).
const FUTURE_SLACK: Duration = Duration::from_secs(10 * 60);

type Checked<T> = Result<T, FieldError>;

fn bad(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

/// Parses an RFC 3339 instant with its offset (minutes east of UTC).
pub fn parse_instant(field: &str, text: &str) -> Checked<(Timestamp, i32)> {
    let t = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        bad(
            field,
            "must be an RFC 3339 time with offset, e.g. 2026-11-22T07:30:00+09:00",
        )
    })?;
    let micros = t.timestamp_micros();
    if micros < 0 {
        return Err(bad(field, "must be after 1970"));
    }
    Ok((
        Timestamp::from_micros(micros),
        t.offset().local_minus_utc() / 60,
    ))
}

fn in_range(field: &str, kind: Kind, v: f64) -> Checked<f64> {
    let (lo, hi) = kind.range();
    if !v.is_finite() || v < lo || v > hi {
        return Err(bad(
            field,
            format!(
                "{v} {} is not a possible {}: expected {lo}..={hi}",
                kind.unit(),
                kind.as_str()
            ),
        ));
    }
    Ok(v)
}

fn non_negative(field: &str, v: Option<f64>, max: f64) -> Checked<Option<f64>> {
    match v {
        Some(v) if !v.is_finite() || !(0.0..=max).contains(&v) => {
            Err(bad(field, format!("must be between 0 and {max}")))
        }
        v => Ok(v),
    }
}

fn label(field: &str, text: &str) -> Checked<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_LABEL {
        return Err(bad(field, format!("must be 1 to {MAX_LABEL} characters")));
    }
    Ok(text.to_owned())
}

/// The factor and shift that bring `unit` to the kind's canonical unit.
fn conversion(kind: Kind, unit: Option<&str>) -> Checked<(f64, f64)> {
    let Some(code) = unit else {
        return Ok((1.0, 0.0));
    };
    kind.units()
        .iter()
        .find(|u| u.code == code)
        .map(|u| (u.scale, u.shift))
        .ok_or_else(|| {
            let accepted: Vec<&str> = kind.units().iter().map(|u| u.code).collect();
            bad(
                "unit",
                format!("{} takes UCUM units {}", kind.as_str(), accepted.join(", ")),
            )
        })
}

/// Checks one client record; the error names the field at fault.
pub fn measure(input: RecordInput, now: Timestamp) -> Checked<Measurement> {
    let client_id = input.client_id.trim().to_owned();
    if client_id.is_empty() || client_id.len() > MAX_CLIENT_ID {
        return Err(bad(
            "client_id",
            format!("must be 1 to {MAX_CLIENT_ID} bytes"),
        ));
    }
    let kind = Kind::parse(&input.kind)
        .ok_or_else(|| bad("type", format!("unknown record type `{}`", input.kind)))?;
    let (start, utc_offset) = parse_instant("start", &input.start)?;
    let end = match &input.end {
        Some(text) => parse_instant("end", text)?.0,
        None => start,
    };
    if end < start {
        return Err(bad("end", "must not be before start"));
    }
    if start.until(end) > kind.longest() {
        return Err(bad(
            "end",
            format!(
                "a {} record spans at most {} hours",
                kind.as_str(),
                kind.longest().as_secs() / 3600
            ),
        ));
    }
    if end > now.plus(FUTURE_SLACK) {
        return Err(bad(
            if input.end.is_some() { "end" } else { "start" },
            "is in the future",
        ));
    }
    let note = match input.note.as_deref().map(str::trim) {
        Some(n) if n.chars().count() > MAX_NOTE => {
            return Err(bad("note", format!("at most {MAX_NOTE} characters")));
        }
        Some("") | None => None,
        Some(n) => Some(n.to_owned()),
    };
    let (scale, shift) = conversion(kind, input.unit.as_deref())?;
    let convert = |v: f64| v * scale + shift;
    let value_in = |name: &str, v: Option<f64>| -> Checked<f64> {
        let v = v.ok_or_else(|| bad(name, format!("required for {}", kind.as_str())))?;
        in_range(name, kind, convert(v))
    };
    let minutes = start.until(end).as_secs_f64() / 60.0;
    let (value, value2, detail) = match kind {
        Kind::BloodPressure => {
            let systolic = value_in("systolic", input.systolic)?;
            let diastolic = value_in("diastolic", input.diastolic)?;
            if systolic <= diastolic {
                return Err(bad("systolic", "must be above diastolic"));
            }
            (systolic, Some(diastolic), None)
        }
        Kind::Workout => {
            let activity = label("activity", input.activity.as_deref().unwrap_or_default())?;
            let detail = Detail::Workout {
                activity,
                distance_m: non_negative("distance_m", input.distance_m, 1_000_000.0)?,
                energy_kcal: non_negative("energy_kcal", input.energy_kcal, 20_000.0)?,
            };
            (in_range("end", kind, minutes)?, None, Some(detail))
        }
        Kind::Sleep => {
            let stages = sleep_stages(input.stages.unwrap_or_default(), start, end)?;
            let asleep = if stages.is_empty() {
                minutes
            } else {
                stages
                    .iter()
                    .filter(|s| s.stage != Stage::Awake)
                    .map(|s| s.start.until(s.end).as_secs_f64() / 60.0)
                    .sum()
            };
            (
                in_range("end", kind, asleep)?,
                None,
                Some(Detail::Sleep { stages }),
            )
        }
        Kind::Mood => {
            let score = value_in("value", input.value)?;
            if score.fract() != 0.0 {
                return Err(bad("value", "a mood score is a whole number from 1 to 5"));
            }
            let tags = input.tags.unwrap_or_default();
            if tags.len() > MAX_TAGS {
                return Err(bad("tags", format!("at most {MAX_TAGS} tags")));
            }
            let tags = tags
                .iter()
                .enumerate()
                .map(|(i, t)| label(&format!("tags[{i}]"), t))
                .collect::<Checked<Vec<_>>>()?;
            (score, None, Some(Detail::Mood { tags }))
        }
        Kind::Nutrition => {
            let meal = input.meal.as_deref().unwrap_or("snack");
            if !matches!(meal, "breakfast" | "lunch" | "dinner" | "snack") {
                return Err(bad("meal", "must be breakfast, lunch, dinner or snack"));
            }
            let detail = Detail::Meal {
                meal: meal.to_owned(),
                protein_g: non_negative("protein_g", input.protein_g, 1000.0)?,
                carbs_g: non_negative("carbs_g", input.carbs_g, 1000.0)?,
                fat_g: non_negative("fat_g", input.fat_g, 1000.0)?,
            };
            (value_in("value", input.value)?, None, Some(detail))
        }
        _ => (value_in("value", input.value)?, None, None),
    };
    Ok(Measurement {
        client_id,
        kind,
        start,
        end,
        utc_offset,
        value,
        value2,
        detail,
        note,
        source: input.source.unwrap_or_default(),
    })
}

fn sleep_stages(
    stages: Vec<StageInput>,
    start: Timestamp,
    end: Timestamp,
) -> Checked<Vec<SleepStage>> {
    stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let name = |f: &str| format!("stages[{i}].{f}");
            let stage = Stage::parse(&s.stage)
                .ok_or_else(|| bad(&name("stage"), "must be awake, light, deep, rem or asleep"))?;
            let (from, _) = parse_instant(&name("start"), &s.start)?;
            let (to, _) = parse_instant(&name("end"), &s.end)?;
            if to < from || from < start || to > end {
                return Err(bad(
                    &name("end"),
                    "a stage lies within the session, start before end",
                ));
            }
            Ok(SleepStage {
                stage,
                start: from,
                end: to,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-22T12:00:00Z").unwrap_or(Timestamp::from_micros(0))
    }

    fn input(kind: &str) -> RecordInput {
        RecordInput {
            client_id: "c1".into(),
            kind: kind.into(),
            start: "2026-11-22T08:00:00+09:00".into(),
            ..RecordInput::default()
        }
    }

    fn field_of(r: Checked<Measurement>) -> String {
        r.err().map(|e| e.field).unwrap_or_default()
    }

    #[test]
    fn impossible_values_name_their_field() {
        for hr in [0.0, 400.0, f64::NAN] {
            let r = measure(
                RecordInput {
                    value: Some(hr),
                    ..input("heart_rate")
                },
                now(),
            );
            assert_eq!(field_of(r), "value");
        }
        let bp = RecordInput {
            systolic: Some(70.0),
            diastolic: Some(90.0),
            ..input("blood_pressure")
        };
        assert_eq!(field_of(measure(bp, now())), "systolic");
        let spo2 = RecordInput {
            value: Some(101.0),
            ..input("oxygen_saturation")
        };
        assert_eq!(field_of(measure(spo2, now())), "value");
        let unit = RecordInput {
            value: Some(70.0),
            unit: Some("kg".into()),
            ..input("heart_rate")
        };
        assert_eq!(field_of(measure(unit, now())), "unit");
        let future = RecordInput {
            value: Some(70.0),
            start: "2026-11-23T12:00:00Z".into(),
            ..input("heart_rate")
        };
        assert_eq!(field_of(measure(future, now())), "start");
    }

    #[test]
    fn units_convert_to_canonical() {
        let f = RecordInput {
            value: Some(98.6),
            unit: Some("[degF]".into()),
            ..input("body_temperature")
        };
        let m = measure(f, now()).unwrap();
        assert!((m.value - 37.0).abs() < 1e-9);
        assert_eq!(m.utc_offset, 540);
        let g = RecordInput {
            value: Some(5.5),
            unit: Some("mmol/L".into()),
            ..input("blood_glucose")
        };
        assert!((measure(g, now()).unwrap().value - 99.088).abs() < 1e-9);
    }

    #[test]
    fn sleep_counts_stages_but_not_awake() {
        let s = RecordInput {
            start: "2026-11-21T23:00:00+09:00".into(),
            end: Some("2026-11-22T07:00:00+09:00".into()),
            stages: Some(vec![
                StageInput {
                    stage: "light".into(),
                    start: "2026-11-21T23:00:00+09:00".into(),
                    end: "2026-11-22T03:00:00+09:00".into(),
                },
                StageInput {
                    stage: "awake".into(),
                    start: "2026-11-22T03:00:00+09:00".into(),
                    end: "2026-11-22T03:30:00+09:00".into(),
                },
                StageInput {
                    stage: "deep".into(),
                    start: "2026-11-22T03:30:00+09:00".into(),
                    end: "2026-11-22T07:00:00+09:00".into(),
                },
            ]),
            ..input("sleep")
        };
        let m = measure(s, now()).unwrap();
        assert!((m.value - 450.0).abs() < 1e-9);
        assert_eq!(m.at(), m.end);
    }
}
