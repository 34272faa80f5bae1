//! Reports from users; moderators hiding content and suspending members.

use std::time::Duration;

use platform::accounts::{CurrentUser, Role, UserId};
use platform::{AppContext, Error, Result};
use serde_json::json;

use super::member;
use super::questions::{located_cells, publish_changed};
use crate::caches::Caches;
use crate::events;
use crate::model::{AnswerId, QuestionId};
use crate::store::{self, Hidden, Report};

/// What a report or a moderator's action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Question(QuestionId),
    Answer(AnswerId),
}

impl Target {
    fn key(self) -> (&'static str, i64) {
        match self {
            Self::Question(id) => ("question", id.get()),
            Self::Answer(id) => ("answer", id.get()),
        }
    }
}

/// Files the caller's report; reporting the same thing twice changes nothing.
pub async fn report(
    ctx: &AppContext,
    user: &CurrentUser,
    target: Target,
    reason: &str,
) -> Result<()> {
    let exists = match target {
        Target::Question(id) => store::question_state(ctx.db.reader(), id).await?.is_some(),
        Target::Answer(id) => store::answer_facts(ctx.db.reader(), id).await?.is_some(),
    };
    if !exists {
        return Err(Error::not_found(target.key().0));
    }
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    store::insert_report(
        &mut tx,
        ctx.next_id(),
        user.id,
        target.key(),
        reason,
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Open reports, oldest first (moderators).
pub async fn reports(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<Report>> {
    user.require_role(Role::Moderator)?;
    store::open_reports(ctx.db.reader(), 100).await
}

/// What a moderator does to a question or answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility<'a> {
    /// Hidden from everyone but its author and moderators, for this reason.
    Hidden(&'a str),
    /// Shown again.
    Restored,
}

/// Hides a question or answer (resolving its reports: it leaves lists, nearby, trending and
/// search) or restores it (it returns to them). Either is written to the moderation log.
pub async fn set_visibility(
    ctx: &AppContext,
    user: &CurrentUser,
    target: Target,
    visibility: Visibility<'_>,
) -> Result<()> {
    let (hidden, action, reason) = match visibility {
        Visibility::Hidden(reason) => (Some(reason), "hide", reason),
        Visibility::Restored => (None, "restore", ""),
    };
    user.require_role(Role::Moderator)?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let question = match target {
        Target::Question(id) => {
            store::question_state(&mut *tx, id)
                .await?
                .ok_or_else(|| Error::not_found("question"))?;
            store::set_question_hidden(&mut tx, id, hidden).await?;
            publish_changed(ctx, &mut tx, id).await?;
            id
        }
        Target::Answer(id) => {
            let facts = store::answer_facts(&mut *tx, id)
                .await?
                .ok_or_else(|| Error::not_found("answer"))?;
            store::set_answer_hidden(&mut tx, id, hidden).await?;
            ctx.bus
                .publish(
                    &mut tx,
                    events::ANSWER_CHANGED,
                    &json!({ "answer_id": id, "question_id": facts.question }),
                )
                .await?;
            facts.question
        }
    };
    if hidden.is_some() {
        store::resolve_reports(&mut tx, target.key(), now).await?;
    }
    store::log_action(
        &mut tx,
        ctx.next_id(),
        user.id,
        action,
        target.key(),
        reason,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.bus.wake();
    let caches = Caches::of(&ctx.cache);
    match target {
        Target::Question(id) => {
            caches.listing_changed(id, located_cells(ctx, id).await?.as_ref());
        }
        Target::Answer(_) => caches.question_changed(question),
    }
    Ok(())
}

/// Hidden questions and answers, latest first (moderators).
pub async fn hidden(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<Hidden>> {
    user.require_role(Role::Moderator)?;
    store::hidden(ctx.db.reader(), 100).await
}

/// Suspends a member from asking, answering and liking for `days` (0 lifts a suspension).
pub async fn suspend(
    ctx: &AppContext,
    user: &CurrentUser,
    member_id: UserId,
    days: u32,
    reason: &str,
) -> Result<()> {
    user.require_role(Role::Moderator)?;
    let now = ctx.clock.now();
    let until = (days > 0).then(|| now.plus(Duration::from_secs(u64::from(days) * 24 * 3600)));
    let mut tx = ctx.db.begin().await?;
    if !store::suspend(&mut tx, member_id, until).await? {
        return Err(Error::not_found("profile"));
    }
    let action = if until.is_some() {
        "suspend"
    } else {
        "unsuspend"
    };
    store::log_action(
        &mut tx,
        ctx.next_id(),
        user.id,
        action,
        ("user", member_id.get()),
        reason,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
