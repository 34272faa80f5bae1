//! social's integration tests, in one binary: every test binary links the whole stack, so one
//! per crate keeps the build small and its link steps few.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod content;
mod contract;
mod feed;
mod lifecycle;
mod live;
mod pulled;
mod search;
