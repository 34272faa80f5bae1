//! Account use cases: each is one transaction, and its events leave through the outbox in it.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::json;

use super::auth::{API_KEY_PREFIX, CurrentUser};
use super::model::{
    ApiKey, ApiKeyId, Email, NewPassword, ProfileChange, PublicUser, Role, TokenPair, User, UserId,
    Username,
};
use super::store::{self, NewApiKey, NewUser};
use super::tokens::{random_token, secret_hash};
use crate::{AppContext, Error, Result};

/// Registration input, validated.
pub struct Registration {
    pub username: Username,
    pub email: Email,
    pub password: NewPassword,
}

/// Accounts deleted this long ago are purged with everything the apps hold about them.
pub const PURGE_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

async fn hash_password(ctx: &AppContext, password: NewPassword) -> Result<String> {
    let hashing = ctx.auth.passwords.clone();
    tokio::task::spawn_blocking(move || hashing.hash(password.expose()))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
}

#[tracing::instrument(skip_all, fields(username = registration.username.as_str()))]
pub async fn register(ctx: &AppContext, registration: Registration) -> Result<User> {
    let hash = hash_password(ctx, registration.password).await?;
    insert_account(ctx, &registration.username, &registration.email, &hash).await
}

/// Demonstration accounts that share one password, which is hashed once: Argon2 takes tens of
/// milliseconds a hash, too slow for the hundreds of accounts `maru demo` makes. Never for real
/// sign-ups. Accounts that already exist are returned as they are.
pub async fn register_demo_accounts(
    ctx: &AppContext,
    people: &[(Username, Email)],
    password: NewPassword,
) -> Result<Vec<User>> {
    let hash = hash_password(ctx, password).await?;
    let mut users = Vec::with_capacity(people.len());
    for (username, email) in people {
        let user = match find_by_username(ctx, username.as_str()).await? {
            Some(user) => user,
            None => insert_account(ctx, username, email, &hash).await?,
        };
        users.push(user);
    }
    Ok(users)
}

async fn insert_account(
    ctx: &AppContext,
    username: &Username,
    email: &Email,
    hash: &str,
) -> Result<User> {
    let mut tx = ctx.db.begin().await?;
    let user = store::insert_user(
        &mut tx,
        &NewUser {
            id: UserId::from_raw(ctx.next_id()),
            username: username.as_str(),
            email: email.as_str(),
            password_hash: hash,
            now: ctx.clock.now(),
        },
    )
    .await?;
    ctx.bus
        .publish(
            &mut tx,
            "user.registered",
            &json!({
                "user_id": user.id,
                "username": user.username,
                "email": user.email,
                "created_at": user.created_at,
            }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(user)
}

/// Signs in with a username or e-mail. Every failure reads the same, so the answer never tells
/// whether the account exists.
#[tracing::instrument(skip_all)]
pub async fn login(
    ctx: &AppContext,
    login: &str,
    password: String,
    ip: Option<IpAddr>,
) -> Result<TokenPair> {
    let login = login.trim().to_lowercase();
    if let Some(wait) = ctx.auth.throttle.blocked_for(&login, ip) {
        return Err(Error::too_many_requests(wait));
    }
    let credentials = store::find_credentials(ctx.db.reader(), &login).await?;
    let hashing = ctx.auth.passwords.clone();
    let stored = credentials.as_ref().map(|(_, _, hash)| hash.clone());
    let valid = tokio::task::spawn_blocking(move || hashing.verify(&password, stored.as_deref()))
        .await
        .map_err(Error::internal)?;
    match credentials {
        Some((id, role, _)) if valid => {
            ctx.auth.throttle.record_success(&login);
            let mut tx = ctx.db.begin().await?;
            let pair = issue_pair(ctx, &mut tx, id, role, ctx.next_id()).await?;
            tx.commit().await?;
            Ok(pair)
        }
        _ => {
            ctx.auth.throttle.record_failure(&login, ip);
            Err(Error::unauthorized("invalid login or password"))
        }
    }
}

async fn issue_pair(
    ctx: &AppContext,
    tx: &mut crate::db::Tx,
    user: UserId,
    role: Role,
    family_id: i64,
) -> Result<TokenPair> {
    let now = ctx.clock.now();
    let refresh = random_token(32);
    let expires = now.plus(Duration::from_secs(
        ctx.config.auth.refresh_token_ttl_days * 24 * 3600,
    ));
    store::insert_refresh(
        tx,
        ctx.next_id(),
        family_id,
        user,
        &secret_hash(&refresh),
        now,
        expires,
    )
    .await?;
    let access = ctx
        .auth
        .signer
        .issue(user, role, now)
        .map_err(Error::internal)?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: ctx.auth.signer.ttl_secs(),
    })
}

