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
pub use rollups::{add_rollups, member_totals, rebuild_local, recompute, rollups, rollups_of};
pub use sharing::{Share, access_log, log_access, may_read, set_share, shares};

use platform::db::Tx;

/// `items` in chunks of `max` rows, the rest in chunks from a short ladder of sizes: every
/// multi-row statement then has one of a few shapes, which SQLite and PostgreSQL prepare once
/// and reuse. (A statement for each leftover size was prepared anew per batch, and parsing a
/// 2,000-row upsert cost a fifth of an import.)
fn chunks<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = [max, 256, 64, 16, 4, 1]
            .into_iter()
            .find(|s| *s <= max && *s <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
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
        .map(|r| format!("({})", platform::db::placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What operators count on the admin page (`GET /api/v1/admin/stats`).
pub async fn counts<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
) -> platform::Result<Vec<(&'static str, i64)>> {
    platform::db::counts(
        db,
        &[
            ("members", "wellness_members"),
            ("records", "wellness_records"),
            ("goals", "wellness_goals"),
            (
                "open_alerts",
                "wellness_alerts WHERE acknowledged_at IS NULL",
            ),
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunks_cover_everything_in_few_shapes() {
        let items: Vec<u32> = (0..2_345).collect();
        let sizes: Vec<usize> = super::chunks(&items, 1_000).map(<[u32]>::len).collect();
        assert_eq!(sizes, [1_000, 1_000, 256, 64, 16, 4, 4, 1]);
        let joined: Vec<u32> = super::chunks(&items, 1_000).flatten().copied().collect();
        assert_eq!(joined, items);
        assert_eq!(super::chunks(&items[..3], 1_000).count(), 3);
    }
}
