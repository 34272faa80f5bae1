//! Authors with more followers than the push threshold: their posts are merged into their
//! followers' feeds at read time, cached pages included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{
    feed_reaches, follow, get_json, ids, item_ids, latest, post, spawn_with_threshold,
};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use serde_json::{Value, json};

backend_tests!(
    big_authors_are_merged_in_at_read_time,
    pulled_posts_interleave_with_pushed_pages,
    a_cached_first_page_takes_in_big_authors_posts,
);

async fn big_authors_are_merged_in_at_read_time(backend: Backend) {
    // With a threshold of 1, an author with one follower is already "big": nothing is pushed.
    let app = spawn_with_threshold(backend, 1).await;
    let (star, fan) = (app.user("star").await, app.user("fan").await);
    follow(&app, &fan, &star).await;
    let id = post(&app, &star, "모두에게", "public").await;
    let hidden = post(&app, &star, "나만", "private").await;
    assert_eq!(latest(&app, &fan).await, std::slice::from_ref(&id));
    assert_eq!(latest(&app, &star).await, [hidden, id.clone()]);
    // The fan's page is cached now; the star's next post is merged in at the next read, not
    // when the cached page expires.
    let next = post(&app, &star, "또 모두에게", "public").await;
    assert_eq!(latest(&app, &fan).await, [next, id]);
    let (_, followers) =
        get_json(&app, &format!("/api/v1/users/{}/followers", star.id), &fan).await;
    assert_eq!(followers["users"], json!([fan.id]));
}

async fn pulled_posts_interleave_with_pushed_pages(backend: Backend) {
    let (app, star, friend, fan) = star_and_friend(backend).await;
    let mut all = Vec::new();
    for i in 0..9 {
        let author = if i % 3 == 1 { &star } else { &friend };
        all.push(post(&app, author, &format!("글 {i}"), "public").await);
    }
    all.reverse();
    feed_reaches(&app, &fan, all.len()).await;
    // Pages of three, each merging the pushed window with the star's posts above its floor.
    let mut paged = Vec::new();
    for page in 1..=4 {
        let path = format!("/api/v1/feed?filter=latest&size=3&page={page}");
        paged.extend(ids(&app, &path, &fan).await);
    }
    assert_eq!(paged, all);
}

async fn page(app: &TestApp, reader: &TestUser, path: &str) -> Value {
    let (status, body) = get_json(app, path, reader).await;
    assert!(status.is_success(), "{path}: {body}");
    body
}

/// An app with a threshold of 2, where the star (followed by the fan and one other) is merged
/// in at read time, while the friend (followed by the fan alone) is pushed.
async fn star_and_friend(backend: Backend) -> (TestApp, TestUser, TestUser, TestUser) {
    let app = spawn_with_threshold(backend, 2).await;
    let (star, friend, fan, other) = (
        app.user("star").await,
        app.user("friend").await,
        app.user("fan").await,
        app.user("other").await,
    );
    follow(&app, &fan, &star).await;
    follow(&app, &other, &star).await;
    follow(&app, &fan, &friend).await;
    (app, star, friend, fan)
}

async fn a_cached_first_page_takes_in_big_authors_posts(backend: Backend) {
    let (app, star, friend, fan) = star_and_friend(backend).await;
    for i in 0..5 {
        let author = if i % 2 == 1 { &star } else { &friend };
        post(&app, author, &format!("글 {i}"), "public").await;
    }
    feed_reaches(&app, &fan, 5).await;
    let first_latest = "/api/v1/feed?filter=latest&size=3";
    let first_ranked = "/api/v1/feed?size=3&explain=true";
    let before = page(&app, &fan, first_latest).await;
    assert_eq!(page(&app, &fan, first_ranked).await["total"], 5);

    // Both first pages are cached; the star posts once for everyone, once for themself.
    let fresh = post(&app, &star, "새 글", "public").await;
    post(&app, &star, "나만 보기", "private").await;
    let all = latest(&app, &fan).await;
    assert_eq!(all.len(), 6);
    assert_eq!(all[0], fresh);
    let now = page(&app, &fan, first_latest).await;
    assert_eq!(item_ids(&now), all[..3]);
    assert_eq!(now["has_more"], true);
    assert_eq!(now["total"], before["total"]);
    // The cursor still leads on without gaps or repeats.
    let cursor = now["next_max_id"].as_str().unwrap();
    let rest = format!("/api/v1/feed?filter=latest&size=3&max_id={cursor}");
    assert_eq!(ids(&app, &rest, &fan).await, all[3..6]);
    // Nothing has engagement, so the ranked order is newest first; the newcomer is scored.
    let ranked = page(&app, &fan, first_ranked).await;
    assert_eq!(item_ids(&ranked), all[..3]);
    assert_eq!(ranked["total"], 6);
    assert!(ranked["items"][0]["score"]["total"].as_f64().unwrap() > 0.0);
    // A second read is served from the page as merged.
    assert_eq!(page(&app, &fan, first_latest).await, now);

    // More newcomers than a page holds: the page is made again.
    let mut burst: Vec<String> = Vec::new();
    for i in 0..4 {
        burst.push(post(&app, &star, &format!("연달아 {i}"), "public").await);
    }
    burst.reverse();
    assert_eq!(ids(&app, first_latest, &fan).await, burst[..3]);
    assert_eq!(ids(&app, first_ranked, &fan).await, burst[..3]);
    assert_eq!(page(&app, &fan, first_ranked).await["total"], json!(10));
}