/// Trades a refresh token for a new pair. A token that was already traded is evidence of theft:
/// its whole family is revoked, the thief's tokens and the owner's alike.
#[tracing::instrument(skip_all)]
pub async fn refresh(ctx: &AppContext, token: &str) -> Result<TokenPair> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let rejected = || Error::unauthorized("the refresh token is invalid, expired or revoked");
    let Some(row) = store::find_refresh(&mut tx, &secret_hash(token)).await? else {
        return Err(rejected());
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(rejected());
    }
    if row.used_at.is_some() || !store::mark_refresh_used(&mut tx, row.id, now).await? {
        store::revoke_family(&mut tx, row.family_id, now).await?;
        tx.commit().await?;
        tracing::warn!(user_id = %row.user_id, family = row.family_id, "refresh token reused; family revoked");
        return Err(rejected());
    }
    let Some(user) = store::find_user(&mut *tx, row.user_id).await? else {
        return Err(rejected());
    };
    let pair = issue_pair(ctx, &mut tx, user.id, user.role, row.family_id).await?;
    tx.commit().await?;
    Ok(pair)
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored: logging out twice
/// is not an error.
pub async fn logout(ctx: &AppContext, token: &str) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if let Some(row) = store::find_refresh(&mut tx, &secret_hash(token)).await? {
        store::revoke_family(&mut tx, row.family_id, ctx.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A live account, from the accounts cache or the database. Every write to an account
/// forgets its cache entry after committing, so a read never returns an older version.
pub async fn find_user(ctx: &AppContext, id: UserId) -> Result<Option<User>> {
    ctx.auth
        .users
        .get_or_load(id, store::find_user(ctx.db.reader(), id))
        .await
}

/// The live account with this username (apps resolve mentions and names with it).
pub async fn find_by_username(ctx: &AppContext, username: &str) -> Result<Option<User>> {
    let username = username.to_lowercase();
    let bears = |user: &Option<User>| user.as_ref().is_some_and(|u| u.username == username);
    if let Some(id) = ctx.auth.usernames.get(&username) {
        let user = find_user(ctx, id).await?;
        if bears(&user) {
            return Ok(user);
        }
    }
    let Some((id, ..)) = store::find_credentials(ctx.db.reader(), &username).await? else {
        return Ok(None);
    };
    let user = find_user(ctx, id).await?;
    // The login matches e-mail addresses too; only a username is remembered.
    if bears(&user) {
        ctx.auth.usernames.insert(username, id);
    }
    Ok(user)
}

fn forget_cached(ctx: &AppContext, id: UserId) {
    ctx.auth.users.invalidate(&id);
}

/// The public profiles of `ids` that are live accounts, in that order, each from the accounts
/// cache where it is.
pub async fn public_users(ctx: &AppContext, ids: &[UserId]) -> Result<Vec<PublicUser>> {
    let found = futures::future::try_join_all(ids.iter().map(|&id| find_user(ctx, id))).await?;
    Ok(found.into_iter().flatten().map(PublicUser::from).collect())
}

/// How many live accounts there are.
pub async fn count_users(ctx: &AppContext) -> Result<i64> {
    store::count_users(ctx.db.scan()).await
}

pub async fn get_user(ctx: &AppContext, id: UserId) -> Result<PublicUser> {
    find_user(ctx, id)
        .await?
        .map(PublicUser::from)
        .ok_or_else(|| Error::not_found("no such user"))
}

pub async fn me(ctx: &AppContext, user: &CurrentUser) -> Result<User> {
    find_user(ctx, user.id)
        .await?
        .ok_or_else(|| Error::unauthorized("this account no longer exists"))
}

pub async fn update_me(
    ctx: &AppContext,
    user: &CurrentUser,
    change: &ProfileChange,
) -> Result<User> {
    update_profile(ctx, user.id, change).await
}

pub async fn update_profile(
    ctx: &AppContext,
    user: UserId,
    change: &ProfileChange,
) -> Result<User> {
    let mut tx = ctx.db.begin().await?;
    let updated = store::update_profile(&mut tx, user, change, ctx.clock.now())
        .await?
        .ok_or_else(|| Error::unauthorized("this account no longer exists"))?;
    ctx.bus
        .publish(&mut tx, "user.updated", &json!({ "user_id": updated.id }))
        .await?;
    tx.commit().await?;
    forget_cached(ctx, user);
    ctx.bus.wake();
    Ok(updated)
}

/// Deletes the caller's account now (it vanishes everywhere at once, every session ends) and
/// purges it after [`PURGE_AFTER`].
pub async fn delete_me(ctx: &AppContext, user: &CurrentUser) -> Result<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    if !store::soft_delete(&mut tx, user.id, now).await? {
        return Err(Error::not_found("no such account"));
    }
    store::revoke_all_refresh(&mut tx, user.id, now).await?;
    ctx.bus
        .publish(&mut tx, "user.deleted", &json!({ "user_id": user.id }))
        .await?;
    tx.commit().await?;
    forget_cached(ctx, user.id);
    ctx.bus.wake();
    ctx.auth.invalidate_api_keys();
    Ok(())
}

/// Purges accounts deleted more than [`PURGE_AFTER`] ago: every app forgets them, then the row
/// and what hangs on it go. Returns how many were purged.
pub async fn purge_deleted(ctx: &AppContext) -> Result<usize> {
    let cutoff = ctx.clock.now().minus(PURGE_AFTER);
    let ids = store::deleted_before(ctx.db.reader(), cutoff, 500).await?;
    for id in &ids {
        for app in ctx.apps.iter() {
            app.forget(ctx, *id).await?;
        }
        let mut tx = ctx.db.begin().await?;
        store::purge(&mut tx, *id).await?;
        ctx.bus
            .publish(&mut tx, "user.purged", &json!({ "user_id": id }))
            .await?;
        tx.commit().await?;
        forget_cached(ctx, *id);
    }
    ctx.bus.wake();
    Ok(ids.len())
}

/// The caller's data from every app, as one JSON document.
pub async fn export(ctx: &AppContext, user: &CurrentUser) -> Result<serde_json::Value> {
    let account = me(ctx, user).await?;
    let mut apps = serde_json::Map::new();
    for app in ctx.apps.iter() {
        let part = app.export(ctx, user.id).await?;
        if !part.is_null() {
            apps.insert(app.name().to_owned(), part);
        }
    }
    Ok(
        json!({ "format": "maru-export/1", "exported_at": ctx.clock.now(), "account": account, "apps": apps }),
    )
}

pub async fn set_role(
    ctx: &AppContext,
    admin: &CurrentUser,
    target: UserId,
    role: Role,
) -> Result<User> {
    admin.require_role(Role::Admin)?;
    change_role(ctx, target, role, Some(admin.id)).await
}

/// Gives `target` its new role; `by` is the admin who did it (none from the command line).
async fn change_role(
    ctx: &AppContext,
    target: UserId,
    role: Role,
    by: Option<UserId>,
) -> Result<User> {
    let mut tx = ctx.db.begin().await?;
    let user = store::set_role(&mut tx, target, role, ctx.clock.now())
        .await?
        .ok_or_else(|| Error::not_found("no such user"))?;
    ctx.bus
        .publish(
            &mut tx,
            "user.role_changed",
            &json!({ "user_id": target, "role": role, "by": by }),
        )
        .await?;
    tx.commit().await?;
    forget_cached(ctx, target);
    ctx.bus.wake();
    Ok(user)
}

/// A new API key; the secret is in the answer and nowhere else.
pub async fn create_api_key(
    ctx: &AppContext,
    user: &CurrentUser,
    name: &str,
    scopes: &[String],
) -> Result<(ApiKey, String)> {
    user.require_scope("keys:write")?;
    let secret = format!("{API_KEY_PREFIX}{}", random_token(30));
    let mut tx = ctx.db.begin().await?;
    let key = store::insert_api_key(
        &mut tx,
        &NewApiKey {
            id: ApiKeyId::from_raw(ctx.next_id()),
            user: user.id,
            name,
            prefix: &secret[..API_KEY_PREFIX.len() + 6],
            hash: &secret_hash(&secret),
            scopes,
            now: ctx.clock.now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((key, secret))
}

pub async fn list_api_keys(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<ApiKey>> {
    store::list_api_keys(ctx.db.reader(), user.id).await
}

pub async fn revoke_api_key(ctx: &AppContext, user: &CurrentUser, id: ApiKeyId) -> Result<()> {
    user.require_scope("keys:write")?;
    let mut tx = ctx.db.begin().await?;
    let revoked = store::revoke_api_key(&mut tx, user.id, id, ctx.clock.now()).await?;
    tx.commit().await?;
    ctx.auth.invalidate_api_keys();
    if revoked {
        Ok(())
    } else {
        Err(Error::not_found("no such API key"))
    }
}

/// Grants `role` to the account named `username`, from the command line (no caller to check:
/// whoever runs `maru` on the server already holds its data).
pub async fn grant_role_by_username(ctx: &AppContext, username: &str, role: Role) -> Result<User> {
    let (id, ..) = store::find_credentials(ctx.db.reader(), &username.to_lowercase())
        .await?
        .ok_or_else(|| Error::not_found("no such user"))?;
    change_role(ctx, id, role, None).await
}
