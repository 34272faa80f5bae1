//! The seed's GraphQL API at `/graphql` (GraphiQL in a browser), subscriptions at
//! `/graphql/ws` over graphql-transport-ws. Same rules as REST: a caller reads their own data
//! or data shared with them, and writes only their own. Queries deeper than [`MAX_DEPTH`] or
//! costlier than [`MAX_COMPLEXITY`] are refused before they run.

mod http;
mod resolvers;
mod types;

use async_graphql::{Context, ErrorExtensions, Schema};
use platform::AppContext;
use platform::accounts::CurrentUser;
use platform::error::ErrorKind;

pub use http::router;
use resolvers::{Mutation, Query, Subscription};

use crate::service::{self, Shared, Subject};

pub const MAX_DEPTH: usize = 8;
pub const MAX_COMPLEXITY: usize = 400;

pub type HealthSchema = Schema<Query, Mutation, Subscription>;

pub fn schema() -> HealthSchema {
    Schema::build(Query, Mutation, Subscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// Who is asking, with the app they ask: request data of every operation.
pub struct Caller {
    pub app: AppContext,
    pub health: Shared,
    pub user: CurrentUser,
}

/// A service error as a GraphQL error, with the REST status and field in its extensions.
fn error(e: &platform::Error) -> async_graphql::Error {
    let status = e.kind().status().as_u16();
    if e.kind() == ErrorKind::Internal {
        tracing::error!(error = ?e, "graphql resolver failed");
        return async_graphql::Error::new("internal error")
            .extend_with(|_, ext| ext.set("status", status));
    }
    let fields: Vec<String> = e.field_errors().iter().map(|f| f.field.clone()).collect();
    let message = match e.field_errors().first() {
        Some(f) => format!("{}: {} {}", e.detail(), f.field, f.message),
        None => e.detail().to_owned(),
    };
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("status", status);
        if !fields.is_empty() {
            ext.set("fields", fields.clone());
        }
    })
}

fn result<T>(r: platform::Result<T>) -> async_graphql::Result<T> {
    r.map_err(|e| error(&e))
}

/// The subject named by a `userId` argument, if the caller may read them.
async fn readable(ctx: &Context<'_>, user_id: &str, what: &str) -> async_graphql::Result<Subject> {
    let caller = ctx.data::<Caller>()?;
    result(service::readable(&caller.app, &caller.user, user_id, what).await)
}

async fn recommendations_of(
    ctx: &Context<'_>,
    subject: Subject,
    limit: Option<i32>,
) -> async_graphql::Result<Vec<types::Recommendation>> {
    let caller = ctx.data::<Caller>()?;
    let limit = usize::try_from(limit.unwrap_or(10).clamp(1, 50)).unwrap_or(10);
    Ok(
        result(service::recommendations(&caller.app, &caller.health, subject, limit).await)?
            .into_iter()
            .map(types::Recommendation::from)
            .collect(),
    )
}
