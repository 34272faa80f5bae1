//! The web pages over real HTTP: forms, sessions and their guards, and whole journeys in a
//! real browser. One binary, as every test binary links the whole stack.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod assistant;
mod browser;
mod chromium;
mod common;
mod forms;
mod live;
mod session;
mod social;
mod wellness;
