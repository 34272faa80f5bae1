//! Asking, answering, accepting and the points they move, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{
    answer, ask, assert_sound, audit, balance, get, joined, poll, question, spawn,
};
use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_tests!(
    a_question_is_answered_accepted_and_paid_once,
    twenty_parallel_accepts_pay_exactly_once,
    racing_accepts_of_two_answers_let_one_win,
    only_the_asker_accepts_and_only_authors_edit,
    bad_input_names_the_field_and_moves_no_points,
    the_list_filters_sorts_and_counts,
    unanswered_bounties_are_refunded_after_a_week,
    asking_is_limited_to_five_a_minute,
    first_answer_times_show_in_stats_and_metrics,
);

async fn a_question_is_answered_accepted_and_paid_once(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    joined(&app, &minji).await;
    let q = ask(
        &app,
        &minji,
        json!({ "title": "제주도 맛집 추천해주세요", "content": "애월 근처 흑돼지 맛집이요", "category": "food",
                "hashtags": ["#제주맛집", "흑돼지"], "location": { "lat": 33.4625, "lng": 126.3305, "place_name": "애월" },
                "bounty": 50 }),
    )
    .await;
    assert_eq!(balance(&app, &minji).await, 50);
    let (_, page) = get(&app, &format!("/api/v1/questions/{q}"), None).await;
    assert_eq!(page["region_code"], "jeju");
    assert_eq!(page["hashtags"], json!(["제주맛집", "흑돼지"]));
    assert_eq!(page["author"]["nickname"], "minji");

    let a = answer(&app, &jiho, &q, "숙성도 애월점 추천합니다").await;
    assert_eq!(balance(&app, &jiho).await, 105, "answer reward");
    // A second answer to the same question earns nothing more.
    answer(&app, &jiho, &q, "아니면 돈사돈도 좋아요").await;
    assert_eq!(balance(&app, &jiho).await, 105);

    let path = format!("/api/v1/answers/{a}/accept");
    let (status, first) = app.send(Method::PUT, &path, Some(&minji), None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["points"], 70);
    assert_eq!(balance(&app, &jiho).await, 175);
    let (status, again) = app.send(Method::PUT, &path, Some(&minji), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first, "a retried accept answers the same");
    assert_eq!(balance(&app, &jiho).await, 175, "and pays nothing more");

    let (_, page) = get(&app, &format!("/api/v1/questions/{q}"), None).await;
    assert_eq!(page["answers"][0]["id"], a, "accepted first");
    assert_eq!(page["answers"][0]["is_accepted"], true);
    assert_eq!(page["has_accepted_answer"], true);
    // An accepted answer can no longer change.
    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/answers/{a}"),
            Some(&jiho),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Both were told.
    assert!(
        app.eventually(5, || async {
            let (_, n) = get(&app, "/api/v1/me/notifications", Some(&jiho)).await;
            n["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["kind"] == "answer_accepted"))
        })
        .await
    );
    let (_, n) = get(&app, "/api/v1/me/notifications", Some(&minji)).await;
    assert!(
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "new_answer"),
        "{n}"
    );
    let (_, history) = get(&app, "/api/v1/ask/points", Some(&jiho)).await;
    let reasons: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "accept_reward",
            "bounty_paid",
            "answer_reward",
            "signup_bonus"
        ]
    );
    assert_sound(&audit(&app, &admin).await);
}

async fn twenty_parallel_accepts_pay_exactly_once(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    let mut body = question("성산일출봉 일출 시간");
    body["bounty"] = json!(30);
    let q = ask(&app, &minji, body).await;
    let a = answer(&app, &jiho, &q, "5시 40분쯤이에요").await;
    let before = balance(&app, &jiho).await;
    let path = format!("/api/v1/answers/{a}/accept");
    let results = futures::future::join_all(
        (0..20).map(|_| app.send(Method::PUT, &path, Some(&minji), None)),
    )
    .await;
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::OK),
        "{results:?}"
    );
    assert!(
        results.windows(2).all(|w| w[0].1 == w[1].1),
        "every answer is the same acceptance"
    );
    assert_eq!(balance(&app, &jiho).await, before + 50);
    assert_sound(&audit(&app, &admin).await);
}

async fn racing_accepts_of_two_answers_let_one_win(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho, sora) = (
        app.user("minji").await,
        app.user("jiho").await,
        app.user("sora").await,
    );
    let q = ask(&app, &minji, question("협재 해수욕장 주차")).await;
    let (a, b) = (
        answer(&app, &jiho, &q, "공영주차장 있어요").await,
        answer(&app, &sora, &q, "갓길 주차 가능").await,
    );
    let (pa, pb) = (
        format!("/api/v1/answers/{a}/accept"),
        format!("/api/v1/answers/{b}/accept"),
    );
    let (ra, rb) = tokio::join!(
        app.send(Method::PUT, &pa, Some(&minji), None),
        app.send(Method::PUT, &pb, Some(&minji), None),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{ra:?} {rb:?}"
    );
    let paid = [balance(&app, &jiho).await, balance(&app, &sora).await];
    assert_eq!(paid.iter().filter(|&&b| b == 125).count(), 1, "{paid:?}");
}

