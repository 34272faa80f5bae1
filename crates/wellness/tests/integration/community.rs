//! Community statistics over real HTTP: withheld below 20 members, released with noise above.

use crate::common::{batch, get, spawn};
use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn statistics_need_twenty_members(backend: Backend) {
    let app = spawn(backend).await;
    let now = jiff::Timestamp::now();
    for i in 0..21 {
        let user = app.user(&format!("walker{i}")).await;
        let region = if i < 19 { "KR-11" } else { "KR-26" };
        let (status, _) = app
            .send(
                Method::PUT,
                "/api/v1/health/me/profile",
                Some(&user),
                Some(json!({ "time_zone": "Asia/Seoul", "region": region })),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let records: Vec<_> = (1..=3)
            .map(|d| {
                let at = now - jiff::SignedDuration::from_hours(24 * d);
                json!({ "client_id": format!("s{d}"), "type": "steps", "value": 8000,
                        "start": at.to_string(), "end": (at + jiff::SignedDuration::from_mins(30)).to_string() })
            })
            .collect();
        batch(&app, &user, &records).await;
    }
    let viewer = app.user("viewer").await;
    let (status, seoul) = get(
        &app,
        "/api/v1/health/community/stats?metric=steps&region=KR-11",
        &viewer,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seoul}");
    assert_eq!(seoul["released"], false, "19 members: {seoul}");
    assert!(seoul.get("mean").is_none());

    let (_, everyone) = get(
        &app,
        "/api/v1/health/community/stats?metric=steps&days=7&epsilon=2",
        &viewer,
    )
    .await;
    assert_eq!(everyone["released"], true, "{everyone}");
    let mean = everyone["mean"].as_f64().unwrap();
    assert!((0.0..=30_000.0).contains(&mean), "{everyone}");
    assert_eq!(everyone["sum_noise_scale"], 30_000.0);
    assert_eq!(everyone["unit"], "{steps}");

    for bad in [
        "metric=heart_rate",
        "metric=steps&epsilon=9",
        "metric=steps&days=0",
    ] {
        let (status, _) = get(
            &app,
            &format!("/api/v1/health/community/stats?{bad}"),
            &viewer,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

backend_tests!(statistics_need_twenty_members);
