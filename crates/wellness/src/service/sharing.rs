//! Sharing one's data with a named user, revocably, and the log of their reads.

use platform::accounts::UserId;
use platform::accounts::service::find_by_username;
use platform::{AppContext, Error, Result};
use serde_json::{Value, json};

use crate::store::{self, Share};

/// Grants or revokes `grantee`'s (a username) read access to `owner`'s data.
pub async fn set_share(
    ctx: &AppContext,
    owner: UserId,
    grantee: &str,
    active: bool,
) -> Result<Share> {
    let grantee = find_by_username(ctx, grantee)
        .await?
        .ok_or_else(|| Error::invalid_field("username", "no such user"))?;
    if grantee.id == owner {
        return Err(Error::invalid_field(
            "username",
            "your data is already yours",
        ));
    }
    let mut tx = ctx.db.begin().await?;
    store::set_share(&mut tx, owner, grantee.id, active, ctx.clock.now()).await?;
    tx.commit().await?;
    store::shares(ctx.db.reader(), owner)
        .await?
        .into_iter()
        .find(|s| s.owner_id == owner && s.grantee_id == grantee.id)
        .ok_or_else(|| Error::not_found("share"))
}

pub async fn shares(ctx: &AppContext, user: UserId) -> Result<Vec<Share>> {
    store::shares(ctx.db.reader(), user).await
}

/// Who read `owner`'s data and what.
pub async fn access_log(ctx: &AppContext, owner: UserId) -> Result<Value> {
    let entries: Vec<Value> = store::access_log(ctx.db.reader(), owner, 200)
        .await?
        .into_iter()
        .map(|(reader, what, at)| json!({ "reader_id": reader, "what": what, "at": at }))
        .collect();
    Ok(json!({ "entries": entries }))
}
