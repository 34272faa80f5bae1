//! A server killed with SIGKILL right after answering 202s loses none of what it accepted:
//! after a restart, every queued profile update is applied exactly once, in order.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// Updates queued before the kill.
const QUEUED: usize = 40;

fn start(data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_maru"))
        .arg("serve")
        .env("MARU_DATA_DIR", data_dir)
        .env("MARU_LISTEN", format!("127.0.0.1:{port}"))
        .env("MARU_LOG", "warn")
        .env("MARU_RATE_LIMITS", "off")
        .current_dir(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn ready(client: &reqwest::Client, base: &str) {
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/ready")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("maru did not become ready");
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_profile_updates_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    platform::tls::init();
    let client = reqwest::Client::new();
    // The writer lingers two seconds before each batch: the kill surely finds updates queued.
    std::fs::write(
        dir.path().join("maru.toml"),
        "[apps.assistant]\nbatch_linger_ms = 2000\n",
    )
    .unwrap();
    let mut server = start(dir.path(), port);
    ready(&client, &base).await;

    let (status, _) = call(client.post(format!("{base}/api/v1/auth/register")).json(
        &json!({ "username": "minji", "email": "minji@example.kr", "password": "minji-password-long" }),
    ))
    .await;
    assert_eq!(status, 201);
    let (_, tokens) = call(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "login": "minji", "password": "minji-password-long" })),
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let (_, session) = call(
        client
            .post(format!("{base}/api/v1/assistant/sessions"))
            .bearer_auth(&token)
            .json(&json!({})),
    )
    .await;
    let session = session["id"].as_str().unwrap().to_owned();

    let mut operations = Vec::new();
    for i in 1..=QUEUED {
        let hours = i as f64 * 0.25;
        let (status, body) = call(
            client
                .post(format!("{base}/api/v1/assistant/sessions/{session}/profile:batch"))
                .bearer_auth(&token)
                .json(&json!({ "changes": [{ "op": "set", "field": "sleep_hours", "value": hours }] })),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        operations.push(body["operation_id"].as_str().unwrap().to_owned());
    }
    let last = operations.last().unwrap();
    let (_, waiting) = call(
        client
            .get(format!("{base}/api/v1/assistant/operations/{last}"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(
        waiting["status"], "accepted",
        "still queued when the server dies"
    );
    server.kill().unwrap(); // SIGKILL: no shutdown, no draining.
    server.wait().unwrap();

    let mut server = start(dir.path(), port);
    ready(&client, &base).await;
    for (i, op) in operations.iter().enumerate() {
        let mut outcome = Value::Null;
        for _ in 0..500 {
            (_, outcome) = call(
                client
                    .get(format!("{base}/api/v1/assistant/operations/{op}"))
                    .bearer_auth(&token),
            )
            .await;
            if outcome["status"] != "accepted" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(outcome["status"], "applied", "{outcome}");
        assert_eq!(outcome["version"], i as i64 + 1, "in order");
    }
    let (_, events) = call(
        client
            .get(format!(
                "{base}/api/v1/assistant/sessions/{session}/events?limit=1000"
            ))
            .bearer_auth(&token),
    )
    .await;
    let values: Vec<f64> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["value"].as_f64().unwrap())
        .collect();
    let expected: Vec<f64> = (1..=QUEUED).map(|i| i as f64 * 0.25).collect();
    assert_eq!(values, expected, "each update applied exactly once");
    server.kill().unwrap();
    server.wait().unwrap();
}
