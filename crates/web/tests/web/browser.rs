//! Whole journeys of ask, ration and wellness in headless Chromium: two people in two browsers
//! where a journey needs them.

use fantoccini::Locator;

use crate::chromium::{DESKTOP, Driver, PHONE, fill, open, photograph, sign_up, text};
use crate::common::spawn;

#[tokio::test]
async fn ask_answer_accept_in_two_browsers() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let asker = driver.browser("asker").await;
    asker
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("resize");
    asker.goto(&format!("{base}/signup")).await.expect("goto");
    photograph(&asker, "signup").await;
    sign_up(&asker, &base, "hayeon").await;
    photograph(&asker, "home").await;

    // A refused form keeps what was typed and says why next to the field.
    asker.goto(&format!("{base}/ask/new")).await.expect("goto");
    fill(&asker, "#content", "광안리 불꽃축제 명당 알려주세요").await;
    fill(&asker, "#bounty", "20").await;
    open(&asker, "form[action='/ask/new'] button[type=submit]").await;
    assert!(!text(&asker, "#title-error").await.is_empty());
    assert_eq!(
        asker
            .find(Locator::Css("#content"))
            .await
            .expect("content")
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("광안리 불꽃축제 명당 알려주세요")
    );
    photograph(&asker, "ask-new-refused").await;
    fill(&asker, "#title", "광안리 불꽃축제 명당").await;
    open(&asker, "form[action='/ask/new'] button[type=submit]").await;
    let question = text(&asker, "article h1").await;
    assert_eq!(question, "광안리 불꽃축제 명당");
    let question_url = asker.current_url().await.expect("url").to_string();
    photograph(&asker, "question").await;
    asker.goto(&format!("{base}/ask/me")).await.expect("goto");
    assert_eq!(text(&asker, "#balance").await, "80");

    let answerer = driver.browser("answerer").await;
    answerer
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .expect("resize");
    sign_up(&answerer, &base, "junho").await;
    answerer
        .goto(&format!("{base}/ask/me"))
        .await
        .expect("goto");
    let before: i64 = text(&answerer, "#balance").await.parse().expect("a number");
    answerer.goto(&question_url).await.expect("goto");
    fill(
        &answerer,
        "#content",
        "민락수변공원 쪽이 덜 붐비고 잘 보여요",
    )
    .await;
    open(&answerer, "#answers form button[type=submit]").await;
    answerer
        .wait()
        .for_element(Locator::Css(".answer"))
        .await
        .expect("the answer is listed");

    asker.goto(&question_url).await.expect("goto");
    open(&asker, "button.accept").await;
    asker
        .wait()
        .for_element(Locator::Css(".answer.accepted"))
        .await
        .expect("accepted");
    photograph(&asker, "question-accepted").await;

    answerer
        .goto(&format!("{base}/ask/me"))
        .await
        .expect("goto");
    let after: i64 = text(&answerer, "#balance").await.parse().expect("a number");
    assert!(
        after >= before + 20,
        "the bounty arrived: {before} -> {after}"
    );
    photograph(&answerer, "points").await;
    asker.goto(&format!("{base}/ask/me")).await.expect("goto");
    assert_eq!(text(&asker, "#balance").await, "80");

    for (name, path) in [
        ("ask-list", "/ask"),
        ("nearby", "/ask/nearby?lat=35.1532&lng=129.1187"),
        ("notifications", "/notifications"),
        ("settings", "/settings"),
    ] {
        answerer.goto(&format!("{base}{path}")).await.expect("goto");
        photograph(&answerer, name).await;
    }
    asker.close().await.expect("close");
    answerer.close().await.expect("close");
}

