//! Ingestion, series and sharing over real HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)]

use std::collections::BTreeMap;

use crate::common::{batch, get, heart_rate, seoul, spawn};
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

fn statuses(outcome: &Value) -> Vec<String> {
    outcome["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

/// `user`'s stored heart rates in the hour after `T0`, oldest first.
async fn raw_heart_rate(app: &TestApp, user: &TestUser) -> Vec<f64> {
    let path = format!(
        "/api/v1/health/me/series?type=heart_rate&bucket=raw&from={}&to={}",
        q(T0 - 60),
        q(T0 + 3600)
    );
    let (_, page) = get(app, &path, user).await;
    page["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sum"].as_f64().unwrap())
        .collect()
}

async fn retries_and_bad_items(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let records = vec![
        heart_rate("hr-1", &seoul(T0), 72.0),
        heart_rate("hr-0", &seoul(T0 + 60), 0.0),
        json!({ "client_id": "bp-1", "type": "blood_pressure", "systolic": 80, "diastolic": 95,
                "unit": "mm[Hg]", "start": seoul(T0) }),
        json!({ "client_id": "bp-2", "type": "blood_pressure", "systolic": 128, "diastolic": 82, "start": seoul(T0) }),
        heart_rate("hr-1", &seoul(T0 + 120), 75.0),
        json!({ "client_id": "spo2", "type": "oxygen_saturation", "value": 101, "start": seoul(T0) }),
        json!({ "client_id": "x", "type": "heart_rate", "value": "fast", "start": seoul(T0) }),
        json!({ "client_id": "mood-1", "type": "mood", "value": 4, "tags": ["calm"], "note": "산책 후 기분 좋음",
                "start": seoul(T0 + 300) }),
    ];
    let first = batch(&app, &minji, &records).await;
    assert_eq!(
        statuses(&first),
        [
            "accepted",
            "rejected",
            "rejected",
            "accepted",
            "duplicate",
            "rejected",
            "rejected",
            "accepted"
        ]
    );
    let fields: Vec<&str> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["field"].as_str())
        .collect();
    assert_eq!(fields, ["value", "systolic", "value", "value"]);
    assert_eq!(
        (first["accepted"].as_u64(), first["rejected"].as_u64()),
        (Some(3), Some(4))
    );

    // A retry of the whole batch changes nothing.
    let again = batch(&app, &minji, &records).await;
    assert_eq!(again["accepted"], 0);
    assert_eq!(again["duplicates"], 4);
    let (_, vitals) = get(
        &app,
        &format!(
            "/api/v1/health/me/vitals?from={}&to={}",
            q(T0 - 60),
            q(T0 + 3600)
        ),
        &minji,
    )
    .await;
    assert_eq!(vitals["records"].as_array().unwrap().len(), 2, "{vitals}");
    assert_eq!(vitals["latest"]["blood_pressure"]["systolic"], 128.0);
    assert_eq!(raw_heart_rate(&app, &minji).await.len(), 1);

    // Stored and new client ids in one statement: only the new ones are stored and counted.
    let mixed = batch(
        &app,
        &minji,
        &[
            heart_rate("hr-1", &seoul(T0 + 180), 90.0),
            heart_rate("hr-2", &seoul(T0 + 240), 76.0),
            records[7].clone(),
        ],
    )
    .await;
    assert_eq!(statuses(&mixed), ["duplicate", "accepted", "duplicate"]);
    assert_eq!(raw_heart_rate(&app, &minji).await, [72.0, 76.0]);

    // Too many items: refused whole, nothing stored.
    let many: Vec<Value> = (0..10_001)
        .map(|i| heart_rate(&format!("m{i}"), &seoul(T0 + i), 70.0))
        .collect();
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/health/me/records:batch",
            Some(&minji),
            Some(json!({ "records": many })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "records");

    // A single vital through the seed's route; its retry is answered 200 with the same record.
    let vital = json!({ "client_id": "t-1", "type": "body_temperature", "value": 99.5, "unit": "[degF]", "start": seoul(T0 + 900) });
    let (status, created) = app
        .send(
            Method::POST,
            "/api/v1/health/me/vitals",
            Some(&minji),
            Some(vital.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!((created["value"].as_f64().unwrap() - 37.5).abs() < 1e-9);
    assert_eq!(created["unit"], "Cel");
    let (status, again) = app
        .send(
            Method::POST,
            "/api/v1/health/me/vitals",
            Some(&minji),
            Some(vital),
        )
        .await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &created["id"]));
    let bad = json!({ "client_id": "t-2", "type": "heart_rate", "value": 400, "start": seoul(T0) });
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/health/me/vitals",
            Some(&minji),
            Some(bad),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("value"))
    );
}

/// RFC 3339, URL-safe (the `+` of an offset would read as a space).
fn q(t: i64) -> String {
    seoul(t).replace('+', "%2B")
}

