//! Configuration: defaults, then an optional `maru.toml`, then `MARU_*` environment variables
//! (the environment wins), then command-line flags (applied by the binary).
//!
//! With nothing set, maru listens on 127.0.0.1:8080 with its data in `./maru-data` and every
//! service embedded.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the chosen address is logged).
    pub listen: SocketAddr,
    /// Where the SQLite file, the search index, uploaded files and the signing keys live.
    pub data_dir: PathBuf,
    /// This node's number (0..=1023), part of every id it makes; unique per node.
    pub node_id: u16,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub jobs: JobsConfig,
    pub uploads: UploadsConfig,
    pub log: LogConfig,
    /// Each app's own settings, `[apps.<name>]`, read by the app through [`Config::app`].
    pub apps: BTreeMap<String, toml::Table>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("maru-data"),
            node_id: 0,
            database: DatabaseConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            jobs: JobsConfig::default(),
            uploads: UploadsConfig::default(),
            log: LogConfig::default(),
            apps: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://...`; unset means `sqlite://<data_dir>/maru.db`.
    pub url: Option<String>,
    /// Optional read replica for PostgreSQL; reads go there, writes to `url`.
    pub read_url: Option<String>,
    /// Connections in the pool (readers, for SQLite; SQLite always has exactly one writer).
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            read_url: None,
            max_connections: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    /// A fixed signing secret (base64, >= 32 bytes) instead of the generated key in the data
    /// dir; give every node of a cluster the same one.
    pub jwt_secret: Option<String>,
    pub argon2: Argon2Config,
    /// Failed logins tolerated per account or IP before delays start; each further failure
    /// doubles the delay, up to `max_lockout_secs`.
    pub failed_logins_before_delay: u32,
    pub max_lockout_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            jwt_secret: None,
            argon2: Argon2Config::default(),
            failed_logins_before_delay: 5,
            max_lockout_secs: 15 * 60,
        }
    }
}

