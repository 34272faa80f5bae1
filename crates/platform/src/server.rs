//! Building maru from a configuration and a list of apps, and serving it.
//!
//! Building is separate from serving: [`Server::build`] connects, migrates and binds (port 0
//! picks a free port, see [`Server::local_addr`]); [`Server::run_until_stopped`] serves until the
//! shutdown future resolves, then drains requests, hands over committed events and stops the
//! background work.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::sync::watch;
use utoipa::OpenApi;

use crate::accounts::Auth;
use crate::bus::{Bus, Subscriptions};
use crate::cache::Cache;
use crate::core::Core;
use crate::db::{self, Db};
use crate::files::{Files, LocalStore};
use crate::flags::Flags;
use crate::http::{ApiDoc, docs_router, observe, ops_router, time_limit};
use crate::ids::IdGenerator;
use crate::jobs::{self, JobRegistry, Jobs};
use crate::notifications::Notifications;
use crate::ratelimit::{self, RateLimits};
use crate::realtime::Hub;
use crate::search::Search;
use crate::time::Clock;
use crate::{App, AppContext, Apps, Config, Error, Services};

/// Every app with the platform's own part first.
fn with_core(apps: Vec<Arc<dyn App>>) -> Apps {
    std::iter::once(Arc::new(Core) as Arc<dyn App>)
        .chain(apps)
        .collect()
}

/// Connects to storage, applies every app's migrations and assembles the shared services,
/// without serving anything (for `maru migrate`, `maru demo`, `maru reindex`, and tests).
pub async fn context(
    config: Config,
    clock: Clock,
    apps: Vec<Arc<dyn App>>,
) -> anyhow::Result<AppContext> {
    let apps = with_core(apps);
    crate::tls::init();
    // Installs the process-wide recorder before anything records.
    crate::telemetry::metrics_handle();
    std::fs::create_dir_all(&config.data_dir)?;
    let db = Db::connect(
        &config.database_url(),
        config.database.read_url.as_deref(),
        config.database.max_connections,
    )
    .await?;
    for app in apps.iter() {
        let applied = db::migrate(&db, app.name(), app.migrations()).await?;
        if applied > 0 {
            tracing::info!(app = app.name(), applied, "migrations applied");
        }
    }
    let ids = Arc::new(IdGenerator::new(config.node_id));
    let mut subscriptions = Subscriptions::default();
    let mut registry = JobRegistry::default();
    let mut policies = HashMap::new();
    let mut search_types = Vec::new();
    let mut upload_policies = Vec::new();
    for app in apps.iter() {
        app.subscribe(&mut subscriptions);
        app.jobs(&mut registry);
        search_types.extend(app.search_types());
        policies.extend(app.topic_policies());
        upload_policies.extend(app.upload_policy());
    }
    let bus = Bus::new(db.clone(), Arc::clone(&ids), clock.clone(), subscriptions);
    let cache = Cache::default();
    let services = Services {
        auth: Auth::new(&config, &cache)?,
        jobs: Jobs::new(
            db.clone(),
            Arc::clone(&ids),
            clock.clone(),
            config.jobs.clone(),
            registry,
        ),
        notifications: Notifications::new(Arc::clone(&ids), clock.clone(), bus.clone(), &cache),
        bus,
        hub: Hub::new(Arc::clone(&ids), clock.clone(), policies),
        search: Search::open(Some(&config.data_dir.join("search")), search_types)?,
        files: Files::new(
            Arc::new(LocalStore::new(&config.data_dir.join("files"))),
            upload_policies,
        ),
        flags: Flags::new(db.clone(), &cache),
        cache,
        limits: RateLimits::new(&config.limits),
        config: Arc::new(config),
        db,
        ids,
        clock,
        apps,
    };
    Ok(AppContext::new(services))
}

