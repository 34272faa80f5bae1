//! Sessions driven over HTTP: the profile at every step, the event log, time travel, conflicts,
//! bad input, streaming, export.

use assistant::Settings;
use assistant::profile::{Change, Profile, fold};
use platform::testing::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{deltas, new_session, patch, profile, say, spawn, spawn_with, sse_events};

platform::backend_tests!(
    every_step_updates_the_profile_and_the_log_replays_to_it,
    stale_expected_versions_conflict_and_change_nothing,
    snapshots_do_not_change_what_any_version_reads,
    bad_input_is_refused_and_writes_nothing,
    replies_stream_as_server_sent_events,
    conversations_are_exported_and_forgotten_with_the_account,
    concurrent_writers_each_apply_once_or_conflict,
);

async fn every_step_updates_the_profile_and_the_log_replays_to_it(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;

    let first = say(&app, &minji, &session, "안녕하세요!").await;
    assert_eq!(first["reply"]["answered_by"], "router");
    assert_eq!(first["classification"]["intent"], "greeting");
    assert_eq!(first["profile"]["language"], "ko");
    let v1 = first["version"].as_i64().unwrap();

    let second = say(
        &app,
        &minji,
        &session,
        "저는 30대이고 살을 빼고 싶어요. 하루에 5시간밖에 못 자요.",
    )
    .await;
    assert_eq!(second["profile"]["age_band"], "30s");
    assert_eq!(second["profile"]["sleep_hours"], 5.0);
    assert_eq!(second["profile"]["goals"], json!(["lose_weight"]));
    assert_eq!(second["version"].as_i64().unwrap(), v1 + 3);
    // Every step's profile is what GET says right after it.
    assert_eq!(
        profile(&app, &minji, &session, None).await["profile"],
        second["profile"]
    );

    let third = say(&app, &minji, &session, "I have asthma and I'm vegan now").await;
    assert_eq!(third["profile"]["diet"], "vegan");
    assert_eq!(third["profile"]["conditions"], json!(["asthma"]));
    assert_eq!(third["profile"]["language"], "en");
    let version = third["version"].as_i64().unwrap();

    // The log, folded, is the profile; each prefix is the version of that length.
    let (status, events) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/sessions/{session}/events"),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let events = events.as_array().unwrap().clone();
    assert_eq!(events.len() as i64, version);
    let changes: Vec<Change> = events
        .iter()
        .map(|e| {
            let op = if e["type"] == "fact_set" {
                "set"
            } else {
                "remove"
            };
            let mut change = e["data"].clone();
            change["op"] = json!(op);
            serde_json::from_value(change).unwrap()
        })
        .collect();
    let replayed = fold(Profile::default(), &changes);
    assert_eq!(serde_json::to_value(&replayed).unwrap(), third["profile"]);
    for v in 0..=version {
        let past = profile(&app, &minji, &session, Some(v)).await;
        let expected = fold(Profile::default(), &changes[..v as usize]);
        assert_eq!(
            past["profile"],
            serde_json::to_value(&expected).unwrap(),
            "version {v}"
        );
    }
    assert_eq!(
        profile(&app, &minji, &session, Some(v1 + 3)).await["profile"],
        second["profile"]
    );

    // Both sides of the conversation are kept.
    let (_, messages) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/sessions/{session}/messages"),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(messages.as_array().unwrap().len(), 6);
    assert_eq!(messages[0]["role"], "assistant");
    assert_eq!(messages[5]["text"], "안녕하세요!");
}