#[tokio::test]
async fn formulate_a_ration_and_read_why_another_is_impossible() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let farmer = driver.browser("farmer").await;
    farmer
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .expect("resize");
    sign_up(&farmer, &base, "nongbu").await;
    farmer.goto(&format!("{base}/ration")).await.expect("goto");
    fill(&farmer, "#name", "햇살 한우 농장").await;
    open(&farmer, "form[action='/ration'] button[type=submit]").await;
    for (feed, price) in [
        ("corn_grain", "420"),
        ("soybean_meal_48", "760"),
        ("wheat_bran", "380"),
        ("limestone", "120"),
    ] {
        farmer
            .wait()
            .for_element(Locator::Css("#library-feed"))
            .await
            .expect("library select")
            .select_by_value(feed)
            .await
            .expect("choose feed");
        fill(&farmer, "#library-price", price).await;
        open(&farmer, "form[action$='/feeds'] button[type=submit]").await;
        farmer
            .wait()
            .for_element(Locator::XPath(&format!("//th[contains(., '{feed}')]")))
            .await
            .expect("feed listed");
    }
    photograph(&farmer, "farm").await;
    open(&farmer, "a[href$='/formulate']").await;
    fill(&farmer, "#name", "육성 배합").await;
    fill(&farmer, "#min_cp", "16").await;
    fill(&farmer, "#max_fat", "6").await;
    fill(&farmer, "#min_nem", "1.7").await;
    fill(&farmer, "#min_ca", "0.5").await;
    fill(&farmer, "#max_ca", "1.0").await;
    photograph(&farmer, "formulate").await;
    open(
        &farmer,
        "form[method=post][action$='/formulate'] button[type=submit]",
    )
    .await;
    farmer
        .wait()
        .for_element(Locator::Css("#recipe table.recipe tbody tr"))
        .await
        .expect("the recipe table");
    let bars = farmer
        .find_all(Locator::Css("svg.chart rect"))
        .await
        .expect("bars");
    assert!(!bars.is_empty(), "the composition chart has bars");
    assert!(text(&farmer, "#what-if").await.contains("kg당"));
    photograph(&farmer, "formulation").await;

    open(&farmer, "nav.subnav a[href$='/formulate']").await;
    fill(&farmer, "#name", "불가능한 배합").await;
    fill(&farmer, "#min_cp", "70").await;
    open(
        &farmer,
        "form[method=post][action$='/formulate'] button[type=submit]",
    )
    .await;
    let why = text(&farmer, "#infeasible").await;
    assert!(why.contains("CP"), "{why}");
    assert!(why.contains("낮추면"), "{why}");
    photograph(&farmer, "formulation-infeasible").await;
    farmer.close().await.expect("close");
}

#[tokio::test]
async fn vitals_entered_by_hand_appear_on_the_chart() {
    // The server first: it installs the TLS provider the driver's HTTP client needs.
    let app = spawn().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.url("");
    let browser = driver.browser("walker").await;
    browser
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("resize");
    sign_up(&browser, &base, "geonwoo").await;
    browser
        .goto(&format!("{base}/wellness?range=day"))
        .await
        .expect("goto");
    assert!(
        browser
            .find_all(Locator::Css("#chart-heart_rate circle"))
            .await
            .expect("dots")
            .is_empty()
    );

    // A value that is not a number is refused next to its field, and kept.
    fill(&browser, "#value", "일흔둘").await;
    open(&browser, "form[action='/wellness'] button[type=submit]").await;
    assert!(!text(&browser, "#value-error").await.is_empty());
    fill(&browser, "#value", "72").await;
    open(&browser, "form[action='/wellness'] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("#chart-heart_rate circle"))
        .await
        .expect("the heart rate is on the chart");
    assert!(text(&browser, "#title-heart_rate").await.contains("72"));

    browser
        .find(Locator::Css("#kind"))
        .await
        .expect("kind")
        .select_by_value("blood_pressure")
        .await
        .expect("choose");
    fill(&browser, "#systolic", "118").await;
    fill(&browser, "#diastolic", "76").await;
    open(&browser, "form[action='/wellness'] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("#chart-systolic circle"))
        .await
        .expect("the blood pressure is on the chart");
    photograph(&browser, "wellness").await;

    open(&browser, "nav.subnav a[href='/wellness/goals']").await;
    fill(&browser, "#target", "7.5").await;
    browser
        .find(Locator::Css("#kind"))
        .await
        .expect("kind")
        .select_by_value("sleep")
        .await
        .expect("choose");
    open(
        &browser,
        "form[action='/wellness/goals'] button[type=submit]",
    )
    .await;
    browser
        .wait()
        .for_element(Locator::Css(".goal svg.ring"))
        .await
        .expect("the goal's ring");
    photograph(&browser, "wellness-goals").await;
    open(&browser, "nav.subnav a[href='/wellness/alerts']").await;
    photograph(&browser, "wellness-alerts").await;
    browser.close().await.expect("close");
}
