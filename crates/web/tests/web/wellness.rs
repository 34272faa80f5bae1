//! Wellness goals, alerts and recommendations through the pages.

use reqwest::StatusCode;

use crate::common::{Browser, spawn};

#[tokio::test]
async fn a_goal_is_set_shown_as_a_ring_and_removed() {
    let app = spawn().await;
    let me = Browser::new(&app);
    me.sign_up("eunji").await;
    let page = me.get("/wellness/goals").await;
    assert!(page.body.contains("아직 목표가 없어요."));

    let refused = me
        .post(
            "/wellness/goals",
            &page,
            &[("kind", "steps"), ("target", "많이")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("id=\"target-error\""));
    assert!(refused.body.contains("value=\"많이\""));

    let set = me
        .post(
            "/wellness/goals",
            &page,
            &[("kind", "steps"), ("target", "8000")],
        )
        .await;
    assert_eq!(set.location.as_deref(), Some("/wellness/goals"));
    let page = me.get("/wellness/goals").await;
    assert!(page.body.contains("하루 걸음 수 8000"), "{}", page.body);
    assert!(page.body.contains("class=\"ring-fill\""));
    let marker = "action=\"/wellness/goals/";
    let start = page.body.find(marker).unwrap() + marker.len();
    let id: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let removed = me
        .post(&format!("/wellness/goals/{id}/delete"), &page, &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(
        me.get("/wellness/goals")
            .await
            .body
            .contains("아직 목표가 없어요.")
    );
}

#[tokio::test]
async fn a_low_oxygen_reading_raises_an_alert_to_acknowledge() {
    let app = spawn().await;
    let me = Browser::new(&app);
    me.sign_up("hyejin").await;
    let dashboard = me.get("/wellness").await;
    let recorded = me
        .post(
            "/wellness",
            &dashboard,
            &[("kind", "oxygen_saturation"), ("value", "88")],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    assert!(
        app.eventually(10, || async {
            me.get("/wellness/alerts")
                .await
                .body
                .contains("name=\"alert_id\"")
        })
        .await,
        "the default SpO2 rule raised an alert"
    );
    let alerts = me.get("/wellness/alerts").await;
    let marker = "name=\"alert_id\" value=\"";
    let start = alerts.body.find(marker).unwrap() + marker.len();
    let id: String = alerts.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let done = me
        .post(
            "/wellness/alerts/acknowledge",
            &alerts,
            &[("alert_id", &id)],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/wellness/alerts"));
    let alerts = me.get("/wellness/alerts").await;
    assert!(alerts.body.contains("확인함"));
    assert!(!alerts.body.contains("name=\"alert_id\""));

    let noted = me
        .post(
            "/wellness/recommendations/feedback",
            &alerts,
            &[
                ("recommendation_id", "short_sleep"),
                ("verdict", "dismissed"),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.body);
}
