//! Likes of questions and answers: one like per person, counted on what is liked.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;

use super::questions::bump_tag_popularity;
use crate::model::{AnswerId, QuestionId};

/// Something a person can like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liked {
    Question(QuestionId),
    Answer(AnswerId),
}

impl Liked {
    /// The likes table, its key column and the key.
    fn table(self) -> (&'static str, &'static str, i64) {
        match self {
            Self::Question(id) => ("ask_question_likes", "question_id", id.get()),
            Self::Answer(id) => ("ask_answer_likes", "answer_id", id.get()),
        }
    }

    /// Moves the counters a like changes: a question's likes and popularity (in the tag
    /// index too), or an answer's likes.
    async fn count(self, tx: &mut Tx, by: i64) -> Result<()> {
        let (sql, key) = match self {
            Self::Question(id) => (
                "UPDATE ask_questions SET like_count = like_count + $1, popularity = popularity + $1 WHERE id = $2",
                id.get(),
            ),
            Self::Answer(id) => (
                "UPDATE ask_answers SET like_count = like_count + $1 WHERE id = $2",
                id.get(),
            ),
        };
        sqlx::query(sql)
            .bind(by)
            .bind(key)
            .execute(&mut **tx)
            .await?;
        if let Self::Question(id) = self {
            bump_tag_popularity(tx, id, by).await?;
        }
        Ok(())
    }
}

/// Likes (`like`) or unlikes; true when that changed anything. Liking twice is one like.
pub async fn set_like(
    tx: &mut Tx,
    target: Liked,
    user: UserId,
    like: bool,
    now: Timestamp,
) -> Result<bool> {
    let (table, column, key) = target.table();
    let done = if like {
        let sql = format!(
            "INSERT INTO {table} ({column}, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(user.get())
            .bind(now.micros())
            .execute(&mut **tx)
            .await?
    } else {
        let sql = format!("DELETE FROM {table} WHERE {column} = $1 AND user_id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(user.get())
            .execute(&mut **tx)
            .await?
    };
    let changed = done.rows_affected() == 1;
    if changed {
        target.count(tx, if like { 1 } else { -1 }).await?;
    }
    Ok(changed)
}
