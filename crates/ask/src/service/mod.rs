//! ask's use cases: rules, transactions, events, notifications and caches.

use platform::accounts::{CurrentUser, Role, UserId, service as accounts};
use platform::db::Tx;
use platform::notifications::NewNotification;
use platform::{AppContext, Error, Result};

use crate::points::Transfer;
use crate::store::{self, ProfileRow};

mod answers;
mod moderation;
mod places;
mod points;
mod profiles;
mod questions;

pub use answers::{NewAnswer, accept, answer, delete_answer, edit_answer, like_answer};
pub use moderation::{Target, Visibility, hidden, report, reports, set_visibility, suspend};
pub use places::{Nearby, Stats, Trending, nearby, refresh_trending, stats, trending};
pub use points::{Points, audit, close_expired, join, points};
pub use profiles::{my_profile, profile, set_nickname, verify_location};
pub use questions::{
    EditQuestion, NewQuestion, QuestionPage, ask, delete_question, edit_question, like_question,
    list, question, summaries,
};

/// A new transfer's ids: the transfer and its two entries.
fn transfer_ids(ctx: &AppContext) -> [i64; 3] {
    [ctx.next_id(), ctx.next_id(), ctx.next_id()]
}

/// Moves points inside `tx`; false when the payer lacks them.
async fn pay(ctx: &AppContext, tx: &mut Tx, t: &Transfer) -> Result<bool> {
    store::transfer(tx, t, transfer_ids(ctx), ctx.clock.now()).await
}

/// The caller as an ask member, inside `tx`: their profile made (with the sign-up bonus) if they
/// have none yet, refused while suspended, and marked active.
async fn member(ctx: &AppContext, tx: &mut Tx, user: &CurrentUser) -> Result<ProfileRow> {
    let profile = profile_of(ctx, tx, user).await?;
    if let Some(until) = profile.suspended_until
        && until > ctx.clock.now()
    {
        return Err(Error::forbidden(format!(
            "your account is suspended from asking and answering until {until}"
        )));
    }
    Ok(profile)
}

/// How stale `last_active_at` may grow before a visit records itself again: urgent routing
/// reads it in days, so one write a minute is plenty, and reads mostly write nothing.
const TOUCH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The caller's profile, made on first use, with the visit recorded when the last one is
/// older than [`TOUCH_EVERY`]; suspended or not.
async fn profile_of(ctx: &AppContext, tx: &mut Tx, user: &CurrentUser) -> Result<ProfileRow> {
    let now = ctx.clock.now();
    let profile = if let Some(p) = store::profile(&mut **tx, user.id).await? {
        p
    } else {
        let username = accounts::find_user(ctx, user.id)
            .await?
            .map_or_else(|| user.id.to_string(), |u| u.username);
        join(ctx, tx, user.id, &username).await?;
        store::profile(&mut **tx, user.id)
            .await?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("profile vanished")))?
    };
    if profile.last_active_at < now.minus(TOUCH_EVERY) {
        store::touch(tx, user.id, now).await?;
    }
    Ok(profile)
}

/// Whether the caller moderates.
fn moderates(user: Option<&CurrentUser>) -> bool {
    user.is_some_and(|u| u.role >= Role::Moderator)
}

pub(crate) fn notification(
    user: UserId,
    kind: &'static str,
    actor: Option<UserId>,
    subject: String,
    data: serde_json::Value,
) -> NewNotification {
    NewNotification {
        user,
        app: "ask",
        kind,
        actor,
        subject: Some(subject),
        group_key: None,
        data,
    }
}
