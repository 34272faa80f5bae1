//! Nearby against a brute-force oracle, Korean search, trending, and urgent questions routed to
//! verified locals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{answer, ask, get, poll, spawn};
use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

backend_tests!(
    nearby_matches_a_brute_force_oracle,
    nearby_shows_each_question_as_it_is_now,
    korean_search_finds_words_tags_and_ranks_titles_first,
    trending_counts_the_last_day_against_the_one_before,
    urgent_questions_reach_nearby_verified_locals_in_turn,
);

/// The oracle's own great-circle distance, written apart from the crate's.
fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// A small deterministic generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn around(&mut self, (lat, lng): (f64, f64), spread: f64) -> (f64, f64) {
        (
            lat + (self.unit() - 0.5) * spread,
            lng + (self.unit() - 0.5) * spread,
        )
    }
}

async fn nearby_matches_a_brute_force_oracle(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Clusters in Jeju City, Seogwipo and Busan, plus points on the edges of the regions' boxes.
    let centres = [(33.4996, 126.5312), (33.2541, 126.56), (35.1796, 129.0756)];
    let mut points = Vec::new();
    for i in 0..240 {
        let c = centres[i % centres.len()];
        points.push(rng.around(c, 0.12));
    }
    points.extend([(33.1, 126.1), (33.6, 126.9), (35.0, 128.9), (35.3, 129.3)]);
    let mut ids = Vec::new();
    for (i, &(lat, lng)) in points.iter().enumerate() {
        let body = json!({ "title": format!("장소 {i}"), "content": "근처 질문", "category": "life",
                           "location": { "lat": lat, "lng": lng } });
        ids.push(ask(&app, &minji, body).await);
    }
    let mut cases: Vec<((f64, f64), f64)> = Vec::new();
    for i in 0..60 {
        let centre = rng.around(centres[i % centres.len()], 0.1);
        cases.push((centre, 0.2 + rng.unit() * 19.8));
    }
    // Radii landing exactly on a point: it must be included.
    for &p in points.iter().take(5) {
        let c = (p.0 + 0.01, p.1 + 0.01);
        cases.push((c, haversine_m(c, p) / 1000.0 + 0.0005));
    }
    cases.push(((33.1, 126.1), 3.0));
    for ((lat, lng), radius_km) in cases {
        let mut expected: Vec<(f64, &String)> = points
            .iter()
            .zip(&ids)
            .map(|(&p, id)| (haversine_m((lat, lng), p), id))
            .filter(|(d, _)| *d <= radius_km * 1000.0)
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        let path = format!("/api/v1/locations/nearby?lat={lat}&lng={lng}&radius_km={radius_km}");
        let (status, page) = get(&app, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["per_page"], 20, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert!(
                item["title"].as_str().unwrap().starts_with("장소 "),
                "{item}"
            );
            assert_eq!(item["author"]["nickname"], "minji", "{item}");
        }
        let got: Vec<(f64, String)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["distance_m"].as_f64().unwrap(),
                    i["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let want: Vec<&String> = expected.iter().take(20).map(|e| e.1).collect();
        assert_eq!(got.len(), want.len(), "{path}");
        for (k, ((d, id), (wd, wid))) in got.iter().zip(expected.iter()).enumerate() {
            assert!((d - wd).abs() <= 1.0, "{path} #{k}: {d} vs {wd}");
            // Equal distances may come in either order.
            assert!(id == *wid || (d - wd).abs() < 1e-6, "{path} #{k}");
        }
        assert_eq!(page["has_more"], expected.len() > 20, "{path}");
    }
}

/// Blocks keep the summaries a page showed; a change to the question must show at once.
async fn nearby_shows_each_question_as_it_is_now(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let body = json!({ "title": "탑동 주차 어디가 좋아요?", "content": "저녁에요", "category": "transport",
                       "location": { "lat": 33.5155, "lng": 126.5198 } });
    let question = ask(&app, &minji, body).await;
    let path = "/api/v1/locations/nearby?lat=33.5150&lng=126.5200&radius_km=1";
    let shown = |page: &Value| -> Value {
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["id"] == question.as_str()))
            .cloned()
            .unwrap_or_default()
    };
    let (_, page) = get(&app, path, None).await;
    assert_eq!(shown(&page)["answer_count"], 0, "{page}");
    let (_, again) = get(&app, path, None).await;
    assert_eq!(
        shown(&again)["answer_count"],
        0,
        "kept in its block: {again}"
    );

    let reply = answer(&app, &jiho, &question, "해변 공영주차장이 넓어요").await;
    let (_, page) = get(&app, path, None).await;
    assert_eq!(shown(&page)["answer_count"], 1, "{page}");
    assert_eq!(shown(&page)["has_accepted_answer"], false, "{page}");

    let (status, _) = app
        .send(
            Method::PUT,
            &format!("/api/v1/answers/{reply}/accept"),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = get(&app, path, None).await;
    assert_eq!(shown(&page)["has_accepted_answer"], true, "{page}");
}

