//! Account persistence: all of the accounts' SQL, and nothing else.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::model::{ApiKey, ApiKeyId, ProfileChange, Role, User, UserId};
use crate::db::Tx;
use crate::time::Timestamp;
use crate::{Error, FieldError};

const USER_COLUMNS: &str =
    "id, username, email, display_name, bio, avatar_url, locale, role, created_at, updated_at";

fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: UserId::from_raw(row.try_get("id")?),
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        bio: row.try_get("bio")?,
        avatar_url: row.try_get("avatar_url")?,
        locale: row.try_get("locale")?,
        role: Role::parse(&role).unwrap_or(Role::User),
        created_at: Timestamp::from_micros(row.try_get("created_at")?),
        updated_at: Timestamp::from_micros(row.try_get("updated_at")?),
    })
}

/// A new account row, already validated and hashed.
pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub now: Timestamp,
}

/// Inserts an account; a taken username or e-mail is a 409 naming the field.
#[tracing::instrument(skip_all)]
pub async fn insert_user(tx: &mut Tx, user: &NewUser<'_>) -> Result<User, Error> {
    let sql = format!(
        "INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {USER_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.id.get())
        .bind(user.username)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.now.micros())
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let field = if db.message().contains("email")
                    || db.constraint().is_some_and(|c| c.contains("email"))
                {
                    "email"
                } else {
                    "username"
                };
                Error::conflict_on(FieldError::new(field, "is already taken"))
            }
            _ => e.into(),
        })?;
    Ok(user_from_row(&row)?)
}

/// An account that is not deleted.
pub async fn find_user<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: UserId,
) -> Result<Option<User>, Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

/// Accounts by id, skipping deleted ones.
pub async fn find_users<'e, E: Executor<'e, Database = Any>>(
    db: E,
    ids: &[UserId],
) -> Result<Vec<User>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE deleted_at IS NULL AND id IN ({})",
        crate::db::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.get());
    }
    let rows = query.fetch_all(db).await?;
    Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
}

/// What a login needs: id, role and hash of the live account named by username or e-mail.
pub async fn find_credentials<'e, E: Executor<'e, Database = Any>>(
    db: E,
    login: &str,
) -> Result<Option<(UserId, Role, String)>, Error> {
    let row = sqlx::query("SELECT id, role, password_hash FROM users WHERE (username = $1 OR email = $1) AND deleted_at IS NULL")
        .bind(login)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok((
            UserId::from_raw(r.try_get("id")?),
            Role::parse(&role).unwrap_or(Role::User),
            r.try_get("password_hash")?,
        ))
    })
    .transpose()
}

