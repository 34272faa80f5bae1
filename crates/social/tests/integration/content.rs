//! Posts, likes, comments and shares over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::common::{call, get_json, post, spawn};
use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

backend_tests!(
    a_post_carries_its_tags_and_mentions_and_keeps_its_edits,
    likes_are_exact_under_concurrency_and_idempotent,
    comments_thread_to_any_depth_and_notify,
    bad_input_names_the_field_and_writes_nothing,
    only_public_posts_can_be_shared,
    views_are_counted_in_batches_and_not_for_the_author,
    a_video_post_takes_an_mp4_upload_and_refuses_a_fake,
);

async fn a_post_carries_its_tags_and_mentions_and_keeps_its_edits(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let id = post(
        &app,
        &minji,
        "#제주맛집 추천 @jiho 같이 가자 #JejuFood",
        "public",
    )
    .await;
    let (status, body) = get_json(&app, &format!("/api/v1/content/{id}"), &jiho).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["content"]["hashtags"], json!(["제주맛집", "jejufood"]));
    assert_eq!(body["content"]["mentions"], json!([jiho.id.clone()]));
    assert_eq!(body["content_type"], "text");
    assert_eq!(body["engagement"]["likes_count"], 0);

    // jiho was told.
    let (_, notes) = get_json(&app, "/api/v1/me/notifications", &jiho).await;
    assert!(notes.to_string().contains("mention"), "{notes}");

    // Her feed page is cached with the post answered in it.
    let feed = "/api/v1/feed?filter=latest";
    let (_, page) = get_json(&app, feed, &minji).await;
    assert_eq!(page["items"][0]["author"]["username"], "minji");

    // Editing keeps the old text; only the author may.
    let path = format!("/api/v1/content/{id}");
    let edited = app
        .request(Method::PATCH, &path, Some(&minji))
        .json(&json!({ "text": "#제주맛집 수정했어요" }))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["content"]["hashtags"], json!(["제주맛집"]));
    let foreign = app
        .request(Method::PATCH, &path, Some(&jiho))
        .json(&json!({ "text": "hijack" }))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let (_, history) = get_json(&app, &format!("{path}/history"), &minji).await;
    assert_eq!(
        history[0]["text"],
        "#제주맛집 추천 @jiho 같이 가자 #JejuFood"
    );

    // Every answer follows the edit at once, the cached feed page too.
    let (_, page) = get_json(&app, feed, &minji).await;
    assert_eq!(page["items"][0]["content"]["text"], "#제주맛집 수정했어요");
    let (_, seen) = get_json(&app, &path, &jiho).await;
    assert_eq!(seen["content"]["text"], "#제주맛집 수정했어요");
    assert_ne!(seen["updated_at"], seen["created_at"]);

    // The tag timeline follows the edit.
    let tagged = common::ids(&app, "/api/v1/tags/jejufood", &jiho).await;
    assert!(tagged.is_empty());
    let tagged = common::ids(&app, "/api/v1/tags/%23제주맛집", &jiho).await;
    assert_eq!(tagged, std::slice::from_ref(&id));

    // Deleting takes it out of every view at once.
    assert_eq!(
        call(&app, Method::DELETE, &path, &jiho).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, Method::DELETE, &path, &minji).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(get_json(&app, &path, &minji).await.0, StatusCode::NOT_FOUND);
    assert!(
        common::ids(&app, "/api/v1/tags/제주맛집", &jiho)
            .await
            .is_empty()
    );
    let own = common::ids(&app, &format!("/api/v1/users/{}/content", minji.id), &minji).await;
    assert!(own.is_empty());
}

