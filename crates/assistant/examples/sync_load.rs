//! Load for `benches/assistant.sh` against a running server: profile fan-out latency to the
//! devices of a session, and the memory idle subscribers cost.
//!
//!     sync_load fanout BASE TOKEN SESSION UPDATES PER_SECOND   # 3 devices, PATCH at a rate
//!     sync_load idle BASE TOKEN SESSION COUNT SERVER_PID       # COUNT idle subscribers
//!     sync_load rate BASE TOKEN CONNECTIONS PER_SECOND SECONDS # PATCH latency at a set rate
//!
//! `rate` is open-loop, as wrk2 is: requests are due at a steady rate spread over the
//! connections (one session each), and each latency counts from when its request was due, so
//! a slow answer that holds up the next request shows in both (no coordinated omission).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn device(base: &str, token: &str, session: &str) -> Socket {
    let url = format!(
        "{}/api/v1/assistant/sync?access_token={token}",
        base.replacen("http", "ws", 1)
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    next(&mut socket).await; // ready
    let subscribe = json!({ "type": "subscribe", "topic": format!("session/{session}/profile") });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let answer = next(&mut socket).await;
    assert_eq!(answer["type"], "subscribed", "{answer}");
    socket
}

async fn next(socket: &mut Socket) -> Value {
    loop {
        if let Message::Text(text) = socket.next().await.unwrap().unwrap() {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

async fn patch(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    session: &str,
    hours: f64,
) -> i64 {
    let answer: Value = client
        .patch(format!(
            "{base}/api/v1/assistant/sessions/{session}/profile"
        ))
        .bearer_auth(token)
        .json(&json!({ "changes": [{ "op": "set", "field": "sleep_hours", "value": hours }] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["version"].as_i64().unwrap()
}

async fn fanout(base: &str, token: &str, session: &str, updates: usize, per_second: u64) {
    let sent: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let client = reqwest::Client::new();
    let start_version = patch(&client, base, token, session, 0.5).await;
    let mut readers = Vec::new();
    for _ in 0..3 {
        let mut socket = device(base, token, session).await;
        let sent = Arc::clone(&sent);
        readers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while latencies.len() < updates {
                let frame = next(&mut socket).await;
                if frame["type"] != "update" || frame.get("redelivered").is_some() {
                    continue;
                }
                let seq = frame["seq"].as_i64().unwrap();
                let ack = json!({ "type": "ack", "topic": frame["topic"], "seq": seq });
                socket
                    .send(Message::Text(ack.to_string().into()))
                    .await
                    .unwrap();
                let at = sent.lock().unwrap().get(&seq).copied();
                if let Some(at) = at {
                    latencies.push(at.elapsed().as_secs_f64() * 1000.0);
                }
            }
            latencies
        }));
    }
    let gap = Duration::from_micros(1_000_000 / per_second.max(1));
    for i in 0..updates {
        // Sequential writes: update i becomes version start + i + 1.
        let seq = start_version + i as i64 + 1;
        sent.lock().unwrap().insert(seq, Instant::now());
        let hours = 1.0 + (i % 40) as f64 / 4.0;
        let version = patch(&client, base, token, session, hours).await;
        assert_eq!(version, seq, "one writer: versions follow each other");
        tokio::time::sleep(gap).await;
    }
    let mut all = Vec::new();
    for reader in readers {
        all.extend(reader.await.unwrap());
    }
    all.sort_by(f64::total_cmp);
    println!(
        "fan-out to 3 devices, {} deliveries (PATCH sent to device received): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        all[all.len() - 1]
    );
}

async fn idle(base: &str, token: &str, session: &str, count: usize, pid: &str) {
    let before = rss_kb(pid);
    let mut sockets = Vec::with_capacity(count);
    let started = Instant::now();
    for chunk in 0..count.div_ceil(200) {
        let n = 200.min(count - chunk * 200);
        let batch: Vec<_> = (0..n).map(|_| device(base, token, session)).collect();
        sockets.extend(futures::future::join_all(batch).await);
    }
    println!(
        "{count} subscribers connected in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kb(pid);
    println!(
        "server RSS {before} KB before, {after} KB with {count} idle subscribers: {:.1} KB each",
        (after.saturating_sub(before)) as f64 / count as f64
    );
    // One update reaches all of them.
    let client = reqwest::Client::new();
    let started = Instant::now();
    patch(&client, base, token, session, 7.75).await;
    let mut received = 0;
    for socket in &mut sockets {
        loop {
            let frame = next(socket).await;
            if frame["type"] == "update" {
                received += 1;
                break;
            }
        }
    }
    println!(
        "one update reached all {received} subscribers in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// PATCHes due at `per_second` for `seconds` over `connections` connections.
async fn rate(base: &str, token: &str, connections: usize, per_second: u64, seconds: u64) {
    let setup = reqwest::Client::new();
    let mut queues = Vec::new();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let session: Value = setup
            .post(format!("{base}/api/v1/assistant/sessions"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = session["id"].as_str().unwrap().to_owned();
        let (queue, mut due) = tokio::sync::mpsc::unbounded_channel::<(Instant, f64)>();
        queues.push(queue);
        let (base, token) = (base.to_owned(), token.to_owned());
        workers.push(tokio::spawn(async move {
            // One connection per worker, as wrk holds one per connection.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut latencies = Vec::new();
            while let Some((at, hours)) = due.recv().await {
                patch(&client, &base, &token, &session, hours).await;
                latencies.push((at, Instant::now()));
            }
            latencies
        }));
    }
    let total = per_second * seconds;
    let gap = Duration::from_secs(1).div_f64(per_second as f64);
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    for i in 0..total {
        let at = start + gap.mul_f64(i as f64);
        tokio::time::sleep_until(at).await;
        let hours = 1.0 + (i % 44) as f64 / 4.0;
        queues[i as usize % connections]
            .send((at.into_std(), hours))
            .unwrap();
    }
    drop(queues);
    let mut latencies = Vec::new();
    let mut last = start.into_std();
    for worker in workers {
        for (at, done) in worker.await.unwrap() {
            latencies.push((done - at).as_secs_f64() * 1000.0);
            last = last.max(done);
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "PATCH at {per_second}/s for {seconds} s over {connections} connections: {:.0} req/s done; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
        latencies.len() as f64 / (last - start.into_std()).as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
        latencies[latencies.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    platform::tls::init();
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("fanout") => {
            fanout(
                &args[2],
                &args[3],
                &args[4],
                args[5].parse().unwrap(),
                args[6].parse().unwrap(),
            )
            .await;
        }
        Some("idle") => {
            idle(
                &args[2],
                &args[3],
                &args[4],
                args[5].parse().unwrap(),
                &args[6],
            )
            .await;
        }
        Some("rate") => {
            rate(
                &args[2],
                &args[3],
                args[4].parse().unwrap(),
                args[5].parse().unwrap(),
                args[6].parse().unwrap(),
            )
            .await;
        }
        _ => eprintln!("usage: sync_load fanout|idle|rate ..."),
    }
}
