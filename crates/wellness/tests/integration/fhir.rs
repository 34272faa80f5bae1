//! FHIR R4 Observations over real HTTP: search, read and create, and who may see what.
//! (tests/fhir_validate.py checks the same output against the R4B models.)

use crate::common::{batch, get, heart_rate, seoul, spawn};
use platform::backend_tests;
use platform::testing::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

async fn observations_are_searched_read_and_created(backend: Backend) {
    let app = spawn(backend).await;
    let minji = app.user("minji").await;
    let jiho = app.user("jiho").await;
    let records: Vec<_> = (0..5)
        .map(|i| heart_rate(&format!("hr{i}"), &seoul(T0 + i * 60), 70.0 + i as f64))
        .collect();
    batch(&app, &minji, &records).await;

    let (status, bundle) = get(
        &app,
        "/fhir/r4/Observation?patient=me&code=http://loinc.org|8867-4&date=ge2026-11-01&date=lt2026-11-02",
        &minji,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{bundle}");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["total"], 5);
    let newest = &bundle["entry"][0]["resource"];
    assert_eq!(newest["valueQuantity"]["value"], 74.0);
    assert_eq!(newest["effectiveDateTime"], "2026-11-01T09:04:00+09:00");
    assert_eq!(newest["identifier"][0]["value"], "hr4");
    let (_, none) = get(
        &app,
        "/fhir/r4/Observation?code=8867-4&date=2026-11-02",
        &minji,
    )
    .await;
    assert_eq!(none["total"], 0);

    let id = newest["id"].as_str().unwrap();
    let path = format!("/fhir/r4/Observation/{id}");
    let (status, read) = get(&app, &path, &minji).await;
    assert_eq!((status, &read), (StatusCode::OK, newest));

    // Another member sees none of it without a share.
    assert_eq!(get(&app, &path, &jiho).await.0, StatusCode::FORBIDDEN);
    let theirs = format!("/fhir/r4/Observation?patient=Patient/{}", minji.id);
    assert_eq!(get(&app, &theirs, &jiho).await.0, StatusCode::FORBIDDEN);
    let (status, problem) = get(&app, "/fhir/r4/Observation?colour=red", &minji).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "colour");

    // Creating: a weight in pounds is stored in kilograms; another's subject is refused.
    let weight = json!({
        "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] },
        "effectiveDateTime": "2026-11-01T07:00:00+09:00",
        "valueQuantity": { "value": 154.3, "system": "http://unitsofmeasure.org", "code": "[lb_av]" }
    });
    let (status, created) = app
        .send(
            Method::POST,
            "/fhir/r4/Observation",
            Some(&minji),
            Some(weight.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["valueQuantity"]["code"], "kg");
    assert!((created["valueQuantity"]["value"].as_f64().unwrap() - 69.99).abs() < 0.01);
    let mut foreign = weight;
    foreign["subject"] = json!({ "reference": format!("Patient/{}", minji.id) });
    let (status, problem) = app
        .send(
            Method::POST,
            "/fhir/r4/Observation",
            Some(&jiho),
            Some(foreign),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "subject.reference");
}

backend_tests!(observations_are_searched_read_and_created);
