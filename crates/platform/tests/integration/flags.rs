//! Feature flags through the admin API: on/off, percentage rollouts stable across a restart,
//! per-user overrides, what each user sees, and exposures in `/metrics`.

use platform::accounts::UserId;
use platform::backend_tests;
use platform::testing::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_tests!(
    admins_roll_flags_out_and_users_see_their_answers,
    a_rollout_reaches_its_share_and_survives_a_restart,
);

async fn admins_roll_flags_out_and_users_see_their_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    let minji = app.user("minji").await;

    let (status, _) = app
        .send(
            Method::PUT,
            "/api/v1/admin/flags/new_feed",
            Some(&minji),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, flag) = app
        .send(
            Method::PUT,
            "/api/v1/admin/flags/new_feed",
            Some(&admin),
            Some(
                json!({ "enabled": true, "rollout_percent": 0, "description": "the ranked feed" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{flag}");
    assert_eq!(flag["rollout_percent"], 0.0);
    let (_, mine) = app
        .send(Method::GET, "/api/v1/flags", Some(&minji), None)
        .await;
    assert_eq!(mine, json!({ "new_feed": false }));

    let (status, _) = app
        .send(
            Method::PUT,
            &format!("/api/v1/admin/flags/new_feed/overrides/{}", minji.id),
            Some(&admin),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = app
        .send(Method::GET, "/api/v1/flags", Some(&minji), None)
        .await;
    assert_eq!(mine, json!({ "new_feed": true }));
    let (_, everyone) = app
        .send(Method::GET, "/api/v1/flags", Some(&admin), None)
        .await;
    assert_eq!(everyone, json!({ "new_feed": false }));

    for (body, field) in [
        (
            json!({ "enabled": true, "rollout_percent": 120 }),
            "rollout_percent",
        ),
        (json!({ "enabled": "yes" }), ""),
    ] {
        let (status, problem) = app
            .send(
                Method::PUT,
                "/api/v1/admin/flags/new_feed",
                Some(&admin),
                Some(body),
            )
            .await;
        assert!(status.is_client_error(), "{problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
    }
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/v1/admin/flags/Bad%20Name",
            Some(&admin),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let user = UserId::from_raw(minji.id.parse().unwrap());
    assert!(app.ctx.flags.is_enabled("new_feed", user, false).await);
    assert!(
        app.ctx.flags.is_enabled("unknown_flag", user, true).await,
        "unknown flags give the default"
    );
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("flag_exposures_total{flag=\"new_feed\",on=\"true\"}"),
        "{metrics}"
    );

    let (status, _) = app
        .send(
            Method::DELETE,
            "/api/v1/admin/flags/new_feed",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = app
        .send(Method::GET, "/api/v1/flags", Some(&minji), None)
        .await;
    assert_eq!(mine, json!({}));
}

async fn a_rollout_reaches_its_share_and_survives_a_restart(backend: Backend) {
    let app = TestApp::spawn(backend.clone()).await;
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/v1/admin/flags/assistant.semantic_cache",
            Some(&admin),
            Some(json!({ "enabled": true, "rollout_percent": 10 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut on = Vec::new();
    for id in 1..=100_000 {
        let user = UserId::from_raw(id);
        if app
            .ctx
            .flags
            .is_enabled("assistant.semantic_cache", user, false)
            .await
        {
            on.push(id);
        }
    }
    assert!(
        (9_000..=11_000).contains(&on.len()),
        "{} of 100,000",
        on.len()
    );
    // Another server process over the same rule answers the same for everyone.
    let other = TestApp::spawn(backend).await;
    let mut admin = other.user("admin").await;
    other.make_admin(&mut admin).await;
    other
        .send(
            Method::PUT,
            "/api/v1/admin/flags/assistant.semantic_cache",
            Some(&admin),
            Some(json!({ "enabled": true, "rollout_percent": 10 })),
        )
        .await;
    let mut again = Vec::new();
    for id in 1..=100_000 {
        if other
            .ctx
            .flags
            .is_enabled("assistant.semantic_cache", UserId::from_raw(id), false)
            .await
        {
            again.push(id);
        }
    }
    assert_eq!(on, again);
}
