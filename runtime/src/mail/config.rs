//! `[smtp]` in blankett.toml: the relay that sends co-signers their invitations by e-mail.
//!
//! ```toml
//! [smtp]
//! host = "smtp.orust.se"
//! port = 587                     # default by `tls`: 25, 587 or 465
//! tls = "starttls"               # "none" (a local relay), "starttls" or "tls" (implicit TLS)
//! from = "Orust kommun <e-tjanster@orust.se>"
//! username = "e-tjanster"        # optional; the password is BLANKETT_SMTP_PASSWORD, never here
//! public_url = "https://etjanster.orust.se"   # the links in the mails start with it
//! ```

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same machine or network segment.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default 25 for `none`, 587 for `starttls`, 465 for `tls`.
    #[serde(default)]
    pub port: Option<u16>,
    pub tls: SmtpTls,
    /// The sender, `name <address>` or an address alone.
    pub from: String,
    /// Log in to the relay as this user, with the password in `BLANKETT_SMTP_PASSWORD`.
    #[serde(default)]
    pub username: Option<String>,
    /// Set from `BLANKETT_SMTP_PASSWORD` only: a password has no place in a file.
    #[serde(skip)]
    pub password: Option<String>,
    /// A PEM file with the CA that issued the relay's certificate, when it is not a public one.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// The server's public address (`https://…`): invitation links are made from it.
    pub public_url: String,
    /// Attempts before an invitation that keeps failing is given up (the link still works).
    #[serde(default = "default_attempt_limit")]
    pub attempt_limit: i64,
    /// How often the sender looks for invitations due (a new one wakes it at once).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
}

fn default_attempt_limit() -> i64 {
    12
}

fn default_poll_seconds() -> u64 {
    30
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }

    /// What a configuration must hold before the server starts.
    pub fn validate(&self) -> Result<(), String> {
        if self.host.trim().is_empty() {
            return Err("[smtp] needs `host`, the mail relay's name or address".into());
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "[smtp] `from` is not an e-mail address: `{}` (write e.g. \"Orust kommun <e-tjanster@orust.se>\")",
                self.from
            ));
        }
        let url = self.public_url.trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains('?') {
            return Err(format!(
                "[smtp] `public_url` must be the server's address, e.g. \"https://etjanster.orust.se\", not `{}`",
                self.public_url
            ));
        }
        match (&self.username, &self.password) {
            (Some(_), None) => Err(
                "[smtp] has `username` but BLANKETT_SMTP_PASSWORD is not set: set the password in the environment".into(),
            ),
            (None, Some(_)) => Err(
                "BLANKETT_SMTP_PASSWORD is set but [smtp] has no `username`: add the user name".into(),
            ),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn load(toml: &str, password: Option<&str>) -> Result<Config, String> {
        let mut c: Config = toml::from_str(toml).map_err(|e| e.to_string())?;
        c.apply_env(|k| (k == "BLANKETT_SMTP_PASSWORD").then(|| password.map(String::from))?)?;
        Ok(c)
    }

    const RELAY: &str = r#"
[smtp]
host = "smtp.orust.se"
tls = "starttls"
from = "Orust kommun <e-tjanster@orust.se>"
public_url = "https://etjanster.orust.se"
"#;

    #[test]
    fn the_port_follows_the_tls_mode_and_the_password_comes_from_the_environment() {
        let c = load(RELAY, None).unwrap();
        let smtp = c.smtp.unwrap();
        assert_eq!(smtp.port(), 587);
        assert_eq!(smtp.password, None);
        let with_user = format!("{RELAY}username = \"e-tjanster\"\n");
        let c = load(&with_user, Some("hemligt")).unwrap();
        assert_eq!(c.smtp.unwrap().password.as_deref(), Some("hemligt"));
        let e = load(&with_user, None).unwrap_err();
        assert!(e.contains("BLANKETT_SMTP_PASSWORD"), "{e}");
    }

    #[test]
    fn a_password_in_the_file_or_a_bad_address_is_refused() {
        let e = load(&format!("{RELAY}password = \"hemligt\"\n"), None).unwrap_err();
        assert!(e.contains("unknown field `password`"), "{e}");
        let e = load(
            &RELAY.replace("https://etjanster.orust.se", "etjanster.orust.se"),
            None,
        )
        .unwrap_err();
        assert!(e.contains("public_url"), "{e}");
        let e = load(
            &RELAY.replace("<e-tjanster@orust.se>", "<e-tjanster>"),
            None,
        )
        .unwrap_err();
        assert!(e.contains("`from`"), "{e}");
        let e = load("", Some("hemligt")).unwrap_err();
        assert!(e.contains("[smtp]"), "{e}");
        let e = load(&RELAY.replace("starttls", "ssl"), None).unwrap_err();
        assert!(e.contains("unknown variant `ssl`"), "{e}");
    }
}
