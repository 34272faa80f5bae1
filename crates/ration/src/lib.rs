//! ration: livestock nutrition (seed 002).
//!
//! The engine ([`engine`]) is a pure library — problem files, least-cost formulation by linear
//! programming, sensitivity and infeasibility diagnosis — with no I/O, used by the CLI
//! (`maru ration solve`) and by this app's routes under `/api/v1/ration`.

pub mod engine;
mod http;

use async_trait::async_trait;
use platform::{ApiRouter, App, AppContext};

/// The ration app, as the server mounts it.
pub struct Ration;

#[async_trait]
impl App for Ration {
    fn name(&self) -> &'static str {
        "ration"
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        http::router()
    }
}
