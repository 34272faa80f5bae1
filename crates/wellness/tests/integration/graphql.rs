//! The seed's GraphQL schema over real HTTP and WebSocket (graphql-transport-ws): every query,
//! mutation and subscription, another member's data refused, and the depth limit.

use std::time::Duration;

use crate::common::{batch, heart_rate, spawn};
use futures::{SinkExt, StreamExt};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn gql(app: &TestApp, user: &TestUser, query: &str, variables: Value) -> Value {
    let response = app
        .post("/graphql", Some(user))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

fn now_rfc3339(minutes_ago: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(minutes_ago)).to_string()
}

async fn queries_and_mutations(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;

    let updated = gql(
        &app,
        &minji,
        "mutation($at: DateTime!) { updateHealthData(input: { clientId: \"m1\", measuredAt: $at, heartRate: 72, systolic: 121, diastolic: 79, mood: 4, waterMl: 500 }) { vitals { heartRate systolic diastolic measuredAt } mood { latestScore } nutrition { waterMlToday } } }",
        json!({ "at": now_rfc3339(5) }),
    )
    .await;
    assert!(updated.get("errors").is_none(), "{updated}");
    let data = &updated["data"]["updateHealthData"];
    assert_eq!(data["vitals"]["heartRate"], 72.0);
    assert_eq!(data["vitals"]["systolic"], 121.0);
    assert_eq!(data["mood"]["latestScore"], 4.0);

    let activity = gql(
        &app,
        &minji,
        "mutation($s: DateTime!, $e: DateTime!) { recordActivity(input: { clientId: \"run1\", activity: \"running\", start: $s, end: $e, distanceMeters: 5000 }) { id activity durationMinutes distanceMeters } }",
        json!({ "s": now_rfc3339(60), "e": now_rfc3339(30) }),
    )
    .await;
    assert_eq!(
        activity["data"]["recordActivity"]["activity"], "running",
        "{activity}"
    );
    let minutes = activity["data"]["recordActivity"]["durationMinutes"]
        .as_f64()
        .unwrap();
    assert!((minutes - 30.0).abs() < 0.01, "{activity}");

    let goal = gql(
        &app,
        &minji,
        "mutation { createGoal(input: { kind: STEPS, target: 8000 }) { id title progress { target streak achieved } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        goal["data"]["createGoal"]["title"], "8000 steps a day",
        "{goal}"
    );
    assert_eq!(goal["data"]["createGoal"]["progress"]["target"], 8000.0);
    let bad_goal = gql(
        &app,
        &minji,
        "mutation { createGoal(input: { kind: STEPS, target: 0 }) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        bad_goal["errors"][0]["extensions"]["status"], 422,
        "{bad_goal}"
    );
    assert_eq!(bad_goal["errors"][0]["extensions"]["fields"][0], "per_day");

    let me = gql(
        &app,
        &minji,
        "{ user(id: \"me\") { id email profile { username timeZone } healthData { vitals { heartRate } activities { activity distanceMeters } sleep { lastMinutes } } recommendations(limit: 3) { id type title confidence createdAt } } }",
        json!({}),
    )
    .await;
    assert!(me.get("errors").is_none(), "{me}");
    let user = &me["data"]["user"];
    assert_eq!(user["id"], minji.id.as_str());
    assert_eq!(user["profile"]["username"], "minji");
    assert_eq!(user["profile"]["timeZone"], "Asia/Seoul");
    assert!(user["email"].as_str().unwrap().contains('@'));
    assert_eq!(
        user["healthData"]["activities"][0]["distanceMeters"],
        5000.0
    );
    assert!(user["recommendations"].is_array());

    let insights = gql(
        &app,
        &minji,
        "query($u: ID!) { healthInsights(userId: $u, timeRange: WEEK) { kind title description } recommendations(userId: $u, limit: 5) { id } }",
        json!({ "u": "me" }),
    )
    .await;
    assert!(insights.get("errors").is_none(), "{insights}");
    assert!(insights["data"]["healthInsights"].is_array());

    // Another member is refused, as over REST.
    let jiho = app.user("jiho").await;
    for query in [
        format!("{{ user(id: \"{}\") {{ id }} }}", minji.id),
        format!("{{ recommendations(userId: \"{}\") {{ id }} }}", minji.id),
        format!(
            "{{ healthInsights(userId: \"{}\", timeRange: MONTH) {{ title }} }}",
            minji.id
        ),
    ] {
        let refused = gql(&app, &jiho, &query, json!({})).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["status"], 403,
            "{refused}"
        );
        assert!(
            refused["data"].is_null()
                || refused["data"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(Value::is_null)
        );
    }

    // Depth is limited before anything runs.
    let deep = gql(
        &app,
        &minji,
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }",
        json!({}),
    )
    .await;
    assert!(
        deep["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{deep}"
    );

    // Anonymous callers are turned away.
    let anonymous = app
        .post("/graphql", None)
        .json(&json!({ "query": "{ user(id: \"me\") { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let page = app.get("/graphql", None).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("graphiql"));
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, user: &TestUser) -> Socket {
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": user.access_token } }),
    )
    .await;
    assert_eq!(next(&mut socket).await["type"], "connection_ack");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// The next protocol message other than pings.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame {
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["type"] != "ping" {
                return v;
            }
        }
    }
}

