//! Apple Health import over real HTTP: every mapped type round-trips, re-importing adds
//! nothing, and a malformed file stops with its line, keeping what came before.
#![allow(clippy::format_push_string)]

use crate::common::{get, spawn};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::Value;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="ko_KR">
 <ExportDate value="2026-11-02 09:00:00 +0900"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-04-01"/>
"#;

fn quantity(hk: &str, unit: &str, value: &str, start: &str, end: &str) -> String {
    format!(
        r#" <Record type="HKQuantityTypeIdentifier{hk}" sourceName="민지의 Apple Watch" sourceVersion="10.1" unit="{unit}" creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}">
  <MetadataEntry key="HKWasUserEntered" value="0"/>
 </Record>
"#
    )
}

/// One of every mapped type on 2026-11-01 in Seoul, plus types that are skipped.
fn export() -> String {
    let at = |t: &str| format!("2026-11-01 {t} +0900");
    let mut xml = HEAD.to_owned();
    for (hk, unit, value) in [
        ("HeartRate", "count/min", "64"),
        ("RestingHeartRate", "count/min", "55"),
        ("OxygenSaturation", "%", "0.97"),
        ("BodyTemperature", "degC", "36.6"),
        ("BloodGlucose", "mg/dL", "92"),
        ("BodyMass", "kg", "61.5"),
        ("DietaryWater", "mL", "500"),
        ("DietaryEnergyConsumed", "kcal", "650"),
        ("HeadphoneAudioExposure", "dBASPL", "71"),
    ] {
        xml += &quantity(hk, unit, value, &at("08:00:00"), &at("08:00:00"));
    }
    xml += &quantity(
        "StepCount",
        "count",
        "1200",
        &at("09:00:00"),
        &at("09:30:00"),
    );
    xml += &quantity(
        "DistanceWalkingRunning",
        "km",
        "0.9",
        &at("09:00:00"),
        &at("09:30:00"),
    );
    xml += &quantity(
        "ActiveEnergyBurned",
        "Cal",
        "45",
        &at("09:00:00"),
        &at("09:30:00"),
    );
    let bp = |hk: &str, v: &str| {
        format!(
            r#"<Record type="HKQuantityTypeIdentifierBloodPressure{hk}" sourceName="Omron" unit="mmHg" startDate="{}" endDate="{}" value="{v}"/>"#,
            at("07:30:00"),
            at("07:30:00")
        )
    };
    xml += &bp("Systolic", "121");
    xml += &bp("Diastolic", "79");
    xml += &format!(
        r#"<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" startDate="{0}" endDate="{0}">{1}{2}</Correlation>
"#,
        at("07:30:00"),
        bp("Systolic", "121"),
        bp("Diastolic", "79")
    );
    for (value, start, end) in [
        (
            "InBed",
            "2026-10-31 23:00:00 +0900",
            "2026-11-01 06:40:00 +0900",
        ),
        (
            "AsleepCore",
            "2026-10-31 23:10:00 +0900",
            "2026-11-01 01:00:00 +0900",
        ),
        (
            "AsleepDeep",
            "2026-11-01 01:00:00 +0900",
            "2026-11-01 02:00:00 +0900",
        ),
        (
            "AsleepREM",
            "2026-11-01 02:00:00 +0900",
            "2026-11-01 03:00:00 +0900",
        ),
        (
            "Awake",
            "2026-11-01 03:00:00 +0900",
            "2026-11-01 03:10:00 +0900",
        ),
        (
            "AsleepCore",
            "2026-11-01 03:10:00 +0900",
            "2026-11-01 06:30:00 +0900",
        ),
    ] {
        xml += &format!(
            r#" <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="민지의 Apple Watch" startDate="{start}" endDate="{end}" value="HKCategoryValueSleepAnalysis{value}"/>
"#
        );
    }
    xml += &format!(
        r#" <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" sourceName="민지의 Apple Watch" startDate="{}" endDate="{}">
  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{}" duration="5" durationUnit="min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" sum="310" unit="kcal"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="5.2" unit="km"/>
 </Workout>
 <ActivitySummary dateComponents="2026-11-01" activeEnergyBurned="400"/>
</HealthData>
"#,
        at("18:00:00"),
        at("18:30:00"),
        at("18:05:00")
    );
    xml
}

