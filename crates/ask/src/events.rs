//! ask's events (seed 003: `question.created`, `answer.accepted`, and the platform's
//! `user.registered`), what ask does when they arrive, and its scheduled jobs.

use async_trait::async_trait;
use platform::AppContext;
use platform::accounts::UserId;
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::jobs::JobHandler;
use serde::Deserialize;
use serde_json::json;

use crate::geo::{GeoPoint, METRES_PER_DEGREE};
use crate::model::{AnswerId, QuestionId, Urgency};
use crate::service;
use crate::store::{self, RoutingCandidate};

pub const USER_REGISTERED: &str = "user.registered";
pub const QUESTION_CREATED: &str = "question.created";
/// A question's text, state or visibility changed.
pub const QUESTION_CHANGED: &str = "question.changed";
pub const ANSWER_CREATED: &str = "answer.created";
/// An answer was edited, deleted or hidden.
pub const ANSWER_CHANGED: &str = "answer.changed";
pub const ANSWER_ACCEPTED: &str = "answer.accepted";

pub const CLOSE_EXPIRED: &str = "ask.close_expired";
pub const REFRESH_TRENDING: &str = "ask.refresh_trending";

/// How far from an urgent question a local may be to be asked.
const ROUTING_RADIUS_M: f64 = 5_000.0;
/// Locals idle longer than this are not asked.
const ROUTING_ACTIVE_DAYS: u64 = 7;
/// Most locals asked per urgent question.
const ROUTING_MAX: usize = 50;

/// Gives every new account its profile and sign-up bonus.
pub struct Welcome;

#[async_trait]
impl Subscriber for Welcome {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Registered {
            user_id: UserId,
            username: String,
        }
        let who: Registered = event.parse()?;
        service::join(ctx, tx, who.user_id, &who.username).await?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct QuestionCreated {
    question_id: QuestionId,
    user_id: UserId,
    location: Option<Location>,
    region_code: Option<String>,
    urgency: Urgency,
}

#[derive(Deserialize)]
struct Location {
    lat: f64,
    lng: f64,
}

/// Picks who to ask: nearest-first among those asked least recently, at most [`ROUTING_MAX`].
fn choose(mut candidates: Vec<(RoutingCandidate, f64)>) -> Vec<(RoutingCandidate, f64)> {
    candidates.sort_by(|a, b| {
        a.0.last_asked_at
            .cmp(&b.0.last_asked_at)
            .then(a.1.total_cmp(&b.1))
    });
    candidates.truncate(ROUTING_MAX);
    candidates
}

/// The 10-minute answer goal: an urgent question is put, live and in the inbox, to verified
/// locals of its region within 5 km who were active in the last week, rotating among them.
pub struct RouteUrgent;

#[async_trait]
impl Subscriber for RouteUrgent {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        let q: QuestionCreated = event.parse()?;
        let (Urgency::Urgent, Some(at), Some(region)) = (q.urgency, q.location, q.region_code)
        else {
            return Ok(());
        };
        let center = GeoPoint::new_unchecked(at.lat, at.lng);
        let now = ctx.clock.now();
        let dlat = ROUTING_RADIUS_M / METRES_PER_DEGREE;
        let dlng = dlat / at.lat.to_radians().cos().max(0.01);
        let bounds = [at.lat - dlat, at.lng - dlng, at.lat + dlat, at.lng + dlng];
        let active_since = now.minus(std::time::Duration::from_secs(ROUTING_ACTIVE_DAYS * 86_400));
        let candidates = store::routing_candidates(tx, &region, now, active_since, bounds)
            .await?
            .into_iter()
            .filter(|c| c.user != q.user_id)
            .map(|c| (c, center.distance_m(c.at)))
            .filter(|(_, d)| *d <= ROUTING_RADIUS_M)
            .collect();
        let chosen = choose(candidates);
        let title = store::question_detail(&mut **tx, q.question_id, now)
            .await?
            .map(|d| d.summary.title)
            .unwrap_or_default();
        for (local, distance) in &chosen {
            let note = service::notification(
                local.user,
                "urgent_question",
                Some(q.user_id),
                format!("question:{}", q.question_id),
                json!({ "question_id": q.question_id, "title": title, "distance_m": distance.round() }),
            );
            ctx.notifications.notify(tx, &note).await?;
        }
        let asked: Vec<UserId> = chosen.iter().map(|(c, _)| c.user).collect();
        store::mark_asked(tx, &asked, now).await?;
        Ok(())
    }
}

/// Tells the asker about a new answer and the answerer about an acceptance.
pub struct NotifyAnswers;

#[async_trait]
impl Subscriber for NotifyAnswers {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct AnswerEvent {
            answer_id: AnswerId,
            question_id: QuestionId,
            answerer_id: UserId,
            questioner_id: UserId,
            points: Option<i64>,
        }
        let e: AnswerEvent = event.parse()?;
        let subject = format!("question:{}", e.question_id);
        let data =
            json!({ "question_id": e.question_id, "answer_id": e.answer_id, "points": e.points });
        let note = if event.kind == ANSWER_ACCEPTED {
            service::notification(
                e.answerer_id,
                "answer_accepted",
                Some(e.questioner_id),
                subject,
                data,
            )
        } else if e.answerer_id != e.questioner_id {
            service::notification(
                e.questioner_id,
                "new_answer",
                Some(e.answerer_id),
                subject,
                data,
            )
        } else {
            return Ok(());
        };
        ctx.notifications.notify(tx, &note).await?;
        Ok(())
    }
}

/// Closes bounty questions left without an accepted answer for a week and refunds them.
pub struct CloseExpired;

#[async_trait]
impl JobHandler for CloseExpired {
    async fn run(&self, ctx: &AppContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        let closed = service::close_expired(ctx).await?;
        if closed > 0 {
            tracing::info!(closed, "closed expired bounty questions");
        }
        Ok(())
    }
}

/// Recomputes trending hashtags before the cached lists expire (seed 003: refresh-ahead).
pub struct RefreshTrending;

#[async_trait]
impl JobHandler for RefreshTrending {
    async fn run(&self, ctx: &AppContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        service::refresh_trending(ctx).await?;
        Ok(())
    }
}
