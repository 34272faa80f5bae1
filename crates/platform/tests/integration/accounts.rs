//! Accounts and authentication over HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use platform::accounts::{Claims, Role};
use platform::backend_tests;
use platform::testing::{Backend, TestApp};
use platform::time::{ManualClock, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(
    registering_returns_the_user_and_refuses_duplicates,
    a_wrong_password_gets_401_without_saying_which_part_was_wrong,
    refresh_tokens_rotate_and_reuse_revokes_the_whole_family,
    logout_ends_the_session,
    expired_and_tampered_tokens_get_401,
    admin_endpoints_refuse_ordinary_users,
    profiles_can_be_read_changed_and_deleted,
    api_keys_are_shown_once_work_and_can_be_revoked,
    the_export_holds_the_account,
    deleted_accounts_are_purged_after_thirty_days,
);

async fn registering_returns_the_user_and_refuses_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = json!({ "username": "minji", "email": "Minji@Example.kr", "password": "제주 바다 보러 가자" });
    let created = app
        .post("/api/v1/auth/register", None)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let user: Value = created.json().await.unwrap();
    assert_eq!(user["username"], "minji");
    assert_eq!(user["email"], "minji@example.kr");
    assert!(user.get("password_hash").is_none());

    let same_name = json!({ "username": "minji", "email": "other@example.kr", "password": "제주 바다 보러 가자" });
    let response = app
        .post("/api/v1/auth/register", None)
        .json(&same_name)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "username");

    let same_email = json!({ "username": "minji2", "email": "MINJI@example.kr", "password": "제주 바다 보러 가자" });
    let response = app
        .post("/api/v1/auth/register", None)
        .json(&same_email)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "email");
}

