//! maru's web pages, served by `maru serve` at `/` in front of the API.
//!
//! Pages are rendered on the server from askama templates compiled into the binary, in Korean
//! unless the visitor's browser or choice says English, and work without JavaScript; a small
//! hand-written script adds the live parts. Every page gets its data from the API in process
//! ([`api::Api`]), so the pages obey exactly the rules every other client does, and the API
//! stays reachable behind them.

mod api;
mod assets;
mod failure;
mod i18n;
mod messages;
mod pages;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{get, post};
use platform::AppContext;

use crate::api::Api;
use crate::i18n::Lang;
use crate::pages::{AppLink, account, admin, ask, assistant, home, ration, social, wellness};

/// What every page handler shares.
#[derive(Clone)]
pub struct Web {
    api: Api,
    /// The apps this server runs, in the switcher's order.
    apps: Arc<Vec<&'static str>>,
    renewals: session::Renewals,
}

/// The apps in the switcher's order, with the path of their pages.
const APPS: [(&str, &str); 5] = [
    ("social", "/social"),
    ("ask", "/ask"),
    ("wellness", "/wellness"),
    ("assistant", "/assistant"),
    ("ration", "/ration"),
];

/// The apps whose pages are built; the others link to their API documentation.
const WITH_PAGES: [&str; 5] = ["social", "ask", "wellness", "assistant", "ration"];

impl Web {
    fn app_links(&self, lang: Lang) -> Vec<AppLink> {
        let t = lang.shell();
        APPS.iter()
            .filter(|(key, _)| self.apps.contains(key))
            .map(|&(key, href)| {
                let (name, about) = match key {
                    "social" => (t.social, t.social_about),
                    "ask" => (t.ask, t.ask_about),
                    "wellness" => (t.wellness, t.wellness_about),
                    "assistant" => (t.assistant, t.assistant_about),
                    _ => (t.ration, t.ration_about),
                };
                let has_pages = WITH_PAGES.contains(&key);
                AppLink {
                    key,
                    href: if has_pages { href } else { "/api/docs" },
                    name,
                    about,
                    has_pages,
                }
            })
            .collect()
    }
}

/// The pages in front of `api`; requests for anything else go on to the API.
pub fn front(ctx: &AppContext, api: Router) -> Router {
    let web = Web {
        api: Api::new(api.clone()),
        apps: Arc::new(
            ctx.apps
                .iter()
                .filter_map(|app| APPS.iter().find(|(key, _)| *key == app.name()))
                .map(|(key, _)| *key)
                .collect(),
        ),
        renewals: session::Renewals::new(&ctx.cache),
    };
    Router::new()
        .route("/", get(home::index))
        .route("/login", get(account::login_page).post(account::login))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/logout", post(account::logout))
        .route("/lang", post(account::language))
        .route(
            "/settings",
            get(account::settings_page).post(account::settings),
        )
        .route("/notifications", get(home::notifications))
        .route("/notifications/read-all", post(home::read_all))
        .nest("/admin", admin::routes())
        .nest("/social", social::routes())
        .nest("/ask", ask::routes())
        .nest("/assistant", assistant::routes())
        .nest("/ration", ration::routes())
        .nest("/wellness", wellness::routes())
        .route_layer(from_fn_with_state(web.clone(), session::session))
        .route("/assets/{name}", get(assets::serve))
        .route_layer(from_fn(page_headers))
        .route_layer(from_fn_with_state(ctx.clone(), platform::http::observe))
        .with_state(web)
        .fallback_service(api)
}

/// The content security policy: nothing runs or loads from anywhere but here.
const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
    script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
    form-action 'self'";

async fn page_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert("content-security-policy", HeaderValue::from_static(CSP));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}
