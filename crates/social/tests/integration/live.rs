//! The live feed socket, `/ws/feed`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use std::time::{Duration, Instant};

use crate::common::{follow, post, spawn, spawn_with_threshold};
use futures::{SinkExt, StreamExt};
use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

backend_tests!(
    followers_get_new_posts_live_and_others_do_not,
    a_big_authors_followers_get_new_posts_live_too,
    a_feed_socket_authenticates_with_its_first_message,
);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_json(socket: &mut Socket, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// A socket subscribed to `user`'s feed updates.
async fn subscribed(app: &TestApp, user: &TestUser) -> Socket {
    let url = format!(
        "ws://{}/ws/feed?access_token={}",
        app.addr, user.access_token
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let ready = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ready["type"], "ready");
    send(
        &mut socket,
        json!({ "type": "subscribe", "channel": "feed_updates" }),
    )
    .await;
    let answer = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(answer["type"], "subscribed");
    socket
}

async fn followers_get_new_posts_live_and_others_do_not(backend: Backend) {
    live_posts_reach_followers_only(&spawn(backend).await).await;
}

async fn a_big_authors_followers_get_new_posts_live_too(backend: Backend) {
    // With a threshold of 1 the author is big: nothing is pushed, followers are only told.
    live_posts_reach_followers_only(&spawn_with_threshold(backend, 1).await).await;
}

async fn live_posts_reach_followers_only(app: &TestApp) {
    let (author, fan, stranger, muter) = (
        app.user("author").await,
        app.user("fan").await,
        app.user("stranger").await,
        app.user("muter").await,
    );
    follow(app, &fan, &author).await;
    follow(app, &muter, &author).await;
    let mute = format!("/api/v1/users/{}/mute", author.id);
    common::call(app, reqwest::Method::POST, &mute, &muter).await;
    let mut fan_socket = subscribed(app, &fan).await;
    let mut stranger_socket = subscribed(app, &stranger).await;
    let mut muter_socket = subscribed(app, &muter).await;

    let started = Instant::now();
    let id = post(app, &author, "팔로워에게만 #비밀", "followers").await;
    let update = next_json(&mut fan_socket, Duration::from_secs(1))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(update["type"], "new_content");
    assert_eq!(update["data"]["content_id"], id);
    assert_eq!(update["data"]["preview"]["text"], "팔로워에게만 #비밀");

    // Neither the stranger (followers-only post) nor the muter hears of it; a private post
    // reaches no one but its author.
    assert!(
        next_json(&mut stranger_socket, Duration::from_millis(300))
            .await
            .is_none()
    );
    assert!(
        next_json(&mut muter_socket, Duration::from_millis(100))
            .await
            .is_none()
    );
    post(app, &author, "나만 보기", "private").await;
    assert!(
        next_json(&mut fan_socket, Duration::from_millis(300))
            .await
            .is_none()
    );
    send(&mut fan_socket, json!({ "type": "ping" })).await;
    let pong = next_json(&mut fan_socket, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(pong["type"], "pong");
}

async fn a_feed_socket_authenticates_with_its_first_message(backend: Backend) {
    let app = spawn(backend).await;
    let user = app.user("minji").await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws/feed", app.addr))
        .await
        .unwrap();
    send(
        &mut socket,
        json!({ "type": "auth", "token": user.access_token }),
    )
    .await;
    let ready = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ready["type"], "ready");
    send(
        &mut socket,
        json!({ "type": "subscribe", "channel": "gossip" }),
    )
    .await;
    let error = next_json(&mut socket, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(error["type"], "error");

    let refused =
        tokio_tungstenite::connect_async(format!("ws://{}/ws/feed?access_token=forged", app.addr))
            .await;
    assert!(refused.is_err());
}
