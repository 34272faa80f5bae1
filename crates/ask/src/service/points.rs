//! Joining, balances and history, the ledger audit, and closing expired bounty questions.

use std::time::Duration;

use platform::accounts::{CurrentUser, Role, UserId};
use platform::db::Tx;
use platform::{AppContext, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::pay;
use crate::caches::Caches;
use crate::model::Status;
use crate::points::{Account, Transfer};
use crate::store::{self, LedgerAudit, PointEntry};

/// How long a bounty waits for an accepted answer before it goes back to the asker.
pub const BOUNTY_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// Makes the user's profile and pays the sign-up bonus, once; true if they were new.
pub async fn join(ctx: &AppContext, tx: &mut Tx, user: UserId, nickname: &str) -> Result<bool> {
    let joined = store::ensure_profile(tx, user, nickname, ctx.clock.now()).await?;
    if joined {
        pay(ctx, tx, &Transfer::signup_bonus(user)).await?;
    }
    Ok(joined)
}

/// A balance and a page of its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Points {
    pub balance: i64,
    pub history: Vec<PointEntry>,
    /// Pass as `before` for older entries; absent at the end.
    pub next_cursor: Option<String>,
}

pub async fn points(
    ctx: &AppContext,
    user: &CurrentUser,
    before: Option<i64>,
    limit: i64,
) -> Result<Points> {
    let account = Account::User(user.id);
    let (balance, history) = store::statement(ctx.db.reader(), account, before, limit).await?;
    let next_cursor = if history.len() as i64 == limit {
        history.last().map(|e| e.id.clone())
    } else {
        None
    };
    Ok(Points {
        balance,
        history,
        next_cursor,
    })
}

/// Checks every balance against its entries (administrators).
pub async fn audit(ctx: &AppContext, user: &CurrentUser) -> Result<LedgerAudit> {
    user.require_role(Role::Admin)?;
    store::audit(ctx.db.reader()).await
}

/// Closes bounty questions with no accepted answer after seven days and refunds their bounty;
/// returns how many closed.
pub async fn close_expired(ctx: &AppContext) -> Result<usize> {
    let before = ctx.clock.now().minus(BOUNTY_WINDOW);
    let expired = store::expired_bounties(ctx.db.reader(), before, 500).await?;
    let caches = Caches::of(&ctx.cache);
    let mut closed = 0;
    for (id, asker, bounty) in expired {
        let mut tx = ctx.db.begin().await?;
        // Checked again inside the transaction: an answer may have been accepted meanwhile.
        let Some(state) = store::question_state(&mut *tx, id).await? else {
            continue;
        };
        if state.status != Status::Active || state.accepted.is_some() {
            continue;
        }
        store::delete_question(&mut tx, id, Status::Closed, ctx.clock.now()).await?;
        pay(ctx, &mut tx, &Transfer::refund(asker, id.get(), bounty)).await?;
        super::questions::publish_changed(ctx, &mut tx, id).await?;
        tx.commit().await?;
        let cells = super::questions::located_cells(ctx, id).await?;
        caches.listing_changed(id, cells.as_ref());
        closed += 1;
    }
    if closed > 0 {
        ctx.bus.wake();
    }
    Ok(closed)
}
