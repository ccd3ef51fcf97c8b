//! `blankett serve` and `blankett dev`: compile the project and serve it.

use blankett_compiler::diagnostic;
use blankett_runtime::app::{self, AppState};
use blankett_runtime::config::Config;
use blankett_runtime::registry::Registry;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct ServeArgs {
    pub paths: Vec<PathBuf>,
    pub listen: Option<String>,
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub config: Option<PathBuf>,
    pub dev: bool,
    pub json_logs: bool,
}

pub fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BLANKETT_LOG")
        .unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

pub fn config(a: &ServeArgs) -> Result<Config, String> {
    let default_file = a.paths.first().map(|p| {
        if p.is_dir() {
            p.join("blankett.toml")
        } else {
            p.with_file_name("blankett.toml")
        }
    });
    let file = a.config.clone().or(default_file);
    let mut c = Config::load(file.as_deref())?;
    if let Some(l) = &a.listen {
        c.listen = l.clone();
    }
    if let Some(d) = &a.data {
        c.data = d.clone();
    }
    if let Some(d) = &a.database {
        c.database = Some(d.clone());
    }
    c.dev |= a.dev;
    Ok(c)
}

pub fn run(a: ServeArgs, watch: bool) -> Result<ExitCode, String> {
    init_logs(a.json_logs);
    let config = config(&a)?;
    let registry = match Registry::compile(&a.paths) {
        Ok(r) => r,
        Err(c) => {
            eprint!(
                "{}",
                diagnostic::render(&c.sources, &c.diagnostics, super::use_color())
            );
            eprintln!("the project has errors: fix them, then serve again");
            return Ok(ExitCode::from(1));
        }
    };
    if registry.kommuner.is_empty() {
        return Err("found no e-services to serve: give a kommun project (a folder with kommun.yaml) or a library".into());
    }
    std::fs::create_dir_all(&config.data).map_err(|e| {
        format!(
            "cannot create the data folder `{}`: {e}",
            config.data.display()
        )
    })?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let store = blankett_runtime::store::open(&config.database_url())
            .await
            .map_err(|e| e.to_string())?;
        let mut config = config;
        if watch && config.delivery.targets.is_empty() && !delivery_configured(&registry) {
            let (url, token) = start_test_mailbox(&config.data).await?;
            deliver_to_test_mailbox(&mut config, &registry, url, token);
        }
        let listen = config.listen.clone();
        let state = AppState::new(config, store, registry).with_configured_outbox()?;
        for (kid, k) in &state.registry().kommuner {
            for fid in k.services.keys() {
                eprintln!("  http://{listen}/{kid}/{fid}/");
            }
        }
        if watch {
            tokio::spawn(watch_and_reload(state.clone(), a.paths.clone()));
        }
        app::serve(state)
            .await
            .map_err(|e| format!("cannot serve on {listen}: {e}"))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A delivery target: a kommun's `shs.url` (after the merge with the outbox, also
/// `[[delivery.targets]]` in the configuration).
fn delivery_configured(registry: &Registry) -> bool {
    registry
        .kommuner
        .values()
        .any(|k| k.info.as_ref().is_some_and(|i| i.shs_url.is_some()))
}

/// Points delivery at the test mailbox: every submission goes there as an SHS message, and the
/// case numbers answered there come back within seconds, as a case system's would.
fn deliver_to_test_mailbox(
    config: &mut blankett_runtime::config::Config,
    registry: &Registry,
    url: String,
    token: String,
) {
    let Some(to) = registry
        .kommuner
        .values()
        .filter_map(|k| k.info.as_ref())
        .find_map(|k| k.shs_to.clone().or_else(|| k.shs_address.clone()))
    else {
        eprintln!("no kommun has an SHS address (`shs: {{address: …}}` in kommun.yaml): nothing is delivered to the test mailbox");
        return;
    };
    let d = &mut config.delivery;
    d.backoff_base_ms = 2_000;
    d.backoff_cap_ms = 30_000;
    d.replies_interval_seconds = 2;
    d.canary_interval_seconds = 60;
    d.targets.push(blankett_runtime::outbox::Target {
        replies: true,
        replies_token: Some(token),
        ..blankett_runtime::outbox::Target::new("testbrevlada", "shs", &url, &to)
    });
}

/// `blankett dev` without a delivery target: the test mailbox on a free loopback port, in the
/// data folder. Returns its base URL and its delivery service's token.
async fn start_test_mailbox(data: &Path) -> Result<(String, String), String> {
    use blankett_runtime::test_mailbox::{self as mailbox, Mailbox};
    let dir = data.join("shs-mailbox");
    let mb = Mailbox::open(&dir, None)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot start the SHS test mailbox: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    super::shs::print_started(&addr.to_string(), &dir, mb.token());
    let started = (format!("http://{addr}"), mb.token().to_string());
    tokio::spawn(async move {
        if let Err(e) = mailbox::serve(listener, mb).await {
            eprintln!("the SHS test mailbox stopped: {e}");
        }
    });
    Ok(started)
}

/// The newest modification time of the YAML files below `paths`.
fn newest(paths: &[PathBuf]) -> Option<std::time::SystemTime> {
    paths
        .iter()
        .flat_map(|p| walkdir::WalkDir::new(p).into_iter().flatten())
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()
}

/// `blankett dev`: recompile on every save; errors go to the terminal and to the browser.
async fn watch_and_reload(state: AppState, paths: Vec<PathBuf>) {
    let mut last = newest(&paths);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let now = newest(&paths);
        if now == last {
            continue;
        }
        last = now;
        let started = std::time::Instant::now();
        match Registry::compile(&paths) {
            Ok(r) => {
                state.replace_registry(r);
                state.set_dev_errors(None);
                state.remember_versions().await;
                eprintln!("recompiled in {} ms", started.elapsed().as_millis());
            }
            Err(c) => {
                let text = diagnostic::render(&c.sources, &c.diagnostics, false);
                eprint!(
                    "{}",
                    diagnostic::render(&c.sources, &c.diagnostics, super::use_color())
                );
                state.set_dev_errors(Some(text));
            }
        }
    }
}

pub fn project_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![Path::new(".").to_path_buf()]
    } else {
        paths
    }
}
