//! What every request goes through (request ids, logs, metrics, time limits) and the
//! platform's own operational routes.

mod admin;
mod middleware;
mod openapi;
mod ops;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

pub use admin::router as admin_router;
pub use middleware::{InProcess, observe, time_limit};
pub use openapi::{ApiDoc, docs_router};
pub use ops::router as ops_router;

use crate::AppContext;

/// The caller's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// configuration says a trusted proxy sits in front.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    pub fn from_request(
        headers: &HeaderMap,
        extensions: &Extensions,
        trust_forwarded_for: bool,
    ) -> Self {
        let forwarded = trust_forwarded_for
            .then(|| {
                headers
                    .get("x-forwarded-for")?
                    .to_str()
                    .ok()?
                    .split(',')
                    .next()?
                    .trim()
                    .parse::<IpAddr>()
                    .ok()
            })
            .flatten();
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Self(forwarded.or(peer))
    }
}

impl FromRequestParts<AppContext> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::from_request(
            &parts.headers,
            &parts.extensions,
            ctx.config.limits.trust_forwarded_for,
        ))
    }
}
