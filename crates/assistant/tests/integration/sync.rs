//! Live sync over real WebSockets: every device gets every update in order, a device that was
//! away gets exactly what it missed, unacknowledged updates come again.

use std::time::Duration;

use platform::testing::Backend;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Device, new_session, patch, spawn};

platform::backend_tests!(
    three_devices_receive_every_update_in_order,
    a_device_back_from_ten_missed_updates_gets_exactly_those,
    unacknowledged_updates_are_delivered_again,
    only_the_owner_may_follow_a_session,
);

fn sleep_change(hours: i64) -> serde_json::Value {
    json!([{ "op": "set", "field": "sleep_hours", "value": hours }])
}

async fn three_devices_receive_every_update_in_order(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let mut devices = Vec::new();
    for _ in 0..3 {
        let mut device = Device::connect(&app, &minji).await;
        assert_eq!(device.subscribe(&session, None).await["version"], 0);
        devices.push(device);
    }
    for hours in 1..=12 {
        let (status, body) = patch(&app, &minji, &session, None, sleep_change(hours)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    for device in &mut devices {
        assert_eq!(device.updates(12).await, (1..=12).collect::<Vec<_>>());
    }
    // Each update carries the change and the whole profile after it.
    let (_, body) = patch(
        &app,
        &minji,
        &session,
        None,
        json!([{ "op": "set", "field": "diet", "value": "vegan" }]),
    )
    .await;
    assert_eq!(body["version"], 13);
    let frame = devices[0].next().await;
    assert_eq!(frame["action"], "UPDATE");
    assert_eq!(frame["seq"], 13);
    assert_eq!(
        frame["data"]["change"],
        json!({ "op": "set", "field": "diet", "value": "vegan" })
    );
    assert_eq!(frame["data"]["profile"]["sleep_hours"], 12.0);
    assert!(frame["timestamp"].as_i64().unwrap() > 0);
}

async fn a_device_back_from_ten_missed_updates_gets_exactly_those(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let mut phone = Device::connect(&app, &minji).await;
    phone.subscribe(&session, Some(0)).await;
    let mut laptop = Device::connect(&app, &minji).await;
    laptop.subscribe(&session, Some(0)).await;
    for hours in 1..=3 {
        patch(&app, &minji, &session, None, sleep_change(hours)).await;
    }
    assert_eq!(phone.updates(3).await, vec![1, 2, 3]);
    assert_eq!(laptop.updates(3).await, vec![1, 2, 3]);
    phone.close().await;

    for hours in 4..=13 {
        patch(&app, &minji, &session, None, sleep_change(hours)).await;
    }
    assert_eq!(laptop.updates(10).await, (4..=13).collect::<Vec<_>>());

    let mut phone = Device::connect(&app, &minji).await;
    assert_eq!(phone.subscribe(&session, Some(3)).await["version"], 13);
    assert_eq!(phone.updates(10).await, (4..=13).collect::<Vec<_>>());
    // Then live updates, and nothing more of the past.
    patch(&app, &minji, &session, None, sleep_change(14)).await;
    assert_eq!(phone.updates(1).await, vec![14]);
    assert!(phone.silent_for(Duration::from_millis(300)).await);
}

async fn unacknowledged_updates_are_delivered_again(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let mut device = Device::connect(&app, &minji).await;
    device.subscribe(&session, None).await;
    patch(&app, &minji, &session, None, sleep_change(7)).await;
    let first = device.next().await;
    assert_eq!(first["seq"], 1);
    assert!(first.get("redelivered").is_none());
    // No ack: the same update comes again after the timeout.
    let again = device.next().await;
    assert_eq!(again["seq"], 1);
    assert_eq!(again["redelivered"], true);
    device
        .send(json!({ "type": "ack", "topic": format!("session/{session}/profile"), "seq": 1 }))
        .await;
    assert!(device.silent_for(Duration::from_millis(4_500)).await);
}

async fn only_the_owner_may_follow_a_session(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let jiho = app.user("jiho").await;
    let session = new_session(&app, &minji).await;
    let mut device = Device::connect(&app, &jiho).await;
    device
        .send(json!({ "type": "subscribe", "topic": format!("session/{session}/profile") }))
        .await;
    assert_eq!(device.next().await["type"], "error");
    device
        .send(json!({ "type": "subscribe", "topic": "user:1" }))
        .await;
    assert_eq!(device.next().await["type"], "error");
}
