//! What a health record may be: its kinds, their canonical UCUM units, the other units a client
//! may send (converted on the way in), and the physiologically possible range of each value.
//!
//! Pure: [`measure`] turns one client record into a [`Measurement`] or names the field at
//! fault. Ranges are deliberately wide (a marathoner's resting pulse, a fever, a newborn's
//! weight pass); they only keep out sensor glitches and typos such as a heart rate of 0 or 400.

mod record;

pub use record::{
    Detail, Measurement, RecordInput, SleepStage, Source, Stage, StageInput, measure, parse_instant,
};

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a record measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    HeartRate,
    RestingHeartRate,
    BloodPressure,
    OxygenSaturation,
    BodyTemperature,
    BloodGlucose,
    BodyWeight,
    Steps,
    Distance,
    ActiveEnergy,
    Workout,
    Sleep,
    Mood,
    Nutrition,
    Water,
}

/// A unit a client may send: its UCUM code and how to reach the canonical unit
/// (`canonical = value * scale + shift`).
struct Unit {
    code: &'static str,
    scale: f64,
    shift: f64,
}

const fn unit(code: &'static str) -> Unit {
    Unit {
        code,
        scale: 1.0,
        shift: 0.0,
    }
}

const fn scaled(code: &'static str, scale: f64) -> Unit {
    Unit {
        code,
        scale,
        shift: 0.0,
    }
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::HeartRate,
        Kind::RestingHeartRate,
        Kind::BloodPressure,
        Kind::OxygenSaturation,
        Kind::BodyTemperature,
        Kind::BloodGlucose,
        Kind::BodyWeight,
        Kind::Steps,
        Kind::Distance,
        Kind::ActiveEnergy,
        Kind::Workout,
        Kind::Sleep,
        Kind::Mood,
        Kind::Nutrition,
        Kind::Water,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::HeartRate => "heart_rate",
            Kind::RestingHeartRate => "resting_heart_rate",
            Kind::BloodPressure => "blood_pressure",
            Kind::OxygenSaturation => "oxygen_saturation",
            Kind::BodyTemperature => "body_temperature",
            Kind::BloodGlucose => "blood_glucose",
            Kind::BodyWeight => "body_weight",
            Kind::Steps => "steps",
            Kind::Distance => "distance",
            Kind::ActiveEnergy => "active_energy",
            Kind::Workout => "workout",
            Kind::Sleep => "sleep",
            Kind::Mood => "mood",
            Kind::Nutrition => "nutrition",
            Kind::Water => "water",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Vital signs: what `/vitals` lists and GraphQL's `VitalSigns` shows.
    pub fn is_vital(self) -> bool {
        matches!(
            self,
            Kind::HeartRate
                | Kind::RestingHeartRate
                | Kind::BloodPressure
                | Kind::OxygenSaturation
                | Kind::BodyTemperature
                | Kind::BloodGlucose
                | Kind::BodyWeight
        )
    }

    /// The canonical UCUM unit values are stored and shown in.
    pub fn unit(self) -> &'static str {
        self.units()[0].code
    }

    /// Accepted units, canonical first.
    fn units(self) -> &'static [Unit] {
        const BPM: &[Unit] = &[unit("/min"), unit("{beats}/min")];
        const MMHG: &[Unit] = &[unit("mm[Hg]")];
        const PERCENT: &[Unit] = &[unit("%")];
        const TEMPERATURE: &[Unit] = &[
            unit("Cel"),
            Unit {
                code: "[degF]",
                scale: 5.0 / 9.0,
                shift: -32.0 * 5.0 / 9.0,
            },
        ];
        const GLUCOSE: &[Unit] = &[unit("mg/dL"), scaled("mmol/L", 18.016)];
        const WEIGHT: &[Unit] = &[
            unit("kg"),
            scaled("g", 0.001),
            scaled("[lb_av]", 0.453_592_37),
        ];
        const STEPS: &[Unit] = &[unit("{steps}"), unit("{count}"), unit("1")];
        const DISTANCE: &[Unit] = &[unit("m"), scaled("km", 1000.0), scaled("[mi_i]", 1609.344)];
        const ENERGY: &[Unit] = &[unit("kcal"), scaled("kJ", 1.0 / 4.184)];
        const MINUTES: &[Unit] = &[unit("min")];
        const SCORE: &[Unit] = &[unit("{score}")];
        const VOLUME: &[Unit] = &[
            unit("mL"),
            scaled("L", 1000.0),
            scaled("[foz_us]", 29.573_53),
        ];
        match self {
            Kind::HeartRate | Kind::RestingHeartRate => BPM,
            Kind::BloodPressure => MMHG,
            Kind::OxygenSaturation => PERCENT,
            Kind::BodyTemperature => TEMPERATURE,
            Kind::BloodGlucose => GLUCOSE,
            Kind::BodyWeight => WEIGHT,
            Kind::Steps => STEPS,
            Kind::Distance => DISTANCE,
            Kind::ActiveEnergy | Kind::Nutrition => ENERGY,
            Kind::Workout | Kind::Sleep => MINUTES,
            Kind::Mood => SCORE,
            Kind::Water => VOLUME,
        }
    }

    /// The inclusive range of a possible value, in the canonical unit.
    fn range(self) -> (f64, f64) {
        match self {
            Kind::HeartRate => (20.0, 300.0),
            Kind::RestingHeartRate => (20.0, 250.0),
            Kind::BloodPressure => (40.0, 300.0),
            Kind::OxygenSaturation => (50.0, 100.0),
            Kind::BodyTemperature => (25.0, 45.0),
            Kind::BloodGlucose => (10.0, 1000.0),
            Kind::BodyWeight => (0.5, 500.0),
            Kind::Steps => (0.0, 100_000.0),
            Kind::Distance => (0.0, 1_000_000.0),
            Kind::ActiveEnergy => (0.0, 20_000.0),
            Kind::Workout | Kind::Sleep => (0.0, 24.0 * 60.0),
            Kind::Mood => (1.0, 5.0),
            Kind::Nutrition => (0.0, 10_000.0),
            Kind::Water => (0.0, 5_000.0),
        }
    }

    /// The series a record of this kind feeds: one per value (blood pressure has two).
    pub fn series(self) -> &'static [Series] {
        match self {
            Kind::BloodPressure => &[Series::Systolic, Series::Diastolic],
            _ => Series::ALL
                .iter()
                .find(|s| s.kind() == self)
                .map(std::slice::from_ref)
                .unwrap_or_default(),
        }
    }

    /// The longest a single record may span.
    fn longest(self) -> Duration {
        match self {
            Kind::Sleep | Kind::Workout => Duration::from_secs(24 * 3600),
            _ => Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A numeric series rollups are kept for: a kind's value, or one of blood pressure's two.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    HeartRate,
    RestingHeartRate,
    Systolic,
    Diastolic,
    OxygenSaturation,
    BodyTemperature,
    BloodGlucose,
    BodyWeight,
    Steps,
    Distance,
    ActiveEnergy,
    Workout,
    Sleep,
    Mood,
    Nutrition,
    Water,
}

impl Series {
    pub const ALL: [Series; 16] = [
        Series::HeartRate,
        Series::RestingHeartRate,
        Series::Systolic,
        Series::Diastolic,
        Series::OxygenSaturation,
        Series::BodyTemperature,
        Series::BloodGlucose,
        Series::BodyWeight,
        Series::Steps,
        Series::Distance,
        Series::ActiveEnergy,
        Series::Workout,
        Series::Sleep,
        Series::Mood,
        Series::Nutrition,
        Series::Water,
    ];

    pub fn kind(self) -> Kind {
        match self {
            Series::HeartRate => Kind::HeartRate,
            Series::RestingHeartRate => Kind::RestingHeartRate,
            Series::Systolic | Series::Diastolic => Kind::BloodPressure,
            Series::OxygenSaturation => Kind::OxygenSaturation,
            Series::BodyTemperature => Kind::BodyTemperature,
            Series::BloodGlucose => Kind::BloodGlucose,
            Series::BodyWeight => Kind::BodyWeight,
            Series::Steps => Kind::Steps,
            Series::Distance => Kind::Distance,
            Series::ActiveEnergy => Kind::ActiveEnergy,
            Series::Workout => Kind::Workout,
            Series::Sleep => Kind::Sleep,
            Series::Mood => Kind::Mood,
            Series::Nutrition => Kind::Nutrition,
            Series::Water => Kind::Water,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Series::Systolic => "systolic",
            Series::Diastolic => "diastolic",
            other => other.kind().as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Series> {
        Series::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The value of `m` this series follows.
    pub fn value_of(self, m: &Measurement) -> Option<f64> {
        match self {
            Series::Diastolic => m.value2,
            _ if self.kind() == m.kind => Some(m.value),
            _ => None,
        }
    }
}
