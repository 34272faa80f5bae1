//! Model usage per user, day, provider and model.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use sqlx::{Any, Executor, Row};

use crate::model::Usage;

pub async fn record_usage(tx: &mut Tx, user: UserId, u: &Usage) -> Result<()> {
    sqlx::query(
        "INSERT INTO assistant_usage \
         (user_id, day, provider, model, requests, prompt_tokens, completion_tokens, cost_micros) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (user_id, day, provider, model) DO UPDATE SET \
         requests = assistant_usage.requests + excluded.requests, \
         prompt_tokens = assistant_usage.prompt_tokens + excluded.prompt_tokens, \
         completion_tokens = assistant_usage.completion_tokens + excluded.completion_tokens, \
         cost_micros = assistant_usage.cost_micros + excluded.cost_micros",
    )
    .bind(user.get())
    .bind(&u.day)
    .bind(&u.provider)
    .bind(&u.model)
    .bind(u.requests)
    .bind(u.prompt_tokens)
    .bind(u.completion_tokens)
    .bind(u.cost_micros)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Tokens `user` spent on `day` across providers.
pub async fn tokens_on<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    day: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) AS tokens \
         FROM assistant_usage WHERE user_id = $1 AND day = $2",
    )
    .bind(user.get())
    .bind(day)
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>("tokens").unwrap_or(0))
}

/// Usage rows, of one user or (`None`) everyone, from `since_day` on, newest first.
pub async fn usage_of<'e>(
    db: impl Executor<'e, Database = Any>,
    user: Option<UserId>,
    since_day: &str,
) -> Result<Vec<(UserId, Usage)>> {
    let rows = sqlx::query(
        "SELECT user_id, day, provider, model, requests, prompt_tokens, completion_tokens, \
         cost_micros FROM assistant_usage WHERE ($1 = 0 OR user_id = $1) AND day >= $2 \
         ORDER BY day DESC, user_id, provider, model LIMIT 10000",
    )
    .bind(user.map_or(0, UserId::get))
    .bind(since_day)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                UserId::from_raw(r.try_get("user_id")?),
                Usage {
                    day: r.try_get("day")?,
                    provider: r.try_get("provider")?,
                    model: r.try_get("model")?,
                    requests: r.try_get("requests")?,
                    prompt_tokens: r.try_get("prompt_tokens")?,
                    completion_tokens: r.try_get("completion_tokens")?,
                    cost_micros: r.try_get("cost_micros")?,
                },
            ))
        })
        .collect()
}
