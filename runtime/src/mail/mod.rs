//! E-mail: co-signers' invitations to sign (`signing: guardians`), sent through the kommun's
//! SMTP relay (`[smtp]`) when one is configured. Without it nothing here runs and invitations
//! are the links on the receipt only. Mails are queued in the store when the submission starts
//! waiting, so sending never holds up or fails a submission; a sender retries failures with
//! backoff and records each invitation as sent (`invitation::send_due`).

pub mod config;
pub mod invitation;

pub use config::{SmtpConfig, SmtpTls};

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The relay connection and what every mail needs.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub config: SmtpConfig,
    wake: tokio::sync::Notify,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Mailer, String> {
        config.validate()?;
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls | SmtpTls::Tls => {
                let mut params = TlsParameters::builder(config.host.clone());
                if let Some(ca) = &config.ca {
                    let pem = std::fs::read(ca)
                        .map_err(|e| format!("[smtp] cannot read `ca` {}: {e}", ca.display()))?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        format!("[smtp] `ca` {} is not a PEM certificate: {e}", ca.display())
                    })?;
                    params = params.add_root_certificate(cert);
                }
                let params = params
                    .build()
                    .map_err(|e| format!("[smtp] TLS settings: {e}"))?;
                if config.tls == SmtpTls::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
                .port(config.port())
                .tls(tls)
                .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            config: config.clone(),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Sends one mail; the error says what the relay (or the connection) answered.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// An invitation was queued: the sender looks now instead of at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the sender; it runs as long as the runtime.
    pub fn spawn(state: &crate::app::AppState) {
        let Some(mailer) = state.mailer.clone() else {
            return;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let poll = Duration::from_secs(mailer.config.poll_seconds.max(1));
            loop {
                let n = invitation::send_due(&state, chrono::Utc::now()).await;
                if n == 0 {
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = mailer.wake.notified() => {}
                    }
                }
            }
        });
    }
}
