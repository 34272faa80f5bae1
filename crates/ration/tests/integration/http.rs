//! `POST /api/v1/ration/formulate` over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use platform::testing::{Backend, TestApp};
use ration::Ration;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn problem(min_cp: f64) -> Value {
    json!({
        "id": "grower", "basis": "as_fed",
        "ingredients": [
            { "id": "corn", "dm": 88, "cost": 350, "nutrient_basis": "as_fed", "nutrients": { "CP": 8.5 } },
            { "id": "sbm", "dm": 89, "cost": 700, "nutrient_basis": "as_fed", "nutrients": { "CP": 46.5 } }
        ],
        "constraints": [ { "kind": "total", "value": 1 }, { "kind": "nutrient", "nutrient": "CP", "min": min_cp } ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formulating_over_http_answers_like_the_cli_and_refuses_bad_files_by_place() {
    let app = TestApp::builder(Backend::Sqlite).app(Ration).spawn().await;
    let user = app.user("nutritionist").await;
    let url = "/api/v1/ration/formulate";

    let anonymous = app
        .post(url, None)
        .json(&problem(16.0))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let one: Value = app
        .post(url, Some(&user))
        .json(&problem(16.0))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["status"], "optimal");
    let sbm = (16.0 - 8.5) / 38.0;
    assert!((one["solution"]["sbm"].as_f64().unwrap() - sbm).abs() < 1e-9);

    let many: Value = app
        .post(url, Some(&user))
        .json(&json!({ "problems": [problem(16.0), problem(50.0)] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(many["results"][0]["status"], "optimal");
    assert_eq!(many["results"][1]["status"], "infeasible");
    assert_eq!(
        many["results"][1]["infeasibility"]["conflicting"][0]["label"],
        "nutrient CP"
    );

    let mut bad = problem(16.0);
    bad["ingredients"][1]["dm"] = json!(-3);
    let refused = app
        .post(url, Some(&user))
        .json(&json!({ "problems": [problem(16.0), bad] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "problems[1].ingredients[1].dm");

    let mut unknown = problem(16.0);
    unknown["constraints"][1]["kind"] = json!("vitamin");
    let body: Value = app
        .post(url, Some(&user))
        .json(&unknown)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["errors"][0]["field"], "constraints[1].kind");

    let doc: Value = app
        .get("/api/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/ration/formulate"]["post"].is_object());
}
