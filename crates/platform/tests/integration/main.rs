//! platform's integration tests, in one binary: every test binary links the whole stack, so one
//! per crate keeps the build small and its link steps few.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin;
mod common;
mod content;
mod events;
mod flags;
mod http_contract;
mod live;
