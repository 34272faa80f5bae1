//! All of the assistant's SQL.

mod events;
mod messages;
mod operations;
mod sessions;
mod usage;

pub use events::{append, events_after, latest_snapshot, save_snapshot};
pub use messages::{insert_message, messages};
pub use operations::{finish_operation, insert_operation, operation, waiting_operations};
pub use sessions::{
    bump_version, delete_session, expired_sessions, forget, insert_session, session, sessions,
    touch,
};
pub use usage::{record_usage, tokens_on, usage_of};

/// What operators count on the admin page (`GET /api/v1/admin/stats`).
pub async fn counts<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
) -> platform::Result<Vec<(&'static str, i64)>> {
    platform::db::counts(
        db,
        &[
            ("sessions", "assistant_sessions"),
            ("messages", "assistant_messages"),
        ],
    )
    .await
}
