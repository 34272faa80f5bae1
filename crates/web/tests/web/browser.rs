//! Whole journeys in headless Chromium, driven over WebDriver: two people in two browsers, every
//! page photographed at phone and desktop width (under `target/screenshots/`), and no page may
//! log a console error.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `.ci/run` installs them). Without
//! them the journeys are skipped with a note, unless `MARU_TEST_BROWSER` is set, as CI sets it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::spawn;

/// A running chromedriver, stopped when dropped.
struct Driver {
    process: Child,
    url: String,
    /// Profiles of the browsers it starts.
    profiles: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    })
}

impl Driver {
    /// Starts chromedriver, or says why the journeys cannot run.
    async fn start() -> Option<Self> {
        let found = on_path("chromedriver").zip(on_path("chromium"));
        if found.is_none() {
            assert!(
                std::env::var_os("MARU_TEST_BROWSER").is_none(),
                "MARU_TEST_BROWSER is set but chromium / chromedriver are not installed"
            );
            eprintln!(
                "note: browser journeys skipped: install chromium and chromium-driver to run them"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/status")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Self {
            process,
            url,
            profiles: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// A new browser with its own profile (so its own cookies).
    async fn browser(&self, name: &str) -> Client {
        let profile = self.profiles.path().join(name);
        let chromium = on_path("chromium").expect("chromium");
        let options = json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-dev-shm-usage", "--lang=ko-KR",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": { "intl.accept_languages": "ko-KR,ko" },
        });
        let capabilities = json!({
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

/// chromedriver's console log of the page (`POST /session/{id}/se/log`).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// Fails on any console error the page logged since the last look.
async fn no_console_errors(browser: &Client, page: &str) {
    let log = browser.issue_cmd(BrowserLog).await.expect("browser log");
    let errors: Vec<&Value> = log
        .as_array()
        .map(|entries| entries.iter().filter(|e| e["level"] == "SEVERE").collect())
        .unwrap_or_default();
    assert!(errors.is_empty(), "{page}: console errors {errors:?}");
}

const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Photographs the current page at phone and desktop width, and checks its console.
async fn photograph(browser: &Client, name: &str) {
    for (width_name, (width, height)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        browser
            .set_window_size(width, height)
            .await
            .expect("resize");
        let png = browser.screenshot().await.expect("screenshot");
        std::fs::write(
            screenshots_dir().join(format!("{name}-{width_name}.png")),
            png,
        )
        .expect("write screenshot");
    }
    browser
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("resize");
    no_console_errors(browser, name).await;
}

async fn fill(browser: &Client, selector: &str, text: &str) {
    let field = browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

async fn click(browser: &Client, selector: &str) {
    browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .expect("click");
}

async fn text(browser: &Client, selector: &str) -> String {
    browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn sign_up(browser: &Client, base: &str, username: &str) {
    browser.goto(&format!("{base}/signup")).await.expect("goto");
    fill(browser, "#username", username).await;
    fill(browser, "#email", &format!("{username}@example.kr")).await;
    fill(browser, "#password", &format!("{username}-password-long")).await;
    click(browser, "form[action='/signup'] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("a.name"))
        .await
        .expect("signed in");
}

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
    click(&asker, "form[action='/ask/new'] button[type=submit]").await;
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
    click(&asker, "form[action='/ask/new'] button[type=submit]").await;
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
    click(&answerer, "#answers form button[type=submit]").await;
    answerer
        .wait()
        .for_element(Locator::Css(".answer"))
        .await
        .expect("the answer is listed");

    asker.goto(&question_url).await.expect("goto");
    click(&asker, "button.accept").await;
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
    click(&farmer, "form[action='/ration'] button[type=submit]").await;
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
        click(&farmer, "form[action$='/feeds'] button[type=submit]").await;
        farmer
            .wait()
            .for_element(Locator::XPath(&format!("//th[contains(., '{feed}')]")))
            .await
            .expect("feed listed");
    }
    photograph(&farmer, "farm").await;
    click(&farmer, "a[href$='/formulate']").await;
    fill(&farmer, "#name", "육성 배합").await;
    fill(&farmer, "#min_cp", "16").await;
    fill(&farmer, "#max_fat", "6").await;
    fill(&farmer, "#min_nem", "1.7").await;
    fill(&farmer, "#min_ca", "0.5").await;
    fill(&farmer, "#max_ca", "1.0").await;
    photograph(&farmer, "formulate").await;
    click(
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

    click(&farmer, "nav.subnav a[href$='/formulate']").await;
    fill(&farmer, "#name", "불가능한 배합").await;
    fill(&farmer, "#min_cp", "70").await;
    click(
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
    click(&browser, "form[action='/wellness'] button[type=submit]").await;
    assert!(!text(&browser, "#value-error").await.is_empty());
    fill(&browser, "#value", "72").await;
    click(&browser, "form[action='/wellness'] button[type=submit]").await;
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
    click(&browser, "form[action='/wellness'] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("#chart-systolic circle"))
        .await
        .expect("the blood pressure is on the chart");
    photograph(&browser, "wellness").await;
    browser.close().await.expect("close");
}
