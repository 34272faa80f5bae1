//! Offline-first sync: two devices edit offline and converge, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)]

use std::collections::BTreeMap;

use crate::common::{get, seoul, spawn};
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

/// A device: its queue of offline changes, its copy of the records, its sync token.
struct Device {
    id: &'static str,
    token: Option<String>,
    queue: Vec<Value>,
    records: BTreeMap<String, f64>,
}

impl Device {
    fn new(id: &'static str) -> Self {
        Device {
            id,
            token: None,
            queue: Vec::new(),
            records: BTreeMap::new(),
        }
    }

    /// Records a heart rate offline at client time `at`.
    fn put(&mut self, client_id: &str, bpm: f64, at: i64) {
        self.records.insert(client_id.to_owned(), bpm);
        self.queue.push(json!({ "op": "upsert", "modified_at": seoul(at),
            "record": { "client_id": client_id, "type": "heart_rate", "value": bpm, "start": seoul(T0) } }));
    }

    fn delete(&mut self, client_id: &str, at: i64) {
        self.records.remove(client_id);
        self.queue
            .push(json!({ "op": "delete", "client_id": client_id, "modified_at": seoul(at) }));
    }

    /// Sends the queue, applies what comes back; the statuses of the sent changes.
    async fn sync(&mut self, app: &TestApp, user: &TestUser) -> Vec<String> {
        let body = json!({ "device_id": self.id, "sync_token": self.token, "changes": std::mem::take(&mut self.queue) });
        let (status, out) = app
            .send(Method::POST, "/api/v1/health/sync", Some(user), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        for change in out["changes"].as_array().unwrap() {
            match change["op"].as_str().unwrap() {
                "upsert" => {
                    let r = &change["record"];
                    self.records.insert(
                        r["client_id"].as_str().unwrap().to_owned(),
                        r["value"].as_f64().unwrap(),
                    );
                }
                _ => {
                    self.records.remove(change["client_id"].as_str().unwrap());
                }
            }
        }
        assert_eq!(out["has_more"], false);
        self.token = Some(out["sync_token"].as_str().unwrap().to_owned());
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn two_devices_converge(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let (mut phone, mut watch) = (Device::new("phone"), Device::new("watch"));
    phone.sync(&app, &minji).await;
    watch.sync(&app, &minji).await;

    // Both offline: each records something.
    phone.put("a", 70.0, T0 + 10);
    watch.put("b", 64.0, T0 + 20);
    assert_eq!(phone.sync(&app, &minji).await, ["applied"]);
    assert_eq!(watch.sync(&app, &minji).await, ["applied"]);
    phone.sync(&app, &minji).await;
    assert_eq!(phone.records, watch.records);

    // Both edit `a` offline; the watch's edit is later and wins whichever syncs first.
    phone.put("a", 75.0, T0 + 30);
    watch.put("a", 80.0, T0 + 40);
    phone.delete("b", T0 + 50);
    assert_eq!(watch.sync(&app, &minji).await, ["applied"]);
    assert_eq!(phone.sync(&app, &minji).await, ["stale", "applied"]);
    watch.sync(&app, &minji).await;
    assert_eq!(phone.records, watch.records);
    assert_eq!(phone.records, BTreeMap::from([("a".to_owned(), 80.0)]));

    // Equal client times: the greater device id wins ("watch" > "phone").
    phone.put("a", 90.0, T0 + 60);
    watch.put("a", 85.0, T0 + 60);
    phone.sync(&app, &minji).await;
    watch.sync(&app, &minji).await;
    phone.sync(&app, &minji).await;
    assert_eq!(phone.records, watch.records);
    assert_eq!(phone.records["a"], 85.0);

    // A retried sync with the same token answers the same again.
    let (_, again) = app
        .send(
            Method::POST,
            "/api/v1/health/sync",
            Some(&minji),
            Some(json!({ "device_id": "phone", "sync_token": phone.token, "changes": [] })),
        )
        .await;
    assert_eq!(again["changes"].as_array().unwrap().len(), 0);

    // The rollups follow edits and deletes: one value, the winner's.
    let q = |t: i64| seoul(t).replace('+', "%2B");
    let (_, page) = get(
        &app,
        &format!(
            "/api/v1/health/me/series?type=heart_rate&bucket=day&from={}&to={}",
            q(T0 - 86_400),
            q(T0 + 86_400)
        ),
        &minji,
    )
    .await;
    assert_eq!(page["points"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(
        (
            page["points"][0]["count"].as_i64(),
            page["points"][0]["max"].as_f64()
        ),
        (Some(1), Some(85.0))
    );

    // Bad changes are answered one by one.
    let (_, out) = app.send(Method::POST, "/api/v1/health/sync", Some(&minji),
        Some(json!({ "device_id": "phone", "sync_token": phone.token, "changes": [
            { "op": "upsert", "modified_at": seoul(T0), "record": { "client_id": "x", "type": "heart_rate", "value": 0, "start": seoul(T0) } },
            { "op": "move", "modified_at": seoul(T0), "client_id": "x" },
        ] }))).await;
    let fields: Vec<&str> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["record.value", "op"]);
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/health/sync",
            Some(&minji),
            Some(json!({ "device_id": "", "changes": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

platform::backend_tests!(two_devices_converge);