/// Day and week buckets in a zone with daylight saving equal a recomputation from the raw
/// values; moving to another zone rebuilds them.
async fn rollups_follow_the_users_zone(backend: Backend) {
    let app = spawn(backend).await;
    let jiho = app.user("jiho").await;
    // 2026-10-28 .. 2026-11-05: New York leaves daylight saving on November 1.
    let start = 1_793_145_600_i64;
    let mut values = Vec::new();
    let mut seed = 7_u64;
    for i in 0..3_000 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let t = start + i * 241;
        let bpm = 55.0 + (seed >> 33) as f64 % 60.0;
        values.push((t, bpm));
    }
    let records: Vec<Value> = values
        .iter()
        .map(|(t, v)| heart_rate(&format!("r{t}"), &seoul(*t), *v))
        .collect();
    for chunk in records.chunks(700) {
        assert_eq!(batch(&app, &jiho, chunk).await["rejected"], 0);
    }
    for zone in ["America/New_York", "Asia/Seoul"] {
        let (status, _) = app
            .send(
                Method::PUT,
                "/api/v1/health/me/profile",
                Some(&jiho),
                Some(json!({ "time_zone": zone })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        for bucket in ["day", "week", "hour"] {
            let mut naive: BTreeMap<String, (i64, f64, f64, f64)> = BTreeMap::new();
            for (t, v) in &values {
                let z = jiff::Timestamp::from_second(*t)
                    .unwrap()
                    .to_zoned(tz.clone());
                let key = match bucket {
                    "day" => z.date().to_string(),
                    "week" => format!(
                        "{:?}",
                        (
                            z.date().iso_week_date().year(),
                            z.date().iso_week_date().week()
                        )
                    ),
                    _ => (t.div_euclid(3600)).to_string(),
                };
                let e = naive.entry(key).or_insert((0, 0.0, f64::MAX, f64::MIN));
                *e = (e.0 + 1, e.1 + v, e.2.min(*v), e.3.max(*v));
            }
            let path = format!(
                "/api/v1/health/me/series?type=heart_rate&bucket={bucket}&from={}&to={}",
                q(start - 14 * 86_400),
                q(start + 30 * 86_400)
            );
            let (status, page) = get(&app, &path, &jiho).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(page["time_zone"], zone);
            let points = page["points"].as_array().unwrap();
            assert_eq!(points.len(), naive.len(), "{zone} {bucket}");
            for p in points {
                let s = jiff::Timestamp::strptime(
                    "%Y-%m-%dT%H:%M:%S%.fZ",
                    p["start"].as_str().unwrap(),
                )
                .or_else(|_| p["start"].as_str().unwrap().parse())
                .unwrap();
                let z = s.to_zoned(tz.clone());
                let key = match bucket {
                    "day" => z.date().to_string(),
                    "week" => format!(
                        "{:?}",
                        (
                            z.date().iso_week_date().year(),
                            z.date().iso_week_date().week()
                        )
                    ),
                    _ => s.as_second().div_euclid(3600).to_string(),
                };
                let (count, sum, min, max) = naive[&key];
                assert_eq!(p["count"].as_i64().unwrap(), count, "{zone} {bucket} {key}");
                assert!((p["sum"].as_f64().unwrap() - sum).abs() < 1e-6);
                assert_eq!(
                    (p["min"].as_f64().unwrap(), p["max"].as_f64().unwrap()),
                    (min, max)
                );
            }
        }
    }
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/v1/health/me/profile",
            Some(&jiho),
            Some(json!({ "time_zone": "Mars/Olympus" })),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone"))
    );
}

/// Nobody reads another's data without a share; a share is logged and revocable; notes stay
/// the owner's and are stored encrypted.
async fn sharing_and_privacy(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let doctor = app.user("doctor").await;
    let note = "두통 있음, 약 먹음";
    batch(&app, &minji, &[
        json!({ "client_id": "m1", "type": "mood", "value": 2, "note": note, "start": seoul(T0) }),
        heart_rate("h1", &seoul(T0), 64.0),
    ]).await;
    let theirs = format!(
        "/api/v1/health/{}/vitals?from={}&to={}",
        minji.id,
        q(T0 - 60),
        q(T0 + 60)
    );
    let (status, _) = get(&app, &theirs, &doctor).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/health/{}/records:batch", minji.id),
            Some(&doctor),
            Some(json!({ "records": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, share) = app
        .send(
            Method::POST,
            "/api/v1/health/me/shares",
            Some(&minji),
            Some(json!({ "username": "doctor" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{share}");
    let (status, vitals) = get(&app, &theirs, &doctor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(vitals["records"][0]["value"], 64.0);
    let (_, log) = get(&app, "/api/v1/health/me/access-log", &minji).await;
    assert_eq!(log["entries"][0]["reader_id"], doctor.id.as_str());
    assert_eq!(log["entries"][0]["what"], "vitals");

    // The owner's export has the note; the database holds only ciphertext.
    let (_, export) = get(&app, "/api/v1/users/me/export", &minji).await;
    let records = export["apps"]["wellness"]["records"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(records.iter().any(|r| r["note"] == note), "{export}");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT note FROM wellness_records WHERE client_id = 'm1'")
            .fetch_one(app.ctx.db.reader())
            .await
            .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("두통"));

    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/health/me/shares/{}", doctor.id),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&app, &theirs, &doctor).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

platform::backend_tests!(
    retries_and_bad_items,
    rollups_follow_the_users_zone,
    sharing_and_privacy
);
