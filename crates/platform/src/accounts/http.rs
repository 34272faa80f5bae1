//! Account routes: extract, call the service, answer. No SQL, no rules.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::model::{
    ApiKey, ApiKeyId, Email, Locale, NewPassword, ProfileChange, PublicUser, Role, TokenPair, User,
    UserId, Username, optional_text,
};
use super::service::{self, Registration};
use crate::error::ProblemBody;
use crate::extract::{Json, Path, Query};
use crate::http::ClientIp;
use crate::validation::{Validate, field, optional};
use crate::{ApiRouter, AppContext, Result};

pub fn router(ctx: &AppContext) -> ApiRouter {
    let auth_routes = ApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .layer(ctx.limits.class_layer(ctx, "auth"));
    ApiRouter::new()
        .merge(auth_routes)
        .routes(routes!(me, update_me, delete_me))
        .routes(routes!(export))
        .routes(routes!(get_user))
        .routes(routes!(lookup_user))
        .routes(routes!(list_users))
        .routes(routes!(set_role))
        .routes(routes!(create_api_key, list_api_keys))
        .routes(routes!(revoke_api_key))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 3-30 characters of a-z, 0-9 and _.
    username: String,
    email: String,
    /// At least 10 characters, not a common password.
    password: String,
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = User), (status = 409, description = "username or e-mail taken", body = ProblemBody), (status = 422, body = ProblemBody), (status = 429, body = ProblemBody)))]
async fn register(
    State(ctx): State<AppContext>,
    Json(req): Json<RegisterRequest>,
) -> Result<(StatusCode, Json<User>)> {
    let (username, email, password) = (
        field("username", Username::parse(&req.username)),
        field("email", Email::parse(&req.email)),
        field("password", NewPassword::parse(&req.password)),
    )
        .validate()?;
    let user = service::register(
        &ctx,
        Registration {
            username,
            email,
            password,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username or e-mail.
    login: String,
    password: String,
}

/// Sign in; answers an access token (15 min) and a refresh token (30 days).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ProblemBody), (status = 429, body = ProblemBody)))]
async fn login(
    State(ctx): State<AppContext>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Json<TokenPair>> {
    service::login(&ctx, &req.login, req.password, ip)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// Trade a refresh token for a new pair. Each refresh token works once; presenting a used one
/// revokes every token of its session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ProblemBody)))]
async fn refresh(
    State(ctx): State<AppContext>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<TokenPair>> {
    service::refresh(&ctx, &req.refresh_token).await.map(Json)
}

/// Sign out: revokes the session the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", request_body = RefreshRequest,
    responses((status = 204, description = "signed out")))]
async fn logout(
    State(ctx): State<AppContext>,
    Json(req): Json<RefreshRequest>,
) -> Result<StatusCode> {
    service::logout(&ctx, &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ProblemBody)))]
async fn me(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<User>> {
    service::me(&ctx, &user).await.map(Json)
}

/// Present-but-null clears a field; absent leaves it alone.
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    /// Up to 50 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    display_name: Option<Option<String>>,
    /// Up to 500 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    bio: Option<Option<String>>,
    /// An http(s) URL, up to 500 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    avatar_url: Option<Option<String>>,
    /// A language tag such as `ko` or `en`.
    locale: Option<String>,
}

fn url_text(s: Option<&str>) -> Result<Option<String>, String> {
    let text = optional_text(s, 500)?;
    match text {
        Some(t)
            if !(t.starts_with("https://") || t.starts_with("http://") || t.starts_with('/')) =>
        {
            Err("must be an http(s) URL".to_owned())
        }
        other => Ok(other),
    }
}

/// Change the caller's profile.
#[utoipa::path(put, path = "/api/v1/users/me", tag = "accounts", security(("bearer" = [])), request_body = UpdateProfileRequest,
    responses((status = 200, body = User), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_me(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<UpdateProfileRequest>,
) -> Result<Json<User>> {
    let (display_name, bio, avatar_url, locale) = (
        optional(
            "display_name",
            req.display_name.map(|v| optional_text(v.as_deref(), 50)),
        ),
        optional("bio", req.bio.map(|v| optional_text(v.as_deref(), 500))),
        optional("avatar_url", req.avatar_url.map(|v| url_text(v.as_deref()))),
        optional("locale", req.locale.as_deref().map(Locale::parse)),
    )
        .validate()?;
    let change = ProfileChange {
        display_name,
        bio,
        avatar_url,
        locale,
    };
    service::update_me(&ctx, &user, &change).await.map(Json)
}

/// Delete the caller's account: gone from every app at once, purged after 30 days.
#[utoipa::path(delete, path = "/api/v1/users/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = ProblemBody)))]
async fn delete_me(State(ctx): State<AppContext>, user: CurrentUser) -> Result<StatusCode> {
    service::delete_me(&ctx, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything maru holds about the caller, from every app, as one JSON archive.
#[utoipa::path(get, path = "/api/v1/users/me/export", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = serde_json::Value), (status = 401, body = ProblemBody)))]
async fn export(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<serde_json::Value>> {
    service::export(&ctx, &user).await.map(Json)
}

/// A user's public profile.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = PublicUser), (status = 404, body = ProblemBody)))]
async fn get_user(
    State(ctx): State<AppContext>,
    Path(id): Path<UserId>,
) -> Result<Json<PublicUser>> {
    service::get_user(&ctx, id).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersParams {
    /// Comma-separated user ids, at most 100.
    ids: String,
}

/// Most profiles one `GET /api/v1/users` reads.
const MAX_IDS: usize = 100;

/// Public profiles of several users at once, in the order asked; ids of accounts that are
/// gone are left out (how clients name the authors of a page of posts).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(UsersParams),
    responses((status = 200, body = Vec<PublicUser>), (status = 400, body = ProblemBody)))]
async fn list_users(
    State(ctx): State<AppContext>,
    Query(params): Query<UsersParams>,
) -> Result<Json<Vec<PublicUser>>> {
    let ids = params
        .ids
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| id.trim().parse::<i64>().map(UserId::from_raw))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| crate::Error::bad_param("ids", "must be user ids separated by commas"))?;
    if ids.len() > MAX_IDS {
        return Err(crate::Error::bad_param(
            "ids",
            format!("at most {MAX_IDS} ids"),
        ));
    }
    Ok(Json(service::public_users(&ctx, &ids).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The username, with or without a leading `@`; any case.
    username: String,
}

/// A user's public profile by username (how `@name` mentions and profile links resolve).
#[utoipa::path(get, path = "/api/v1/users/lookup", tag = "accounts", params(LookupParams),
    responses((status = 200, body = PublicUser), (status = 404, body = ProblemBody)))]
async fn lookup_user(
    State(ctx): State<AppContext>,
    Query(params): Query<LookupParams>,
) -> Result<Json<PublicUser>> {
    let username = params.username.trim_start_matches('@');
    service::find_by_username(&ctx, username)
        .await?
        .map(|user| Json(PublicUser::from(user)))
        .ok_or_else(|| crate::Error::not_found("no such user"))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetRoleRequest {
    role: Role,
}

/// Grant a role (admins only).
#[utoipa::path(put, path = "/api/v1/admin/users/{id}/role", tag = "admin", security(("bearer" = [])), request_body = SetRoleRequest,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = User), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn set_role(
    State(ctx): State<AppContext>,
    admin: CurrentUser,
    Path(id): Path<UserId>,
    Json(req): Json<SetRoleRequest>,
) -> Result<Json<User>> {
    service::set_role(&ctx, &admin, id, req.role)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    /// What the key is for, up to 100 characters.
    name: String,
    /// Scopes such as `social:read`; at most 32.
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    key: ApiKey,
    /// The key itself. Shown once: store it now.
    secret: String,
}

fn scope_list(scopes: &[String]) -> Result<Vec<String>, &'static str> {
    let valid = |s: &String| {
        (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":_-.".contains(&b))
    };
    if scopes.len() > 32 {
        Err("at most 32 scopes")
    } else if !scopes.iter().all(valid) {
        Err("each scope is 1-64 characters of a-z, 0-9 and : _ - .")
    } else {
        Ok(scopes.to_vec())
    }
}

/// Create an API key for a service account.
#[utoipa::path(post, path = "/api/v1/users/me/api-keys", tag = "accounts", security(("bearer" = [])), request_body = CreateApiKeyRequest,
    responses((status = 201, body = CreatedApiKey), (status = 422, body = ProblemBody)))]
async fn create_api_key(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>)> {
    let name = req.name.trim();
    let (name, scopes) = (
        field(
            "name",
            if (1..=100).contains(&name.chars().count()) {
                Ok(name)
            } else {
                Err("must be 1-100 characters")
            },
        ),
        field("scopes", scope_list(&req.scopes)),
    )
        .validate()?;
    let (key, secret) = service::create_api_key(&ctx, &user, name, &scopes).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiKey { key, secret })))
}

/// The caller's API keys (without their secrets).
#[utoipa::path(get, path = "/api/v1/users/me/api-keys", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKey>)))]
async fn list_api_keys(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<Vec<ApiKey>>> {
    service::list_api_keys(&ctx, &user).await.map(Json)
}

/// Revoke an API key.
#[utoipa::path(delete, path = "/api/v1/users/me/api-keys/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "API key id")),
    responses((status = 204, description = "revoked"), (status = 404, body = ProblemBody)))]
async fn revoke_api_key(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ApiKeyId>,
) -> Result<StatusCode> {
    service::revoke_api_key(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
