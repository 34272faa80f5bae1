//! Alerts and alert rules.

use platform::accounts::UserId;
use platform::{AppContext, Error, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Health, Subject, membership};
use crate::alerts::Rule;
use crate::events::alert_view;
use crate::model::{Alert, RuleId};
use crate::store;

/// Most alerts in one answer.
const MAX_ALERTS: i64 = 200;

pub async fn alerts(ctx: &AppContext, subject: Subject, open: bool) -> Result<Vec<Alert>> {
    Ok(
        store::alerts(ctx.db.reader(), subject.user, open, MAX_ALERTS)
            .await?
            .into_iter()
            .map(alert_view)
            .collect(),
    )
}

/// Acknowledges `ids` (every open alert when empty); how many changed.
pub async fn acknowledge(ctx: &AppContext, user: UserId, ids: &[i64]) -> Result<u64> {
    let mut tx = ctx.db.begin().await?;
    let changed = store::acknowledge(&mut tx, user, ids, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(changed)
}

/// A rule with its id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: RuleId,
    #[serde(flatten)]
    pub rule: Rule,
}

/// The user's rules (the defaults until they change them).
pub async fn rules(ctx: &AppContext, health: &Health, user: UserId) -> Result<Vec<RuleView>> {
    let mut tx = ctx.db.begin().await?;
    membership(&mut tx, ctx, health, user).await?;
    let rules = store::rules(&mut *tx, user).await?;
    tx.commit().await?;
    Ok(rules
        .into_iter()
        .map(|(id, rule)| RuleView {
            id: RuleId::from_raw(id),
            rule,
        })
        .collect())
}

pub async fn add_rule(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    rule: Rule,
) -> Result<RuleView> {
    rule.check()
        .map_err(|(field, message)| Error::invalid_field(field, message))?;
    let id = ctx.next_id();
    let mut tx = ctx.db.begin().await?;
    membership(&mut tx, ctx, health, user).await?;
    store::insert_rule(&mut tx, id, user, &rule, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(RuleView {
        id: RuleId::from_raw(id),
        rule,
    })
}

pub async fn delete_rule(ctx: &AppContext, user: UserId, id: RuleId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if !store::delete_rule(&mut tx, user, id.get()).await? {
        return Err(Error::not_found("alert rule"));
    }
    tx.commit().await?;
    Ok(())
}
