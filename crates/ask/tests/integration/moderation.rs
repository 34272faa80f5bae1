//! Moderation: hidden content is invisible to others, reports name what they are about, hidden
//! content is listed with its reason, and restoring brings it back to lists and tags.

use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{answer, ask, get, poll, question, spawn};

backend_tests!(
    hidden_content_is_invisible_to_others,
    hidden_content_is_listed_and_restored,
);

async fn hidden_content_is_listed_and_restored(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let mut moderator = app.user("moderator").await;
    app.make_admin(&mut moderator).await;
    let mut body = question("광고 질문");
    body["hashtags"] = json!(["제주맛집"]);
    let q = ask(&app, &minji, body).await;
    let a = answer(&app, &jiho, &q, "스팸 답변").await;
    let report = json!({ "target_type": "answer", "target_id": a, "reason": "스팸" });
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/ask/reports",
            Some(&minji),
            Some(report),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, reports) = get(&app, "/api/v1/ask/moderation/reports", Some(&moderator)).await;
    assert_eq!(reports[0]["excerpt"], "스팸 답변");
    assert_eq!(reports[0]["question_id"], json!(q));

    let reason = Some(json!({ "reason": "광고" }));
    for path in [
        format!("/api/v1/ask/moderation/questions/{q}/hide"),
        format!("/api/v1/ask/moderation/answers/{a}/hide"),
    ] {
        let (status, _) = app
            .send(Method::POST, &path, Some(&moderator), reason.clone())
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}");
    }
    let (_, hidden) = get(&app, "/api/v1/ask/moderation/hidden", Some(&moderator)).await;
    let kinds: Vec<&str> = hidden
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["target_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["answer", "question"], "latest first");
    assert_eq!(hidden[1]["reason"], "광고");
    assert_eq!(
        get(&app, "/api/v1/ask/moderation/hidden", Some(&jiho))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, tagged) = get(&app, "/api/v1/questions?hashtags=제주맛집", None).await;
    assert_eq!(tagged["questions"], json!([]));

    for path in [
        format!("/api/v1/ask/moderation/questions/{q}/restore"),
        format!("/api/v1/ask/moderation/answers/{a}/restore"),
    ] {
        let (status, _) = app.send(Method::POST, &path, Some(&moderator), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}");
        let (status, _) = app.send(Method::POST, &path, Some(&jiho), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only moderators restore");
    }
    let (_, hidden) = get(&app, "/api/v1/ask/moderation/hidden", Some(&moderator)).await;
    assert_eq!(hidden, json!([]));
    let (_, tagged) = get(&app, "/api/v1/questions?hashtags=제주맛집", None).await;
    assert_eq!(tagged["questions"][0]["id"], json!(q), "back under its tag");
    let (_, page) = get(&app, &format!("/api/v1/questions/{q}"), None).await;
    assert_eq!(
        page["answers"][0]["id"],
        json!(a),
        "the answer is shown again"
    );
}

async fn hidden_content_is_invisible_to_others(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let mut moderator = app.user("moderator").await;
    app.make_admin(&mut moderator).await;
    let mut body = question("광고 질문");
    body["location"] = json!({ "lat": 33.5, "lng": 126.53 });
    let q = ask(&app, &minji, body).await;
    let a = answer(&app, &jiho, &q, "스팸 답변").await;
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/ask/reports",
            Some(&jiho),
            Some(json!({ "target_type": "question", "target_id": q, "reason": "광고" })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, reports) = get(&app, "/api/v1/ask/moderation/reports", Some(&moderator)).await;
    assert_eq!(reports.as_array().map(Vec::len), Some(1));
    assert_eq!(
        get(&app, "/api/v1/ask/moderation/reports", Some(&jiho))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Searched before hiding, so a cached result exists that hiding must retire.
    let search = "/api/v1/search?q=광고&type=questions";
    let hits = |page: &serde_json::Value| page["items"].as_array().map_or(0, Vec::len);
    let before = poll(10, || async {
        let n = hits(&get(&app, search, None).await.1);
        (n == 1, n)
    })
    .await;
    assert_eq!(before, 1);
    let reason = Some(json!({ "reason": "광고" }));
    let path = format!("/api/v1/ask/moderation/answers/{a}/hide");
    assert_eq!(
        app.send(Method::POST, &path, Some(&moderator), reason.clone())
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, page) = get(&app, &format!("/api/v1/questions/{q}"), None).await;
    assert_eq!(
        page["answers"],
        json!([]),
        "a hidden answer is gone for others"
    );
    let (_, own) = get(&app, &format!("/api/v1/questions/{q}"), Some(&jiho)).await;
    assert_eq!(
        own["answers"][0]["hidden_reason"], "광고",
        "its author still sees it, with the reason"
    );

    let path = format!("/api/v1/ask/moderation/questions/{q}/hide");
    assert_eq!(
        app.send(Method::POST, &path, Some(&moderator), reason)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&app, &format!("/api/v1/questions/{q}"), Some(&jiho))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("/api/v1/questions/{q}"), Some(&minji))
            .await
            .0,
        StatusCode::OK
    );
    let (_, list) = get(&app, "/api/v1/questions", None).await;
    assert_eq!(list["questions"], json!([]));
    let (_, near) = get(
        &app,
        "/api/v1/locations/nearby?lat=33.5&lng=126.53&radius_km=1",
        None,
    )
    .await;
    assert_eq!(near["items"], json!([]));
    let (_, reports) = get(&app, "/api/v1/ask/moderation/reports", Some(&moderator)).await;
    assert_eq!(reports, json!([]), "hiding resolves the reports");
    let after = poll(10, || async {
        let n = hits(&get(&app, search, None).await.1);
        (n == 0, n)
    })
    .await;
    assert_eq!(after, 0, "hidden questions leave search");

    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/ask/moderation/users/{}/suspend", jiho.id),
            Some(&moderator),
            Some(json!({ "days": 3, "reason": "스팸" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/questions",
            Some(&jiho),
            Some(question("다시 광고")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a suspended member cannot ask"
    );
    let (status, own) = get(&app, "/api/v1/ask/profile", Some(&jiho)).await;
    assert_eq!(status, StatusCode::OK, "but still sees their own profile");
    assert!(own["suspended_until"].is_string(), "{own}");
}