async fn a_wrong_password_gets_401_without_saying_which_part_was_wrong(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("jiho").await;
    let wrong_password = app
        .post("/api/v1/auth/login", None)
        .json(&json!({ "login": "jiho", "password": "not the password" }))
        .send()
        .await
        .unwrap();
    let unknown_user = app
        .post("/api/v1/auth/login", None)
        .json(&json!({ "login": "nobody", "password": user.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    let a: Value = wrong_password.json().await.unwrap();
    let b: Value = unknown_user.json().await.unwrap();
    assert_eq!(a["detail"], b["detail"]);
    // Signing in by e-mail works too.
    app.login("jiho@example.kr", &user.password).await;
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/v1/auth/refresh", None)
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap()
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_whole_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("seoyeon").await;

    let rotated = refresh(&app, &user.refresh_token).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: Value = rotated.json().await.unwrap();
    let owners_new_token = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(owners_new_token, user.refresh_token);
    let me = app
        .get("/api/v1/users/me", None)
        .bearer_auth(rotated["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // A thief replays the old token: refused, and the owner's current token dies with it.
    assert_eq!(
        refresh(&app, &user.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, &owners_new_token).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A fresh sign-in starts a new family that works.
    let again = app.login("seoyeon", &user.password).await;
    assert_eq!(
        refresh(&app, again["refresh_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

async fn logout_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("dohyun").await;
    let out = app
        .post("/api/v1/auth/logout", None)
        .json(&json!({ "refresh_token": user.refresh_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        refresh(&app, &user.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let twice = app
        .post("/api/v1/auth/logout", None)
        .json(&json!({ "refresh_token": user.refresh_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::NO_CONTENT);
}

async fn expired_and_tampered_tokens_get_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("hayun").await;
    let now = chrono::Utc::now().timestamp();
    let expired = app
        .ctx
        .auth
        .signer
        .issue_claims(&Claims {
            sub: user.id.clone(),
            role: Role::User,
            iat: now - 2000,
            exp: now - 1000,
        })
        .unwrap();
    let response = app
        .get("/api/v1/users/me", None)
        .bearer_auth(&expired)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    let mut parts: Vec<String> = user.access_token.split('.').map(str::to_owned).collect();
    parts[1] = base64_url(
        &json!({ "sub": user.id, "role": "admin", "iat": now, "exp": now + 900 }).to_string(),
    );
    let forged = parts.join(".");
    assert_eq!(
        app.get("/api/v1/users/me", None)
            .bearer_auth(&forged)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/users/me", None)
            .bearer_auth("garbage")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/users/me", None)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn admin_endpoints_refuse_ordinary_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut admin = app.user("admin_kim").await;
    let user = app.user("plain_lee").await;
    let path = format!("/api/v1/admin/users/{}/role", user.id);
    let refused = app
        .request(reqwest::Method::PUT, &path, Some(&user))
        .json(&json!({ "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/admin/jobs", Some(&user))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    app.make_admin(&mut admin).await;
    let granted = app
        .request(reqwest::Method::PUT, &path, Some(&admin))
        .json(&json!({ "role": "moderator" }))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::OK);
    let body: Value = granted.json().await.unwrap();
    assert_eq!(body["role"], "moderator");
    let unknown_role = app
        .request(reqwest::Method::PUT, &path, Some(&admin))
        .json(&json!({ "role": "superuser" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_role.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = unknown_role.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "role");
}

async fn profiles_can_be_read_changed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("yuna").await;
    let change = json!({ "display_name": "유나", "bio": "제주 사는 개발자", "locale": "en" });
    let updated = app
        .request(reqwest::Method::PUT, "/api/v1/users/me", Some(&user))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    let public: Value = app
        .get(&format!("/api/v1/users/{}", user.id), None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["display_name"], "유나");
    assert!(public.get("email").is_none(), "others never see the e-mail");
    let by_name: Value = app
        .get("/api/v1/users/lookup?username=@YUNA", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_name["id"], public["id"], "a username finds its profile");
    let several: Value = app
        .get(
            &format!("/api/v1/users?ids={},999,{}", user.id, user.id),
            None,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        several.as_array().map(Vec::len),
        Some(2),
        "unknown ids are left out"
    );
    assert_eq!(several[0]["display_name"], "유나");
    let bad = app.get("/api/v1/users?ids=1,x", None).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = app
        .get("/api/v1/users/lookup?username=nobody_here", None)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let cleared = app
        .request(reqwest::Method::PUT, "/api/v1/users/me", Some(&user))
        .json(&json!({ "bio": null }))
        .send()
        .await
        .unwrap();
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["bio"], Value::Null);
    assert_eq!(
        cleared["display_name"], "유나",
        "absent fields stay as they were"
    );

    let bad = json!({ "display_name": "가".repeat(51), "avatar_url": "javascript:alert(1)", "locale": "Korean" });
    let refused = app
        .request(reqwest::Method::PUT, "/api/v1/users/me", Some(&user))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["display_name", "avatar_url", "locale"]);
    let unchanged: Value = app
        .get("/api/v1/users/me", Some(&user))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unchanged["display_name"], "유나",
        "a refused change writes nothing"
    );

    let deleted = app
        .request(reqwest::Method::DELETE, "/api/v1/users/me", Some(&user))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", user.id), None)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/users/lookup?username=yuna", None)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "a name looked up before is not remembered past its account"
    );
    let login = app
        .post("/api/v1/auth/login", None)
        .json(&json!({ "login": "yuna", "password": user.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(&app, &user.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn api_keys_are_shown_once_work_and_can_be_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("robot_owner").await;
    let created = app
        .post("/api/v1/users/me/api-keys", Some(&user))
        .json(&json!({ "name": "배치 작업", "scopes": ["social:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("maru_"));

    let me = app
        .get("/api/v1/users/me", None)
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let listed: Value = app
        .get("/api/v1/users/me/api-keys", Some(&user))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "배치 작업");
    assert!(listed[0].get("secret").is_none());

    // A key without `keys:write` cannot mint more keys.
    let escalate = app
        .post("/api/v1/users/me/api-keys", None)
        .bearer_auth(&secret)
        .json(&json!({ "name": "more" }))
        .send()
        .await
        .unwrap();
    assert_eq!(escalate.status(), StatusCode::FORBIDDEN);

    let id = created["key"]["id"].as_str().unwrap();
    let revoked = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/users/me/api-keys/{id}"),
            Some(&user),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/users/me", None)
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn the_export_holds_the_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.user("export_me").await;
    let export: Value = app
        .get("/api/v1/users/me/export", Some(&user))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["format"], "maru-export/1");
    assert_eq!(export["account"]["username"], "export_me");
    assert!(export["apps"]["platform"]["notifications"].is_array());
}

async fn deleted_accounts_are_purged_after_thirty_days(backend: Backend) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(
        chrono::Utc::now().timestamp_micros(),
    ));
    let app = TestApp::builder(backend).clock(clock.clock()).spawn().await;
    let user = app.user("leaving").await;
    app.user("staying").await;
    app.request(reqwest::Method::DELETE, "/api/v1/users/me", Some(&user))
        .send()
        .await
        .unwrap();

    let count = || async {
        sqlx::Row::try_get::<i64, _>(
            &sqlx::query("SELECT COUNT(*) FROM users")
                .fetch_one(app.ctx.db.reader())
                .await
                .unwrap(),
            0,
        )
        .unwrap()
    };
    clock.advance(std::time::Duration::from_secs(29 * 24 * 3600));
    assert_eq!(
        platform::accounts::service::purge_deleted(&app.ctx)
            .await
            .unwrap(),
        0,
        "kept for 30 days"
    );
    clock.advance(std::time::Duration::from_secs(2 * 24 * 3600));
    assert_eq!(
        platform::accounts::service::purge_deleted(&app.ctx)
            .await
            .unwrap(),
        1
    );
    assert_eq!(count().await, 1, "only the other account remains");
    // The name is free again.
    app.user("leaving").await;
}
