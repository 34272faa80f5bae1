//! The `maru` binary, run as a user would; one test binary for the crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod crash;
