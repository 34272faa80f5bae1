//! A browser-like client for the pages: a cookie jar, no automatic redirects, and the CSRF
//! token read from each page.
#![allow(dead_code)]

use platform::testing::{Backend, TestApp};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

/// A fixed master key for wellness' encrypted notes, so tests need no key file.
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A server running every app behind the web pages.
pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(configure: impl FnOnce(&mut platform::Config) + Send + 'static) -> TestApp {
    TestApp::builder(Backend::Sqlite)
        .app(social::Social::default())
        .app(ask::Ask)
        .app(
            wellness::Wellness::new(
                wellness::Keyring::from_base64(MASTER_KEY).unwrap(),
                &wellness::Settings::default(),
            )
            .unwrap(),
        )
        .app(assistant::Assistant::new(assistant::Settings::default()).unwrap())
        .app(ration::Ration)
        .front(web::front)
        .config(configure)
        .spawn()
        .await
}

/// One visitor: their own cookies, redirects left to the test.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
}

/// An answer as a test reads it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token the page's forms carry.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf-token\" content=\"";
        let start = self.body.find(marker).expect("page has a csrf token") + marker.len();
        self.body[start..start + 32].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self { app, client }
    }

    pub async fn get(&self, path: &str) -> Page {
        read(self.client.get(self.app.url(path)).send().await.unwrap()).await
    }

    /// Posts a form as the page would, with the CSRF token of `from`.
    pub async fn post(&self, path: &str, from: &Page, fields: &[(&str, &str)]) -> Page {
        let csrf = from.csrf();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        read(
            self.client
                .post(self.app.url(path))
                .form(&form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts a `multipart/form-data` form as the page would, with an optional image
    /// (`field`, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        from: &Page,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new().text("csrf", from.csrf());
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        if let Some((name, file_name, bytes)) = file {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
            form = form.part(name.to_owned(), part);
        }
        read(
            self.client
                .post(self.app.url(path))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Signs in through the form (password `<username>-password-long`).
    pub async fn sign_in(&self, username: &str) {
        let page = self.get("/login").await;
        let password = format!("{username}-password-long");
        let done = self
            .post(
                "/login",
                &page,
                &[("login", username), ("password", &password)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }

    /// Signs up `username` through the form (password `<username>-password-long`).
    pub async fn sign_up(&self, username: &str) {
        let page = self.get("/signup").await;
        let password = format!("{username}-password-long");
        let email = format!("{username}@example.kr");
        let done = self
            .post(
                "/signup",
                &page,
                &[
                    ("username", username),
                    ("email", &email),
                    ("password", &password),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
}

async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        location: response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: response.text().await.unwrap(),
    }
}
