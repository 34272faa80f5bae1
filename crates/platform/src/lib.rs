//! The platform every maru app stands on.
//!
//! Apps plug in through [`App`]; they receive an [`AppContext`] holding the shared services
//! (database, ids, clock, bus, jobs, cache, realtime hub, search, notifications, files) and never
//! import one another. The platform never imports an app.

pub mod accounts;
mod app;
pub mod bus;
pub mod cache;
pub mod config;
mod core;
pub mod db;
pub mod error;
pub mod extract;
pub mod files;
pub mod flags;
pub mod http;
pub mod ids;
pub mod jobs;
pub mod notifications;
mod one_off;
pub mod ratelimit;
pub mod realtime;
pub mod search;
mod server;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod tls;
pub mod validation;

pub use app::{App, AppContext, Apps, Services};
pub use config::Config;
pub use core::{Core, DEMO_PASSWORD};
pub use error::{Error, FieldError, Result};
pub use one_off::OneOff;
pub use server::{Front, Server, context, router};

/// The OpenAPI-aware router every app returns; routes declared with `utoipa_axum::routes!`
/// appear in `/api/openapi.json` automatically.
pub type ApiRouter = utoipa_axum::router::OpenApiRouter<AppContext>;
