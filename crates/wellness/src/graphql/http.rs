//! `/graphql` (POST queries and mutations; GET serves GraphiQL) and `/graphql/ws`
//! (graphql-transport-ws, authenticated by `connection_init` with `{"token": "..."}` or
//! `{"Authorization": "Bearer ..."}`).

use async_graphql::Data;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Extension, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use platform::accounts::{Authentication, CurrentUser};
use platform::{ApiRouter, AppContext};

use super::{Caller, HealthSchema, schema};
use crate::service::Shared;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(subscriptions))
        .layer(Extension(schema()))
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("maru wellness GraphQL")
            .finish(),
    )
}

async fn graphql(
    State(app): State<AppContext>,
    Extension(health): Extension<Shared>,
    Extension(schema): Extension<HealthSchema>,
    user: CurrentUser,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let request = request.into_inner().data(Caller { app, health, user });
    schema.execute(request).await.into()
}

async fn subscriptions(
    State(app): State<AppContext>,
    Extension(health): Extension<Shared>,
    Extension(schema): Extension<HealthSchema>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload["token"]
                        .as_str()
                        .or_else(|| {
                            payload["Authorization"]
                                .as_str()
                                .and_then(|a| a.strip_prefix("Bearer "))
                        })
                        .ok_or_else(|| async_graphql::Error::new("connection_init needs a token"))?
                        .to_owned();
                    let Authentication::User(user) =
                        app.auth.authenticate(&app.db, &app.clock, &token).await
                    else {
                        return Err(async_graphql::Error::new("the token is invalid or expired"));
                    };
                    let mut data = Data::default();
                    data.insert(Caller { app, health, user });
                    Ok(data)
                })
                .serve()
        })
        .into_response()
}