async fn stale_expected_versions_conflict_and_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let (status, body) = patch(
        &app,
        &minji,
        &session,
        Some(0),
        json!([{ "op": "set", "field": "diet", "value": "vegan" }, { "op": "set", "field": "goal", "value": "sleep_better" }]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);

    let (status, body) = patch(
        &app,
        &minji,
        &session,
        Some(1),
        json!([{ "op": "set", "field": "diet", "value": "halal" }]),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["field"], "expected_version", "{body}");
    let now = profile(&app, &minji, &session, None).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["profile"]["diet"], "vegan");

    let (status, body) = patch(
        &app,
        &minji,
        &session,
        Some(2),
        json!([{ "op": "remove", "field": "diet", "value": "vegan" }]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profile"]["diet"], Value::Null);
    assert_eq!(body["version"], 3);
    // A change that changes nothing writes no event.
    let (_, body) = patch(
        &app,
        &minji,
        &session,
        Some(3),
        json!([{ "op": "set", "field": "goal", "value": "sleep_better" }]),
    )
    .await;
    assert_eq!(body["version"], 3);
    assert_eq!(body["changes"], json!([]));
}

async fn snapshots_do_not_change_what_any_version_reads(backend: Backend) {
    let settings = Settings {
        snapshot_every: 3,
        ..Settings::default()
    };
    let app = spawn_with(backend, settings).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let mut expected = vec![Value::Null];
    for hours in 1..=10 {
        let (status, body) = patch(
            &app,
            &minji,
            &session,
            None,
            json!([{ "op": "set", "field": "sleep_hours", "value": hours }]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        expected.push(json!(f64::from(hours)));
    }
    for (version, hours) in expected.iter().enumerate() {
        let past = profile(&app, &minji, &session, Some(version as i64)).await;
        assert_eq!(&past["profile"]["sleep_hours"], hours, "version {version}");
    }
    let (status, body) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/sessions/{session}/profile?version=11"),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["field"], "version");
}

async fn bad_input_is_refused_and_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let jiho = app.user("jiho").await;
    let session = new_session(&app, &minji).await;
    let path = format!("/api/v1/assistant/sessions/{session}/messages");
    let cases = [
        (
            Some(&minji),
            path.clone(),
            json!({ "text": "   " }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("text"),
        ),
        (
            Some(&minji),
            path.clone(),
            json!({ "text": "가".repeat(100 * 1024 / 3) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("text"),
        ),
        (
            Some(&minji),
            path.clone(),
            json!({ "words": "hello" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            Some(&minji),
            "/api/v1/assistant/sessions/123456789/messages".to_owned(),
            json!({ "text": "hi" }),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            Some(&jiho),
            path.clone(),
            json!({ "text": "hi" }),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            None,
            path.clone(),
            json!({ "text": "hi" }),
            StatusCode::UNAUTHORIZED,
            None,
        ),
    ];
    for (user, path, body, status, field) in cases {
        let response = app
            .request(Method::POST, &path, user)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path} {body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let problem: Value = response.json().await.unwrap();
        if let Some(field) = field {
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
    }
    let (status, body) = patch(
        &app,
        &minji,
        &session,
        None,
        json!([{ "op": "set", "field": "sleep_hours", "value": 30 }]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "changes[0].value");
    let (status, _) = patch(
        &app,
        &minji,
        &session,
        None,
        json!([{ "op": "set", "field": "shoe_size", "value": 270 }]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = patch(
        &app,
        &jiho,
        &session,
        None,
        json!([{ "op": "set", "field": "diet", "value": "vegan" }]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing was written.
    assert_eq!(profile(&app, &minji, &session, None).await["version"], 0);
    let (_, messages) = app.send(Method::GET, &path, Some(&minji), None).await;
    assert_eq!(messages, json!([]));
}

async fn replies_stream_as_server_sent_events(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let response = app
        .post(
            &format!("/api/v1/assistant/sessions/{session}/messages"),
            Some(&minji),
        )
        .header("accept", "text/event-stream")
        .json(
            &json!({ "text": "I'm 42 and I want to sleep better. How can I fall asleep faster?" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = sse_events(response).await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"profile"), "{names:?}");
    assert_eq!(names.last(), Some(&"done"), "{names:?}");
    assert_eq!(events[0].1["profile"]["age_band"], "40s");
    let text = deltas(&events).concat();
    let done = &events.last().unwrap().1;
    assert_eq!(done["reply"]["text"], text);
    assert_eq!(done["reply"]["answered_by"], "offline");
    assert!(text.starts_with("[Offline coach"), "{text}");
}

async fn conversations_are_exported_and_forgotten_with_the_account(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    say(&app, &minji, &session, "I'm vegan").await;
    let assistant = assistant_app(&app);
    let user = platform::accounts::UserId::from_raw(minji.id.parse().unwrap());
    let export = assistant.export(&app.ctx, user).await.unwrap();
    assert_eq!(export["sessions"][0]["profile"]["diet"], "vegan");
    assert_eq!(
        export["sessions"][0]["messages"].as_array().unwrap().len(),
        2
    );
    assistant.forget(&app.ctx, user).await.unwrap();
    let (status, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/sessions/{session}"),
            Some(&minji),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        assistant.export(&app.ctx, user).await.unwrap()["sessions"],
        json!([])
    );
}

fn assistant_app(app: &TestApp) -> std::sync::Arc<dyn platform::App> {
    app.ctx
        .apps
        .iter()
        .find(|a| a.name() == "assistant")
        .cloned()
        .unwrap()
}

async fn concurrent_writers_each_apply_once_or_conflict(backend: Backend) {
    let app = std::sync::Arc::new(spawn(backend).await);
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let writers = (1..=20).map(|step| {
        let hours = f64::from(step) / 2.0;
        let (app, minji, session) = (app.clone(), minji.clone(), session.clone());
        tokio::spawn(async move {
            patch(
                &app,
                &minji,
                &session,
                None,
                json!([{ "op": "set", "field": "sleep_hours", "value": hours }]),
            )
            .await
        })
    });
    for writer in futures::future::join_all(writers).await {
        let (status, body) = writer.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, events) = app
        .send(
            Method::GET,
            &format!("/api/v1/assistant/sessions/{session}/events"),
            Some(&minji),
            None,
        )
        .await;
    let mut values: Vec<i64> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["data"]["value"].as_f64().unwrap() * 2.0) as i64)
        .collect();
    values.sort_unstable();
    assert_eq!(
        values,
        (1..=20).collect::<Vec<_>>(),
        "each write applied once"
    );

    // With the same expected version, exactly one wins.
    let racers = (0..10).map(|i| {
        let (app, minji, session) = (app.clone(), minji.clone(), session.clone());
        tokio::spawn(async move {
            patch(&app, &minji, &session, Some(20), json!([{ "op": "set", "field": "sleep_hours", "value": 12.0 + f64::from(i) / 10.0 }])).await.0
        })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        9
    );
    assert_eq!(profile(&app, &minji, &session, None).await["version"], 21);
}
