//! Posts and hashtags in `/api/v1/search`, with the same visibility as everywhere else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crate::common::{call, follow, get_json, post, spawn};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::Method;

backend_tests!(korean_search_finds_what_the_reader_may_see);

async fn found(app: &TestApp, reader: &TestUser, q: &str, doc_type: &str) -> BTreeSet<String> {
    let (_, page) = get_json(
        app,
        &format!("/api/v1/search?q={q}&type={doc_type}"),
        reader,
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn korean_search_finds_what_the_reader_may_see(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, fan, stranger) = (
        app.user("minji").await,
        app.user("fan").await,
        app.user("stranger").await,
    );
    follow(&app, &fan, &minji).await;
    let public = post(&app, &minji, "제주도 맛집 추천 #제주맛집", "public").await;
    let friends = post(&app, &minji, "제주 비밀 맛집 #제주맛집", "followers").await;
    let secret = post(&app, &minji, "제주 맛집 일기 #나만의맛집", "private").await;

    let everything: BTreeSet<String> = [public.clone(), friends.clone(), secret.clone()].into();
    app.eventually(5, || async {
        found(&app, &minji, "제주 맛집", "content").await == everything
    })
    .await;
    assert_eq!(
        found(&app, &minji, "제주 맛집", "content").await,
        everything,
        "the author finds all three"
    );
    assert_eq!(
        found(&app, &fan, "제주 맛집", "content").await,
        [public.clone(), friends.clone()].into()
    );
    assert_eq!(
        found(&app, &stranger, "제주맛집", "content").await,
        [public.clone()].into()
    );

    // Hashtags: a tag carried only by a private post is not shown to others.
    let (_, tags) = get_json(&app, "/api/v1/search?q=제주맛집&type=hashtags", &stranger).await;
    assert_eq!(tags["items"][0]["document"]["tag"], "제주맛집");
    assert_eq!(tags["items"][0]["document"]["posts"], 1);
    app.eventually(5, || async {
        !found(&app, &minji, "나만의맛집", "hashtags")
            .await
            .is_empty()
    })
    .await;
    assert!(
        found(&app, &stranger, "나만의맛집", "hashtags")
            .await
            .is_empty()
    );

    // Deleted posts leave the index.
    call(
        &app,
        Method::DELETE,
        &format!("/api/v1/content/{public}"),
        &minji,
    )
    .await;
    app.eventually(5, || async {
        found(&app, &stranger, "제주 맛집", "content")
            .await
            .is_empty()
    })
    .await;
    assert!(
        found(&app, &stranger, "제주 맛집", "content")
            .await
            .is_empty()
    );
}