async fn korean_search_finds_words_tags_and_ranks_titles_first(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let jeju = json!({ "lat": 33.4996, "lng": 126.5312 });
    let in_title = ask(&app, &minji, json!({ "title": "제주도 맛집 추천해주세요", "content": "가족 여행이에요", "category": "food", "location": jeju })).await;
    let in_tag = ask(&app, &minji, json!({ "title": "저녁 어디서 먹죠", "content": "동문시장 근처", "category": "food", "hashtags": ["제주맛집"], "location": jeju })).await;
    let in_content = ask(&app, &minji, json!({ "title": "여행 질문", "content": "제주 가면 맛집 어디가 좋을까요", "category": "food", "location": jeju })).await;
    let busan = ask(&app, &minji, json!({ "title": "부산 맛집 추천", "content": "해운대 근처 제주 음식", "category": "food", "location": { "lat": 35.16, "lng": 129.16 } })).await;
    let answered = answer(&app, &jiho, &in_content, "제주 흑돼지 맛집은 돈사돈").await;
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let ids: Vec<(String, String, String)> = poll(10, || async {
                let (_, page) = get(app, &format!("/api/v1/search?{q}"), None).await;
                let ids: Vec<(String, String, String)> = page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| {
                        (
                            i["type"].as_str().unwrap().to_owned(),
                            i["id"].as_str().unwrap().to_owned(),
                            i["snippet"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                (!ids.is_empty(), ids)
            })
            .await;
            assert!(!ids.is_empty(), "{q}");
            ids
        }
    };
    let hits = search("q=제주 맛집&type=questions&region=jeju").await;
    let found: Vec<&str> = hits.iter().map(|h| h.1.as_str()).collect();
    assert_eq!(found[0], in_title, "a title match ranks first: {hits:?}");
    assert!(
        found.contains(&in_tag.as_str()) && found.contains(&in_content.as_str()),
        "{hits:?}"
    );
    assert!(
        !found.contains(&busan.as_str()),
        "region=jeju leaves Busan out"
    );
    assert!(
        hits.iter().any(|h| h.2.contains("<b>제주</b>")),
        "snippets highlight: {hits:?}"
    );
    let tagged = search("q=제주맛집&type=questions").await;
    assert!(tagged.iter().any(|h| h.1 == in_tag), "{tagged:?}");
    let answers = search("q=흑돼지&type=answers").await;
    assert_eq!(answers[0].1, answered);
}

async fn trending_counts_the_last_day_against_the_one_before(backend: Backend) {
    use platform::time::{ManualClock, Timestamp};
    let clock = ManualClock::starting_at(Timestamp::from_micros(1_800_000_000_000_000));
    let app = platform::testing::TestApp::builder(backend)
        .app(ask::Ask)
        .clock(clock.clock())
        .spawn()
        .await;
    let minji = app.user("minji").await;
    let tagged = |tags: Value| json!({ "title": "질문", "content": "내용", "category": "life", "hashtags": tags });
    ask(&app, &minji, tagged(json!(["오름"]))).await;
    ask(&app, &minji, tagged(json!(["오름"]))).await;
    clock.advance(std::time::Duration::from_secs(25 * 3600));
    ask(&app, &minji, tagged(json!(["오름", "한라산"]))).await;
    ask(&app, &minji, tagged(json!(["한라산"]))).await;
    ask(&app, &minji, tagged(json!(["한라산"]))).await;
    let expected = json!([
        { "tag": "한라산", "count": 3, "previous_count": 0, "change": 3 },
        { "tag": "오름", "count": 1, "previous_count": 2, "change": -1 },
    ]);
    // The day the clock skipped made the refresh-ahead job due: a recount it began before the
    // last questions may have cached a list without them. The next recount takes them in.
    let trending = poll(10, || async {
        let (status, trending) = get(&app, "/api/v1/trending", None).await;
        assert_eq!(status, StatusCode::OK);
        let current = trending["tags"] == expected;
        if !current {
            app.ctx
                .jobs
                .enqueue_now(platform::jobs::NewJob::new(
                    "ask.refresh_trending",
                    json!({}),
                ))
                .await
                .unwrap();
        }
        (current, trending)
    })
    .await;
    assert_eq!(trending["tags"], expected);
    let (status, _) = get(&app, "/api/v1/trending?region=atlantis", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn urgent_questions_reach_nearby_verified_locals_in_turn(backend: Backend) {
    let app = spawn(backend).await;
    let traveller = app.user("traveller").await;
    let mut locals = Vec::new();
    for i in 0..55 {
        let local = app.user(&format!("local{i}")).await;
        // All within about 2 km of Jeju City hall.
        let at = json!({ "lat": 33.4996 + f64::from(i) * 0.0003, "lng": 126.5312 });
        let (status, profile) = app
            .send(
                Method::POST,
                "/api/v1/ask/verify-location",
                Some(&local),
                Some(at),
            )
            .await;
        assert_eq!(
            (status, profile["region_code"].as_str()),
            (StatusCode::OK, Some("jeju")),
            "{profile}"
        );
        assert_eq!(profile["is_local_verified"], true);
        locals.push(local);
    }
    let far = app.user("seogwipo").await;
    app.send(
        Method::POST,
        "/api/v1/ask/verify-location",
        Some(&far),
        Some(json!({ "lat": 33.2541, "lng": 126.56 })),
    )
    .await;
    let busan = app.user("busan").await;
    app.send(
        Method::POST,
        "/api/v1/ask/verify-location",
        Some(&busan),
        Some(json!({ "lat": 35.1796, "lng": 129.0756 })),
    )
    .await;
    let (status, problem) = app
        .send(
            Method::POST,
            "/api/v1/ask/verify-location",
            Some(&busan),
            Some(json!({ "lat": 91.0, "lng": 0.0 })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let urgent = json!({ "title": "지금 공항 가는 버스 있나요?", "content": "급해요", "category": "transport",
                         "urgency": "urgent", "location": { "lat": 33.4996, "lng": 126.5312 } });
    ask(&app, &traveller, urgent.clone()).await;
    let asked = |user: &platform::testing::TestUser| {
        let app = &app;
        let user = user.clone();
        async move {
            let (_, n) = get(app, "/api/v1/me/notifications", Some(&user)).await;
            n["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["kind"] == "urgent_question")
                .count()
        }
    };
    let first_round = poll(10, || async {
        let mut n = 0;
        for l in &locals {
            n += asked(l).await;
        }
        (n == 50, n)
    })
    .await;
    assert_eq!(first_round, 50, "at most 50 asked");
    assert_eq!(
        asked(&far).await + asked(&busan).await + asked(&traveller).await,
        0,
        "only locals within 5 km"
    );
    // The next urgent question asks the five left out first.
    ask(&app, &traveller, urgent).await;
    let left_out = poll(10, || async {
        let mut left_out = Vec::new();
        for (i, l) in locals.iter().enumerate() {
            if asked(l).await == 0 {
                left_out.push(i);
            }
        }
        (left_out.is_empty(), left_out)
    })
    .await;
    assert!(left_out.is_empty(), "still never asked: {left_out:?}");
}
