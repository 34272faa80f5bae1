//! assistant's integration tests, in one binary: every test binary links the whole stack, so
//! one per crate keeps the build small and its link steps few.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod cache;
mod common;
#[cfg(feature = "local-models")]
mod local;
mod providers;
mod sessions;
mod sync;
