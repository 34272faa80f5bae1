//! Moderators' queue and their undo: reports name what they are about, hidden content is
//! listed with its reason, and restoring brings it back to lists and tags.

use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{answer, ask, get, question, spawn};

backend_tests!(hidden_content_is_listed_and_restored);

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