async fn upload(app: &TestApp, user: &TestUser, body: String) -> (StatusCode, Value) {
    let response = app
        .post("/api/v1/health/me/import/apple-health", Some(user))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn an_export_round_trips(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let (status, summary) = upload(&app, &minji, export()).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    // 11 quantities, 1 blood pressure, 1 sleep session, 1 workout.
    assert_eq!(summary["accepted"], 14, "{summary}");
    assert_eq!(summary["rejected"], 0, "{summary}");
    // Headphone exposure and the time in bed.
    assert_eq!(summary["skipped"], 2, "{summary}");

    let (_, vitals) = get(
        &app,
        "/api/v1/health/me/vitals?from=2026-10-31T00:00:00Z&to=2026-11-02T00:00:00Z",
        &minji,
    )
    .await;
    let latest = &vitals["latest"];
    assert_eq!(latest["heart_rate"]["value"], 64.0);
    assert_eq!(latest["oxygen_saturation"]["value"], 97.0);
    assert_eq!(latest["blood_pressure"]["systolic"], 121.0);
    assert_eq!(latest["blood_pressure"]["diastolic"], 79.0);
    assert_eq!(latest["body_weight"]["unit"], "kg");
    let series = |t: &str| {
        format!(
            "/api/v1/health/me/series?type={t}&from=2026-11-01T00:00:00%2B09:00&to=2026-11-02T00:00:00%2B09:00&bucket=day"
        )
    };
    for (t, sum) in [
        ("steps", 1200.0),
        ("distance", 900.0),
        ("active_energy", 45.0),
        ("water", 500.0),
        ("nutrition", 650.0),
        // 430 minutes from 23:10 to 06:30, less 10 awake.
        ("sleep", 430.0),
        ("workout", 30.0),
    ] {
        let (status, page) = get(&app, &series(t), &minji).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["points"][0]["sum"], sum, "{t}: {page}");
    }
    let (_, page) = get(&app, &series("systolic"), &minji).await;
    assert_eq!(page["points"][0]["count"], 1, "one blood pressure, not two");

    // A dashboard's series in one request: each as the single read answers it, in order.
    let set = |types: &str| {
        format!(
            "/api/v1/health/me/series/set?types={types}&from=2026-11-01T00:00:00%2B09:00&to=2026-11-02T00:00:00%2B09:00&bucket=day"
        )
    };
    let (status, together) = get(&app, &set("sleep,steps,systolic,heart_rate"), &minji).await;
    assert_eq!(status, StatusCode::OK, "{together}");
    for (i, t) in ["sleep", "steps", "systolic", "heart_rate"]
        .iter()
        .enumerate()
    {
        let (_, alone) = get(&app, &series(t), &minji).await;
        assert_eq!(together["series"][i], alone, "{t}");
    }
    for (types, why) in [
        ("steps,pulse", "unknown series `pulse`"),
        ("steps,steps", "`steps` is named twice"),
        (
            "steps,distance,water,sleep,workout,nutrition,systolic,diastolic,heart_rate",
            "at most 8",
        ),
    ] {
        let (status, refused) = get(&app, &set(types), &minji).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{types}");
        assert_eq!(refused["errors"][0]["field"], "types", "{refused}");
        assert!(refused.to_string().contains(why), "{refused}");
    }

    // Importing it again adds nothing.
    let (status, again) = upload(&app, &minji, export()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(14))
    );
}

async fn a_malformed_export_stops_at_its_line(backend: Backend) {
    let app = spawn(backend).await;
    let jiho = app.user("jiho").await;
    let mut xml = HEAD.to_owned();
    xml += &quantity(
        "HeartRate",
        "count/min",
        "70",
        "2026-11-01 08:00:00 +0900",
        "2026-11-01 08:00:00 +0900",
    );
    xml += &quantity(
        "HeartRate",
        "count/min",
        "71",
        "2026-11-01 08:01:00 +0900",
        "2026-11-01 08:01:00 +0900",
    );
    let line = xml.lines().count() + 1;
    xml += " <Record type=\"HKQuantityTypeIdentifierHeartRate\" value=\"72\"\n</HealthData>\n";
    let (status, summary) = upload(&app, &jiho, xml).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{summary}");
    assert_eq!(summary["accepted"], 2);
    let reported = summary["error"]["line"].as_u64().unwrap() as usize;
    assert!(
        (line..=line + 1).contains(&reported),
        "line {reported}, expected {line}: {summary}"
    );

    // Entity declarations are refused before anything is read.
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;\">\n]>\n<HealthData>&b;</HealthData>\n";
    let (status, summary) = upload(&app, &jiho, bomb.to_owned()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary["error"]["message"]
            .as_str()
            .unwrap()
            .contains("entity")
    );
}

backend_tests!(an_export_round_trips, a_malformed_export_stops_at_its_line);