#[tracing::instrument(skip_all)]
pub async fn update_profile(
    tx: &mut Tx,
    id: UserId,
    change: &ProfileChange,
    now: Timestamp,
) -> Result<Option<User>, Error> {
    // Each column is replaced only when its flag is set, so one statement serves every change.
    let sql = format!(
        "UPDATE users SET \
            display_name = CASE WHEN $2 = 1 THEN $3 ELSE display_name END, \
            bio = CASE WHEN $4 = 1 THEN $5 ELSE bio END, \
            avatar_url = CASE WHEN $6 = 1 THEN $7 ELSE avatar_url END, \
            locale = COALESCE($8, locale), \
            updated_at = $9 \
         WHERE id = $1 AND deleted_at IS NULL RETURNING {USER_COLUMNS}"
    );
    let flag = |o: &Option<Option<String>>| i64::from(o.is_some());
    let value = |o: &Option<Option<String>>| o.clone().flatten();
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .bind(flag(&change.display_name))
        .bind(value(&change.display_name))
        .bind(flag(&change.bio))
        .bind(value(&change.bio))
        .bind(flag(&change.avatar_url))
        .bind(value(&change.avatar_url))
        .bind(change.locale.as_ref().map(|l| l.as_str().to_owned()))
        .bind(now.micros())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

pub async fn set_role(
    tx: &mut Tx,
    id: UserId,
    role: Role,
    now: Timestamp,
) -> Result<Option<User>, Error> {
    let sql = format!(
        "UPDATE users SET role = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL RETURNING {USER_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .bind(role.as_str())
        .bind(now.micros())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

/// Marks an account deleted; it disappears at once and is purged later.
pub async fn soft_delete(tx: &mut Tx, id: UserId, now: Timestamp) -> Result<bool, Error> {
    let done = sqlx::query(
        "UPDATE users SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accounts deleted before `cutoff`, oldest first.
pub async fn deleted_before<'e, E: Executor<'e, Database = Any>>(
    db: E,
    cutoff: Timestamp,
    limit: i64,
) -> Result<Vec<UserId>, Error> {
    let rows = sqlx::query("SELECT id FROM users WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2")
        .bind(cutoff.micros())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok(UserId::from_raw(r.try_get(0)?)))
        .collect()
}

/// Removes an account row for good; dependent platform rows go with it (ON DELETE CASCADE).
pub async fn purge(tx: &mut Tx, id: UserId) -> Result<(), Error> {
    sqlx::query("DELETE FROM users WHERE id = $1 AND deleted_at IS NOT NULL")
        .bind(id.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// Refresh tokens.

pub struct RefreshRow {
    pub id: i64,
    pub family_id: i64,
    pub user_id: UserId,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub async fn insert_refresh(
    tx: &mut Tx,
    id: i64,
    family_id: i64,
    user: UserId,
    hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), Error> {
    sqlx::query("INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(family_id)
        .bind(user.get())
        .bind(hash)
        .bind(now.micros())
        .bind(expires_at.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn find_refresh(tx: &mut Tx, hash: &str) -> Result<Option<RefreshRow>, Error> {
    let row = sqlx::query("SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1")
        .bind(hash)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        Ok(RefreshRow {
            id: r.try_get("id")?,
            family_id: r.try_get("family_id")?,
            user_id: UserId::from_raw(r.try_get("user_id")?),
            expires_at: Timestamp::from_micros(r.try_get("expires_at")?),
            used_at: r
                .try_get::<Option<i64>, _>("used_at")?
                .map(Timestamp::from_micros),
            revoked_at: r
                .try_get::<Option<i64>, _>("revoked_at")?
                .map(Timestamp::from_micros),
        })
    })
    .transpose()
}

/// Marks a refresh token used; false when someone used it first.
pub async fn mark_refresh_used(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool, Error> {
    let done = sqlx::query("UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL")
        .bind(id)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn revoke_family(tx: &mut Tx, family_id: i64, now: Timestamp) -> Result<(), Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn revoke_all_refresh(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<(), Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// API keys.

fn api_key_from_row(r: &AnyRow) -> Result<ApiKey, sqlx::Error> {
    let scopes: String = r.try_get("scopes")?;
    Ok(ApiKey {
        id: ApiKeyId::from_raw(r.try_get("id")?),
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
        last_used_at: r
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(Timestamp::from_micros),
        revoked_at: r
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(Timestamp::from_micros),
    })
}

pub struct NewApiKey<'a> {
    pub id: ApiKeyId,
    pub user: UserId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a str,
    pub scopes: &'a [String],
    pub now: Timestamp,
}

pub async fn insert_api_key(tx: &mut Tx, key: &NewApiKey<'_>) -> Result<ApiKey, Error> {
    let row = sqlx::query(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id, name, prefix, scopes, created_at, last_used_at, revoked_at",
    )
    .bind(key.id.get())
    .bind(key.user.get())
    .bind(key.name)
    .bind(key.prefix)
    .bind(key.hash)
    .bind(key.scopes.join(" "))
    .bind(key.now.micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok(api_key_from_row(&row)?)
}

pub async fn list_api_keys<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<Vec<ApiKey>, Error> {
    let rows = sqlx::query("SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys WHERE user_id = $1 ORDER BY id DESC")
        .bind(user.get())
        .fetch_all(db)
        .await?;
    Ok(rows
        .iter()
        .map(api_key_from_row)
        .collect::<Result<_, _>>()?)
}

pub async fn revoke_api_key(
    tx: &mut Tx,
    user: UserId,
    id: ApiKeyId,
    now: Timestamp,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id.get())
    .bind(user.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner, role and scopes of a live API key.
pub async fn find_api_key<'e, E: Executor<'e, Database = Any>>(
    db: E,
    hash: &str,
) -> Result<Option<(ApiKeyId, UserId, Role, Vec<String>)>, Error> {
    let row = sqlx::query(
        "SELECT k.id, k.user_id, u.role, k.scopes FROM api_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.deleted_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        let scopes: String = r.try_get("scopes")?;
        Ok((
            ApiKeyId::from_raw(r.try_get("id")?),
            UserId::from_raw(r.try_get("user_id")?),
            Role::parse(&role).unwrap_or(Role::User),
            scopes.split_whitespace().map(str::to_owned).collect(),
        ))
    })
    .transpose()
}

pub async fn touch_api_key<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: ApiKeyId,
    now: Timestamp,
) -> Result<(), Error> {
    sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
        .bind(id.get())
        .bind(now.micros())
        .execute(db)
        .await?;
    Ok(())
}

/// Every live account, for rebuilding the search index.
/// Live accounts (not deleted).
pub async fn count_users<'e, E: Executor<'e, Database = Any>>(db: E) -> Result<i64, Error> {
    let counted = crate::db::counts(db, &[("users", "users WHERE deleted_at IS NULL")]).await?;
    Ok(counted.first().map_or(0, |(_, n)| *n))
}

pub async fn all_users<'e, E: Executor<'e, Database = Any>>(db: E) -> Result<Vec<User>, Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE deleted_at IS NULL ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(db).await?;
    Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
}
