//! The asynchronous path: 202 at once, applied by the batching writer, outcome by operation.

use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{new_session, profile, spawn};

platform::backend_tests!(
    accepted_updates_are_applied_in_order_and_reported,
    a_stale_expected_version_is_reported_as_a_conflict,
);

async fn queue(app: &TestApp, user: &TestUser, session: &str, body: Value) -> String {
    let (status, answer) = app
        .send(
            Method::POST,
            &format!("/api/v1/assistant/sessions/{session}/profile:batch"),
            Some(user),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["status"], "accepted");
    answer["operation_id"].as_str().unwrap().to_owned()
}

async fn settled(app: &TestApp, user: &TestUser, operation: &str) -> Value {
    let path = format!("/api/v1/assistant/operations/{operation}");
    for _ in 0..1000 {
        let (_, op) = app.send(Method::GET, &path, Some(user), None).await;
        if op["status"] != "accepted" {
            return op;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("operation {operation} still waiting after 10 s");
}

async fn accepted_updates_are_applied_in_order_and_reported(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let jiho = app.user("jiho").await;
    let session = new_session(&app, &minji).await;
    let mut operations = Vec::new();
    for half_hours in 1..=20 {
        let body = json!({ "changes": [{ "op": "set", "field": "sleep_hours", "value": f64::from(half_hours) / 2.0 }] });
        operations.push(queue(&app, &minji, &session, body).await);
    }
    for (i, op) in operations.iter().enumerate() {
        let outcome = settled(&app, &minji, op).await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
        assert_eq!(outcome["version"], i as i64 + 1);
    }
    let now = profile(&app, &minji, &session, None).await;
    assert_eq!(now["version"], 20);
    assert_eq!(now["profile"]["sleep_hours"], 10.0);
    // Another user cannot see the operation, nor queue into the session.
    let (status, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/operations/{}", operations[0]),
            Some(&jiho),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/assistant/sessions/{session}/profile:batch"),
            Some(&jiho),
            Some(json!({ "changes": [{ "op": "set", "field": "diet", "value": "vegan" }] })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad changes are refused before anything is queued.
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/v1/assistant/sessions/{session}/profile:batch"),
            Some(&minji),
            Some(json!({ "changes": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "changes");
}

async fn a_stale_expected_version_is_reported_as_a_conflict(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let first = queue(&app, &minji, &session, json!({ "expected_version": 0, "changes": [{ "op": "set", "field": "diet", "value": "vegan" }] })).await;
    let second = queue(&app, &minji, &session, json!({ "expected_version": 0, "changes": [{ "op": "set", "field": "diet", "value": "halal" }] })).await;
    assert_eq!(settled(&app, &minji, &first).await["status"], "applied");
    let outcome = settled(&app, &minji, &second).await;
    assert_eq!(outcome["status"], "conflict", "{outcome}");
    assert!(outcome["error"].as_str().unwrap().contains("version 1"));
    assert_eq!(
        profile(&app, &minji, &session, None).await["profile"]["diet"],
        "vegan"
    );
}
