//! Farms over HTTP: roles, audit, feeds and prices, saved formulations, reports, repricing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use platform::backend_tests;
use platform::testing::{Backend, TestApp, TestUser};
use platform::time::{ManualClock, Timestamp};
use ration::Ration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

backend_tests!(
    roles_decide_who_may_do_what_and_every_change_is_audited,
    formulations_are_saved_reported_and_repriced,
    animal_groups_carry_their_requirements_and_formulations_compare_side_by_side,
    farms_are_in_the_export_and_go_with_a_purged_account,
    library_feeds_join_a_farm_with_their_published_values,
);

async fn farm(app: &TestApp, owner: &TestUser) -> String {
    let created = app
        .post("/api/v1/ration/farms", Some(owner))
        .json(&json!({ "name": "한우 농장" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn add_feed(
    app: &TestApp,
    user: &TestUser,
    farm: &str,
    code: &str,
    cp: f64,
    price: f64,
) -> reqwest::Response {
    let feed = json!({ "code": code, "name": code, "dm": 88, "nutrient_basis": "as_fed", "nutrients": { "CP": cp }, "price": price });
    app.post(&format!("/api/v1/ration/farms/{farm}/feeds"), Some(user))
        .json(&feed)
        .send()
        .await
        .unwrap()
}

async fn roles_decide_who_may_do_what_and_every_change_is_audited(backend: Backend) {
    let app = TestApp::builder(backend).app(Ration).spawn().await;
    let (owner, viewer, stranger) = (
        app.user("owner_kim").await,
        app.user("viewer_lee").await,
        app.user("stranger").await,
    );
    let farm = farm(&app, &owner).await;
    let member = |user: &TestUser, role: &str| {
        app.request(
            Method::PUT,
            &format!("/api/v1/ration/farms/{farm}/members/{}", user.id),
            Some(&owner),
        )
        .json(&json!({ "role": role }))
        .send()
    };
    assert_eq!(
        member(&viewer, "viewer").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    assert_eq!(
        app.get(&format!("/api/v1/ration/farms/{farm}"), Some(&stranger))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let detail: Value = app
        .get(&format!("/api/v1/ration/farms/{farm}"), Some(&viewer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["farm"]["role"], "viewer");
    assert_eq!(detail["members"].as_array().unwrap().len(), 2);

    assert_eq!(
        add_feed(&app, &viewer, &farm, "corn", 8.5, 350.0)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        add_feed(&app, &owner, &farm, "corn", 8.5, 350.0)
            .await
            .status(),
        StatusCode::CREATED
    );
    let duplicate = add_feed(&app, &owner, &farm, "corn", 9.0, 360.0).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_eq!(
        duplicate.json::<Value>().await.unwrap()["errors"][0]["field"],
        "code"
    );
    let bad =
        json!({ "code": "Bad Code", "name": "", "dm": 0, "nutrient_basis": "dm", "price": -1 });
    let refused = app
        .post(&format!("/api/v1/ration/farms/{farm}/feeds"), Some(&owner))
        .json(&bad)
        .send()
        .await
        .unwrap();
    let fields: Vec<String> = refused.json::<Value>().await.unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["code", "name", "dm", "price"]);

    let step_down = app
        .request(
            Method::PUT,
            &format!("/api/v1/ration/farms/{farm}/members/{}", owner.id),
            Some(&owner),
        )
        .json(&json!({ "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        step_down.status(),
        StatusCode::CONFLICT,
        "a farm keeps an owner"
    );

    let audit: Value = app
        .get(&format!("/api/v1/ration/farms/{farm}/audit"), Some(&viewer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["feed.added", "member.set", "farm.created"]);
    assert_eq!(audit[1]["after"]["role"], "viewer");
    assert_eq!(audit[1]["actor_id"], owner.id.as_str());

    // Each read checks membership in its own statement: members read, anyone else (a member
    // removed a moment ago too) finds no such farm.
    let reads = ["", "/feeds", "/animals", "/formulations"];
    let read = |user: &TestUser, path: &str| {
        app.get(&format!("/api/v1/ration/farms/{farm}{path}"), Some(user))
            .send()
    };
    for path in reads {
        let found = read(&viewer, path).await.unwrap();
        assert_eq!(found.status(), StatusCode::OK, "{path}");
        let found: Value = found.json().await.unwrap();
        let expected = match path {
            "/feeds" => 1,
            "/animals" | "/formulations" => 0,
            _ => 2,
        };
        let listed = found.get("members").unwrap_or(&found);
        assert_eq!(
            listed.as_array().unwrap().len(),
            expected,
            "{path}: {found}"
        );
        let refused = read(&stranger, path).await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let removed = app
        .request(
            Method::DELETE,
            &format!("/api/v1/ration/farms/{farm}/members/{}", viewer.id),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    for path in reads {
        let refused = read(&viewer, path).await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

async fn formulations_are_saved_reported_and_repriced(backend: Backend) {
    let app = TestApp::builder(backend).app(Ration).spawn().await;
    let owner = app.user("nutri_park").await;
    let farm = farm(&app, &owner).await;
    add_feed(&app, &owner, &farm, "corn", 8.5, 350.0).await;
    let sbm: Value = add_feed(&app, &owner, &farm, "sbm", 46.5, 700.0)
        .await
        .json()
        .await
        .unwrap();
    let request = json!({
        "name": "육성돈 16%", "basis": "as_fed", "feeds": ["corn", "sbm"],
        "constraints": [ { "kind": "total", "value": 1 }, { "kind": "nutrient", "nutrient": "CP", "min": 16 } ]
    });
    let saved = app
        .post(
            &format!("/api/v1/ration/farms/{farm}/formulations"),
            Some(&owner),
        )
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::CREATED);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["status"], "optimal");
    let id = saved["id"].as_str().unwrap();
    let cost = saved["cost_per_kg"].as_f64().unwrap();
    assert!((cost - (350.0 + 350.0 * 7.5 / 38.0)).abs() < 1e-6);
    assert_eq!(
        saved["problem"]["ingredients"][1]["cost"], 700.0,
        "the prices of the moment are kept with it"
    );

    let mut unknown = request.clone();
    unknown["feeds"] = json!(["corn", "oats"]);
    let refused: Value = app
        .post(
            &format!("/api/v1/ration/farms/{farm}/formulations"),
            Some(&owner),
        )
        .json(&unknown)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["errors"][0]["field"], "feeds[1]");
    let mut bad = request.clone();
    bad["constraints"] = json!([{ "kind": "inclusion", "ingredient": "oats", "max": 0.1 }]);
    let refused: Value = app
        .post(
            &format!("/api/v1/ration/farms/{farm}/formulations"),
            Some(&owner),
        )
        .json(&bad)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["errors"][0]["field"], "constraints[0].ingredient");

    let html = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/formulations/{id}/report?batch_kg=500"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = html.text().await.unwrap();
    assert!(html.contains("육성돈 16%") && html.contains("Mixing sheet") && html.contains("500"));
    let csv = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/formulations/{id}/report?format=csv"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("section,item,") && csv.contains("recipe,sbm,"));

    // Soybean meal gets cheaper: the saved recipe is solved again and the farm is told.
    let price = app
        .request(
            Method::PUT,
            &format!(
                "/api/v1/ration/farms/{farm}/feeds/{}/price",
                sbm["id"].as_str().unwrap()
            ),
            Some(&owner),
        )
        .json(&json!({ "price": 600 }))
        .send()
        .await
        .unwrap();
    assert_eq!(price.status(), StatusCode::OK);
    let told = app
        .eventually(5, || async {
            let page: Value = app
                .get("/api/v1/me/notifications", Some(&owner))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "cheaper_ration")
        })
        .await;
    assert!(told, "a cheaper recipe is announced");
    let history: Value = app
        .get(
            &format!(
                "/api/v1/ration/farms/{farm}/feeds/{}/prices",
                sbm["id"].as_str().unwrap()
            ),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let prices: Vec<f64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_f64().unwrap())
        .collect();
    assert_eq!(prices, [600.0, 700.0]);
    let again: Value = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/formulations/{id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["result"], saved["result"],
        "a saved formulation keeps the answer it got"
    );
    let missing = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/formulations/1"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("no such formulation")
    );

    // The list names each formulation; its problem and answer are one read further.
    let listed: Value = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/formulations"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["name"], "육성돈 16%");
    assert_eq!(listed[0]["status"], "optimal");
    assert!(listed[0].get("problem").is_none(), "{listed}");
}

async fn animal_groups_carry_their_requirements_and_formulations_compare_side_by_side(
    backend: Backend,
) {
    let app = TestApp::builder(backend).app(Ration).spawn().await;
    let owner = app.user("dairy_choi").await;
    let farm = farm(&app, &owner).await;
    let cow = json!({ "species": "dairy", "body_weight_kg": 650, "milk_kg": 35, "milk_fat_pct": 3.5, "milk_protein_pct": 3.0, "week_of_lactation": 20 });
    let group = app
        .post(
            &format!("/api/v1/ration/farms/{farm}/animals"),
            Some(&owner),
        )
        .json(&json!({ "name": "착유우 1군", "head_count": 40, "animal": cow }))
        .send()
        .await
        .unwrap();
    assert_eq!(group.status(), StatusCode::CREATED);
    let group: Value = group.json().await.unwrap();
    let total = group["requirements"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "NEL total")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!((30.0..36.0).contains(&total), "{total}");
    assert!(group["requirements"]["intake_kg_dm"].as_f64().unwrap() > 20.0);
    let listed: Value = app
        .get(
            &format!("/api/v1/ration/farms/{farm}/animals"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "착유우 1군");

    let giant = json!({ "name": "x", "head_count": 0, "animal": { "species": "swine", "body_weight_kg": 400 } });
    let refused: Value = app
        .post(
            &format!("/api/v1/ration/farms/{farm}/animals"),
            Some(&owner),
        )
        .json(&giant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["head_count", "animal.body_weight_kg"]);

    let pig: Value = app
        .post("/api/v1/ration/requirements", Some(&owner))
        .json(&json!({ "species": "swine", "body_weight_kg": 30 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pig["requirements"][0]["name"], "Lys");
    assert!((pig["requirements"][0]["value"].as_f64().unwrap() - 1.08).abs() < 1e-12);

    add_feed(&app, &owner, &farm, "corn", 8.5, 350.0).await;
    add_feed(&app, &owner, &farm, "sbm", 46.5, 700.0).await;
    let mut ids = Vec::new();
    for cp in [14.0, 18.0] {
        let request = json!({ "name": format!("CP {cp}"), "basis": "as_fed", "feeds": ["corn", "sbm"],
            "constraints": [ { "kind": "nutrient", "nutrient": "CP", "min": cp } ] });
        let saved: Value = app
            .post(
                &format!("/api/v1/ration/farms/{farm}/formulations"),
                Some(&owner),
            )
            .json(&request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(saved["id"].as_str().unwrap().to_owned());
    }
    let compared: Value = app
        .get(
            &format!(
                "/api/v1/ration/farms/{farm}/formulations/compare?ids={}",
                ids.join(",")
            ),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let costs: Vec<f64> = compared["formulations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cost_per_kg"].as_f64().unwrap())
        .collect();
    assert!(costs[0] < costs[1], "more protein costs more");
    let sbm = compared["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "sbm")
        .unwrap();
    assert!(sbm["values"][0].as_f64().unwrap() < sbm["values"][1].as_f64().unwrap());
    let one = app
        .get(
            &format!(
                "/api/v1/ration/farms/{farm}/formulations/compare?ids={}",
                ids[0]
            ),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), StatusCode::BAD_REQUEST);
}

async fn farms_are_in_the_export_and_go_with_a_purged_account(backend: Backend) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(chrono_free_now()));
    let app = TestApp::builder(backend)
        .app(Ration)
        .clock(clock.clock())
        .spawn()
        .await;
    let owner = app.user("leaving_farmer").await;
    let farm = farm(&app, &owner).await;
    let export: Value = app
        .get("/api/v1/users/me/export", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        export["apps"]["ration"]["farms"][0]["farm"]["id"],
        farm.as_str()
    );

    app.request(Method::DELETE, "/api/v1/users/me", Some(&owner))
        .send()
        .await
        .unwrap();
    clock.advance(std::time::Duration::from_secs(31 * 24 * 3600));
    assert_eq!(
        platform::accounts::service::purge_deleted(&app.ctx)
            .await
            .unwrap(),
        1
    );
    let farms: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM ration_farms")
            .fetch_one(app.ctx.db.reader())
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(
        farms, 0,
        "a farm nobody else belonged to goes with its owner"
    );
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

async fn library_feeds_join_a_farm_with_their_published_values(backend: Backend) {
    let app = TestApp::builder(backend).app(Ration).spawn().await;
    let owner = app.user("owner_park").await;
    let farm = farm(&app, &owner).await;

    let library: Value = app
        .get("/api/v1/ration/library", Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(library["source"].as_str().unwrap().contains("NASEM (2021)"));
    let corn = library["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "corn_grain")
        .unwrap();
    assert_eq!(corn["source_row"], "NRC16F44");
    assert_eq!(library["nutrients"]["cp"]["column"], "Fd_CP");

    let add = |body: Value| {
        app.post(
            &format!("/api/v1/ration/farms/{farm}/feeds/from-library"),
            Some(&owner),
        )
        .json(&body)
        .send()
    };
    let added = add(json!({ "feed": "corn_grain", "price": 420 }))
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["code"], "corn_grain");
    assert_eq!(added["nutrient_basis"], "dm");
    assert_eq!(added["nutrients"]["cp"], corn["nutrients"]["cp"]);
    assert_eq!(added["dm"], corn["dm"]);

    // A second copy needs its own code; unknown feeds and bad prices name the field.
    let again = add(json!({ "feed": "corn_grain", "price": 400 }))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let renamed = add(json!({ "feed": "corn_grain", "code": "corn_2", "price": 400 }))
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::CREATED);
    let unknown = add(json!({ "feed": "unobtainium", "price": -1 }))
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = unknown.json().await.unwrap();
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["feed", "price"]);

    let feeds: Value = app
        .get(&format!("/api/v1/ration/farms/{farm}/feeds"), Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(feeds.as_array().unwrap().len(), 2);
}
