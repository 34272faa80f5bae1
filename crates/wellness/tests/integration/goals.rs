//! Goals with streaks, insights, recommendations and their feedback, and sharing an
//! achievement, over real HTTP on a clock fixed at tomorrow's noon in Seoul (ahead of the
//! real clock, which checks the access tokens).
#![allow(clippy::float_cmp)]

use crate::common::{MASTER_KEY, batch, get};
use std::sync::LazyLock;

use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use platform::time::{ManualClock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wellness::{Keyring, Settings, Wellness};

/// Tomorrow's date in Seoul and its noon, in seconds.
static TOMORROW: LazyLock<(String, i64)> = LazyLock::new(|| {
    let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
    let date = jiff::Timestamp::now()
        .to_zoned(seoul.clone())
        .date()
        .tomorrow()
        .unwrap();
    let noon = date
        .at(12, 0, 0, 0)
        .to_zoned(seoul)
        .unwrap()
        .timestamp()
        .as_second();
    (date.to_string(), noon)
});
const DAY: i64 = 86_400;

fn noon() -> i64 {
    TOMORROW.1
}

async fn spawn(backend: Backend) -> (TestApp, ManualClock) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(noon() * 1_000_000));
    let app = Wellness::new(
        Keyring::from_base64(MASTER_KEY).unwrap(),
        &Settings::default(),
    )
    .unwrap();
    let app = TestApp::builder(backend)
        .app(app)
        .clock(clock.clock())
        .spawn()
        .await;
    (app, clock)
}

fn at(t: i64) -> String {
    crate::common::seoul(t)
}

