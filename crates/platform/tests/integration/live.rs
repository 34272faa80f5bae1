//! Live delivery: the WebSocket and SSE stream, and notifications pushed on the user's topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use platform::accounts::UserId;
use platform::backend_tests;
use platform::notifications::NewNotification;
use platform::realtime::Hub;
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

backend_tests!(
    a_socket_gets_events_of_its_own_topic_and_not_another_users,
    a_socket_may_authenticate_with_its_first_message,
    sse_resumes_after_the_last_event_id,
    notifications_are_listed_grouped_counted_and_pushed_live,
);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, token: Option<&str>) -> Socket {
    let query = token
        .map(|t| format!("?access_token={t}"))
        .unwrap_or_default();
    let (socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/api/v1/stream{query}", app.addr))
            .await
            .unwrap();
    socket
}

async fn next_json(socket: &mut Socket, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

fn id_of(user: &TestUser) -> UserId {
    UserId::from_raw(user.id.parse().unwrap())
}

async fn a_socket_gets_events_of_its_own_topic_and_not_another_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a, b) = (app.user("alice").await, app.user("bora").await);
    let mut socket = connect(&app, Some(&a.access_token)).await;
    let ready = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["topics"][0], format!("user:{}", a.id));

    app.ctx.hub.publish(
        &Hub::user_topic(id_of(&b)),
        "secret",
        json!({ "for": "bora" }),
    );
    app.ctx.hub.publish(
        &Hub::user_topic(id_of(&a)),
        "hello",
        json!({ "for": "alice" }),
    );
    let event = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(
        (
            event["type"].as_str(),
            event["event"].as_str(),
            event["data"]["for"].as_str()
        ),
        (Some("event"), Some("hello"), Some("alice"))
    );

    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "topic": format!("user:{}", b.id) })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let refused = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(refused["type"], "error");
    app.ctx.hub.publish(
        &Hub::user_topic(id_of(&b)),
        "secret",
        json!({ "for": "bora" }),
    );
    socket
        .send(Message::Text(json!({ "type": "ping" }).to_string().into()))
        .await
        .unwrap();
    let pong = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(
        pong["type"], "pong",
        "nothing of bora's arrived before the pong"
    );

    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "topic": "public" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut socket, Duration::from_secs(2))
            .await
            .unwrap()["type"],
        "subscribed"
    );
    app.ctx.hub.publish("public", "news", json!("모두에게"));
    assert_eq!(
        next_json(&mut socket, Duration::from_secs(2))
            .await
            .unwrap()["data"],
        "모두에게"
    );
}

async fn a_socket_may_authenticate_with_its_first_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("chaewon").await;
    let mut socket = connect(&app, None).await;
    socket
        .send(Message::Text(
            json!({ "type": "auth", "token": user.access_token })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut socket, Duration::from_secs(2))
            .await
            .unwrap()["type"],
        "ready"
    );

    let mut stranger = connect(&app, None).await;
    stranger
        .send(Message::Text(
            json!({ "type": "auth", "token": "forged" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut stranger, Duration::from_secs(2))
            .await
            .unwrap()["type"],
        "error"
    );

    let bad = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/v1/stream?access_token=forged",
        app.addr
    ))
    .await;
    assert!(
        bad.is_err(),
        "an invalid token in the URL is refused before the upgrade"
    );
}

async fn sse_resumes_after_the_last_event_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("dahye").await;
    let topic = Hub::user_topic(id_of(&user));
    let first = app.ctx.hub.publish(&topic, "n", json!(1));
    app.ctx.hub.publish(&topic, "n", json!(2));
    app.ctx.hub.publish(&topic, "n", json!(3));

    let anonymous = app.get("/api/v1/stream", None).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let forbidden = app
        .get("/api/v1/stream?topics=user:1", Some(&user))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let response = app
        .get("/api/v1/stream", Some(&user))
        .header("last-event-id", first.to_string())
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
    let mut response = response;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while text.matches("event: n").count() < 3 && tokio::time::Instant::now() < deadline {
        if text.matches("event: n").count() == 2 {
            app.ctx.hub.publish(&topic, "n", json!(4));
        }
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), response.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let data: Vec<i64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| {
            serde_json::from_str::<Value>(d).unwrap()["data"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        data,
        [2, 3, 4],
        "missed messages first, then live ones, nothing twice"
    );
}

async fn notify(app: &TestApp, to: &TestUser, actor: &TestUser, post: &str) {
    let mut tx = app.ctx.db.begin().await.unwrap();
    let n = NewNotification {
        user: id_of(to),
        app: "social",
        kind: "like",
        actor: Some(id_of(actor)),
        subject: Some(format!("post:{post}")),
        group_key: None,
        data: json!({ "post": post }),
    };
    app.ctx.notifications.notify(&mut tx, &n).await.unwrap();
    tx.commit().await.unwrap();
    app.ctx.bus.wake();
}

async fn notifications_are_listed_grouped_counted_and_pushed_live(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = app.user("owner").await;
    let fans = [
        app.user("fan_one").await,
        app.user("fan_two").await,
        app.user("fan_three").await,
    ];
    let mut socket = connect(&app, Some(&owner.access_token)).await;
    next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();

    notify(&app, &owner, &fans[0], "1").await;
    let pushed = next_json(&mut socket, Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(pushed["event"], "notification.created");
    assert_eq!(pushed["data"]["actor"]["username"], "fan_one");

    notify(&app, &owner, &fans[1], "1").await;
    notify(&app, &owner, &fans[2], "1").await;
    notify(&app, &owner, &fans[0], "2").await;

    let count: Value = app
        .get("/api/v1/me/notifications/unread-count", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count["count"], 4);
    let page: Value = app
        .get("/api/v1/me/notifications?limit=2", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_max_id"].as_str().unwrap();
    let rest: Value = app
        .get(
            &format!("/api/v1/me/notifications?limit=10&max_id={next}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        rest["items"].as_array().unwrap().len(),
        2,
        "the two pages hold all four"
    );

    let grouped: Value = app
        .get("/api/v1/me/notifications?grouped=true", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let groups = grouped["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(
        (groups[0]["subject"].as_str(), groups[0]["count"].as_u64()),
        (Some("post:2"), Some(1))
    );
    assert_eq!(
        (
            groups[1]["subject"].as_str(),
            groups[1]["actor_count"].as_u64()
        ),
        (Some("post:1"), Some(3))
    );

    let one = page["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.post(
            &format!("/api/v1/me/notifications/{one}/read"),
            Some(&owner)
        )
        .send()
        .await
        .unwrap()
        .status(),
        StatusCode::NO_CONTENT
    );
    let unread: Value = app
        .get("/api/v1/me/notifications?unread=true", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unread["items"].as_array().unwrap().len(), 3);
    let stranger = app
        .post(
            &format!("/api/v1/me/notifications/{one}/read"),
            Some(&fans[0]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        stranger.status(),
        StatusCode::NOT_FOUND,
        "nobody marks another's notifications"
    );
    let all: Value = app
        .post("/api/v1/me/notifications/read-all", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["marked"], 3);
}
