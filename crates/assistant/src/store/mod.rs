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