async fn likes_are_exact_under_concurrency_and_idempotent(backend: Backend) {
    let app = spawn(backend).await;
    let author = app.user("author").await;
    let id = post(&app, &author, "좋아요 눌러주세요", "public").await;
    let mut likers = Vec::new();
    for i in 0..100 {
        likers.push(app.user(&format!("liker{i:03}")).await);
    }
    let path = format!("/api/v1/content/{id}/like");
    let answers = futures::future::join_all(
        likers
            .iter()
            .map(|u| app.request(Method::POST, &path, Some(u)).send()),
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|r| r.as_ref().unwrap().status() == StatusCode::OK)
    );
    // Liking again changes nothing.
    assert_eq!(
        call(&app, Method::POST, &path, &likers[0]).await,
        StatusCode::OK
    );
    let (_, body) = get_json(&app, &format!("/api/v1/content/{id}"), &likers[0]).await;
    assert_eq!(body["engagement"]["likes_count"], 100);
    assert_eq!(body["liked"], true);
    assert_eq!(
        call(&app, Method::DELETE, &path, &likers[0]).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, Method::DELETE, &path, &likers[0]).await,
        StatusCode::NO_CONTENT
    );
    let (_, body) = get_json(&app, &format!("/api/v1/content/{id}"), &author).await;
    assert_eq!(body["engagement"]["likes_count"], 99);
    assert_eq!(body["liked"], false);

    // One group for the author: "liker099 and 98 others liked your post".
    let (_, grouped) = get_json(&app, "/api/v1/me/notifications?grouped=true", &author).await;
    assert!(grouped.to_string().contains("like"), "{grouped}");
}

async fn comments_thread_to_any_depth_and_notify(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho, seoyeon) = (
        app.user("minji").await,
        app.user("jiho").await,
        app.user("seoyeon").await,
    );
    let id = post(&app, &minji, "오늘 한라산 다녀왔어요", "public").await;
    let comment = |user, text: &str, parent: Option<&str>| {
        let app = &app;
        let body = json!({ "text": text, "parent_comment_id": parent });
        let path = format!("/api/v1/content/{id}/comment");
        async move {
            let response = app
                .post(&path, Some(user))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let first = comment(&jiho, "멋져요!", None).await;
    let reply = comment(&seoyeon, "저도 가고 싶어요", Some(&first)).await;
    let deeper = comment(&jiho, "다음에 같이 가요", Some(&reply)).await;
    let second = comment(&seoyeon, "날씨는 어땠나요?", None).await;

    let (_, threads) = get_json(&app, &format!("/api/v1/content/{id}/comments"), &minji).await;
    assert_eq!(threads[0]["id"], first);
    assert_eq!(threads[0]["replies"][0]["id"], reply);
    assert_eq!(threads[0]["replies"][0]["replies"][0]["id"], deeper);
    assert_eq!(threads[1]["id"], second);
    // Pages of threads.
    let (_, page) = get_json(
        &app,
        &format!("/api/v1/content/{id}/comments?size=1&after={first}"),
        &minji,
    )
    .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["id"], second);

    let (_, post) = get_json(&app, &format!("/api/v1/content/{id}"), &minji).await;
    assert_eq!(post["engagement"]["comments_count"], 4);
    // The author heard of comments, seoyeon of jiho's reply to her.
    let (_, notes) = get_json(&app, "/api/v1/me/notifications", &seoyeon).await;
    assert!(notes.to_string().contains("reply"), "{notes}");

    // A parent from another post is refused, naming the field.
    let other = common::post(&app, &jiho, "다른 글", "public").await;
    let wrong = app
        .post(&format!("/api/v1/content/{other}/comment"), Some(&jiho))
        .json(&json!({ "text": "x", "parent_comment_id": first }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "parent_comment_id");
}

async fn bad_input_names_the_field_and_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let cases = [
        (json!({ "text": "" }), "text"),
        (json!({ "text": "가".repeat(5_001) }), "text"),
        (
            json!({ "text": "hi", "visibility": "friends" }),
            "visibility",
        ),
        (json!({ "text": "hi", "type": "poll" }), "type"),
        (json!({ "text": "hi", "media_ids": ["abc"] }), "media_ids"),
        (json!({ "type": "image", "text": "no media" }), "media_ids"),
        (
            json!({ "text": "hi", "media_ids": ["12345"] }),
            "media_ids[0]",
        ),
    ];
    for (body, field) in cases {
        let response = app
            .post("/api/v1/content", Some(&minji))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    // Bad query parameters are 400s, naming the parameter.
    let (status, problem) = get_json(&app, "/api/v1/feed?size=500", &minji).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "size");
    let (status, problem) = get_json(&app, "/api/v1/feed?filter=best", &minji).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "filter");

    let mine = common::ids(&app, &format!("/api/v1/users/{}/content", minji.id), &minji).await;
    assert!(mine.is_empty(), "nothing was written");
}

