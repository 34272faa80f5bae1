//! `GET /ask/me`: the visitor's points balance and history, and local verification.

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::region_name;
use crate::Web;
use crate::i18n::AskTexts;
use crate::pages::{PageResult, Shell, render, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct Points {
    balance: i64,
    history: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    delta: i64,
    reason: String,
    created_at: String,
}

#[derive(Deserialize)]
struct Profile {
    region_code: Option<String>,
    is_local_verified: bool,
    verified_until: Option<String>,
}

/// A ledger line as the page shows it.
struct Line {
    delta: String,
    gain: bool,
    reason: &'static str,
    at: String,
    at_iso: String,
}

#[derive(Template)]
#[template(path = "ask/me.html")]
struct Me {
    shell: Shell,
    a: &'static AskTexts,
    balance: i64,
    lines: Vec<Line>,
    verified: bool,
    region: Option<String>,
    verified_until: Option<String>,
}

fn reason(t: &AskTexts, code: &str) -> &'static str {
    match code {
        "signup_bonus" => t.reason_signup_bonus,
        "answer_reward" => t.reason_answer_reward,
        "bounty_escrow" => t.reason_bounty_escrow,
        "bounty_paid" => t.reason_bounty_paid,
        "accept_reward" => t.reason_accept_reward,
        "bounty_refund" => t.reason_bounty_refund,
        _ => t.reason_other,
    }
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let (shell, points, profile) = tokio::join!(
        Shell::load(&web, &visit, "ask"),
        web.api.get::<Points>(&visit, "/api/v1/ask/points"),
        web.api.get::<Profile>(&visit, "/api/v1/ask/profile"),
    );
    let (points, profile) = (points?, profile?);
    let a = visit.lang.ask();
    Ok(render(&Me {
        shell: shell?,
        a,
        balance: points.balance,
        lines: points
            .history
            .into_iter()
            .map(|e| Line {
                delta: format!("{:+}", e.delta),
                gain: e.delta > 0,
                reason: reason(a, &e.reason),
                at: when(&visit, &e.created_at),
                at_iso: e.created_at,
            })
            .collect(),
        verified: profile.is_local_verified,
        region: profile.region_code.map(|code| region_name(&visit, &code)),
        verified_until: profile.verified_until.map(|at| when(&visit, &at)),
    }))
}

#[derive(Deserialize)]
pub struct Position {
    lat: f64,
    lng: f64,
}

/// `POST /ask/verify`: verifies the visitor as a local of the region at their position.
pub async fn verify(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(at): Form<Position>,
) -> PageResult {
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            "/api/v1/ask/verify-location",
            &json!({ "lat": at.lat, "lng": at.lng }),
        )
        .await?;
    Ok(Redirect::to("/ask/me").into_response())
}
