//! Journeys whose pages change while they are open, in headless Chromium: a follower's feed
//! announcing a new post, and a conversation's profile panel changing in every tab.

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::chromium::{DESKTOP, Driver, PHONE, click, fill, open, photograph, sign_up, text};
use crate::common::spawn;

#[tokio::test]
async fn a_follower_sees_the_new_post_banner_and_the_post() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let author = driver.browser("author").await;
    author
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .expect("resize");
    sign_up(&author, &base, "seoyeon").await;

    let follower = driver.browser("follower").await;
    follower
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("resize");
    sign_up(&follower, &base, "dohyun").await;
    follower
        .goto(&format!("{base}/social/u/seoyeon"))
        .await
        .expect("goto");
    open(&follower, "form[action$='/relation'] button[type=submit]").await;
    follower
        .wait()
        .for_element(Locator::Css("input[name=do][value=unfollow]"))
        .await
        .expect("following");
    photograph(&follower, "social-profile").await;
    follower
        .goto(&format!("{base}/social"))
        .await
        .expect("goto");
    photograph(&follower, "social-feed-empty").await;

    author.goto(&format!("{base}/social")).await.expect("goto");
    click(&author, "details.compose-box summary").await;
    fill(&author, "#text", "#제주맛집 오늘 점심은 고기국수 @dohyun").await;
    assert_eq!(text(&author, ".backdrop mark").await, "#제주맛집");
    photograph(&author, "social-compose").await;
    open(&author, "form[data-compose] button[type=submit]").await;
    assert!(text(&author, ".post .body").await.contains("고기국수"));

    follower
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("a.banner:not([hidden])"))
        .await
        .expect("the new-post banner appears");
    assert_eq!(text(&follower, "a.banner [data-count]").await, "1");
    photograph(&follower, "social-feed-banner").await;
    open(&follower, "a.banner").await;
    follower
        .wait()
        .for_element(Locator::XPath(
            "//article[contains(@class,'post')]//p[contains(., '고기국수')]",
        ))
        .await
        .expect("the post is in the follower's feed");
    photograph(&follower, "social-feed").await;

    open(&follower, ".post a[href$='#comments']").await;
    fill(&follower, "#text", "저도 가볼래요!").await;
    open(&follower, "#comments form button[type=submit]").await;
    follower
        .wait()
        .for_element(Locator::Css(".comment"))
        .await
        .expect("the comment is listed");
    photograph(&follower, "social-post").await;
    follower
        .goto(&format!(
            "{base}/social/search?q=%EA%B3%A0%EA%B8%B0%EA%B5%AD%EC%88%98"
        ))
        .await
        .expect("goto");
    photograph(&follower, "social-search").await;

    // A long timeline grows as the reader scrolls to its end.
    let writer = app.user("haneul").await;
    for n in 1..=25 {
        let body = json!({ "text": format!("하늘 일기 {n}일째") });
        let (status, _) = app
            .send(Method::POST, "/api/v1/content", Some(&writer), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    follower
        .goto(&format!("{base}/social/u/haneul"))
        .await
        .expect("goto");
    let shown = |browser: &fantoccini::Client| {
        let browser = browser.clone();
        async move {
            browser
                .find_all(Locator::Css("article.post"))
                .await
                .expect("posts")
                .len()
        }
    };
    assert_eq!(shown(&follower).await, 20);
    follower
        .execute("window.scrollTo(0, document.body.scrollHeight)", vec![])
        .await
        .expect("scroll");
    follower
        .wait()
        .for_element(Locator::XPath("//article[contains(., '하늘 일기 1일째')]"))
        .await
        .expect("the next page is loaded");
    assert_eq!(shown(&follower).await, 25);
    assert!(
        follower.find(Locator::Css("[data-more]")).await.is_err(),
        "nothing more"
    );
    author.close().await.expect("close");
    follower.close().await.expect("close");
}

#[tokio::test]
async fn a_reply_arrives_and_the_profile_changes_in_every_tab() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let browser = driver.browser("talker").await;
    browser
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .expect("resize");
    sign_up(&browser, &base, "yerin").await;
    browser
        .goto(&format!("{base}/assistant"))
        .await
        .expect("goto");
    fill(&browser, "#title", "운동 상담").await;
    open(&browser, "form[action='/assistant'] button[type=submit]").await;
    let chat_url = browser.current_url().await.expect("url").to_string();
    let first = browser.window().await.expect("this tab");
    let second = browser.new_window(true).await.expect("a second tab").handle;
    browser
        .switch_to_window(second.clone())
        .await
        .expect("to the second tab");
    browser.goto(&chat_url).await.expect("goto");
    browser.switch_to_window(first).await.expect("back");

    fill(&browser, "#text", "저는 40대이고 요가를 좋아해요").await;
    click(&browser, "form[data-composer] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::XPath(
            "//section[@id='profile-panel']//span[contains(., '40대')]",
        ))
        .await
        .expect("the panel shows what was learnt");
    let reply = text(&browser, ".bubble.theirs .body").await;
    assert!(!reply.is_empty() && reply != "답변을 쓰는 중…", "{reply}");
    photograph(&browser, "assistant-chat").await;

    browser
        .switch_to_window(second)
        .await
        .expect("to the second tab");
    browser
        .wait()
        .for_element(Locator::XPath(
            "//section[@id='profile-panel']//span[contains(., '요가')]",
        ))
        .await
        .expect("the other tab's panel changed by itself");
    photograph(&browser, "assistant-chat-other-tab").await;
    browser.close().await.expect("close");
}