async fn subscriptions(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let mut socket = connect(&app, &minji).await;
    send(
        &mut socket,
        json!({ "id": "v", "type": "subscribe", "payload": { "query": "subscription { realTimeVitals(userId: \"me\") { heartRate measuredAt } }" } }),
    )
    .await;
    send(
        &mut socket,
        json!({ "id": "a", "type": "subscribe", "payload": { "query": "subscription { healthAlerts(userId: \"me\") { kind severity series value } }" } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    batch(&app, &minji, &[heart_rate("live1", &now_rfc3339(1), 77.0)]).await;
    let vitals = next(&mut socket).await;
    assert_eq!(
        (vitals["type"].as_str(), vitals["id"].as_str()),
        (Some("next"), Some("v")),
        "{vitals}"
    );
    assert_eq!(
        vitals["payload"]["data"]["realTimeVitals"]["heartRate"],
        77.0
    );

    // SpO2 below 92 % raises a critical alert at once.
    batch(
        &app,
        &minji,
        &[json!({ "client_id": "spo2", "type": "oxygen_saturation", "value": 88, "unit": "%", "start": now_rfc3339(1) })],
    )
    .await;
    let mut alert = Value::Null;
    for _ in 0..3 {
        let m = next(&mut socket).await;
        if m["id"] == "a" {
            alert = m;
            break;
        }
    }
    let alert = &alert["payload"]["data"]["healthAlerts"];
    assert_eq!(alert["severity"], "critical", "{alert}");
    assert_eq!(alert["series"], "oxygen_saturation");
    assert_eq!(alert["value"], 88.0);

    // Someone else's live data is refused.
    let jiho = app.user("jiho").await;
    let mut other = connect(&app, &jiho).await;
    send(
        &mut other,
        json!({ "id": "x", "type": "subscribe", "payload": { "query": format!("subscription {{ realTimeVitals(userId: \"{}\") {{ heartRate }} }}", minji.id) } }),
    )
    .await;
    let refused = next(&mut other).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["status"], 403,
        "{refused}"
    );
    assert!(refused["payload"]["data"].is_null());

    // A bad token gets no connection.
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut forged, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send(
        &mut forged,
        json!({ "type": "connection_init", "payload": { "token": "forged" } }),
    )
    .await;
    let closed = tokio::time::timeout(Duration::from_secs(10), forged.next())
        .await
        .unwrap();
    assert!(
        matches!(closed, Some(Ok(Message::Close(_)) | Err(_)) | None),
        "{closed:?}"
    );
}

backend_tests!(queries_and_mutations, subscriptions);
