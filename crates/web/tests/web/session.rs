//! The browser session: cookies only the server reads, every write guarded, the API still
//! reachable behind the pages, and an access token renewed before it lapses.

use reqwest::StatusCode;

use crate::common::{Browser, spawn, spawn_with};

#[tokio::test]
async fn session_cookies_are_http_only_and_strict() {
    let app = spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let page = client.get(app.url("/signup")).send().await.unwrap();
    let csrf_cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
    let body = page.text().await.unwrap();
    let csrf = crate::common::Page {
        status: StatusCode::OK,
        location: None,
        body,
    }
    .csrf();
    let done = client
        .post(app.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "yuna"),
            ("email", "yuna@example.kr"),
            ("password", "yuna-password-long"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<_> = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for cookie in cookies {
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }
}

#[tokio::test]
async fn a_write_without_the_csrf_token_changes_nothing() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("seojun").await;
    let forged = browser
        .client
        .post(app.url("/ask/new"))
        .form(&[
            ("title", "위조"),
            ("content", "위조된 질문"),
            ("category", "life"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let wrong = browser
        .client
        .post(app.url("/ask/new"))
        .form(&[
            ("csrf", "0123456789abcdef0123456789abcdef"),
            ("title", "위조"),
            ("content", "위조된 질문"),
            ("category", "life"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(!browser.get("/ask").await.body.contains("위조"));
}

#[tokio::test]
async fn the_api_answers_behind_the_pages_and_takes_the_cookie_only_for_reads() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("eunji").await;
    let read = browser
        .client
        .get(app.url("/api/v1/me/notifications/unread-count"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.status(),
        StatusCode::OK,
        "a page's script reads with the session cookie"
    );
    let write = browser
        .client
        .post(app.url("/api/v1/questions"))
        .json(
            &serde_json::json!({ "title": "쿠키만", "content": "쿠키만으로", "category": "life" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        write.status(),
        StatusCode::UNAUTHORIZED,
        "a write never rides on the cookie"
    );
    let missing = browser
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn an_expiring_access_token_is_renewed_from_the_refresh_cookie() {
    // Tokens that live 30 s are always within the renewal margin, so every page renews.
    let app = spawn_with(|config| config.auth.access_token_ttl_secs = 30).await;
    let browser = Browser::new(&app);
    browser.sign_up("jimin").await;
    let first = browser.client.get(app.url("/ask/me")).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let renewed = first.headers().get_all("set-cookie").iter().count();
    assert_eq!(renewed, 2, "both tokens renewed");
    let again = browser.get("/ask/me").await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the rotated refresh token works"
    );
    assert!(again.body.contains("jimin"));
}

#[tokio::test]
async fn pages_loading_together_share_one_renewal() {
    // Every page renews (30 s tokens); the API takes a second use of a refresh token for theft.
    let app = spawn_with(|config| config.auth.access_token_ttl_secs = 30).await;
    let browser = Browser::new(&app);
    browser.sign_up("dami").await;
    let (a, b, c) = tokio::join!(
        browser.get("/ask/me"),
        browser.get("/notifications"),
        browser.get("/settings"),
    );
    for page in [a, b, c] {
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.location);
    }
    let later = browser.get("/ask/me").await;
    assert_eq!(later.status, StatusCode::OK, "still signed in");
    assert!(later.body.contains("dami"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("taeyang").await;
    let home = browser.get("/").await;
    let out = browser.post("/logout", &home, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let me = browser.get("/ask/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert!(me.location.unwrap().starts_with("/login?next="));
}

#[tokio::test]
async fn english_by_the_browser_or_by_choice() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    let english = browser
        .client
        .get(app.url("/"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(english.text().await.unwrap().contains("<html lang=\"en\">"));
    let korean = browser.get("/").await;
    assert!(korean.body.contains("<html lang=\"ko\">"));
    let switched = browser
        .post("/lang", &korean, &[("lang", "en"), ("next", "/ask")])
        .await;
    assert_eq!(switched.location.as_deref(), Some("/ask"));
    assert!(
        browser
            .get("/ask")
            .await
            .body
            .contains("<html lang=\"en\">")
    );
}

#[tokio::test]
async fn a_page_is_observed_once_under_its_own_route() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("haneul").await;
    let page = browser.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("haneul"));
    let metrics = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("route=\"/settings\""),
        "the page is counted under its route template"
    );
}
