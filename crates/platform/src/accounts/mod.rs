//! Accounts and authentication, shared by every app: registration, sign-in with rotating
//! refresh tokens, profiles, roles, API keys, export and deletion.

mod auth;
mod http;
mod model;
mod password;
mod search;
pub mod service;
mod store;
mod throttle;
mod tokens;

pub use auth::{
    Auth, Authentication, CurrentUser, MaybeUser, SESSION_COOKIE, Scopes, authenticate, cookie,
};
pub use http::router;
pub use model::{
    ApiKey, ApiKeyId, Email, Locale, NewPassword, ProfileChange, PublicUser, Role, TokenPair, User,
    UserId, Username,
};
pub use search::{IndexUsers, UserSearch};
pub use store::find_users;
pub use tokens::{Claims, random_hex};
