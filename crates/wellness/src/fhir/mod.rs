//! FHIR R4 Observations: our records as LOINC-coded Observations with UCUM quantities, and
//! Observations a client posts turned back into records.
//!
//! Pure. Codes were checked against LOINC (heart rate 8867-4, resting heart rate 40443-4,
//! blood pressure panel 85354-9 with systolic 8480-6 and diastolic 8462-4, body weight
//! 29463-7, SpO2 by pulse oximetry 59408-5, body temperature 8310-5, steps in 24 hours
//! 41950-7, sleep duration 93832-4, blood glucose 2339-0). Other kinds have no FHIR form here.

use chrono::{FixedOffset, Offset as _};
use platform::FieldError;
use platform::time::Timestamp;
use serde_json::{Value, json};

use crate::catalog::{Kind, RecordInput, Source};
use crate::model::Record;

mod search;

pub use search::{
    DEFAULT_COUNT, MAX_COUNT, Prefix, Search, When, bundle, date_range, parse_search,
};

pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The identifier system carrying a record's client id.
pub const CLIENT_ID: &str = "urn:maru:client-id";

/// A kind's FHIR coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub kind: Kind,
    pub loinc: &'static str,
    pub display: &'static str,
    /// `vital-signs`, `activity` or `laboratory`.
    pub category: &'static str,
    /// UCUM code and the human unit of the value as shown.
    pub ucum: &'static str,
    pub unit: &'static str,
}

pub const CODES: [Code; 9] = [
    code(
        Kind::HeartRate,
        "8867-4",
        "Heart rate",
        "vital-signs",
        "/min",
        "beats/minute",
    ),
    code(
        Kind::RestingHeartRate,
        "40443-4",
        "Heart rate --resting",
        "vital-signs",
        "/min",
        "beats/minute",
    ),
    code(
        Kind::BloodPressure,
        "85354-9",
        "Blood pressure panel with all children optional",
        "vital-signs",
        "mm[Hg]",
        "mmHg",
    ),
    code(
        Kind::OxygenSaturation,
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
        "vital-signs",
        "%",
        "%",
    ),
    code(
        Kind::BodyTemperature,
        "8310-5",
        "Body temperature",
        "vital-signs",
        "Cel",
        "C",
    ),
    code(
        Kind::BloodGlucose,
        "2339-0",
        "Glucose [Mass/volume] in Blood",
        "laboratory",
        "mg/dL",
        "mg/dL",
    ),
    code(
        Kind::BodyWeight,
        "29463-7",
        "Body weight",
        "vital-signs",
        "kg",
        "kg",
    ),
    DAILY_STEPS,
    code(
        Kind::Sleep,
        "93832-4",
        "Sleep duration",
        "activity",
        "h",
        "h",
    ),
];

const fn code(
    kind: Kind,
    loinc: &'static str,
    display: &'static str,
    category: &'static str,
    ucum: &'static str,
    unit: &'static str,
) -> Code {
    Code {
        kind,
        loinc,
        display,
        category,
        ucum,
        unit,
    }
}

/// Steps are shown per local day, as LOINC 41950-7 counts them.
const DAILY_STEPS: Code = code(
    Kind::Steps,
    "41950-7",
    "Number of steps in 24 hour Measured",
    "activity",
    "/d",
    "steps/day",
);

pub const SYSTOLIC: (&str, &str) = ("8480-6", "Systolic blood pressure");
pub const DIASTOLIC: (&str, &str) = ("8462-4", "Diastolic blood pressure");

pub fn code_of(kind: Kind) -> Option<Code> {
    CODES.into_iter().find(|c| c.kind == kind)
}

/// The kind a LOINC code (bare, or `http://loinc.org|code`) stands for.
pub fn kind_of(token: &str) -> Option<Kind> {
    let code = token.strip_prefix("http://loinc.org|").unwrap_or(token);
    CODES.into_iter().find(|c| c.loinc == code).map(|c| c.kind)
}

fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code, "display": display }], "text": display })
}

fn quantity(value: f64, code: Code) -> Value {
    json!({ "value": value, "unit": code.unit, "system": UCUM, "code": code.ucum })
}

/// `t` as FHIR dateTime in the offset it was recorded with.
pub fn date_time(t: Timestamp, offset_minutes: i32) -> String {
    let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap_or(chrono::Utc.fix());
    t.to_datetime()
        .with_timezone(&offset)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The common frame of an Observation: status, category, code, subject, effective time.
fn frame(id: &str, code: Code, patient: &str, start: &str, end: Option<&str>) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "category": [concept(CATEGORY, code.category, category_display(code.category))],
        "code": concept(LOINC, code.loinc, code.display),
        "subject": { "reference": format!("Patient/{patient}") },
    });
    match end {
        Some(end) => o["effectivePeriod"] = json!({ "start": start, "end": end }),
        None => o["effectiveDateTime"] = json!(start),
    }
    o
}

