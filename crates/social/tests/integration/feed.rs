//! The home feed and every other read path, against what each reader may see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::common::{
    call, feed_reaches, follow, get_json, ids, latest, post, settle, spawn, spawn_with_threshold,
};
use platform::backend_tests;
use platform::testing::{Backend, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use social::model::{Relation, Visibility};

backend_tests!(
    nothing_leaks_on_any_read_path,
    the_feed_pages_without_gaps_or_repeats_while_posts_arrive,
    locked_accounts_approve_their_followers,
    a_post_reaches_followers_past_the_first_chunk,
    the_feed_matches_a_naive_oracle,
    ranking_explains_itself,
    a_cached_feed_never_shows_what_became_hidden,
    a_cached_feed_checks_blocks_and_mutes_made_on_another_node,
);

async fn nothing_leaks_on_any_read_path(backend: Backend) {
    let app = spawn(backend).await;
    let author = app.user("author").await;
    let stranger = app.user("stranger").await;
    let follower = app.user("follower").await;
    let blocked = app.user("blocked").await;
    let blocker = app.user("blocker").await;
    let muter = app.user("muter").await;
    let third = app.user("third").await;
    for user in [&follower, &blocked, &blocker, &muter] {
        follow(&app, user, &author).await;
    }
    let block = |whom: &TestUser| format!("/api/v1/users/{}/block", whom.id);
    assert_eq!(
        call(&app, Method::POST, &block(&blocked), &author).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, Method::POST, &block(&author), &blocker).await,
        StatusCode::NO_CONTENT
    );
    let mute = format!("/api/v1/users/{}/mute", author.id);
    assert_eq!(
        call(&app, Method::POST, &mute, &muter).await,
        StatusCode::NO_CONTENT
    );
    // The reader's own blocks and mutes, one way each.
    for (reader, of, muting, blocking) in [
        (&muter, &author, true, false),
        (&blocker, &author, false, true),
        (&author, &blocker, false, false),
    ] {
        let path = format!("/api/v1/users/{}/relationship", of.id);
        let (_, relation) = get_json(&app, &path, reader).await;
        assert_eq!(relation["muting"], json!(muting), "{}", reader.username);
        assert_eq!(relation["blocking"], json!(blocking), "{}", reader.username);
    }

    let mut posts = Vec::new();
    for visibility in [
        Visibility::Public,
        Visibility::Followers,
        Visibility::Private,
    ] {
        let v = serde_json::to_value(visibility).unwrap();
        let id = post(&app, &author, "#matrix 글", v.as_str().unwrap()).await;
        posts.push((id, visibility, false));
    }
    let gone = post(&app, &author, "#matrix 지운 글", "public").await;
    call(
        &app,
        Method::DELETE,
        &format!("/api/v1/content/{gone}"),
        &author,
    )
    .await;
    posts.push((gone, Visibility::Public, true));
    // The author comments on a third party's post: blocked readers must not see it.
    let elsewhere = post(&app, &third, "다른 사람 글", "public").await;
    let comment = app
        .post(
            &format!("/api/v1/content/{elsewhere}/comment"),
            Some(&author),
        )
        .json(&json!({ "text": "작성자 댓글" }))
        .send()
        .await
        .unwrap();
    assert_eq!(comment.status(), StatusCode::CREATED);
    // Let the fan-out finish.
    feed_reaches(&app, &follower, 2).await;

    // (reader, relation to author, follows, mutes)
    let readers = [
        (&author, true, false, false, false),
        (&stranger, false, false, false, false),
        (&follower, false, true, false, false),
        (&blocked, false, false, true, false),
        (&blocker, false, false, true, false),
        (&muter, false, true, false, true),
    ];
    for (reader, is_author, follows, blocked, mutes) in readers {
        let relation = Relation {
            is_author,
            follows,
            blocked,
        };
        let may_see = |v: Visibility, deleted: bool| !deleted && v.allows(relation);
        let by_id: BTreeSet<String> = posts
            .iter()
            .filter(|(_, v, d)| may_see(*v, *d))
            .map(|(id, ..)| id.clone())
            .collect();
        let listed: BTreeSet<String> = if mutes {
            BTreeSet::new()
        } else {
            by_id.clone()
        };
        let in_feed: BTreeSet<String> = if is_author || follows {
            listed.clone()
        } else {
            BTreeSet::new()
        };
        let name = &reader.username;

        let mut seen_by_id = BTreeSet::new();
        for (id, ..) in &posts {
            let (status, _) = get_json(&app, &format!("/api/v1/content/{id}"), reader).await;
            if status == StatusCode::OK {
                seen_by_id.insert(id.clone());
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
            }
        }
        assert_eq!(seen_by_id, by_id, "{name}: content by id");

        let profile = format!("/api/v1/users/{}/content", author.id);
        let seen: BTreeSet<_> = ids(&app, &profile, reader).await.into_iter().collect();
        assert_eq!(seen, by_id, "{name}: profile");

        let seen: BTreeSet<_> = ids(&app, "/api/v1/tags/matrix", reader)
            .await
            .into_iter()
            .collect();
        assert_eq!(seen, listed, "{name}: tag timeline");

        for filter in ["latest", "ranked"] {
            let path = format!("/api/v1/feed?filter={filter}&size=50");
            let seen: BTreeSet<_> = ids(&app, &path, reader)
                .await
                .into_iter()
                .filter(|id| posts.iter().any(|(p, ..)| p == id))
                .collect();
            assert_eq!(seen, in_feed, "{name}: {filter} feed");
        }

        let (_, threads) = get_json(
            &app,
            &format!("/api/v1/content/{elsewhere}/comments"),
            reader,
        )
        .await;
        let sees_comment = !threads.as_array().unwrap().is_empty();
        assert_eq!(sees_comment, !blocked, "{name}: comments");
    }

    // Blocks ended the follows both ways.
    let (_, rel) = get_json(
        &app,
        &format!("/api/v1/users/{}/relationship", author.id),
        &blocker,
    )
    .await;
    assert_eq!(rel["outgoing"], "none");
    let refused = call(
        &app,
        Method::POST,
        &format!("/api/v1/users/{}/follow", author.id),
        &blocked,
    )
    .await;
    assert_eq!(refused, StatusCode::FORBIDDEN);
}