/// Argon2id cost. The defaults are OWASP's recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Argon2Config {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// `MARU_RATE_LIMITS=off` turns every rate limit off (load tests, scripted demos).
    pub enabled: bool,
    /// Requests per minute for a caller without credentials, per IP.
    pub anonymous_per_minute: u32,
    /// Requests per minute for an authenticated caller, per user.
    pub user_per_minute: u32,
    /// Named limits routes opt into, requests per minute per caller.
    pub classes: BTreeMap<String, u32>,
    /// Largest JSON body accepted.
    pub body_bytes: usize,
    pub request_timeout_secs: u64,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy you run).
    pub trust_forwarded_for: bool,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let classes = [
            ("auth", 10),
            ("question_write", 5),
            ("search", 50),
            ("read", 100),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            enabled: true,
            anonymous_per_minute: 100,
            user_per_minute: 1000,
            classes,
            body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            trust_forwarded_for: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    pub workers: usize,
    pub max_attempts: u32,
    /// First retry delay; each further attempt doubles it (with jitter), up to an hour.
    pub backoff_base_ms: u64,
    /// How often idle workers look for due jobs when nothing woke them.
    pub poll_interval_ms: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            max_attempts: 8,
            backoff_base_ms: 1000,
            poll_interval_ms: 500,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadsConfig {
    pub max_image_bytes: usize,
    /// Longest side of generated thumbnails, in pixels.
    pub thumbnail_px: u32,
}

impl Default for UploadsConfig {
    fn default() -> Self {
        Self {
            max_image_bytes: 10 * 1024 * 1024,
            thumbnail_px: 320,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `json` (default) or `pretty`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `maru=debug,sqlx=warn`.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Json,
            filter: "info,sqlx=warn,tantivy=warn".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

/// A configuration that could not be loaded, naming where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Toml {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("[apps.{name}]: {message}")]
    App { name: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: &'static str, message: String },
}

impl Config {
    /// Loads `path` (or `./maru.toml` when it exists), then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let default_path = Path::new("maru.toml");
        let path = path.or_else(|| default_path.exists().then_some(default_path));
        let text = match path {
            Some(p) => Some((
                p,
                std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_owned(),
                    source,
                })?,
            )),
            None => None,
        };
        Self::from_sources(text.as_ref().map(|(p, t)| (*p, t.as_str())), |name| {
            std::env::var(name).ok()
        })
    }

    /// Builds a configuration from a TOML text and an environment lookup; pure, for tests.
    pub fn from_sources(
        toml_text: Option<(&Path, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = match toml_text {
            Some((path, text)) => toml::from_str(text).map_err(|e| ConfigError::Toml {
                path: path.to_owned(),
                source: Box::new(e),
            })?,
            None => Self::default(),
        };
        if let Some(v) = env("MARU_LISTEN") {
            config.listen = parse_env("MARU_LISTEN", &v)?;
        }
        if let Some(v) = env("MARU_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("MARU_DATABASE_URL") {
            config.database.url = Some(v);
        }
        if let Some(v) = env("MARU_DATABASE_READ_URL") {
            config.database.read_url = Some(v);
        }
        if let Some(v) = env("MARU_NODE_ID") {
            config.node_id = parse_env("MARU_NODE_ID", &v)?;
        }
        if let Some(v) = env("MARU_RATE_LIMITS") {
            config.limits.enabled = match v.to_ascii_lowercase().as_str() {
                "off" | "false" | "0" => false,
                "on" | "true" | "1" => true,
                _ => {
                    return Err(ConfigError::Env {
                        name: "MARU_RATE_LIMITS",
                        message: "expected `on` or `off`".into(),
                    });
                }
            };
        }
        if let Some(v) = env("MARU_JWT_SECRET") {
            config.auth.jwt_secret = Some(v);
        }
        if let Some(v) = env("MARU_LOG") {
            config.log.filter = v;
        }
        if let Some(v) = env("MARU_LOG_FORMAT") {
            config.log.format = match v.as_str() {
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                _ => {
                    return Err(ConfigError::Env {
                        name: "MARU_LOG_FORMAT",
                        message: "expected `json` or `pretty`".into(),
                    });
                }
            };
        }
        Ok(config)
    }

    /// The settings of app `name` from its `[apps.<name>]` table, defaults for what is left out.
    /// An app calls this once when it builds its router, so a bad table fails at start.
    pub fn app<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, ConfigError> {
        match self.apps.get(name) {
            None => Ok(T::default()),
            Some(table) => table.clone().try_into().map_err(|e| ConfigError::App {
                name: name.to_owned(),
                message: e.to_string(),
            }),
        }
    }

    /// The database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        self.database
            .url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("maru.db").display()))
    }
}

fn parse_env<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| ConfigError::Env {
        name,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_everything_embedded_on_localhost() {
        let c = Config::from_sources(None, |_| None).unwrap_or_default();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://maru-data/maru.db");
        assert!(c.limits.enabled);
        assert_eq!(c.limits.classes.get("auth"), Some(&10));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let toml = "listen = \"0.0.0.0:9000\"\n[limits]\nuser_per_minute = 5\n";
        let env = |k: &str| match k {
            "MARU_LISTEN" => Some("127.0.0.1:0".to_owned()),
            "MARU_RATE_LIMITS" => Some("off".to_owned()),
            _ => None,
        };
        let c = Config::from_sources(Some((Path::new("maru.toml"), toml)), env).unwrap_or_default();
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.limits.user_per_minute, 5);
        assert!(!c.limits.enabled);
    }

    #[test]
    fn the_documented_example_is_valid_and_matches_the_defaults() {
        let text = include_str!("../../../docs/maru.example.toml");
        let parsed = Config::from_sources(Some((Path::new("maru.example.toml"), text)), |_| None);
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{parsed:?}"), format!("{:?}", Config::default()));
    }

    #[test]
    fn bad_values_name_their_source() {
        let err =
            Config::from_sources(None, |k| (k == "MARU_LISTEN").then(|| "nowhere".to_owned()))
                .err();
        assert!(err.is_some_and(|e| e.to_string().contains("MARU_LISTEN")));
        let err = Config::from_sources(Some((Path::new("maru.toml"), "lisen = 1")), |_| None).err();
        assert!(err.is_some_and(|e| e.to_string().contains("maru.toml")));
    }
}
