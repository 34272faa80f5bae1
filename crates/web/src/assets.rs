//! The stylesheet, the script and the icon, compiled into the binary. Their URLs carry a hash of their
//! content, so browsers keep them for a year and still never run an old copy.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// One embedded file.
pub struct Asset {
    name: &'static str,
    body: &'static str,
    content_type: &'static str,
    url: LazyLock<String>,
}

impl Asset {
    /// Where pages link it: `/assets/<name>?v=<content hash>`.
    pub fn url(&'static self) -> &'static str {
        self.url.as_str()
    }
}

pub static CSS: Asset = Asset {
    name: "app.css",
    body: include_str!("../assets/app.css"),
    content_type: "text/css; charset=utf-8",
    url: LazyLock::new(|| versioned("app.css", include_str!("../assets/app.css"))),
};

pub static JS: Asset = Asset {
    name: "app.js",
    body: include_str!("../assets/app.js"),
    content_type: "text/javascript; charset=utf-8",
    url: LazyLock::new(|| versioned("app.js", include_str!("../assets/app.js"))),
};

pub static ICON: Asset = Asset {
    name: "icon.svg",
    body: include_str!("../assets/icon.svg"),
    content_type: "image/svg+xml",
    url: LazyLock::new(|| versioned("icon.svg", include_str!("../assets/icon.svg"))),
};

fn versioned(name: &str, body: &str) -> String {
    // FNV-1a: a stable fingerprint of the content, not a security measure.
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("/assets/{name}?v={hash:016x}")
}

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    match [&CSS, &JS, &ICON].into_iter().find(|a| a.name == name) {
        Some(asset) => (
            [
                (CONTENT_TYPE, asset.content_type),
                (CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
