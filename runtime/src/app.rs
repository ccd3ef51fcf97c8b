//! The application: one state, and the routers of the areas (site, auth, journey, signing,
//! Mina sidor, admin, api, SHS pickup) merged into one.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::registry::Registry;
use crate::store::DynStore;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
    registry: Arc<RwLock<Arc<Registry>>>,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<crate::limits::RateLimits>,
    /// The senders of submissions to the case system, when delivery targets are configured.
    pub outbox: Option<Arc<crate::outbox::Outbox>>,
    /// The sender of co-signers' invitations by e-mail, when `[smtp]` is configured.
    pub mailer: Option<Arc<crate::mail::Mailer>>,
    /// In `blankett dev`: the last compile's errors, shown in the browser until fixed.
    dev_errors: Arc<RwLock<Option<String>>>,
    /// Counts recompiles in `blankett dev`; pages poll it to reload themselves.
    pub dev_version: Arc<std::sync::atomic::AtomicU64>,
    /// The built-in BankID simulator; served at `/_dev/bankid/` in `blankett dev`.
    pub bankid_simulator: crate::auth::bankid::simulator::Simulator,
    bankid_client: Arc<std::sync::OnceLock<Option<Arc<crate::auth::bankid::client::Client>>>>,
}

impl AppState {
    pub fn new(config: Config, store: DynStore, registry: Registry) -> Self {
        AppState {
            config: Arc::new(config),
            store,
            registry: Arc::new(RwLock::new(Arc::new(registry))),
            metrics: Arc::new(Metrics::default()),
            limits: Arc::new(Default::default()),
            outbox: None,
            mailer: None,
            dev_errors: Arc::new(RwLock::new(None)),
            dev_version: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            bankid_simulator: Default::default(),
            bankid_client: Default::default(),
        }
    }

    /// Delivery as configured: an outbox for the `[delivery]` targets (none when there are none),
    /// and the invitation mailer for `[smtp]`.
    pub fn with_configured_outbox(mut self) -> Result<Self, String> {
        if let Some(smtp) = &self.config.smtp {
            self.mailer = Some(Arc::new(crate::mail::Mailer::new(smtp)?));
        }
        if !self.config.delivery.targets.is_empty() {
            let registry = self.registry.clone();
            let o = crate::outbox::Outbox::from_config(
                self.store.clone(),
                self.metrics.clone(),
                &self.config.delivery,
            )?
            .with_registry(Arc::new(move || {
                registry.read().map(|r| r.clone()).unwrap_or_default()
            }));
            self.outbox = Some(Arc::new(o));
        }
        Ok(self)
    }

    /// The BankID RP API client: `[bankid]` when configured, else in `--dev` the built-in
    /// simulator on this server; `None` when BankID is not available.
    pub fn bankid(&self) -> Option<Arc<crate::auth::bankid::client::Client>> {
        self.bankid_client
            .get_or_init(
                || match crate::auth::bankid::client_from_config(&self.config) {
                    Ok(c) => c.map(Arc::new),
                    Err(e) => {
                        tracing::error!(error = %e, "BankID is configured but cannot be used");
                        None
                    }
                },
            )
            .clone()
    }

    pub fn set_dev_errors(&self, errors: Option<String>) {
        self.dev_version
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut g) = self.dev_errors.write() {
            *g = errors;
        }
    }

    pub fn dev_errors(&self) -> Option<String> {
        self.dev_errors.read().ok().and_then(|g| g.clone())
    }

    pub fn registry(&self) -> Arc<Registry> {
        self.registry.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// Swaps in a newly compiled registry (`blankett dev` on save).
    pub fn replace_registry(&self, r: Registry) {
        if let Ok(mut g) = self.registry.write() {
            *g = Arc::new(r);
        }
    }

    /// Records every served form version, so drafts on it survive an upgrade.
    pub async fn remember_versions(&self) {
        let reg = self.registry();
        for (kid, k) in &reg.kommuner {
            for (fid, s) in &k.services {
                let bundle = blankett_compiler::backend::bundle::to_json(&s.form);
                if let Err(e) = self
                    .store
                    .put_form_version(&s.form.hash, kid, fid, &s.form.version, &bundle)
                    .await
                {
                    tracing::error!(error = %e, "cannot record a form version");
                }
            }
        }
    }
}

