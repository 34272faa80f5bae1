//! A small client for wellness' API over real HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wellness::{Keyring, Settings, Wellness};

/// A fixed master key, so tests need no key file.
pub const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub async fn spawn(backend: Backend) -> TestApp {
    let app = Wellness::new(
        Keyring::from_base64(MASTER_KEY).unwrap(),
        &Settings::default(),
    )
    .unwrap();
    TestApp::builder(backend).app(app).spawn().await
}

pub async fn get(app: &TestApp, path: &str, user: &TestUser) -> (StatusCode, Value) {
    app.send(Method::GET, path, Some(user), None).await
}

/// Uploads `records` as one batch; the outcome.
pub async fn batch(app: &TestApp, user: &TestUser, records: &[Value]) -> Value {
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/health/me/records:batch",
            Some(user),
            Some(json!({ "records": records })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A heart-rate record `minute` minutes after `base` (RFC 3339).
pub fn heart_rate(id: &str, at: &str, bpm: f64) -> Value {
    json!({ "client_id": id, "type": "heart_rate", "value": bpm, "unit": "/min", "start": at,
            "source": { "device": "Galaxy Watch", "app": "maru-test" } })
}

/// RFC 3339 for `t` seconds after the Unix epoch, with offset +09:00.
pub fn seoul(t: i64) -> String {
    let at = jiff::Timestamp::from_second(t).unwrap();
    at.to_zoned(jiff::tz::TimeZone::get("Asia/Seoul").unwrap())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
