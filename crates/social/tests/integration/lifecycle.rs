//! A user's data over their account's life: export, deletion, purge; and deleted posts' purge.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{call, follow, get_json, latest, post};
use platform::backend_tests;
use platform::jobs::NewJob;
use platform::testing::{Backend, TestApp};
use platform::time::{ManualClock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use social::Social;

backend_tests!(
    a_leaving_account_is_exported_hidden_at_once_and_forgotten,
    deleted_posts_are_purged_after_thirty_days,
    shared_achievements_become_posts_for_followers,
);

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap())
}

async fn spawn_at(backend: Backend, clock: &ManualClock) -> TestApp {
    TestApp::builder(backend)
        .app(Social::default())
        .clock(clock.clock())
        .spawn()
        .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::Row::try_get(
        &sqlx::query(sql)
            .fetch_one(app.ctx.db.reader())
            .await
            .unwrap(),
        0,
    )
    .unwrap()
}

async fn a_leaving_account_is_exported_hidden_at_once_and_forgotten(backend: Backend) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(now_micros()));
    let app = spawn_at(backend, &clock).await;
    let (leaver, fan) = (app.user("leaver").await, app.user("fan").await);
    follow(&app, &fan, &leaver).await;
    follow(&app, &leaver, &fan).await;
    let theirs = post(&app, &leaver, "떠나는 사람의 글", "public").await;
    // In the fan's feed first, so "gone" below cannot be a fan-out that has not run yet.
    assert!(
        app.eventually(5, || async { latest(&app, &fan).await.contains(&theirs) })
            .await
    );
    let fans = post(&app, &fan, "팬의 글", "public").await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/content/{fans}/like"),
        &leaver,
    )
    .await;
    let comment = app
        .post(&format!("/api/v1/content/{fans}/comment"), Some(&leaver))
        .json(&json!({ "text": "안녕" }))
        .send()
        .await
        .unwrap();
    assert_eq!(comment.status(), StatusCode::CREATED);

    let (_, export) = get_json(&app, "/api/v1/users/me/export", &leaver).await;
    let mine = &export["apps"]["social"];
    assert_eq!(mine["posts"][0]["id"], theirs);
    assert_eq!(mine["comments"][0]["text"], "안녕");
    assert_eq!(mine["liked_posts"], json!([fans]));
    assert_eq!(mine["following"], json!([fan.id]));
    assert_eq!(mine["followers"], json!([fan.id]));

    app.request(Method::DELETE, "/api/v1/users/me", Some(&leaver))
        .send()
        .await
        .unwrap();
    // Gone from the fan's feed and views as soon as the event is handled.
    app.eventually(5, || async { !latest(&app, &fan).await.contains(&theirs) })
        .await;
    assert!(!latest(&app, &fan).await.contains(&theirs));
    let (_, threads) = get_json(&app, &format!("/api/v1/content/{fans}/comments"), &fan).await;
    assert_eq!(threads, json!([]));
    let (_, rel) = get_json(
        &app,
        &format!("/api/v1/users/{}/relationship", fan.id),
        &fan,
    )
    .await;
    assert_eq!(rel["followers_count"], 0);
    assert_eq!(rel["following_count"], 0);

    clock.advance(std::time::Duration::from_secs(31 * 24 * 3600));
    assert_eq!(
        platform::accounts::service::purge_deleted(&app.ctx)
            .await
            .unwrap(),
        1
    );
    let (_, after) = get_json(&app, &format!("/api/v1/content/{fans}"), &fan).await;
    assert_eq!(after["engagement"]["likes_count"], 0);
    assert_eq!(after["engagement"]["comments_count"], 0);
    let left = count(
        &app,
        "SELECT (SELECT COUNT(*) FROM social_likes) + (SELECT COUNT(*) FROM social_comments) \
         + (SELECT COUNT(*) FROM social_follows)",
    )
    .await;
    assert_eq!(
        left, 0,
        "no like, comment or follow of the purged account is left"
    );
    let posts = count(&app, "SELECT COUNT(*) FROM social_content").await;
    assert_eq!(posts, 1, "only the fan's post remains");
}

async fn deleted_posts_are_purged_after_thirty_days(backend: Backend) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(now_micros()));
    let app = spawn_at(backend, &clock).await;
    let author = app.user("author").await;
    let reader = app.user("reader").await;
    follow(&app, &reader, &author).await;
    let kept = post(&app, &author, "남는 글", "public").await;
    let gone = post(&app, &author, "지울 글 #임시", "public").await;
    let pushed = app
        .eventually(5, || async {
            count(&app, "SELECT COUNT(*) FROM social_timeline").await == 2
        })
        .await;
    assert!(pushed, "both posts reach the follower's timeline");
    call(
        &app,
        Method::POST,
        &format!("/api/v1/content/{gone}/like"),
        &author,
    )
    .await;
    call(
        &app,
        Method::DELETE,
        &format!("/api/v1/content/{gone}"),
        &author,
    )
    .await;

    let purge = || async {
        app.ctx
            .jobs
            .enqueue_now(NewJob::new("social.purge_deleted", Value::Null))
            .await
            .unwrap();
    };
    // Within the retention period the row stays (restorable by an operator).
    purge().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM social_content").await, 2);

    clock.advance(std::time::Duration::from_secs(31 * 24 * 3600));
    purge().await;
    app.eventually(5, || async {
        count(&app, "SELECT COUNT(*) FROM social_content").await == 1
    })
    .await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM social_content").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM social_likes").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM social_tags").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM social_timeline").await,
        1,
        "the purged post left the follower's timeline"
    );
    let (status, _) = get_json(&app, &format!("/api/v1/content/{kept}"), &author).await;
    assert_eq!(status, StatusCode::OK);
}

/// Another app's achievement, arriving on the bus, becomes a post for the member's followers.
async fn shared_achievements_become_posts_for_followers(backend: Backend) {
    let app = crate::common::spawn(backend).await;
    let minji = app.user("minji").await;
    let jiho = app.user("jiho").await;
    let seoyeon = app.user("seoyeon").await;
    follow(&app, &jiho, &minji).await;
    let mut tx = app.ctx.db.begin().await.unwrap();
    app.ctx
        .bus
        .publish(
            &mut tx,
            "wellness.achievement.shared",
            &json!({ "user_id": minji.id, "goal_id": "1", "title": "8000 steps a day",
                     "streak_days": 7, "text": "🏅 7 days in a row: 8000 steps a day #걷기" }),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.ctx.bus.wake();
    let path = format!("/api/v1/users/{}/content", minji.id);
    let posted = app
        .eventually(10, || async {
            get_json(&app, &path, &jiho)
                .await
                .1
                .as_array()
                .is_some_and(|items| !items.is_empty())
        })
        .await;
    assert!(posted, "the achievement was never posted");
    let (_, page) = get_json(&app, &path, &jiho).await;
    let item = &page[0];
    assert_eq!(
        item["content"]["text"],
        "🏅 7 days in a row: 8000 steps a day #걷기"
    );
    assert_eq!(item["content"]["hashtags"], json!(["걷기"]));
    assert_eq!(item["visibility"], "followers");
    // Not a follower: not for them.
    let (_, stranger) = get_json(&app, &path, &seoyeon).await;
    assert_eq!(stranger, json!([]));
}
