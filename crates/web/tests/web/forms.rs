//! Forms: what a visitor types reaches the API, and what the API refuses comes back next to
//! the field, with nothing typed lost.

use reqwest::StatusCode;

use crate::common::{Browser, spawn};

#[tokio::test]
async fn sign_up_shows_the_servers_field_errors_and_keeps_what_was_typed() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    let page = browser.get("/signup").await;
    let refused = browser
        .post(
            "/signup",
            &page,
            &[
                ("username", "Bad Name!"),
                ("email", "jiwoo@example.kr"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.body.contains("id=\"username-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"password-error\""));
    assert!(!refused.body.contains("id=\"email-error\""));
    assert!(refused.body.contains("value=\"Bad Name!\""));
    assert!(refused.body.contains("value=\"jiwoo@example.kr\""));
    // Nothing was created: the right name is still free.
    browser.sign_up("jiwoo").await;
    let home = browser.get("/").await;
    assert!(home.body.contains("jiwoo"), "{}", home.body);
}

#[tokio::test]
async fn a_wrong_password_is_said_in_korean_by_default() {
    let app = spawn().await;
    Browser::new(&app).sign_up("haneul").await;
    let browser = Browser::new(&app);
    let page = browser.get("/login").await;
    let refused = browser
        .post(
            "/login",
            &page,
            &[("login", "haneul"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("비밀번호가 맞지 않아요"));
    assert!(refused.body.contains("value=\"haneul\""));
    let page = browser.get("/login?next=/ask/me").await;
    let signed_in = browser
        .post(
            "/login",
            &page,
            &[
                ("login", "haneul"),
                ("password", "haneul-password-long"),
                ("next", "/ask/me"),
            ],
        )
        .await;
    assert_eq!(signed_in.location.as_deref(), Some("/ask/me"));
}

#[tokio::test]
async fn a_question_keeps_its_text_when_refused_and_appears_once_accepted() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("sora").await;
    let page = browser.get("/ask/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let refused = browser
        .post(
            "/ask/new",
            &page,
            &[
                ("title", ""),
                ("content", "성산일출봉 근처 아침 식당 추천해 주세요"),
                ("category", "food"),
                ("lat", "33.45"),
                ("lng", "not a number"),
                ("bounty", "10"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.body.contains("id=\"lng-error\"") || refused.body.contains("id=\"location-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("성산일출봉 근처 아침 식당 추천해 주세요")
    );
    let refused = browser
        .post(
            "/ask/new",
            &page,
            &[
                ("title", ""),
                ("content", "아침 식당"),
                ("category", "food"),
            ],
        )
        .await;
    assert!(
        refused.body.contains("id=\"title-error\""),
        "{}",
        refused.body
    );
    let listed = browser.get("/ask").await;
    assert!(
        !listed.body.contains("아침 식당"),
        "a refused question was stored"
    );

    let asked = browser
        .post(
            "/ask/new",
            &page,
            &[
                ("title", "성산 아침 식당"),
                ("content", "성산일출봉 근처 아침 식당 추천해 주세요"),
                ("category", "food"),
                ("hashtags", "제주 아침"),
                ("place_name", "성산일출봉"),
                ("lat", "33.4581"),
                ("lng", "126.9426"),
                ("urgency", "normal"),
                ("bounty", "10"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let question = browser.get(asked.location.as_deref().unwrap()).await;
    assert!(question.body.contains("성산 아침 식당"));
    assert!(question.body.contains("성산일출봉"));
    let listed = browser.get("/ask?hashtags=제주").await;
    assert!(listed.body.contains("성산 아침 식당"));
    let nearby = browser.get("/ask/nearby?lat=33.46&lng=126.94").await;
    assert!(nearby.body.contains("성산 아침 식당"), "{}", nearby.body);
}

#[tokio::test]
async fn answering_and_accepting_move_both_balances() {
    let app = spawn().await;
    let asker = Browser::new(&app);
    asker.sign_up("minseo").await;
    let page = asker.get("/ask/new").await;
    let asked = asker
        .post(
            "/ask/new",
            &page,
            &[
                ("title", "부산 밀면 맛집"),
                ("content", "서면 근처요"),
                ("category", "food"),
                ("bounty", "30"),
            ],
        )
        .await;
    let question_path = asked.location.unwrap();
    assert!(
        asker
            .get("/ask/me")
            .await
            .body
            .contains("id=\"balance\">70<")
    );

    let answerer = Browser::new(&app);
    answerer.sign_up("doyun").await;
    let question = answerer.get(&question_path).await;
    let empty = answerer
        .post(
            &format!("{question_path}/answers"),
            &question,
            &[("content", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("id=\"content-error\""));
    let answered = answerer
        .post(
            &format!("{question_path}/answers"),
            &question,
            &[("content", "개금밀면 추천해요")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let before = answerer.get("/ask/me").await.body;

    let seen = asker.get(&question_path).await;
    assert!(seen.body.contains("개금밀면 추천해요"));
    let accept = seen
        .body
        .split("action=\"/ask/answers/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the asker sees an accept button")
        .to_owned();
    let accepted = asker
        .post(&format!("/ask/answers/{accept}"), &seen, &[])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let after = asker.get(&question_path).await;
    assert!(
        !after.body.contains("action=\"/ask/answers/"),
        "accepted once only"
    );
    let balance = |body: &str| -> i64 {
        let at = body.find("id=\"balance\">").unwrap() + "id=\"balance\">".len();
        body[at..].split('<').next().unwrap().parse().unwrap()
    };
    assert!(balance(&answerer.get("/ask/me").await.body) >= balance(&before) + 30);
    assert_eq!(balance(&asker.get("/ask/me").await.body), 70);
}

#[tokio::test]
async fn pages_fit_their_budgets() {
    let app = spawn().await;
    let browser = Browser::new(&app);
    browser.sign_up("budget").await;
    for path in [
        "/",
        "/ask",
        "/ask/new",
        "/ask/me",
        "/ask/nearby",
        "/notifications",
        "/settings",
        "/login",
        "/signup",
    ] {
        let page = browser.get(path).await;
        assert!(
            page.status.is_success() || page.status == StatusCode::SEE_OTHER,
            "{path}: {}",
            page.status
        );
        assert!(
            page.body.len() <= 60 * 1024,
            "{path}: {} bytes",
            page.body.len()
        );
    }
    let home = browser.get("/").await.body;
    let script = home
        .split("<script src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let js = browser.get(&script).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.len() <= 60 * 1024);
}
