//! social's routes in the OpenAPI document, and no body of any shape makes them fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use platform::testing::Backend;
use proptest::prelude::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_social_route_is_documented() {
    let app = common::spawn(Backend::Sqlite).await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/feed",
        "/api/v1/feed/refresh",
        "/api/v1/content",
        "/api/v1/content/{id}",
        "/api/v1/content/{id}/history",
        "/api/v1/content/{id}/like",
        "/api/v1/content/{id}/comment",
        "/api/v1/content/{id}/comments",
        "/api/v1/content/{id}/share",
        "/api/v1/users/{id}/follow",
        "/api/v1/users/{id}/block",
        "/api/v1/users/{id}/mute",
        "/api/v1/users/{id}/followers",
        "/api/v1/users/{id}/following",
        "/api/v1/users/{id}/relationship",
        "/api/v1/users/{id}/content",
        "/api/v1/tags/{tag}",
        "/api/v1/me/follow-requests",
        "/api/v1/me/follow-requests/{id}",
        "/api/v1/me/privacy",
        "/ws/feed",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
}

#[test]
fn arbitrary_bodies_never_cause_a_500() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn(Backend::Sqlite));
    let user = runtime.block_on(app.user("fuzzer"));
    let post = runtime.block_on(common::post(&app, &user, "fuzz target", "public"));
    let routes = [
        "/api/v1/content".to_owned(),
        format!("/api/v1/content/{post}/comment"),
        format!("/api/v1/content/{post}/share"),
        format!("/api/v1/me/follow-requests/{}", user.id),
    ];
    let config = ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    };
    proptest!(config, |(route in 0..routes.len(), body in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "[ -~]{0,200}".prop_map(String::into_bytes),
        Just(br#"{"text":null,"media_ids":[{}],"visibility":7,"parent_comment_id":"-1"}"#.to_vec()),
        Just(br#"{"text":"x","parent_comment_id":"99999999999999999999"}"#.to_vec()),
    ])| {
        let status = runtime.block_on(async {
            app.post(&routes[route], Some(&user))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        });
        prop_assert!(status.is_client_error() || status.is_success(), "status {status}");
    });
}