/// The HTTP router of every app, with the platform's middleware, plus the OpenAPI document.
pub fn router(ctx: &AppContext) -> (axum::Router, utoipa::openapi::OpenApi) {
    let mut api = crate::ApiRouter::with_openapi(ApiDoc::openapi());
    for app in ctx.apps.iter() {
        api = api.merge(app.router(ctx));
    }
    api = api.merge(ops_router());
    let (routes, doc) = api.split_for_parts();
    let router = routes
        .merge(docs_router(doc.clone()))
        .fallback(|| async { Error::not_found("no such route").into_response() })
        .method_not_allowed_fallback(|| async {
            Error::new(
                crate::error::ErrorKind::BadRequest,
                "method not allowed on this route",
            )
            .into_response()
        })
        .layer(from_fn_with_state(ctx.clone(), time_limit))
        .layer(from_fn_with_state(ctx.clone(), ratelimit::global))
        .layer(from_fn_with_state(
            ctx.clone(),
            crate::accounts::authenticate,
        ))
        .layer(DefaultBodyLimit::max(ctx.config.limits.body_bytes))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(ctx.clone(), observe))
        .with_state(ctx.clone());
    (router, doc)
}

async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers
        .entry("x-content-type-options")
        .or_insert(axum::http::HeaderValue::from_static("nosniff"));
    headers
        .entry("referrer-policy")
        .or_insert(axum::http::HeaderValue::from_static("same-origin"));
    response
}

/// Pages served in front of the API: given the shared services and the finished API router,
/// answers the router to serve (the `web` crate's `front`). The API stays reachable through it.
pub type Front = fn(&AppContext, axum::Router) -> axum::Router;

/// A built, bound, not yet serving maru.
pub struct Server {
    listener: TcpListener,
    router: axum::Router,
    ctx: AppContext,
    started: Instant,
}

impl Server {
    pub async fn build(config: Config, apps: Vec<Arc<dyn App>>) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::system(), apps).await
    }

    pub async fn build_with_clock(
        config: Config,
        clock: Clock,
        apps: Vec<Arc<dyn App>>,
    ) -> anyhow::Result<Self> {
        let started = Instant::now();
        let listen = config.listen;
        let ctx = context(config, clock, apps).await?;
        let (router, _) = router(&ctx);
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        Ok(Self {
            listener,
            router,
            ctx,
            started,
        })
    }

    /// Serves `front`'s pages, with the API behind them.
    #[must_use]
    pub fn with_front(mut self, front: Front) -> Self {
        self.router = front(&self.ctx, self.router);
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn context(&self) -> &AppContext {
        &self.ctx
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests, dispatches committed
    /// events, lets running jobs finish and closes the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            ctx,
            started,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(crate::bus::run_dispatcher(
            ctx.clone(),
            Duration::from_millis(ctx.config.jobs.poll_interval_ms.max(10)),
            stop_rx.clone(),
        ));
        for _ in 0..ctx.config.jobs.workers.max(1) {
            tasks.spawn(jobs::run_worker(ctx.clone(), stop_rx.clone()));
        }
        tasks.spawn(jobs::run_scheduler(ctx.clone(), stop_rx.clone()));
        tasks.spawn(crate::search::run_committer(
            ctx.search.clone(),
            Duration::from_millis(250),
            stop_rx.clone(),
        ));
        tasks.spawn(crate::db::run_checkpointer(
            ctx.db.clone(),
            Duration::from_millis(200),
            stop_rx.clone(),
        ));
        for app in ctx.apps.iter() {
            for work in app.background(&ctx, stop_rx.clone()) {
                tasks.spawn(work);
            }
        }
        tasks.spawn(housekeeping(ctx.clone(), stop_rx));
        let addr = listener.local_addr()?;
        tracing::info!(
            startup_ms = started.elapsed().as_secs_f64() * 1000.0,
            "listening on http://{addr}"
        );
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        tracing::info!("stopped accepting requests; finishing background work");
        let _ = stop_tx.send(true);
        if tokio::time::timeout(Duration::from_secs(30), async {
            while tasks.join_next().await.is_some() {}
        })
        .await
        .is_err()
        {
            tracing::warn!(
                "background work did not finish within 30 s; abandoning it (jobs will be retried)"
            );
        }
        ctx.db.close().await;
        Ok(())
    }
}

async fn housekeeping(ctx: AppContext, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(ratelimit::SHRINK_EVERY) => {
                ctx.limits.shrink();
                ctx.hub.prune(Duration::from_secs(600));
            }
            _ = stop.changed() => return,
        }
    }
}
