//! Accounts as search documents (`type=users`): indexed from account events, never showing
//! deleted accounts.

use std::collections::HashMap;

use async_trait::async_trait;

use super::auth::CurrentUser;
use super::model::{PublicUser, User, UserId};
use super::store;
use crate::bus::{Event, Subscriber};
use crate::db::Tx;
use crate::search::{Document, SearchType};
use crate::{AppContext, Result};

pub struct UserSearch;

fn document(user: &User) -> Document {
    Document {
        doc_type: "users",
        id: user.id.get(),
        title: format!(
            "{} {}",
            user.username,
            user.display_name.as_deref().unwrap_or_default()
        ),
        body: user.bio.clone().unwrap_or_default(),
        tags: Vec::new(),
        facets: Vec::new(),
        created_at: user.created_at,
    }
}

#[async_trait]
impl SearchType for UserSearch {
    fn name(&self) -> &'static str {
        "users"
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        _viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>> {
        let ids: Vec<UserId> = ids.iter().copied().map(UserId::from_raw).collect();
        let users = store::find_users(ctx.db.reader(), &ids).await?;
        Ok(users
            .into_iter()
            .map(|u| {
                (
                    u.id.get(),
                    serde_json::to_value(PublicUser::from(u)).unwrap_or_default(),
                )
            })
            .collect())
    }

    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(store::all_users(ctx.db.scan())
            .await?
            .iter()
            .map(document)
            .collect())
    }
}

/// Keeps the `users` documents in step with account events.
pub struct IndexUsers;

#[async_trait]
impl Subscriber for IndexUsers {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(serde::Deserialize)]
        struct Subject {
            user_id: UserId,
        }
        let subject: Subject = event.parse()?;
        match store::find_user(&mut **tx, subject.user_id).await? {
            Some(user) => ctx.search.index(&document(&user))?,
            None => ctx.search.remove("users", subject.user_id.get())?,
        }
        Ok(())
    }
}
