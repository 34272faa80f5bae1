//! wellness' persistence: all of its SQL.
//!
//! Raw records are append-only in id order; rollups are upserted beside them in the same
//! transaction, so a series query never reads raw rows unless it asks for them.

mod alerts;
mod goals;
mod members;
mod records;
mod rollups;
mod sharing;

pub use alerts::{AlertRow, acknowledge, alerts, delete_rule, insert_alert, insert_rule, rules};
pub use goals::{GoalRow, delete_goal, dismissed, goal, goals, insert_goal, set_feedback};
pub use members::{Member, advance_seq, ensure_member, forget, member, set_zone};
pub use records::{
    NewRecord, RecordRow, changes_since, edge_value, insert_new, latest_per_kind, record,
    record_by_client, record_owner, records, replace_record, series_values,
};
pub use rollups::{add_rollups, member_totals, rebuild_local, recompute, rollups};
pub use sharing::{Share, access_log, log_access, may_read, set_share, shares};

use platform::db::Tx;

/// `$first, $first+1, ...` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, ..., $w), ($w+1, ...)` for `rows` rows of `width` values; on SQLite `(?, ...)`
/// instead, bound in order: SQLite looks each `$N` up by name in a list, which made binding a
/// 10,000-row batch quadratic (95 % of ingestion time), while `?` binds by position.
fn value_rows(tx: &mut Tx, rows: usize, width: usize) -> String {
    if tx.backend_name() == "SQLite" {
        let row = format!("({})", vec!["?"; width].join(", "));
        return vec![row; rows].join(", ");
    }
    (0..rows)
        .map(|r| format!("({})", placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}
