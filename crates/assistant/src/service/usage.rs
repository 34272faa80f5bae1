//! Usage and cost per user and provider (seed: cost per user), and the daily token budget.

use platform::accounts::UserId;
use platform::time::Timestamp;
use platform::{AppContext, Result};
use serde::Serialize;
use utoipa::ToSchema;

use crate::llm::Completion;
use crate::model::Usage;
use crate::store;

/// The UTC day of `t`, `YYYY-MM-DD`.
pub fn day(t: Timestamp) -> String {
    t.to_rfc3339().chars().take(10).collect()
}

/// Records one provider call of `user`.
pub async fn record(
    ctx: &AppContext,
    user: UserId,
    provider: &str,
    completion: &Completion,
    cost_micros: i64,
) -> Result<()> {
    let usage = Usage {
        day: day(ctx.clock.now()),
        provider: provider.to_owned(),
        model: completion.model.clone(),
        requests: 1,
        prompt_tokens: completion.prompt_tokens as i64,
        completion_tokens: completion.completion_tokens as i64,
        cost_micros,
    };
    let mut tx = ctx.db.begin().await?;
    store::record_usage(&mut tx, user, &usage).await?;
    tx.commit().await?;
    Ok(())
}

/// Tokens `user` has spent today.
pub async fn tokens_today(ctx: &AppContext, user: UserId) -> Result<i64> {
    store::tokens_on(ctx.db.reader(), user, &day(ctx.clock.now())).await
}

/// The caller's budget and usage.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyUsage {
    pub day: String,
    pub tokens_today: i64,
    pub daily_token_budget: i64,
    /// Usage of the last 30 days, newest first.
    pub usage: Vec<Usage>,
}

pub async fn my_usage(ctx: &AppContext, budget: i64, user: UserId) -> Result<MyUsage> {
    let now = ctx.clock.now();
    Ok(MyUsage {
        day: day(now),
        tokens_today: tokens_today(ctx, user).await?,
        daily_token_budget: budget,
        usage: usage_rows(
            ctx,
            Some(user),
            &day(now.minus(std::time::Duration::from_secs(30 * 86_400))),
        )
        .await?,
    })
}

pub(super) async fn usage_rows(
    ctx: &AppContext,
    user: Option<UserId>,
    since: &str,
) -> Result<Vec<Usage>> {
    Ok(store::usage_of(ctx.db.reader(), user, since)
        .await?
        .into_iter()
        .map(|(_, u)| u)
        .collect())
}

/// One user's usage row, for operators.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserUsage {
    pub user_id: UserId,
    #[serde(flatten)]
    pub usage: Usage,
}

/// Everyone's usage since `since` (a `YYYY-MM-DD` day).
pub async fn all_usage(ctx: &AppContext, since: &str) -> Result<Vec<UserUsage>> {
    Ok(store::usage_of(ctx.db.scan(), None, since)
        .await?
        .into_iter()
        .map(|(user_id, usage)| UserUsage { user_id, usage })
        .collect())
}