/// Daily steps at 10:00 and a night's sleep ending at 07:00, `back` days before today.
fn day(back: i64, steps: f64, sleep_hours: f64) -> Vec<Value> {
    let ten = noon() - back * DAY - 2 * 3600;
    let wake = noon() - back * DAY - 5 * 3600;
    let bed = wake - (sleep_hours * 3600.0) as i64;
    vec![
        json!({ "client_id": format!("steps-{back}"), "type": "steps", "value": steps,
                "start": at(ten), "end": at(ten + 3600) }),
        json!({ "client_id": format!("sleep-{back}"), "type": "sleep",
                "start": at(bed), "end": at(wake) }),
    ]
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> (StatusCode, Value) {
    app.send(Method::POST, path, Some(user), Some(body)).await
}

async fn recommendation_kinds(app: &TestApp, user: &TestUser) -> Vec<String> {
    let (status, body) = get(app, "/api/v1/recommendations/me", user).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not medical advice")
    );
    body["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn goals_streaks_and_recommendations(backend: Backend) {
    let (app, _clock) = spawn(backend).await;
    let minji = app.user("minji").await;
    // Four weeks of 9,000 steps and 7.5 hours, then a week of 4,000 steps and 5.5 hours.
    let mut records: Vec<Value> = (8..=35).flat_map(|b| day(b, 9000.0, 7.5)).collect();
    records.extend((1..=7).flat_map(|b| day(b, 4000.0, 5.5)));
    records.push(
        json!({ "client_id": "steps-0", "type": "steps", "value": 3500,
                         "start": at(noon() - 3600), "end": at(noon() - 60) }),
    );
    let outcome = batch(&app, &minji, &records).await;
    assert_eq!(outcome["accepted"], records.len());

    // A goal met every day for 36 days, today included.
    let (status, goal) = post(
        &app,
        &minji,
        "/api/v1/health/me/goals",
        json!({ "kind": "steps", "per_day": 3000 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    let p = &goal["progress"];
    assert_eq!(p["current"], 3500.0);
    assert_eq!(
        (p["streak"].as_u64(), p["best_streak"].as_u64()),
        (Some(36), Some(36))
    );
    assert_eq!(p["achieved"], true);
    assert_eq!(p["met_last_7_days"], 7);
    assert_eq!(p["recent"].as_array().unwrap().len(), 7);

    // A sleep goal missed all week: no streak, and it is slipping.
    let (status, sleep) = post(
        &app,
        &minji,
        "/api/v1/health/me/goals",
        json!({ "kind": "sleep", "hours": 7 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(sleep["progress"]["streak"], 0);
    assert_eq!(sleep["progress"]["best_streak"], 28);

    // Bad goals name their field and change nothing.
    for (bad, field) in [
        (json!({ "kind": "steps", "per_day": 0 }), "per_day"),
        (json!({ "kind": "sleep", "hours": 30 }), "hours"),
    ] {
        let (status, problem) = post(&app, &minji, "/api/v1/health/me/goals", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (status, _) = post(
        &app,
        &minji,
        "/api/v1/health/me/goals",
        json!({ "kind": "marathon" }),
    )
    .await;
    assert!(status.is_client_error());
    let (_, listed) = get(&app, "/api/v1/health/me/goals", &minji).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // Insights: steps fell 56 % against the 28 days before.
    let (status, insights) = get(&app, "/api/v1/health/me/insights", &minji).await;
    assert_eq!(status, StatusCode::OK);
    let steps = insights["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["series"] == "steps" && i["kind"] == "trend")
        .unwrap();
    assert_eq!(steps["recent"]["average"], 4000.0);
    assert_eq!(steps["baseline"]["average"], 9000.0);
    assert_eq!(steps["direction"], "down");
    assert_eq!(steps["change_percent"].as_f64().unwrap().round(), -56.0);

    // Recommendations name the data behind them.
    let (_, body) = get(&app, "/api/v1/recommendations/me", &minji).await;
    let recs = body["recommendations"].as_array().unwrap();
    let declining = recs
        .iter()
        .find(|r| r["kind"] == "steps_declining")
        .unwrap();
    assert_eq!(declining["type"], "activity");
    assert_eq!(declining["because"][0]["value"], 4000.0);
    assert_eq!(declining["because"][1]["value"], 9000.0);
    assert_eq!(declining["id"], format!("steps_declining:{}", TOMORROW.0));
    let kinds = recommendation_kinds(&app, &minji).await;
    for expected in [
        "steps_declining",
        "low_activity",
        "short_sleep",
        "goal_behind",
        "goal_streak",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "{expected} missing from {kinds:?}"
        );
    }

    // Dismissing a kind hides it; other verdicts do not.
    let id = declining["id"].as_str().unwrap();
    let (status, _) = post(
        &app,
        &minji,
        "/api/v1/recommendations/me/feedback",
        json!({ "recommendation_id": id, "verdict": "dismissed" }),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = post(
        &app,
        &minji,
        "/api/v1/recommendations/me/feedback",
        json!({ "recommendation_id": "short_sleep", "verdict": "helpful" }),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let after = recommendation_kinds(&app, &minji).await;
    assert!(!after.iter().any(|k| k == "steps_declining"));
    assert!(after.iter().any(|k| k == "short_sleep"));
    let (status, problem) = post(
        &app,
        &minji,
        "/api/v1/recommendations/me/feedback",
        json!({ "recommendation_id": "eat_more_kimchi", "verdict": "dismissed" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "recommendation_id");

    // Others see none of it without a share, and write none of it.
    let jiho = app.user("jiho").await;
    let minji_goals = format!("/api/v1/health/{}/goals", minji.id);
    assert_eq!(
        get(&app, &minji_goals, &jiho).await.0,
        StatusCode::FORBIDDEN
    );
    let minji_recs = format!("/api/v1/recommendations/{}", minji.id);
    assert_eq!(get(&app, &minji_recs, &jiho).await.0, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &app,
        &jiho,
        &minji_goals,
        json!({ "kind": "steps", "per_day": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Sharing the streak publishes an achievement other apps may post.
    let share = format!(
        "/api/v1/health/me/goals/{}/share",
        goal["id"].as_str().unwrap()
    );
    let (status, achievement) = post(&app, &minji, &share, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{achievement}");
    assert_eq!(achievement["streak_days"], 36);
    assert_eq!(achievement["text"], "🏅 36 days in a row: 3000 steps a day");
    let published: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'wellness.achievement.shared'",
    )
    .fetch_one(app.ctx.db.reader())
    .await
    .unwrap();
    assert_eq!(published, 1);
    // Nothing to celebrate on the sleep goal.
    let share_sleep = format!(
        "/api/v1/health/me/goals/{}/share",
        sleep["id"].as_str().unwrap()
    );
    assert_eq!(
        post(&app, &minji, &share_sleep, json!({})).await.0,
        StatusCode::CONFLICT
    );

    // Deleting a goal removes it.
    let path = format!("/api/v1/health/me/goals/{}", sleep["id"].as_str().unwrap());
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&minji), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&minji), None).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn weight_goals_measure_from_the_starting_weight(backend: Backend) {
    let (app, clock) = spawn(backend).await;
    let seoyeon = app.user("seoyeon").await;
    // Recorded at 12:30, `back` days ago.
    let weight = |id: &str, back: i64, kg: f64| {
        json!({ "client_id": id, "type": "body_weight", "value": kg, "unit": "kg",
                "start": at(noon() + 1800 - back * DAY) })
    };
    batch(
        &app,
        &seoyeon,
        &[weight("w1", 30, 82.0), weight("w2", 10, 80.0)],
    )
    .await;
    let (status, goal) = post(
        &app,
        &seoyeon,
        "/api/v1/health/me/goals",
        json!({ "kind": "weight", "target_kg": 75 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    assert_eq!(goal["progress"]["percent"], 0.0);
    clock.advance(std::time::Duration::from_secs(3600));
    batch(&app, &seoyeon, &[weight("w3", 0, 77.5)]).await;
    let (_, goals) = get(&app, "/api/v1/health/me/goals", &seoyeon).await;
    let p = &goals[0]["progress"];
    assert_eq!(
        (p["current"].as_f64(), p["percent"].as_f64()),
        (Some(77.5), Some(50.0))
    );
    assert_eq!(p["achieved"], false);
}

/// Goal progress is kept between reads, yet every write of the member's and the turn of
/// their day show at the next read.
async fn goal_progress_follows_each_write_and_the_day(backend: Backend) {
    let (app, clock) = spawn(backend).await;
    let jiho = app.user("jiho").await;
    let (status, _) = post(
        &app,
        &jiho,
        "/api/v1/health/me/goals",
        json!({ "kind": "steps", "per_day": 5000 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Today's steps and the streak.
    let progress = || async {
        let (_, goals) = get(&app, "/api/v1/health/me/goals", &jiho).await;
        let p = &goals[0]["progress"];
        (p["current"].as_f64(), p["streak"].as_u64())
    };
    assert_eq!(progress().await, (None, Some(0)));
    assert_eq!(
        progress().await,
        (None, Some(0)),
        "read again, from the cache"
    );

    let steps = |id: &str, value: f64| {
        json!({ "client_id": id, "type": "steps", "value": value,
                "start": at(noon() - 3600), "end": at(noon() - 60) })
    };
    batch(&app, &jiho, &[steps("s1", 6000.0)]).await;
    assert_eq!(progress().await, (Some(6000.0), Some(1)));
    batch(&app, &jiho, &[steps("s2", 1500.0)]).await;
    assert_eq!(progress().await, (Some(7500.0), Some(1)));

    // A new local day starts from nothing, though nothing was written; yesterday still counts.
    clock.advance(std::time::Duration::from_secs(DAY as u64));
    assert_eq!(progress().await, (None, Some(1)));
}

backend_tests!(
    goals_streaks_and_recommendations,
    weight_goals_measure_from_the_starting_weight,
    goal_progress_follows_each_write_and_the_day
);
