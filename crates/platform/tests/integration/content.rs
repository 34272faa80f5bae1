//! Search across apps' document types, and uploads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use crate::common::{Notes, Probe};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

backend_tests!(
    korean_search_finds_words_with_or_without_spaces,
    search_hides_what_the_viewer_may_not_see,
    search_finds_users_and_refuses_bad_parameters,
    images_are_checked_re_encoded_and_thumbnailed,
    uploads_that_are_not_images_are_refused,
    other_file_kinds_follow_each_apps_allowance,
);

async fn note(app: &TestApp, user: &TestUser, text: &str, private: bool) {
    let response = app
        .post("/api/v1/test/notes", Some(user))
        .json(&json!({ "text": text, "private": private }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn search(app: &TestApp, user: Option<&TestUser>, query: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/api/v1/search?{query}"), user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// Waits until indexing caught up with the bus, then commits. Outbox first: once an event is
/// dispatched its deliveries are queued in the same transaction, so an empty queue afterwards
/// means they all ran.
async fn settle(app: &TestApp) {
    let drained = app
        .eventually(5, || async {
            app.ctx.bus.pending().await.unwrap() == 0
                && app
                    .ctx
                    .jobs
                    .counts()
                    .await
                    .unwrap()
                    .iter()
                    .all(|(_, n)| *n == 0)
        })
        .await;
    assert!(drained);
    app.ctx.search.commit().await.unwrap();
}

async fn korean_search_finds_words_with_or_without_spaces(backend: Backend) {
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .spawn()
        .await;
    let user = app.user("traveller").await;
    note(&app, &user, "제주도 맛집 추천해주세요", false).await;
    note(&app, &user, "오늘 #제주맛집 다녀왔어요", false).await;
    note(&app, &user, "부산 돼지국밥 어디가 좋아요?", false).await;
    settle(&app).await;

    let spaced = search(&app, None, "q=제주%20맛집&type=notes").await;
    assert_eq!(spaced.len(), 2, "{spaced:?}");
    let joined = search(&app, None, "q=제주맛집&type=notes").await;
    assert_eq!(joined.len(), 2, "{joined:?}");
    assert!(
        joined
            .iter()
            .any(|h| h["snippet"].as_str().unwrap().contains("<b>")),
        "matches are highlighted"
    );
    assert_eq!(search(&app, None, "q=돼지국밥").await.len(), 1);
    assert_eq!(
        search(&app, None, "q=서울%20맛집").await.len(),
        0,
        "every word must match"
    );
    assert_eq!(search(&app, None, "q=맛집&region=jeju").await.len(), 2);
    assert_eq!(search(&app, None, "q=맛집&region=busan").await.len(), 0);

    let first = app
        .get("/api/v1/search?q=맛집&limit=1", None)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = search(&app, None, &format!("q=맛집&limit=1&cursor={cursor}")).await;
    assert_eq!(second.len(), 1);
    assert_ne!(
        first["items"][0]["id"], second[0]["id"],
        "pages do not repeat"
    );
}

async fn search_hides_what_the_viewer_may_not_see(backend: Backend) {
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .spawn()
        .await;
    let (owner, other) = (app.user("diarist").await, app.user("neighbour").await);
    note(&app, &owner, "비밀 일기 한라산", true).await;
    note(&app, &owner, "공개 일기 한라산", false).await;
    settle(&app).await;
    assert_eq!(search(&app, Some(&owner), "q=한라산").await.len(), 2);
    assert_eq!(search(&app, Some(&other), "q=한라산").await.len(), 1);
    assert_eq!(search(&app, None, "q=한라산").await.len(), 1);
}

async fn search_finds_users_and_refuses_bad_parameters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("jeju_local").await;
    app.request(reqwest::Method::PUT, "/api/v1/users/me", Some(&user))
        .json(&json!({ "display_name": "제주 토박이" }))
        .send()
        .await
        .unwrap();
    settle(&app).await;
    let hits = search(&app, None, "q=토박이&type=users").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["type"], "users");
    assert_eq!(hits[0]["document"]["username"], "jeju_local");

    app.request(reqwest::Method::DELETE, "/api/v1/users/me", Some(&user))
        .send()
        .await
        .unwrap();
    settle(&app).await;
    assert!(
        search(&app, None, "q=토박이&type=users").await.is_empty(),
        "deleted accounts vanish from search"
    );

    for (query, field) in [
        ("q=", "q"),
        ("q=x&type=planets", "type"),
        ("q=x&limit=0", "limit"),
        ("q=x&cursor=abc", "cursor"),
    ] {
        let response = app
            .get(&format!("/api/v1/search?{query}"), None)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
}

fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(width, height)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = out.into_inner();
    let exif = b"Exif\0\0GPSLatitude 33.4996 GPSLongitude 126.5312";
    let mut with_exif = plain[..2].to_vec();
    with_exif.extend_from_slice(&[0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
    with_exif.extend_from_slice(exif);
    with_exif.extend_from_slice(&plain[2..]);
    with_exif
}

fn upload_form(bytes: Vec<u8>, name: &str, mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap(),
    )
}

async fn images_are_checked_re_encoded_and_thumbnailed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("photographer").await;
    let anonymous = app
        .post("/api/v1/uploads", None)
        .multipart(upload_form(jpeg_with_gps(64, 32), "a.jpg", "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // Named .png and declared as PNG, but the bytes are a JPEG: the bytes decide.
    let response = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(upload_form(
            jpeg_with_gps(640, 320),
            "photo.png",
            "image/png",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let media: Value = response.json().await.unwrap();
    assert_eq!(
        (media["kind"].as_str(), media["content_type"].as_str()),
        (Some("image"), Some("image/jpeg"))
    );
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(640), Some(320))
    );

    let stored = app
        .get(media["url"].as_str().unwrap(), None)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.headers()["content-type"], "image/jpeg");
    let bytes = stored.bytes().await.unwrap();
    assert!(
        !bytes.windows(11).any(|w| w == b"GPSLatitude"),
        "location data is stripped"
    );
    let thumb = app
        .get(media["thumbnail_url"].as_str().unwrap(), None)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 160));

    let details: Value = app
        .get(
            &format!("/api/v1/uploads/{}", media["id"].as_str().unwrap()),
            None,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(details["id"], media["id"]);
}

async fn uploads_that_are_not_images_are_refused(backend: Backend) {
    let app = TestApp::builder(backend)
        .config(|c| c.uploads.max_image_bytes = 200_000)
        .spawn()
        .await;
    let user = app.user("mallory").await;
    let html = b"<html><script>alert('x')</script></html>".to_vec();
    let disguised = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(upload_form(html, "cat.jpg", "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert!(disguised.status().is_client_error());
    let problem: Value = disguised.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "file");

    let mut broken = jpeg_with_gps(32, 32);
    broken.truncate(200);
    let broken = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(upload_form(broken, "b.jpg", "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let mut big = jpeg_with_gps(16, 16);
    big.extend(std::iter::repeat_n(0u8, 300_000));
    let too_big = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(upload_form(big, "big.jpg", "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let missing = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(Form::new().text("app", "social"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM media")
            .fetch_one(app.ctx.db.reader())
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(count, 0, "nothing refused was stored");
}

async fn other_file_kinds_follow_each_apps_allowance(backend: Backend) {
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .spawn()
        .await;
    let user = app.user("clerk").await;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let form = |bytes: Vec<u8>, app_name: &str| {
        upload_form(bytes, "memo.pdf", "application/pdf").text("app", app_name.to_owned())
    };

    let accepted = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(form(pdf.clone(), "notes"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    let media: Value = accepted.json().await.unwrap();
    assert_eq!(
        (media["kind"].as_str(), media["content_type"].as_str()),
        (Some("file"), Some("application/pdf"))
    );

    let elsewhere = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(form(pdf.clone(), "platform"))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let unknown_app = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(form(pdf.clone(), "nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_app.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = pdf;
    big.extend(std::iter::repeat_n(b' ', 4096));
    let too_big = app
        .post("/api/v1/uploads", Some(&user))
        .multipart(form(big, "notes"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
