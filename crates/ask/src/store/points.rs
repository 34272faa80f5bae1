//! The points ledger: transfers as pairs of entries, balances kept beside them.

use platform::Result;
use platform::db::Tx;
use platform::time::Timestamp;
use serde::Serialize;
use sqlx::{Any, Executor, Row};
use utoipa::ToSchema;

use crate::points::{Account, Reason, Transfer};

/// One entry of a user's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointEntry {
    pub id: String,
    pub delta: i64,
    pub reason: Reason,
    pub reference: Option<String>,
    pub created_at: Timestamp,
}

/// Makes sure the account has a balance row.
async fn ensure_account(tx: &mut Tx, account: Account) -> Result<()> {
    sqlx::query("INSERT INTO ask_balances (account_id, balance) VALUES ($1, 0) ON CONFLICT (account_id) DO NOTHING")
        .bind(account.id())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves points; false (and nothing written) when the payer lacks them. `ids` gives the
/// transfer id and the two entry ids.
pub async fn transfer(tx: &mut Tx, t: &Transfer, ids: [i64; 3], now: Timestamp) -> Result<bool> {
    ensure_account(tx, t.from).await?;
    ensure_account(tx, t.to).await?;
    let debited = sqlx::query(
        "UPDATE ask_balances SET balance = balance - $1 WHERE account_id = $2 AND (balance >= $1 OR $3 = 1)",
    )
    .bind(t.amount)
    .bind(t.from.id())
    .bind(i64::from(t.from.may_overdraw()))
    .execute(&mut **tx)
    .await?;
    if debited.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE ask_balances SET balance = balance + $1 WHERE account_id = $2")
        .bind(t.amount)
        .bind(t.to.id())
        .execute(&mut **tx)
        .await?;
    for (entry, account, delta) in [(ids[1], t.from, -t.amount), (ids[2], t.to, t.amount)] {
        sqlx::query(
            "INSERT INTO ask_point_transactions (id, transfer_id, account_id, delta, reason, reference, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry)
        .bind(ids[0])
        .bind(account.id())
        .bind(delta)
        .bind(t.reason.as_str())
        .bind(&t.reference)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}

pub async fn balance<'e, E: Executor<'e, Database = Any>>(db: E, account: Account) -> Result<i64> {
    let row = sqlx::query("SELECT balance FROM ask_balances WHERE account_id = $1")
        .bind(account.id())
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get("balance")).transpose()?.unwrap_or(0))
}

/// Whether `account` already received an entry for `reason` about `reference`.
pub async fn has_entry(
    tx: &mut Tx,
    account: Account,
    reason: Reason,
    reference: &str,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM ask_point_transactions WHERE reason = $1 AND reference = $2 AND account_id = $3 LIMIT 1",
    )
    .bind(reason.as_str())
    .bind(reference)
    .bind(account.id())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// How many entries for `reason` the account received since `since`.
pub async fn count_since(
    tx: &mut Tx,
    account: Account,
    reason: Reason,
    since: Timestamp,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM ask_point_transactions WHERE account_id = $1 AND created_at >= $2 AND reason = $3 AND delta > 0",
    )
    .bind(account.id())
    .bind(since.micros())
    .bind(reason.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("n")?)
}

/// A user's balance and their entries, newest first, older than `before` (an entry id) when
/// given. One statement, so the balance and the entries agree, and a points page costs one
/// round trip.
pub async fn statement<'e, E: Executor<'e, Database = Any>>(
    db: E,
    account: Account,
    before: Option<i64>,
    limit: i64,
) -> Result<(i64, Vec<PointEntry>)> {
    let rows = sqlx::query(
        "SELECT b.balance, t.id, t.delta, t.reason, t.reference, t.created_at FROM \
         (SELECT COALESCE((SELECT balance FROM ask_balances WHERE account_id = $1), 0) AS balance) b \
         LEFT JOIN (SELECT id, delta, reason, reference, created_at FROM ask_point_transactions \
         WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3) t ON 1 = 1 \
         ORDER BY t.id DESC",
    )
    .bind(account.id())
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    let balance = match rows.first() {
        Some(row) => row.try_get("balance")?,
        None => 0,
    };
    let mut entries = Vec::with_capacity(rows.len());
    for r in &rows {
        // Without entries the join still yields the balance, with no entry beside it.
        let Some(id) = r.try_get::<Option<i64>, _>("id")? else {
            continue;
        };
        let reason: String = r.try_get("reason")?;
        entries.push(PointEntry {
            id: id.to_string(),
            delta: r.try_get("delta")?,
            reason: Reason::parse(&reason).unwrap_or(Reason::SignupBonus),
            reference: r.try_get("reference")?,
            created_at: Timestamp::from_micros(r.try_get("created_at")?),
        });
    }
    Ok((balance, entries))
}

/// What a check of the whole ledger found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerAudit {
    /// Accounts with a balance row.
    pub accounts: i64,
    /// Sum of every entry: zero in a sound double-entry ledger.
    pub entries_sum: i64,
    /// Every reward the treasury ever paid.
    pub rewards_paid: i64,
    /// Points held in escrow for open bounties.
    pub escrow: i64,
    /// Points users hold.
    pub users_total: i64,
    /// Accounts whose balance differs from the sum of their entries.
    #[schema(value_type = Vec<String>)]
    pub mismatched: Vec<String>,
    /// Accounts other than the treasury below zero.
    #[schema(value_type = Vec<String>)]
    pub negative: Vec<String>,
}

/// Checks every balance against its entries.
pub async fn audit<'e, E: Executor<'e, Database = Any> + Copy>(db: E) -> Result<LedgerAudit> {
    let sums = sqlx::query(
        "SELECT COUNT(*) AS accounts, \
         CAST(COALESCE(SUM(CASE WHEN account_id = -1 THEN -balance ELSE 0 END), 0) AS BIGINT) AS rewards, \
         CAST(COALESCE(SUM(CASE WHEN account_id = -2 THEN balance ELSE 0 END), 0) AS BIGINT) AS escrow, \
         CAST(COALESCE(SUM(CASE WHEN account_id > 0 THEN balance ELSE 0 END), 0) AS BIGINT) AS users \
         FROM ask_balances",
    )
    .fetch_one(db)
    .await?;
    let entries = sqlx::query(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS total FROM ask_point_transactions",
    )
    .fetch_one(db)
    .await?;
    let mismatched = sqlx::query(
        "SELECT b.account_id FROM ask_balances b LEFT JOIN (SELECT account_id, SUM(delta) AS total \
         FROM ask_point_transactions GROUP BY account_id) e ON e.account_id = b.account_id \
         WHERE b.balance <> CAST(COALESCE(e.total, 0) AS BIGINT)",
    )
    .fetch_all(db)
    .await?;
    let negative =
        sqlx::query("SELECT account_id FROM ask_balances WHERE account_id <> -1 AND balance < 0")
            .fetch_all(db)
            .await?;
    let ids = |rows: &[sqlx::any::AnyRow]| -> Result<Vec<String>> {
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("account_id")?.to_string()))
            .collect()
    };
    Ok(LedgerAudit {
        accounts: sums.try_get("accounts")?,
        entries_sum: entries.try_get("total")?,
        rewards_paid: sums.try_get("rewards")?,
        escrow: sums.try_get("escrow")?,
        users_total: sums.try_get("users")?,
        mismatched: ids(&mismatched)?,
        negative: ids(&negative)?,
    })
}