async fn only_the_asker_accepts_and_only_authors_edit(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho, sora) = (
        app.user("minji").await,
        app.user("jiho").await,
        app.user("sora").await,
    );
    let q = ask(&app, &minji, question("우도 배편")).await;
    let a = answer(&app, &jiho, &q, "성산항에서 15분").await;
    let own = answer(&app, &minji, &q, "저도 궁금").await;
    let accept = |id: &str| format!("/api/v1/answers/{id}/accept");
    assert_eq!(
        app.send(Method::PUT, &accept(&a), Some(&sora), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(Method::PUT, &accept(&a), Some(&jiho), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(Method::PUT, &accept(&own), Some(&minji), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let edit = json!({ "title": "바뀐 제목", "content": "내용", "category": "transport" });
    let path = format!("/api/v1/questions/{q}");
    assert_eq!(
        app.send(Method::PATCH, &path, Some(&jiho), Some(edit.clone()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, edited) = app
        .send(Method::PATCH, &path, Some(&minji), Some(edit))
        .await;
    assert_eq!(
        (status, edited["title"].as_str()),
        (StatusCode::OK, Some("바뀐 제목"))
    );
    let answer_path = format!("/api/v1/answers/{a}");
    let change = json!({ "content": "성산항에서 배로 15분" });
    assert_eq!(
        app.send(
            Method::PATCH,
            &answer_path,
            Some(&sora),
            Some(change.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, changed) = app
        .send(Method::PATCH, &answer_path, Some(&jiho), Some(change))
        .await;
    assert_eq!(
        (status, changed["content"].as_str()),
        (StatusCode::OK, Some("성산항에서 배로 15분"))
    );
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&jiho), None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(Method::PUT, &accept(&a), None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn bad_input_names_the_field_and_moves_no_points(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    joined(&app, &minji).await;
    let cases = [
        (
            json!({ "title": "", "content": "x", "category": "food" }),
            "title",
        ),
        (
            json!({ "title": "t", "content": "가".repeat(5_001), "category": "food" }),
            "content",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "food", "hashtags": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>() }),
            "hashtags",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "food", "bounty": 500 }),
            "bounty",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "food", "bounty": 1_001 }),
            "bounty",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "food", "location": { "lat": 91.0, "lng": 126.5 } }),
            "location.lat",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "food", "location": { "lat": 33.5, "lng": 200.0 } }),
            "location.lng",
        ),
        (
            json!({ "title": "t", "content": "x", "category": "snacks" }),
            "category",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app
            .send(Method::POST, "/api/v1/questions", Some(&minji), Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [field], "{problem}");
    }
    for (query, param) in [
        ("lat=91&lng=126.5", "lat"),
        ("lat=33.5&lng=200", "lng"),
        ("lat=33.5&lng=126.5&radius_km=500", "radius_km"),
    ] {
        let (status, problem) = get(&app, &format!("/api/v1/locations/nearby?{query}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(problem.to_string().contains(param), "{problem}");
    }
    let (status, _) = get(&app, "/api/v1/questions?sortBy=oldest", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(balance(&app, &minji).await, 100, "no points moved");
    let (_, list) = get(&app, "/api/v1/questions", None).await;
    assert_eq!(list["pagination"]["total"], 0, "nothing was written");
}

async fn the_list_filters_sorts_and_counts(backend: Backend) {
    let app = spawn(backend).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let at = |lat: f64, lng: f64| json!({ "lat": lat, "lng": lng });
    let mut ids = Vec::new();
    for (i, (category, place, tags)) in [
        ("food", at(33.5, 126.53), vec!["제주맛집"]),
        ("transport", at(33.25, 126.56), vec!["버스"]),
        ("food", at(35.16, 129.16), vec!["부산맛집"]),
        ("weather", at(33.45, 126.9), vec!["날씨", "제주맛집"]),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "title": format!("질문 {i}"), "content": "내용", "category": category, "location": place,
                           "hashtags": tags, "urgency": if i == 1 { "urgent" } else { "normal" } });
        ids.push(ask(&app, &minji, body).await);
    }
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let (status, page) = get(app, &format!("/api/v1/questions?{query}"), None).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let got: Vec<String> = page["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["id"].as_str().unwrap().to_owned())
                .collect();
            (got, page["pagination"]["total"].as_i64().unwrap())
        }
    };
    assert_eq!(list("").await, (ids.iter().rev().cloned().collect(), 4));
    assert_eq!(list("region=jeju").await.1, 3);
    assert_eq!(
        list("region=jeju&category=food").await.0,
        vec![ids[0].clone()]
    );
    assert_eq!(
        list("hashtags=제주맛집").await.0,
        vec![ids[3].clone(), ids[0].clone()]
    );
    assert_eq!(list("sortBy=urgent").await.0[0], ids[1]);
    // A question carrying two of the tags asked for comes once, and counts once.
    assert_eq!(
        list("hashtags=날씨,제주맛집").await,
        (vec![ids[3].clone(), ids[0].clone()], 2)
    );
    let like = format!("/api/v1/questions/{}/like", ids[0]);
    assert_eq!(
        app.send(Method::POST, &like, Some(&jiho), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        list("hashtags=제주맛집&region=jeju&sortBy=popularity")
            .await
            .0[0],
        ids[0],
        "likes reach tag lists"
    );
    answer(&app, &jiho, &ids[2], "해운대 밀면").await;
    assert_eq!(list("sortBy=popularity").await.0[0], ids[2]);
    let (_, page) = get(&app, "/api/v1/questions?region=busan", None).await;
    let q = &page["questions"][0];
    assert_eq!(
        (
            q["answer_count"].as_i64(),
            q["has_accepted_answer"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert_eq!(
        page["pagination"],
        json!({ "current_page": 1, "per_page": 20, "total": 1, "total_pages": 1 })
    );
}

async fn unanswered_bounties_are_refunded_after_a_week(backend: Backend) {
    use platform::time::{ManualClock, Timestamp};
    let clock = ManualClock::starting_at(Timestamp::from_micros(1_800_000_000_000_000));
    let app = platform::testing::TestApp::builder(backend)
        .app(ask::Ask)
        .clock(clock.clock())
        .spawn()
        .await;
    let minji = app.user("minji").await;
    let mut body = question("한라산 등반 예약");
    body["bounty"] = json!(40);
    let q = ask(&app, &minji, body).await;
    assert_eq!(balance(&app, &minji).await, 60);
    clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    app.ctx
        .jobs
        .enqueue_now(platform::jobs::NewJob::new("ask.close_expired", json!({})))
        .await
        .unwrap();
    assert!(
        app.eventually(10, || async { balance(&app, &minji).await == 100 })
            .await,
        "refunded"
    );
    // The page cache is dropped right after the closing commit, a moment after the refund shows.
    let path = format!("/api/v1/questions/{q}");
    let status = poll(5, || async {
        let status = get(&app, &path, None).await.1["status"].clone();
        (status == "closed", status)
    })
    .await;
    assert_eq!(status, "closed");
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/questions/{q}/answers"),
            Some(&minji),
            Some(json!({ "content": "늦은 답" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn asking_is_limited_to_five_a_minute(backend: Backend) {
    let app = platform::testing::TestApp::builder(backend)
        .app(ask::Ask)
        .config(|c| c.limits.enabled = true)
        .spawn()
        .await;
    let minji = app.user("minji").await;
    for i in 0..5 {
        ask(&app, &minji, question(&format!("질문 {i}"))).await;
    }
    let (status, problem) = app
        .send(
            Method::POST,
            "/api/v1/questions",
            Some(&minji),
            Some(question("여섯 번째")),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    let (status, _) = get(&app, "/api/v1/questions", Some(&minji)).await;
    assert_eq!(status, StatusCode::OK, "reading has its own allowance");
}

async fn first_answer_times_show_in_stats_and_metrics(backend: Backend) {
    use platform::time::{ManualClock, Timestamp};
    let clock = ManualClock::starting_at(Timestamp::from_micros(1_800_000_000_000_000));
    let app = platform::testing::TestApp::builder(backend)
        .app(ask::Ask)
        .clock(clock.clock())
        .spawn()
        .await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let quick = ask(&app, &minji, question("빠른 질문")).await;
    let slow = ask(&app, &minji, question("느린 질문")).await;
    ask(&app, &minji, question("답 없는 질문")).await;
    clock.advance(std::time::Duration::from_secs(5 * 60));
    answer(&app, &jiho, &quick, "5분 만에 답").await;
    answer(&app, &jiho, &quick, "두 번째 답은 세지 않아요").await;
    clock.advance(std::time::Duration::from_secs(25 * 60));
    answer(&app, &jiho, &slow, "30분 만에 답").await;
    let (status, stats) = get(&app, "/api/v1/ask/stats?days=7", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        stats,
        json!({ "days": 7, "questions": 3, "answered": 2, "p50_seconds": 300, "p90_seconds": 1800,
                "answered_within_10_min": 1, "share_within_10_min": 1.0 / 3.0 })
    );
    let metrics = app
        .get("/metrics", None)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ask_first_answer_wait_seconds_bucket{le=\"600\"}"),
        "{metrics}"
    );
}
