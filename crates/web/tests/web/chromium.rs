//! Headless Chromium over WebDriver for the journeys: a driver, browsers with their own
//! profiles, and the steps every journey takes. Every page a journey photographs is saved at
//! phone and desktop width (under `target/screenshots/`), and no page may log a console error.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `.ci/run` installs them). Without
//! them the journeys are skipped with a note, unless `MARU_TEST_BROWSER` is set, as CI sets it.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// A running chromedriver, stopped when dropped together with every browser it started, so a
/// journey that fails halfway leaves no Chromium behind holding its profile.
pub struct Driver {
    process: Child,
    url: String,
    /// Profiles of the browsers it starts.
    profiles: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The browsers share chromedriver's process group; signal the whole group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.process.id())])
            .status();
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
    pub async fn start() -> Option<Self> {
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
            .process_group(0)
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
    pub async fn browser(&self, name: &str) -> Client {
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

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Photographs the current page at phone and desktop width, and checks its console.
pub async fn photograph(browser: &Client, name: &str) {
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

pub async fn fill(browser: &Client, selector: &str, text: &str) {
    let field = browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

pub async fn click(browser: &Client, selector: &str) {
    browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Clicks what leads to another page (a link, a form's button) and waits until that page is
/// in. The click alone returns as soon as it is dispatched, so a step after it could still
/// find, read or fill the page being left.
pub async fn open(browser: &Client, selector: &str) {
    browser
        .execute("window.journeyLeaving = true", vec![])
        .await
        .expect("mark the page being left");
    click(browser, selector).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        // While the browser is between pages the script may fail; that is "not yet".
        let arrived = browser
            .execute(
                "return window.journeyLeaving === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await;
        if matches!(arrived, Ok(Value::Bool(true))) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{selector}: no new page within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn text(browser: &Client, selector: &str) -> String {
    browser
        .wait()
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .text()
        .await
        .expect("text")
}

pub async fn sign_up(browser: &Client, base: &str, username: &str) {
    browser.goto(&format!("{base}/signup")).await.expect("goto");
    fill(browser, "#username", username).await;
    fill(browser, "#email", &format!("{username}@example.kr")).await;
    fill(browser, "#password", &format!("{username}-password-long")).await;
    open(browser, "form[action='/signup'] button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::Css("a.name"))
        .await
        .expect("signed in");
}
