//! What every route promises: problem+json for bad input (never a 500 or plain text), rate
//! limits with their headers, request ids, health, metrics and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use platform::backend_tests;
use platform::testing::{Backend, TestApp};
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(
    each_kind_of_bad_input_gets_a_problem_naming_the_field,
    the_auth_class_limit_answers_429_with_its_headers,
    repeated_failed_logins_are_slowed_down,
    requests_carry_ids_and_show_in_metrics,
    every_route_is_in_the_openapi_document,
);

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    (status, response.json().await.unwrap())
}

async fn each_kind_of_bad_input_gets_a_problem_naming_the_field(backend: Backend) {
    let app = TestApp::builder(backend)
        .config(|c| c.limits.body_bytes = 4096)
        .spawn()
        .await;
    let user = app.user("tester").await;
    let register = "/api/v1/auth/register";

    let (status, body) = problem(
        app.post(register, None)
            .header("content-type", "application/json")
            .body("this is not JSON")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body")),
        "malformed JSON"
    );

    let wrong_type =
        json!({ "username": 7, "email": "a@b.kr", "password": "long enough password" });
    let (status, body) = problem(
        app.post(register, None)
            .json(&wrong_type)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("username")),
        "wrong type"
    );

    let missing = json!({ "username": "someone", "password": "long enough password" });
    let (status, body) = problem(
        app.post(register, None)
            .json(&missing)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email")),
        "missing field"
    );

    let (status, body) = problem(
        app.post(register, None)
            .body("username=x")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");

    let huge = json!({ "username": "someone", "email": "a@b.kr", "password": "x".repeat(10_000) });
    let (status, _) = problem(app.post(register, None).json(&huge).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "oversized body");

    let (status, body) = problem(
        app.get("/api/v1/me/notifications?limit=abc", Some(&user))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit")),
        "bad query string"
    );

    let (status, body) = problem(
        app.get("/api/v1/me/notifications?limit=500", Some(&user))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit")),
        "out of range"
    );

    let (status, body) = problem(app.get("/api/v1/users/12ab", None).send().await.unwrap()).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id")),
        "bad path id"
    );

    let (status, _) = problem(
        app.request(reqwest::Method::PATCH, "/api/v1/auth/login", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_client_error());
    let (status, _) = problem(app.get("/api/v1/nothing-here", None).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_auth_class_limit_answers_429_with_its_headers(backend: Backend) {
    let app = TestApp::builder(backend)
        .config(|c| {
            c.limits.enabled = true;
            c.limits.classes.insert("auth".into(), 3);
        })
        .spawn()
        .await;
    let attempt = || {
        app.post("/api/v1/auth/login", None)
            .json(&json!({ "login": "ghost", "password": "whatever it is" }))
            .send()
    };
    for remaining in (0..3).rev() {
        let response = attempt().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["ratelimit-limit"], "3");
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            remaining.to_string().as_str()
        );
    }
    let refused = attempt().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=20).contains(&retry_after),
        "one token per 20 s: {retry_after}"
    );
    assert_eq!(refused.headers()["ratelimit-remaining"], "0");
    assert!(refused.headers().contains_key("ratelimit-reset"));
    let (_, body) = problem(refused).await;
    assert_eq!(body["status"], 429);
    // Other routes are not in the class.
    assert_eq!(
        app.get("/health", None).send().await.unwrap().status(),
        StatusCode::OK
    );
}

async fn repeated_failed_logins_are_slowed_down(backend: Backend) {
    let app = TestApp::builder(backend)
        .config(|c| c.auth.failed_logins_before_delay = 2)
        .spawn()
        .await;
    let user = app.user("target").await;
    let wrong = || {
        app.post("/api/v1/auth/login", None)
            .json(&json!({ "login": "target", "password": "guess guess guess" }))
            .send()
    };
    assert_eq!(wrong().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "the third failure sets a delay"
    );
    let blocked = wrong().await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
    // Even the right password waits until the delay has passed.
    let right = app
        .post("/api/v1/auth/login", None)
        .json(&json!({ "login": "target", "password": user.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.login("target", &user.password).await;
}

async fn requests_carry_ids_and_show_in_metrics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let given = app
        .get("/health", None)
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-123");
    let made = app.get("/api/v1/users/1", None).send().await.unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = made.json().await.unwrap();
    assert_eq!(
        body["request_id"],
        id.as_str(),
        "problems quote the request id"
    );

    let ready: Value = app
        .get("/ready", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["database"], true);
    let metrics = app
        .get("/metrics", None)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "db_pool_connections",
        "outbox_pending_events",
        "job_queue_depth",
        "realtime_topics",
    ] {
        assert!(metrics.contains(name), "missing {name}");
    }
    assert!(
        metrics.contains("route=\"/api/v1/users/{id}\""),
        "labelled by route template, not raw path"
    );
}

async fn every_route_is_in_the_openapi_document(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/users/me",
        "/api/v1/users/me/export",
        "/api/v1/users/{id}",
        "/api/v1/admin/users/{id}/role",
        "/api/v1/users/me/api-keys",
        "/api/v1/me/notifications",
        "/api/v1/search",
        "/api/v1/uploads",
        "/api/v1/stream",
        "/api/v1/admin/jobs",
        "/files/{key}",
        "/health",
        "/ready",
        "/metrics",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert_eq!(
        app.get("/api/docs/", None).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[test]
fn arbitrary_bodies_never_cause_a_500() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(TestApp::spawn(Backend::Sqlite));
    let user = runtime.block_on(app.user("fuzzer"));
    let routes = [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/users/me/api-keys",
    ];
    let config = ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    };
    proptest!(config, |(route in 0..routes.len(), body in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(bytes::Bytes::from),
        "[ -~]{0,200}".prop_map(bytes::Bytes::from),
        Just(bytes::Bytes::from_static(b"{\"username\":null,\"email\":[],\"password\":{}}")),
    ], json_type in any::<bool>())| {
        let status = runtime.block_on(async {
            let mut request = app.post(routes[route], Some(&user)).body(body);
            if json_type {
                request = request.header("content-type", "application/json");
            }
            request.send().await.unwrap().status()
        });
        prop_assert!(status.is_client_error() || status.is_success(), "status {status}");
    });
}
