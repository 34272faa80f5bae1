//! A small client for ask's API over real HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ask::Ask;
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub async fn spawn(backend: Backend) -> TestApp {
    TestApp::builder(backend).app(Ask).spawn().await
}

pub async fn get(app: &TestApp, path: &str, user: Option<&TestUser>) -> (StatusCode, Value) {
    app.send(Method::GET, path, user, None).await
}

/// Asks a question; returns its id.
pub async fn ask(app: &TestApp, user: &TestUser, body: Value) -> String {
    let (status, q) = app
        .send(
            Method::POST,
            "/api/v1/questions",
            Some(user),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}: {q}");
    q["id"].as_str().unwrap().to_owned()
}

/// A plain question with the given title.
pub fn question(title: &str) -> Value {
    json!({ "title": title, "content": format!("{title} 알려주세요"), "category": "food" })
}

pub async fn answer(app: &TestApp, user: &TestUser, question: &str, text: &str) -> String {
    let path = format!("/api/v1/questions/{question}/answers");
    let (status, a) = app
        .send(
            Method::POST,
            &path,
            Some(user),
            Some(json!({ "content": text })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

pub async fn balance(app: &TestApp, user: &TestUser) -> i64 {
    let (status, p) = get(app, "/api/v1/ask/points", Some(user)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p["balance"].as_i64().unwrap()
}

/// The ledger audit, as an administrator sees it.
pub async fn audit(app: &TestApp, admin: &TestUser) -> Value {
    let (status, a) = get(app, "/api/v1/ask/admin/ledger", Some(admin)).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    a
}

/// Asserts the ledger is sound: entries sum to zero, every balance is the sum of its entries,
/// no one is below zero, and what users and escrow hold is exactly what rewards paid out.
pub fn assert_sound(audit: &Value) {
    assert_eq!(audit["entries_sum"], 0, "{audit}");
    assert_eq!(audit["mismatched"], json!([]), "{audit}");
    assert_eq!(audit["negative"], json!([]), "{audit}");
    let held = audit["users_total"].as_i64().unwrap() + audit["escrow"].as_i64().unwrap();
    assert_eq!(held, audit["rewards_paid"].as_i64().unwrap(), "{audit}");
}

/// Calls `check` until it reports done or `secs` pass; the last value it gave.
pub async fn poll<T, F, Fut>(secs: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, T)>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let (done, value) = check().await;
        if done || std::time::Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits for the sign-up bonus, paid when the registration's event is delivered.
pub async fn joined(app: &TestApp, user: &TestUser) {
    let points = poll(10, || async {
        let b = balance(app, user).await;
        (b == 100, b)
    })
    .await;
    assert_eq!(points, 100, "the sign-up bonus arrives");
}
