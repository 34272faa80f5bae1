//! The test harness every app's integration tests use: a real server on a random loopback
//! port, over a fresh database (a SQLite file in a temp dir, or a new PostgreSQL database when
//! `MARU_TEST_POSTGRES_URL` is set), talked to over HTTP.
//!
//! Setup failures panic: a test that cannot start its server has nothing to test.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::time::Clock;
use crate::{App, AppContext, Config, Front, Server};

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// An admin URL of a PostgreSQL server; each test makes its own database there.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when `MARU_TEST_POSTGRES_URL` is set.
    pub fn postgres() -> Option<Self> {
        std::env::var("MARU_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(Self::Postgres)
    }
}

/// Runs each named `async fn name(backend: Backend)` as a test on SQLite, and on PostgreSQL
/// when `MARU_TEST_POSTGRES_URL` is set (skipped with a note otherwise).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::testing::Backend::postgres() {
                        Some(backend) => super::$name(backend).await,
                        None => eprintln!("skipped: set MARU_TEST_POSTGRES_URL to run on PostgreSQL"),
                    }
                }
            )*
        }
    };
}

/// A configuration for tests: free port, temp data dir, limits off, cheap password hashing,
/// quick job retries.
pub fn test_config(data_dir: &std::path::Path) -> Config {
    let defaults = Config::default();
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_owned(),
        limits: crate::config::LimitsConfig {
            enabled: false,
            ..defaults.limits
        },
        auth: crate::config::AuthConfig {
            argon2: crate::config::Argon2Config {
                memory_kib: 256,
                iterations: 1,
                parallelism: 1,
            },
            ..defaults.auth
        },
        jobs: crate::config::JobsConfig {
            backoff_base_ms: 20,
            poll_interval_ms: 20,
            ..defaults.jobs
        },
        ..defaults
    }
}

/// A change a test makes to its server's configuration.
type ConfigChange = Box<dyn FnOnce(&mut Config) + Send>;

/// Builds a [`TestApp`].
pub struct TestAppBuilder {
    backend: Backend,
    apps: Vec<Arc<dyn App>>,
    configure: Vec<ConfigChange>,
    clock: Option<Clock>,
    front: Option<Front>,
}

impl TestAppBuilder {
    /// Serves these pages in front of the API, as `maru serve` does.
    #[must_use]
    pub fn front(mut self, front: Front) -> Self {
        self.front = Some(front);
        self
    }

    #[must_use]
    pub fn app(mut self, app: impl App) -> Self {
        self.apps.push(Arc::new(app));
        self
    }

    #[must_use]
    pub fn config(mut self, f: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    #[must_use]
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        let database = match &self.backend {
            Backend::Postgres(admin_url) => Some(TestDatabase::create(admin_url).await),
            Backend::Sqlite => None,
        };
        if let Some(database) = &database {
            config.database.url = Some(database.url.clone());
        }
        for f in self.configure {
            f(&mut config);
        }
        let server =
            Server::build_with_clock(config, self.clock.unwrap_or_else(Clock::system), self.apps)
                .await
                .expect("server builds");
        let server = match self.front {
            Some(front) => server.with_front(front),
            None => server,
        };
        let addr = server.local_addr();
        let ctx = server.context().clone();
        crate::tls::init();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(server.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let app = TestApp {
            addr,
            ctx,
            client: reqwest::Client::new(),
            stop: Some(stop),
            handle: Some(handle),
            leftovers: Leftovers {
                _dir: Some(dir),
                _database: database,
            },
        };
        app.wait_ready().await;
        app
    }
}

/// A PostgreSQL database of one test, dropped with it: a developer's server would otherwise
/// keep every test's database (gigabytes after a few runs of the suite).
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create(admin_url: &str) -> Self {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let name = format!("maru_test_{}", crate::accounts::random_hex(8));
        let mut admin = sqlx::AnyConnection::connect(admin_url)
            .await
            .expect("connect to MARU_TEST_POSTGRES_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("MARU_TEST_POSTGRES_URL names a database");
        Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = std::mem::take(&mut self.admin_url);
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // A drop cannot await on the test's runtime; a thread with its own runtime does it, and
        // `FORCE` ends the connections the stopping server may still hold.
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(drop))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

/// What a stopped app leaves behind for a test to look at: its data dir and, on PostgreSQL,
/// its database. Both go when this drops.
#[derive(Default)]
pub struct Leftovers {
    _dir: Option<tempfile::TempDir>,
    _database: Option<TestDatabase>,
}

/// A running server and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub ctx: AppContext,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Removed when the app is dropped (or handed out by [`TestApp::stop`]).
    leftovers: Leftovers,
}

/// A registered, signed-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestApp {
    pub fn builder(backend: Backend) -> TestAppBuilder {
        TestAppBuilder {
            backend,
            apps: Vec::new(),
            configure: Vec::new(),
            clock: None,
            front: None,
        }
    }