/// The whole site: each area's router, merged. People's pages go through the session layer;
/// the machine endpoints (the status callback, SHS pickup) are merged after it, so they get no
/// session and no CSRF token but each its own bearer token.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_request_bytes;
    let timeouts = state.config.clone();
    Router::new()
        .merge(crate::site::router())
        .merge(crate::auth::router())
        .merge(crate::signing::router())
        .merge(crate::mina_sidor::router())
        .merge(crate::admin::router())
        .merge(crate::journey::router())
        .nest_service("/_dev/bankid", dev_simulator(&state))
        // Every other address gets the page that says so, not an empty 404.
        .fallback(crate::site::fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::session::layer,
        ))
        .merge(crate::api::router())
        .merge(pickup_service(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::client::layer,
        ))
        .layer(axum::middleware::from_fn(crate::error::localize))
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(DefaultBodyLimit::max(limit))
        // A body that pauses too long, or a request that takes too long in all (a 25 MB upload
        // trickled a byte at a time), ends instead of holding the connection (issue 21).
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
            timeouts.body_idle_timeout_seconds,
        )))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(timeouts.request_timeout_seconds),
        ))
        .with_state(state)
}

/// The SHS delivery service (`/shs/ds`) where receivers of `shs-pickup` targets fetch their
/// messages; nothing when there are no such targets.
fn pickup_service(state: &AppState) -> Router<AppState> {
    state
        .outbox
        .as_ref()
        .and_then(|o| o.pickup_router())
        .unwrap_or_default()
}

/// The BankID simulator in `--dev`; elsewhere nothing (404).
fn dev_simulator(state: &AppState) -> Router {
    if state.config.dev {
        state.bankid_simulator.router()
    } else {
        Router::new()
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(&state.config.listen).await?;
    tracing::info!(listen = %state.config.listen, "serving");
    state.remember_versions().await;
    tokio::spawn(retention_loop(state.clone()));
    if let Some(o) = &state.outbox {
        o.spawn();
    }
    crate::mail::Mailer::spawn(&state);
    let timeouts = crate::server::ConnectionTimeouts {
        headers: Duration::from_secs(state.config.header_timeout_seconds.max(1)),
    };
    crate::server::serve(listener, router(state), timeouts, shutdown()).await
}

/// Gallring: deletes what has passed its retention period, at start and every hour.
async fn retention_loop(state: AppState) {
    loop {
        let counts = purge_expired(&state, chrono::Utc::now()).await;
        if counts != (0, 0) {
            crate::audit::record(
                &state.store,
                "system",
                "retention_purge",
                &format!("drafts={} submissions={}", counts.0, counts.1),
            )
            .await;
            tracing::info!(
                drafts = counts.0,
                submissions = counts.1,
                "retention: deleted what had passed its period"
            );
        }
        // e-ID orders live minutes; a day-old one was abandoned.
        let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
        if let Err(e) = state.store.purge_eid_orders(day_ago).await {
            tracing::error!(error = %e, "retention of e-ID orders failed");
        }
        // A session idle past the timeout has ended; its row only takes space.
        let idle = chrono::Duration::minutes(state.config.idle_timeout_minutes.max(1));
        if let Err(e) = state.store.purge_sessions(chrono::Utc::now() - idle).await {
            tracing::error!(error = %e, "retention of ended sessions failed");
        }
        let audit_days = chrono::Duration::days(state.config.audit_retention_days.max(1));
        if let Err(e) = state
            .store
            .purge_audit(chrono::Utc::now() - audit_days)
            .await
        {
            tracing::error!(error = %e, "retention of the audit trail failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// Deletes, per served form, drafts and submissions older than the form's retention periods.
pub async fn purge_expired(state: &AppState, now: chrono::DateTime<chrono::Utc>) -> (u64, u64) {
    let reg = state.registry();
    let mut total = (0, 0);
    for (kid, k) in &reg.kommuner {
        for fid in k.services.keys() {
            let (draft_days, submission_days) = state.config.retention_days(fid);
            let drafts_before = now - chrono::Duration::days(draft_days);
            let submissions_before = now - chrono::Duration::days(submission_days);
            match state
                .store
                .purge(kid, fid, drafts_before, submissions_before)
                .await
            {
                Ok((d, s)) => {
                    total.0 += d;
                    total.1 += s;
                }
                Err(e) => tracing::error!(error = %e, "retention failed"),
            }
        }
    }
    total
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