async fn only_public_posts_can_be_shared(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let public = post(&app, &minji, "공유해 주세요", "public").await;
    let shared = app
        .post(&format!("/api/v1/content/{public}/share"), Some(&jiho))
        .json(&json!({ "text": "좋은 글" }))
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), StatusCode::CREATED);
    let shared: Value = shared.json().await.unwrap();
    assert_eq!(shared["reshare_of"], public);
    assert_eq!(shared["author_id"], jiho.id.as_str());
    let (_, original) = get_json(&app, &format!("/api/v1/content/{public}"), &minji).await;
    assert_eq!(original["engagement"]["shares_count"], 1);

    common::follow(&app, &jiho, &minji).await;
    let followers_only = post(&app, &minji, "팔로워만", "followers").await;
    let refused = app
        .post(
            &format!("/api/v1/content/{followers_only}/share"),
            Some(&jiho),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn views_are_counted_in_batches_and_not_for_the_author(backend: Backend) {
    let app = spawn(backend).await;
    let (author, reader) = (app.user("author").await, app.user("reader").await);
    let id = post(&app, &author, "몇 번 봤을까", "public").await;
    let path = format!("/api/v1/content/{id}");
    for _ in 0..3 {
        assert_eq!(get_json(&app, &path, &reader).await.0, StatusCode::OK);
    }
    get_json(&app, &path, &author).await;
    let views =
        || async { get_json(&app, &path, &author).await.1["engagement"]["views_count"].clone() };
    app.eventually(6, || async { views().await == 3 }).await;
    assert_eq!(views().await, 3);
}

/// The start of an ISO base media file: an `ftyp` box naming the `isom` brand.
fn tiny_mp4() -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    bytes.extend_from_slice(&[0, 0, 0, 8]);
    bytes.extend_from_slice(b"free");
    bytes.resize(256, 0);
    bytes
}

async fn upload(
    app: &platform::testing::TestApp,
    user: &platform::testing::TestUser,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("video/mp4")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("app", "social");
    app.post("/api/v1/uploads", Some(user))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_video_post_takes_an_mp4_upload_and_refuses_a_fake(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let uploaded = upload(&app, &minji, tiny_mp4(), "clip.mp4").await;
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let media: Value = uploaded.json().await.unwrap();
    assert_eq!(media["kind"], "video");
    let created = app
        .post("/api/v1/content", Some(&minji))
        .json(&json!({ "type": "video", "text": "바다 영상", "media_ids": [media["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["content"]["media_ids"], json!([media["id"]]));
    // Every list answers a post with its author and uploads: no request more per card.
    assert_eq!(created["author"]["username"], "minji");
    assert_eq!(created["media"][0]["id"], media["id"]);
    assert_eq!(created["media"][0]["url"], media["url"]);
    let (_, feed) = get_json(&app, "/api/v1/feed?filter=latest", &minji).await;
    assert_eq!(feed["items"][0]["author"]["id"], json!(minji.id.clone()));
    assert_eq!(feed["items"][0]["media"][0]["kind"], "video");
    let timeline = format!("/api/v1/users/{}/content", minji.id);
    let (_, own) = get_json(&app, &timeline, &minji).await;
    assert_eq!(own[0]["media"][0]["id"], media["id"]);
    assert!(
        own[0]["author"]["email"].is_null(),
        "only the public profile"
    );

    // An HTML page named .mp4 is not a video; nothing is stored.
    let fake = upload(
        &app,
        &minji,
        b"<html><script>alert(1)</script></html>".to_vec(),
        "clip.mp4",
    )
    .await;
    assert_eq!(fake.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Someone else's upload cannot be attached.
    let jiho = app.user("jiho").await;
    let stolen = app
        .post("/api/v1/content", Some(&jiho))
        .json(&json!({ "type": "video", "media_ids": [media["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = stolen.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "media_ids[0]");
}