    pub async fn spawn(backend: Backend) -> Self {
        Self::builder(backend).spawn().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self.client.get(self.url("/ready")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("server did not become ready");
    }

    /// Registers `username` (password `<username>-password-long`) and signs in.
    pub async fn user(&self, username: &str) -> TestUser {
        let password = format!("{username}-password-long");
        let response = self
            .client
            .post(self.url("/api/v1/auth/register"))
            .json(&json!({ "username": username, "email": format!("{username}@example.kr"), "password": password }))
            .send()
            .await
            .expect("register");
        assert_eq!(
            response.status(),
            201,
            "register {username}: {}",
            response.text().await.unwrap_or_default()
        );
        let registered: Value = response.json().await.expect("user json");
        let tokens = self.login(username, &password).await;
        TestUser {
            id: registered["id"].as_str().expect("id").to_owned(),
            username: username.to_owned(),
            password,
            access_token: tokens["access_token"]
                .as_str()
                .expect("access token")
                .to_owned(),
            refresh_token: tokens["refresh_token"]
                .as_str()
                .expect("refresh token")
                .to_owned(),
        }
    }

    pub async fn login(&self, login: &str, password: &str) -> Value {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "login {login}");
        response.json().await.expect("tokens")
    }

    /// Makes `user` an admin directly, as `maru grant-role` would, and signs in again so the
    /// token carries the role.
    pub async fn make_admin(&self, user: &mut TestUser) {
        crate::accounts::service::grant_role_by_username(
            &self.ctx,
            &user.username,
            crate::accounts::Role::Admin,
        )
        .await
        .expect("grant admin");
        let tokens = self.login(&user.username, &user.password).await;
        tokens["access_token"]
            .as_str()
            .expect("access token")
            .clone_into(&mut user.access_token);
    }

    pub fn get(&self, path: &str, user: Option<&TestUser>) -> reqwest::RequestBuilder {
        let request = self.client.get(self.url(path));
        match user {
            Some(u) => request.bearer_auth(&u.access_token),
            None => request,
        }
    }

    pub fn post(&self, path: &str, user: Option<&TestUser>) -> reqwest::RequestBuilder {
        let request = self.client.post(self.url(path));
        match user {
            Some(u) => request.bearer_auth(&u.access_token),
            None => request,
        }
    }

    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        user: Option<&TestUser>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match user {
            Some(u) => request.bearer_auth(&u.access_token),
            None => request,
        }
    }

    /// Sends `body` (as JSON, when given) and returns the status and the JSON answer
    /// (`null` when the answer is not JSON).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        user: Option<&TestUser>,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self.request(method, path, user);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Polls `check` every 10 ms for up to `secs` seconds.
    pub async fn eventually<F, Fut>(&self, secs: u64, mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        while tokio::time::Instant::now() < deadline {
            if check().await {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    /// Stops the server gracefully, waits for it, and hands over its data dir and database so
    /// a test can look at what was left behind (removed when the returned guard drops).
    pub async fn stop(mut self) -> Leftovers {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
        std::mem::take(&mut self.leftovers)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
