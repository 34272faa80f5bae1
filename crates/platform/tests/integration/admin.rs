//! The operators' figures.

use platform::backend_tests;
use platform::testing::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

backend_tests!(figures_are_for_moderators_and_reused_briefly);

async fn figures_are_for_moderators_and_reused_briefly(backend: Backend) {
    let app = TestApp::builder(backend).spawn().await;
    let member = app.user("member").await;
    let mut admin = app.user("operator").await;
    app.make_admin(&mut admin).await;
    let refused = app
        .get("/api/v1/admin/stats", Some(&member))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let figures = || async {
        let response = app
            .get("/api/v1/admin/stats", Some(&admin))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    let first = figures().await;
    assert_eq!(first["users"], 2);
    assert!(first["counted_at"].is_string(), "{first}");
    // A third account within the window: the same figures, counted once.
    app.user("newcomer").await;
    assert_eq!(figures().await, first);
}
