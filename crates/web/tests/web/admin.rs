//! The operators' pages: figures, the report queue with hide and restore, suspending, feature
//! flags and the job queue, for admins only.

use platform::accounts::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::chromium::{Driver, fill, open, photograph, sign_up, text};
use crate::common::{Browser, spawn};

#[tokio::test]
async fn an_admin_moderates_flags_and_reads_the_figures() {
    let app = spawn().await;
    let boss = Browser::new(&app);
    boss.sign_up("boss").await;
    platform::accounts::service::grant_role_by_username(&app.ctx, "boss", Role::Admin)
        .await
        .unwrap();
    // The role travels in the token: sign in again to carry it.
    boss.sign_in("boss").await;

    let (writer, reader) = (app.user("writer").await, app.user("reader").await);
    let (status, question) = app
        .send(
            Method::POST,
            "/api/v1/questions",
            Some(&writer),
            Some(json!({ "title": "싸게 파는 곳 링크", "content": "광고입니다", "category": "life" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = question["id"].as_str().unwrap().to_owned();
    let report = json!({ "target_type": "question", "target_id": id, "reason": "광고" });
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/ask/reports",
            Some(&reader),
            Some(report),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let home = boss.get("/").await;
    assert!(home.body.contains("<a href=\"/admin\">관리</a>"));
    let overview = boss.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert!(
        overview
            .body
            .contains("<p class=\"figure\" id=\"users\">3</p>"),
        "{}",
        overview.body
    );
    assert!(
        overview
            .body
            .contains("<dt>처리 전 신고</dt><dd class=\"num\">1</dd>")
    );
    assert!(overview.body.contains("id=\"first-answers\""));

    let queue = boss.get("/admin/reports").await;
    assert!(
        queue
            .body
            .contains("<blockquote>싸게 파는 곳 링크</blockquote>"),
        "{}",
        queue.body
    );
    let hidden = boss
        .post(
            "/admin/reports/hide",
            &queue,
            &[
                ("target_type", "question"),
                ("target_id", &id),
                ("reason", "광고"),
            ],
        )
        .await;
    assert_eq!(hidden.location.as_deref(), Some("/admin/reports"));
    let queue = boss.get("/admin/reports").await;
    assert!(queue.body.contains("처리할 신고가 없어요."));
    assert!(queue.body.contains("action=\"/admin/reports/restore\""));
    let restored = boss
        .post(
            "/admin/reports/restore",
            &queue,
            &[("target_type", "question"), ("target_id", &id)],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert!(
        boss.get("/admin/reports")
            .await
            .body
            .contains("숨긴 글이 없어요.")
    );

    let refused = boss
        .post(
            "/admin/reports/suspend",
            &queue,
            &[
                ("username", "writer"),
                ("days", "일주일"),
                ("reason", "광고"),
            ],
        )
        .await;
    assert!(refused.body.contains("id=\"days-error\""));
    assert!(refused.body.contains("value=\"writer\""));
    let suspended = boss
        .post(
            "/admin/reports/suspend",
            &queue,
            &[("username", "writer"), ("days", "3"), ("reason", "광고")],
        )
        .await;
    assert!(suspended.body.contains("처리했어요."), "{}", suspended.body);
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/questions",
            Some(&writer),
            Some(json!({ "title": "또 광고", "content": "광고", "category": "life" })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a suspended member cannot ask"
    );

    let flags = boss.get("/admin/flags").await;
    let created = boss
        .post(
            "/admin/flags",
            &flags,
            &[
                ("name", "web.new_compose"),
                ("description", "새 글쓰기 화면"),
                ("rollout_percent", "25"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(created.location.as_deref(), Some("/admin/flags"));
    let flags = boss.get("/admin/flags").await;
    assert!(flags.body.contains("<code>web.new_compose</code>"));
    assert!(flags.body.contains("25%"));
    let off = boss
        .post(
            "/admin/flags",
            &flags,
            &[
                ("name", "web.new_compose"),
                ("rollout_percent", "25"),
                ("enabled", "false"),
            ],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        boss.get("/admin/flags")
            .await
            .body
            .contains(">켜기</button>")
    );

    let jobs = boss.get("/admin/jobs").await;
    assert_eq!(jobs.status, StatusCode::OK);
    assert!(jobs.body.contains("실패한 작업이 없어요."));

    let member = Browser::new(&app);
    member.sign_up("member").await;
    assert!(!member.get("/").await.body.contains("href=\"/admin\""));
    assert_eq!(member.get("/admin").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_operators_pages_show_cleanly_in_a_browser() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let browser = driver.browser("operator").await;
    sign_up(&browser, &base, "unyeong").await;
    platform::accounts::service::grant_role_by_username(&app.ctx, "unyeong", Role::Admin)
        .await
        .unwrap();
    // The role travels in the token: sign out and in again to carry it.
    open(&browser, "form[action='/logout'] button").await;
    open(&browser, "header a[href='/login']").await;
    fill(&browser, "#login", "unyeong").await;
    fill(&browser, "#password", "unyeong-password-long").await;
    open(&browser, "form[action='/login'] button[type=submit]").await;
    open(&browser, "header a[href='/admin']").await;
    assert_eq!(text(&browser, "#users").await, "1");
    photograph(&browser, "admin-overview").await;
    for (name, path) in [
        ("admin-reports", "/admin/reports"),
        ("admin-flags", "/admin/flags"),
        ("admin-jobs", "/admin/jobs"),
    ] {
        browser.goto(&format!("{base}{path}")).await.expect("goto");
        photograph(&browser, name).await;
    }
    browser.close().await.expect("close");
}
