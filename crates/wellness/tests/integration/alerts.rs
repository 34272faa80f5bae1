//! Alerts fire on crafted series and stay quiet on normal ones, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)]

use crate::common::{batch, get, heart_rate, seoul, spawn};
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

async fn open_alerts(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let (status, body) = get(app, "/api/v1/alerts/me?open=true", user).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not medical advice")
    );
    body["alerts"].as_array().unwrap().clone()
}

/// Waits until the user has `n` open alerts (evaluation follows ingestion on the bus), then
/// a moment more to be sure no further one comes.
async fn expect_alerts(app: &TestApp, user: &TestUser, n: usize) -> Vec<Value> {
    let reached = app
        .eventually(10, || async { open_alerts(app, user).await.len() >= n })
        .await;
    assert!(
        reached || n == 0,
        "expected {n} alerts, got {:?}",
        open_alerts(app, user).await
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let alerts = open_alerts(app, user).await;
    assert_eq!(alerts.len(), n, "{alerts:?}");
    alerts
}

fn minutes(prefix: &str, from: i64, n: i64, bpm: f64) -> Vec<Value> {
    (0..n)
        .map(|i| heart_rate(&format!("{prefix}{i}"), &seoul(from + i * 60), bpm))
        .collect()
}

async fn rules_fire_on_crafted_series_only(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    // An ordinary hour, then nine minutes at 130: not yet ten.
    batch(&app, &minji, &minutes("calm", T0, 60, 72.0)).await;
    batch(&app, &minji, &minutes("short", T0 + 3600, 9, 130.0)).await;
    expect_alerts(&app, &minji, 0).await;

    // Twelve minutes above 120 at rest: one alert, however the minutes arrive.
    batch(&app, &minji, &minutes("long", T0 + 7200, 6, 128.0)).await;
    batch(&app, &minji, &minutes("long-b", T0 + 7200 + 360, 6, 135.0)).await;
    let alerts = expect_alerts(&app, &minji, 1).await;
    assert_eq!(alerts[0]["severity"], "warning");
    assert_eq!(alerts[0]["value"], 135.0);
    assert!(alerts[0]["kind"].as_str().unwrap().starts_with("rule:"));

    // The same during a run is exercise.
    let run = T0 + 4 * 3600;
    batch(
        &app,
        &minji,
        &[
            json!({ "client_id": "w1", "type": "workout", "activity": "running",
        "start": seoul(run - 60), "end": seoul(run + 1800), "distance_m": 5000 }),
        ],
    )
    .await;
    batch(&app, &minji, &minutes("run", run, 25, 160.0)).await;
    expect_alerts(&app, &minji, 1).await;

    // One low oxygen reading is critical.
    batch(&app, &minji, &[json!({ "client_id": "o1", "type": "oxygen_saturation", "value": 91, "start": seoul(T0 + 5 * 3600) })]).await;
    let alerts = expect_alerts(&app, &minji, 2).await;
    assert_eq!(alerts[0]["severity"], "critical");

    // Three high blood pressures within a week.
    let bp = |id: &str, day: i64, s: f64, d: f64| json!({ "client_id": id, "type": "blood_pressure", "systolic": s, "diastolic": d, "start": seoul(T0 + day * 86_400) });
    batch(
        &app,
        &minji,
        &[
            bp("b1", 0, 145.0, 85.0),
            bp("b2", 1, 120.0, 78.0),
            bp("b3", 2, 132.0, 91.0),
        ],
    )
    .await;
    expect_alerts(&app, &minji, 2).await;
    batch(&app, &minji, &[bp("b4", 4, 150.0, 96.0)]).await;
    let alerts = expect_alerts(&app, &minji, 3).await;
    assert!(
        alerts[0]["message"].as_str().unwrap().contains("150/96"),
        "{alerts:?}"
    );

    // Alerts also arrive as notifications.
    let (_, notes) = get(&app, "/api/v1/me/notifications", &minji).await;
    assert!(
        notes.to_string().matches("\"alert\"").count() >= 3,
        "{notes}"
    );

    // Acknowledged, they leave the open list; acknowledging again changes nothing.
    let id = alerts[0]["id"].clone();
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/alerts/me/acknowledge",
            Some(&minji),
            Some(json!({ "alert_ids": [id] })),
        )
        .await;
    assert_eq!(
        (status, body["acknowledged"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let (_, body) = app
        .send(
            Method::POST,
            "/api/v1/alerts/me/acknowledge",
            Some(&minji),
            Some(json!({ "alert_ids": [alerts[0]["id"]] })),
        )
        .await;
    assert_eq!(body["acknowledged"], 0);
    assert_eq!(open_alerts(&app, &minji).await.len(), 2);
    let (_, body) = app
        .send(
            Method::POST,
            "/api/v1/alerts/me/acknowledge",
            Some(&minji),
            Some(json!({})),
        )
        .await;
    assert_eq!(body["acknowledged"], 2);
}

async fn custom_rules_and_the_anomaly_detector(backend: Backend) {
    let app = spawn(backend).await;
    let jiho = app.user("jiho").await;
    let (status, rules) = get(&app, "/api/v1/alerts/me/rules", &jiho).await;
    assert_eq!(
        (status, rules.as_array().unwrap().len()),
        (StatusCode::OK, 3)
    );
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/alerts/me/rules",
            Some(&jiho),
            Some(json!({ "kind": "threshold", "series": "blood_glucose" })),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("above"))
    );
    let (status, rule) = app
        .send(
            Method::POST,
            "/api/v1/alerts/me/rules",
            Some(&jiho),
            Some(json!({ "kind": "threshold", "series": "blood_glucose", "above": 180 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Three weeks of steady resting heart rate, then a day far above it.
    let steady: Vec<Value> = (0..21)
        .map(|d| {
            json!({ "client_id": format!("rhr{d}"), "type": "resting_heart_rate",
                         "value": 58 + (d * 7) % 5, "start": seoul(T0 + d * 86_400) })
        })
        .collect();
    batch(&app, &jiho, &steady).await;
    expect_alerts(&app, &jiho, 0).await;
    batch(
        &app,
        &jiho,
        &[
            json!({ "client_id": "rhr-high", "type": "resting_heart_rate", "value": 78,
        "start": seoul(T0 + 21 * 86_400) }),
        ],
    )
    .await;
    let alerts = expect_alerts(&app, &jiho, 1).await;
    assert_eq!(alerts[0]["kind"], "anomaly:resting_heart_rate");

    batch(
        &app,
        &jiho,
        &[json!({ "client_id": "g1", "type": "blood_glucose", "value": 190, "start": seoul(T0) })],
    )
    .await;
    expect_alerts(&app, &jiho, 2).await;
    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/alerts/me/rules/{}", rule["id"].as_str().unwrap()),
            Some(&jiho),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    batch(&app, &jiho, &[json!({ "client_id": "g2", "type": "blood_glucose", "value": 250, "start": seoul(T0 + 86_400) })]).await;
    expect_alerts(&app, &jiho, 2).await;

    // Nobody reads another's alerts unshared.
    let other = app.user("other").await;
    let (status, _) = get(&app, &format!("/api/v1/alerts/{}", jiho.id), &other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

platform::backend_tests!(
    rules_fire_on_crafted_series_only,
    custom_rules_and_the_anomaly_detector
);
