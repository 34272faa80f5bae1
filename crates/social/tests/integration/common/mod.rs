//! A small client for social's API over real HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use social::{Settings, Social};

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with_threshold(backend, Settings::default().fanout_threshold).await
}

/// An app that merges in, at read time, the posts of authors with at least `fanout_threshold`
/// followers.
pub async fn spawn_with_threshold(backend: Backend, fanout_threshold: i64) -> TestApp {
    TestApp::builder(backend)
        .app(Social::new(Settings { fanout_threshold }))
        .spawn()
        .await
}

pub async fn post(app: &TestApp, user: &TestUser, text: &str, visibility: &str) -> String {
    let response = app
        .post("/api/v1/content", Some(user))
        .json(&json!({ "text": text, "visibility": visibility }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{text}");
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn call(app: &TestApp, method: Method, path: &str, user: &TestUser) -> StatusCode {
    app.request(method, path, Some(user))
        .send()
        .await
        .unwrap()
        .status()
}

pub async fn follow(app: &TestApp, follower: &TestUser, target: &TestUser) {
    let path = format!("/api/v1/users/{}/follow", target.id);
    assert_eq!(
        call(app, Method::POST, &path, follower).await,
        StatusCode::OK
    );
}

pub async fn get_json(app: &TestApp, path: &str, user: &TestUser) -> (StatusCode, Value) {
    let response = app.get(path, Some(user)).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Ids of the posts on a page of `path` (a feed page or a plain list).
pub async fn ids(app: &TestApp, path: &str, user: &TestUser) -> Vec<String> {
    let (status, body) = get_json(app, path, user).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    item_ids(&body)
}

/// Ids of the posts in an answer: a feed page's `items`, or a plain list.
pub fn item_ids(body: &Value) -> Vec<String> {
    body.get("items")
        .unwrap_or(body)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The latest home feed of `user`, once the fan-out has run.
pub async fn latest(app: &TestApp, user: &TestUser) -> Vec<String> {
    ids(app, "/api/v1/feed?filter=latest&size=50", user).await
}

/// `reader`'s latest feed once `done` holds for it (the fan-out runs through the bus), or as it
/// is after five seconds.
pub async fn settle(
    app: &TestApp,
    reader: &TestUser,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    for _ in 0..100 {
        let seen = latest(app, reader).await;
        if done(&seen) {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    latest(app, reader).await
}

pub async fn feed_reaches(app: &TestApp, reader: &TestUser, expected: usize) -> Vec<String> {
    settle(app, reader, |seen| seen.len() == expected).await
}
