//! HealthKit's vocabulary in ours: quantity types, unit names, dates, sleep stages and
//! workout activities, and the stable client ids that make a re-import change nothing.

use sha2::{Digest, Sha256};

use crate::catalog::Kind;

/// What a quantity type maps to: our kind and how its unit and value translate.
pub(super) fn quantity_kind(hk: &str) -> Option<Kind> {
    Some(match hk {
        "HKQuantityTypeIdentifierHeartRate" => Kind::HeartRate,
        "HKQuantityTypeIdentifierRestingHeartRate" => Kind::RestingHeartRate,
        "HKQuantityTypeIdentifierOxygenSaturation" => Kind::OxygenSaturation,
        "HKQuantityTypeIdentifierBodyTemperature" => Kind::BodyTemperature,
        "HKQuantityTypeIdentifierBloodGlucose" => Kind::BloodGlucose,
        "HKQuantityTypeIdentifierBodyMass" => Kind::BodyWeight,
        "HKQuantityTypeIdentifierStepCount" => Kind::Steps,
        "HKQuantityTypeIdentifierDistanceWalkingRunning" => Kind::Distance,
        "HKQuantityTypeIdentifierActiveEnergyBurned" => Kind::ActiveEnergy,
        "HKQuantityTypeIdentifierDietaryEnergyConsumed" => Kind::Nutrition,
        "HKQuantityTypeIdentifierDietaryWater" => Kind::Water,
        _ => return None,
    })
}

pub(super) const SYSTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureSystolic";
pub(super) const DIASTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureDiastolic";
pub(super) const BLOOD_PRESSURE: &str = "HKCorrelationTypeIdentifierBloodPressure";
pub(super) const SLEEP: &str = "HKCategoryTypeIdentifierSleepAnalysis";

/// Apple's unit names as UCUM codes.
pub(super) fn ucum(unit: &str) -> String {
    match unit {
        "count/min" => "/min",
        "degC" => "Cel",
        "degF" => "[degF]",
        "mmHg" => "mm[Hg]",
        "lb" => "[lb_av]",
        "count" => "{count}",
        "mi" => "[mi_i]",
        "Cal" => "kcal",
        "fl_oz_us" => "[foz_us]",
        u if u.starts_with("mmol<") && u.ends_with(">/L") => "mmol/L",
        other => other,
    }
    .to_owned()
}

/// `2024-06-08 13:14:00 -0400` as RFC 3339 (`2024-06-08T13:14:00-04:00`); other text is
/// passed on for the record check to refuse with the field named.
pub fn rfc3339(date: &str) -> String {
    let parts: Vec<&str> = date.split(' ').collect();
    match parts.as_slice() {
        [day, time, offset] if offset.len() == 5 => {
            format!("{day}T{time}{}:{}", &offset[..3], &offset[3..])
        }
        _ => date.to_owned(),
    }
}

/// A stable client id for an imported sample.
pub(super) fn client_id(kind: Kind, start: &str, end: &str, source: &str) -> String {
    let compact = |d: &str| -> String {
        d.chars()
            .filter(|c| !matches!(c, ' ' | ':' | '-' | '+'))
            .collect()
    };
    let digest = Sha256::digest(source.as_bytes());
    let source = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    format!(
        "ah:{}:{}:{}:{source}",
        kind.as_str(),
        compact(start),
        compact(end)
    )
}

/// The stage name of a sleep `value`, or `None` for time in bed (not sleep).
pub(super) fn stage(value: &str) -> Option<&'static str> {
    Some(match value.strip_prefix("HKCategoryValueSleepAnalysis")? {
        "Awake" => "awake",
        "AsleepCore" => "light",
        "AsleepDeep" => "deep",
        "AsleepREM" => "rem",
        "Asleep" | "AsleepUnspecified" => "asleep",
        _ => return None,
    })
}

/// `HKWorkoutActivityTypeTraditionalStrengthTraining` → `traditional_strength_training`.
pub(super) fn activity(hk: &str) -> String {
    let name = hk.strip_prefix("HKWorkoutActivityType").unwrap_or(hk);
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Meters from a distance in Apple's unit.
pub(super) fn meters(value: f64, unit: &str) -> f64 {
    match unit {
        "km" => value * 1000.0,
        "mi" => value * 1609.344,
        "yd" => value * 0.9144,
        _ => value,
    }
}

/// Kilocalories from energy in Apple's unit.
pub(super) fn kilocalories(value: f64, unit: &str) -> f64 {
    if unit == "kJ" { value / 4.184 } else { value }
}