fn category_display(category: &str) -> &'static str {
    match category {
        "vital-signs" => "Vital Signs",
        "activity" => "Activity",
        _ => "Laboratory",
    }
}

/// A stored record as an Observation, or `None` for kinds without a FHIR form.
pub fn observation(record: &Record, patient: &str) -> Option<Value> {
    let code = code_of(record.kind)?;
    let offset = record.utc_offset_minutes;
    let start = date_time(record.start, offset);
    let end = (record.end != record.start).then(|| date_time(record.end, offset));
    let mut o = frame(
        &record.id.to_string(),
        code,
        patient,
        &start,
        end.as_deref(),
    );
    o["identifier"] = json!([{ "system": CLIENT_ID, "value": record.client_id }]);
    if let Some(device) = &record.source.device {
        o["device"] = json!({ "display": device });
    }
    match record.kind {
        Kind::BloodPressure => {
            let part = |(loinc, display): (&str, &str), v: Option<f64>| json!({ "code": concept(LOINC, loinc, display), "valueQuantity": quantity(v.unwrap_or_default(), code) });
            o["component"] = json!([
                part(SYSTOLIC, record.systolic),
                part(DIASTOLIC, record.diastolic)
            ]);
        }
        Kind::Sleep => {
            o["valueQuantity"] = quantity(round2(record.value.unwrap_or_default() / 60.0), code);
        }
        _ => o["valueQuantity"] = quantity(record.value.unwrap_or_default(), code),
    }
    Some(o)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A member's steps over one local day, the form LOINC 41950-7 asks for.
pub fn daily_steps(
    patient: &str,
    date: jiff::civil::Date,
    (start, end): (Timestamp, Timestamp),
    offset_minutes: i32,
    total: f64,
) -> Value {
    let code = DAILY_STEPS;
    let id = format!("steps-{patient}-{}", date.strftime("%Y%m%d"));
    let mut o = frame(
        &id,
        code,
        patient,
        &date_time(start, offset_minutes),
        Some(&date_time(end, offset_minutes)),
    );
    o["valueQuantity"] = quantity(total.round(), code);
    o
}

/// The id of a daily steps Observation: (patient, date).
pub fn parse_daily_steps_id(id: &str) -> Option<(&str, jiff::civil::Date)> {
    let rest = id.strip_prefix("steps-")?;
    let (patient, date) = rest.rsplit_once('-')?;
    let date = jiff::civil::Date::strptime("%Y%m%d", date).ok()?;
    Some((patient, date))
}

fn field(path: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(path, message)
}

/// The LOINC code of a CodeableConcept, if it has one we know.
fn known_code(concept: &Value) -> Option<&str> {
    concept["coding"]
        .as_array()?
        .iter()
        .find_map(|c| (c["system"] == LOINC).then(|| c["code"].as_str()).flatten())
}

/// A quantity's value and UCUM code.
fn value_and_unit(q: &Value, path: &str) -> Result<(f64, Option<String>), FieldError> {
    let value = q["value"]
        .as_f64()
        .ok_or_else(|| field(&format!("{path}.value"), "must be a number"))?;
    if !q["system"].is_null() && q["system"] != UCUM {
        return Err(field(&format!("{path}.system"), format!("must be {UCUM}")));
    }
    Ok((value, q["code"].as_str().map(str::to_owned)))
}

/// A posted Observation as a record input; the client id is its `urn:maru:client-id`
/// identifier, else one made from its code and time so that a retry is a duplicate.
pub fn record_input(o: &Value) -> Result<RecordInput, FieldError> {
    if o["resourceType"] != "Observation" {
        return Err(field("resourceType", "must be Observation"));
    }
    match o["status"].as_str() {
        Some("final" | "amended" | "corrected" | "preliminary") => {}
        _ => {
            return Err(field(
                "status",
                "must be final, amended, corrected or preliminary",
            ));
        }
    }
    let loinc = known_code(&o["code"]).ok_or_else(|| {
        field(
            "code",
            "needs a LOINC coding this server knows: 8867-4, 40443-4, 85354-9, 59408-5, 8310-5, 2339-0, 29463-7, 41950-7 or 93832-4",
        )
    })?;
    let kind = kind_of(loinc).ok_or_else(|| field("code", "is not a supported LOINC code"))?;
    let (start, end) = if let Some(t) = o["effectiveDateTime"].as_str() {
        (t.to_owned(), None)
    } else if let (Some(s), Some(e)) = (
        o["effectivePeriod"]["start"].as_str(),
        o["effectivePeriod"]["end"].as_str(),
    ) {
        (s.to_owned(), Some(e.to_owned()))
    } else {
        return Err(field(
            "effectiveDateTime",
            "needs effectiveDateTime or an effectivePeriod with start and end",
        ));
    };
    let client_id = o["identifier"]
        .as_array()
        .and_then(|ids| {
            ids.iter()
                .find(|i| i["system"] == CLIENT_ID)
                .and_then(|i| i["value"].as_str())
        })
        .map_or_else(|| format!("fhir:{loinc}:{start}"), str::to_owned);
    let mut input = RecordInput {
        client_id,
        kind: kind.as_str().to_owned(),
        start,
        end,
        source: o["device"]["display"].as_str().map(|d| Source {
            device: Some(d.to_owned()),
            app: Some("FHIR".to_owned()),
        }),
        ..RecordInput::default()
    };
    match kind {
        Kind::BloodPressure => {
            let parts = o["component"].as_array().ok_or_else(|| {
                field(
                    "component",
                    "needs systolic (8480-6) and diastolic (8462-4)",
                )
            })?;
            for (i, part) in parts.iter().enumerate() {
                let path = format!("component[{i}].valueQuantity");
                let (value, unit) = value_and_unit(&part["valueQuantity"], &path)?;
                match known_code(&part["code"]) {
                    Some(c) if c == SYSTOLIC.0 => input.systolic = Some(value),
                    Some(c) if c == DIASTOLIC.0 => input.diastolic = Some(value),
                    _ => continue,
                }
                input.unit = unit;
            }
            if input.systolic.is_none() || input.diastolic.is_none() {
                return Err(field(
                    "component",
                    "needs systolic (8480-6) and diastolic (8462-4)",
                ));
            }
        }
        Kind::Sleep => {
            // Sleep is measured from its period; a stated duration must agree with nothing
            // else, so it is not read.
            if input.end.is_none() {
                return Err(field(
                    "effectivePeriod",
                    "sleep needs a period with start and end",
                ));
            }
        }
        _ => {
            let (value, unit) = value_and_unit(&o["valueQuantity"], "valueQuantity")?;
            input.value = Some(value);
            // Steps per day (`/d`) are our steps over the period.
            input.unit = unit.filter(|u| !(kind == Kind::Steps && u == "/d"));
        }
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::model::RecordId;

    fn record(kind: Kind) -> Record {
        Record {
            id: RecordId::from_raw(42),
            client_id: "c-1".to_owned(),
            kind,
            value: Some(72.0),
            systolic: None,
            diastolic: None,
            unit: kind.unit(),
            start: Timestamp::from_micros(1_795_316_400_000_000),
            end: Timestamp::from_micros(1_795_316_400_000_000),
            utc_offset_minutes: 540,
            detail: None,
            note: None,
            source: Source::default(),
            seq: 1,
        }
    }

    #[test]
    fn observations_carry_loinc_ucum_and_the_recorded_offset() {
        let o = observation(&record(Kind::HeartRate), "7").unwrap();
        assert_eq!(o["code"]["coding"][0]["code"], "8867-4");
        assert_eq!(o["valueQuantity"]["code"], "/min");
        assert_eq!(o["effectiveDateTime"], "2026-11-22T12:00:00+09:00");
        assert_eq!(o["subject"]["reference"], "Patient/7");
        assert!(observation(&record(Kind::Mood), "7").is_none());
    }

    #[test]
    fn posted_observations_round_trip() {
        let mut bp = record(Kind::BloodPressure);
        bp.value = None;
        bp.systolic = Some(128.0);
        bp.diastolic = Some(82.0);
        let o = observation(&bp, "7").unwrap();
        let input = record_input(&o).unwrap();
        assert_eq!((input.systolic, input.diastolic), (Some(128.0), Some(82.0)));
        assert_eq!(input.kind, "blood_pressure");
        assert_eq!(input.client_id, "c-1");
        assert_eq!(input.unit.as_deref(), Some("mm[Hg]"));
    }

    #[test]
    fn bad_observations_name_the_field() {
        let o = observation(&record(Kind::HeartRate), "7").unwrap();
        let mut wrong = o.clone();
        wrong["code"]["coding"][0]["code"] = json!("0000-0");
        assert_eq!(record_input(&wrong).unwrap_err().field, "code");
        let mut wrong = o.clone();
        wrong["status"] = json!("registered-ish");
        assert_eq!(record_input(&wrong).unwrap_err().field, "status");
        let mut wrong = o;
        wrong["valueQuantity"]["value"] = json!("fast");
        assert_eq!(
            record_input(&wrong).unwrap_err().field,
            "valueQuantity.value"
        );
    }

    #[test]
    fn daily_steps_ids_parse_back() {
        let date = jiff::civil::date(2026, 11, 22);
        let o = daily_steps(
            "7",
            date,
            (Timestamp::from_micros(0), Timestamp::from_micros(1)),
            540,
            8123.4,
        );
        assert_eq!(o["id"], "steps-7-20261122");
        assert_eq!(parse_daily_steps_id("steps-7-20261122"), Some(("7", date)));
        assert_eq!(o["valueQuantity"]["value"], 8123.0);
    }
}
