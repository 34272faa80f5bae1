//! Conversation messages.

use platform::Result;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use crate::model::{Message, MessageId, SessionId, Speaker};

pub async fn insert_message(tx: &mut Tx, session: SessionId, m: &Message) -> Result<()> {
    sqlx::query(
        "INSERT INTO assistant_messages (id, session_id, role, text, intent, answered_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(m.id.get())
    .bind(session.get())
    .bind(match m.from {
        Speaker::User => "user",
        Speaker::Assistant => "assistant",
    })
    .bind(&m.text)
    .bind(m.intent.as_deref())
    .bind(m.answered_by.as_deref())
    .bind(m.created_at.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Messages before `before` (newest first), at most `limit`.
pub async fn messages<'e>(
    db: impl Executor<'e, Database = Any>,
    session: SessionId,
    before: i64,
    limit: i64,
) -> Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT id, role, text, intent, answered_by, created_at FROM assistant_messages \
         WHERE session_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(session.get())
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Message {
                id: MessageId::from_raw(r.try_get("id")?),
                from: if role == "user" {
                    Speaker::User
                } else {
                    Speaker::Assistant
                },
                text: r.try_get("text")?,
                intent: r.try_get("intent")?,
                answered_by: r.try_get("answered_by")?,
                created_at: Timestamp::from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}