async fn the_feed_pages_without_gaps_or_repeats_while_posts_arrive(backend: Backend) {
    let app = spawn(backend).await;
    let (author, reader) = (app.user("author").await, app.user("reader").await);
    follow(&app, &reader, &author).await;
    let mut written = Vec::new();
    for i in 0..30 {
        written.push(post(&app, &author, &format!("글 {i}"), "public").await);
    }
    feed_reaches(&app, &reader, 30).await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/feed?filter=latest&size=7".to_owned();
    loop {
        let (_, page) = get_json(&app, &path, &reader).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
        // New posts keep arriving between pages.
        post(&app, &author, "새 글", "public").await;
        match page["next_max_id"].as_str() {
            Some(next) => path = format!("/api/v1/feed?filter=latest&size=7&max_id={next}"),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no repeats");
    written.reverse();
    assert_eq!(seen, written, "every post once, newest first, no gaps");

    // Once the arrivals are fanned out, the refresh call returns exactly them, newest first.
    let now = feed_reaches(&app, &reader, 30 + 5).await;
    let response = app
        .get("/api/v1/feed/refresh", Some(&reader))
        .header("X-Last-Seen-Id", &written[0])
        .send()
        .await
        .unwrap();
    let fresh: Value = response.json().await.unwrap();
    assert_eq!(fresh["count"], 5, "{fresh}");
    let arrived: Vec<_> = fresh["new_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(arrived, now[..5], "{fresh}");
}

async fn locked_accounts_approve_their_followers(backend: Backend) {
    let app = spawn(backend).await;
    let (owner, asker, other) = (
        app.user("owner").await,
        app.user("asker").await,
        app.user("other").await,
    );
    let privacy = app
        .request(Method::PUT, "/api/v1/me/privacy", Some(&owner))
        .json(&json!({ "locked": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(privacy.status(), StatusCode::NO_CONTENT);
    let secret = post(&app, &owner, "팔로워 전용", "followers").await;

    let ask = |user: &TestUser| {
        app.request(
            Method::POST,
            &format!("/api/v1/users/{}/follow", owner.id),
            Some(user),
        )
        .send()
    };
    let answer: Value = ask(&asker).await.unwrap().json().await.unwrap();
    assert_eq!(answer["state"], "requested");
    ask(&other).await.unwrap();
    let path = format!("/api/v1/content/{secret}");
    assert_eq!(get_json(&app, &path, &asker).await.0, StatusCode::NOT_FOUND);
    let (_, requests) = get_json(&app, "/api/v1/me/follow-requests", &owner).await;
    assert_eq!(requests["users"], json!([asker.id, other.id]));
    // How `reader` stands toward `of`.
    let relation = |of: &TestUser, reader: &TestUser| {
        let path = format!("/api/v1/users/{}/relationship", of.id);
        let (app, reader) = (&app, reader.clone());
        async move { get_json(app, &path, &reader).await.1 }
    };
    let rel = relation(&owner, &asker).await;
    assert_eq!(rel["outgoing"], "requested");
    assert_eq!(rel["followers_count"], 0);
    let rel = relation(&asker, &owner).await;
    assert_eq!(rel["outgoing"], "none", "a request is not a follow");
    assert_eq!(rel["followed_by"], false);

    let decide = |user: &TestUser, accept: bool| {
        app.post(
            &format!("/api/v1/me/follow-requests/{}", user.id),
            Some(&owner),
        )
        .json(&json!({ "accept": accept }))
        .send()
    };
    assert_eq!(
        decide(&asker, true).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        decide(&other, false).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        decide(&other, true).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(get_json(&app, &path, &asker).await.0, StatusCode::OK);
    assert_eq!(get_json(&app, &path, &other).await.0, StatusCode::NOT_FOUND);
    let rel = relation(&owner, &asker).await;
    assert_eq!(rel["outgoing"], "following");
    assert_eq!(rel["followers_count"], 1);
    assert_eq!(rel["locked"], true);
    let rel = relation(&asker, &owner).await;
    assert_eq!(rel["followed_by"], true);
    assert_eq!(rel["outgoing"], "none");
    // The new follower's feed has the earlier post.
    assert_eq!(feed_reaches(&app, &asker, 1).await, [secret]);
}

async fn a_post_reaches_followers_past_the_first_chunk(backend: Backend) {
    // The push runs 50 followers per transaction: 120 make three chunks.
    let app = spawn(backend).await;
    let author = app.user("author").await;
    let fans = futures::future::join_all((0..120).map(|i| {
        let app = &app;
        async move { app.user(&format!("fan{i:03}")).await }
    }))
    .await;
    for fan in &fans {
        follow(&app, fan, &author).await;
    }
    let id = post(&app, &author, "모두 보세요", "public").await;
    for fan in [
        &fans[0], &fans[49], &fans[50], &fans[99], &fans[100], &fans[119],
    ] {
        assert_eq!(feed_reaches(&app, fan, 1).await, std::slice::from_ref(&id));
    }
    let mut reached = 0;
    for fan in &fans {
        reached += usize::from(latest(&app, fan).await == std::slice::from_ref(&id));
    }
    assert_eq!(reached, fans.len());
}

/// A small deterministic generator, so a failing case can be replayed from its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn the_feed_matches_a_naive_oracle(backend: Backend) {
    for seed in [7_u64, 2024] {
        let app = spawn_with_threshold(backend.clone(), 3).await;
        let mut rng = Lcg(seed);
        let mut users = Vec::new();
        for i in 0..6 {
            users.push(app.user(&format!("u{seed}_{i}")).await);
        }
        let n = users.len();
        let mut follows: HashSet<(usize, usize)> = HashSet::new();
        let mut blocks: HashSet<(usize, usize)> = HashSet::new();
        let mut mutes: HashSet<(usize, usize)> = HashSet::new();
        // (id, author, visibility)
        let mut posts: Vec<(String, usize, Visibility)> = Vec::new();
        for _ in 0..40 {
            let (a, b) = (rng.below(n as u64) as usize, rng.below(n as u64) as usize);
            let path = |verb: &str| format!("/api/v1/users/{}/{verb}", users[b].id);
            match rng.below(10) {
                0..=3 if a != b && !blocks.contains(&(a, b)) && !blocks.contains(&(b, a)) => {
                    call(&app, Method::POST, &path("follow"), &users[a]).await;
                    follows.insert((a, b));
                }
                4 if a != b => {
                    call(&app, Method::DELETE, &path("follow"), &users[a]).await;
                    follows.remove(&(a, b));
                }
                5 if a != b => {
                    call(&app, Method::POST, &path("block"), &users[a]).await;
                    blocks.insert((a, b));
                    follows.remove(&(a, b));
                    follows.remove(&(b, a));
                }
                6 if a != b => {
                    call(&app, Method::POST, &path("mute"), &users[a]).await;
                    mutes.insert((a, b));
                }
                _ => {
                    let visibility = [
                        Visibility::Public,
                        Visibility::Followers,
                        Visibility::Private,
                    ][rng.below(3) as usize];
                    let v = serde_json::to_value(visibility).unwrap();
                    let id = post(&app, &users[a], "글", v.as_str().unwrap()).await;
                    posts.push((id, a, visibility));
                }
            }
        }
        // The oracle: recompute each reader's latest feed from scratch. Follows made after a
        // post still bring it (the follow copies recent posts in).
        let expected: HashMap<usize, Vec<String>> = (0..n)
            .map(|r| {
                let mut feed: Vec<String> = posts
                    .iter()
                    .filter(|(_, a, v)| {
                        let relation = Relation {
                            is_author: *a == r,
                            follows: follows.contains(&(r, *a)),
                            blocked: blocks.contains(&(r, *a)) || blocks.contains(&(*a, r)),
                        };
                        (relation.is_author || relation.follows)
                            && !mutes.contains(&(r, *a))
                            && v.allows(relation)
                    })
                    .map(|(id, ..)| id.clone())
                    .collect();
                feed.reverse();
                (r, feed)
            })
            .collect();
        for (r, want) in &expected {
            let got = settle(&app, &users[*r], |seen| seen == want.as_slice()).await;
            assert_eq!(&got, want, "seed {seed}, reader {r}");
        }
    }
}

async fn ranking_explains_itself(backend: Backend) {
    let app = spawn(backend).await;
    let (reader, quiet, loved) = (
        app.user("reader").await,
        app.user("quiet").await,
        app.user("loved").await,
    );
    follow(&app, &reader, &quiet).await;
    follow(&app, &reader, &loved).await;
    let old_loved = post(&app, &loved, "인기 글", "public").await;
    for i in 0..5 {
        let fan = app.user(&format!("fan{i}")).await;
        call(
            &app,
            Method::POST,
            &format!("/api/v1/content/{old_loved}/like"),
            &fan,
        )
        .await;
    }
    call(
        &app,
        Method::POST,
        &format!("/api/v1/content/{old_loved}/like"),
        &reader,
    )
    .await;
    let newer_quiet = post(&app, &quiet, "조용한 글", "public").await;
    feed_reaches(&app, &reader, 2).await;

    let (_, latest) = get_json(&app, "/api/v1/feed?filter=latest", &reader).await;
    assert_eq!(latest["items"][0]["id"], newer_quiet);
    let (_, ranked) = get_json(&app, "/api/v1/feed?explain=true", &reader).await;
    assert_eq!(ranked["items"][0]["id"], old_loved, "{ranked}");
    let top = &ranked["items"][0]["score"];
    assert_eq!(top["interactions"], 1);
    let parts = top["recency"].as_f64().unwrap()
        * (1.0 + top["velocity"].as_f64().unwrap())
        * top["affinity"].as_f64().unwrap();
    assert!((parts - top["total"].as_f64().unwrap()).abs() < 1e-9);
    let (_, plain) = get_json(&app, "/api/v1/feed", &reader).await;
    assert!(plain["items"][0].get("score").is_none());
    assert_eq!(plain["total"], 2);
}

async fn a_cached_feed_never_shows_what_became_hidden(backend: Backend) {
    let app = spawn(backend).await;
    let (author, reader, other) = (
        app.user("author").await,
        app.user("reader").await,
        app.user("other").await,
    );
    follow(&app, &reader, &author).await;
    follow(&app, &reader, &other).await;
    let kept = post(&app, &author, "남을 글", "public").await;
    let doomed = post(&app, &author, "지워질 글", "public").await;
    let others = post(&app, &other, "다른 사람 글", "public").await;
    for filter in ["latest", "ranked"] {
        let path = format!("/api/v1/feed?filter={filter}");
        let first = settle(&app, &reader, |seen| seen.len() == 3).await;
        assert_eq!(first.len(), 3, "{filter}");
        // Read twice: the second read is served from the cache.
        assert_eq!(ids(&app, &path, &reader).await.len(), 3);
    }
    // A deletion shows at once, cache or not.
    call(
        &app,
        Method::DELETE,
        &format!("/api/v1/content/{doomed}"),
        &author,
    )
    .await;
    for filter in ["latest", "ranked"] {
        let seen = ids(&app, &format!("/api/v1/feed?filter={filter}"), &reader).await;
        assert!(!seen.contains(&doomed), "{filter}: {seen:?}");
        assert!(seen.contains(&kept));
    }
    // A new post pushed to the reader shows without waiting for the page to expire.
    let fresh = post(&app, &other, "새 글", "public").await;
    let seen = settle(&app, &reader, |seen| seen.contains(&fresh)).await;
    assert!(seen.contains(&fresh));
    // Blocked by the author: none of the author's posts, on any page shape.
    let block = format!("/api/v1/users/{}/block", reader.id);
    call(&app, Method::POST, &block, &author).await;
    for path in [
        "/api/v1/feed",
        "/api/v1/feed?filter=latest",
        "/api/v1/feed?size=5",
    ] {
        let seen = ids(&app, path, &reader).await;
        assert!(!seen.contains(&kept), "{path}: {seen:?}");
        assert!(seen.contains(&others), "{path}");
    }
}

/// Another node's block or mute reaches the database but not this node's cache: the page
/// cached here is still read back through the visibility rule.
async fn a_cached_feed_checks_blocks_and_mutes_made_on_another_node(backend: Backend) {
    let app = spawn(backend).await;
    let (reader, blocker, muted, friend) = (
        app.user("reader").await,
        app.user("blocker").await,
        app.user("muted").await,
        app.user("friend").await,
    );
    for author in [&blocker, &muted, &friend] {
        follow(&app, &reader, author).await;
    }
    let hidden = [
        post(&app, &blocker, "차단할 사람 글", "public").await,
        post(&app, &muted, "뮤트할 사람 글", "public").await,
    ];
    let kept = post(&app, &friend, "친구 글", "public").await;
    for filter in ["latest", "ranked"] {
        settle(&app, &reader, |seen| seen.len() == 3).await;
        let path = format!("/api/v1/feed?filter={filter}");
        assert_eq!(ids(&app, &path, &reader).await.len(), 3, "{filter}");
    }
    // The rows another node writes, without this node hearing of them.
    let mut tx = app.ctx.db.begin().await.unwrap();
    for (table, from, to) in [
        (
            "social_blocks (blocker_id, blocked_id, created_at)",
            &blocker,
            &reader,
        ),
        (
            "social_mutes (muter_id, muted_id, created_at)",
            &reader,
            &muted,
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} VALUES ($1, $2, 0)"
        )))
        .bind(from.id.parse::<i64>().unwrap())
        .bind(to.id.parse::<i64>().unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for filter in ["latest", "ranked"] {
        let seen = ids(&app, &format!("/api/v1/feed?filter={filter}"), &reader).await;
        assert_eq!(seen, vec![kept.clone()], "{filter}: {hidden:?}");
    }
}
