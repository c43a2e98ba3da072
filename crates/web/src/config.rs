//! Configuration from `ADESAO_*` environment variables (each documented in the README).

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use adesao_notify::{EmailTransport, RetryPolicy, SmsTransport, Smtp, Webhook};
use adesao_services::{AuthPolicy, Clock};
use adesao_store::Backend;
use ipnet::IpNet;

pub use crate::signing_key::SigningKeySource;
use crate::signing_key::parse_signing_key;

#[derive(Debug, Clone)]
pub struct Config {
    /// `ADESAO_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `ADESAO_DATABASE_URL`: `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// `ADESAO_DEMO_DATA`: load SPEC §12's demo data into an empty database.
    pub demo_data: bool,
    /// `ADESAO_COOKIE_SECURE`: mark cookies `Secure` (serve over HTTPS).
    pub cookie_secure: bool,
    /// `ADESAO_LOG`: a tracing filter such as `info` or `adesao_web=debug,info`.
    pub log: String,
    /// `ADESAO_DB_MAX_CONNECTIONS`: size of the database connection pool.
    pub db_max_connections: u32,
    /// `ADESAO_MAX_UPLOAD_BYTES`: largest attachment accepted.
    pub max_upload_bytes: usize,
    /// `ADESAO_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The program whose hidden subcommands run in child processes, `check-pdf` (uploads) and
    /// `typeset` (PDF reports): this very binary (not an environment variable; tests point it
    /// at the built `adesao`).
    pub child_program: PathBuf,
    /// Session and login limits (not environment variables: the defaults are the documented
    /// policy; tests shorten the delays to exercise the counts).
    pub auth: AuthPolicy,
    /// The time the services act at (the system's; tests move it forward).
    pub clock: Clock,
    /// `ADESAO_SMTP_URL` and `ADESAO_MAIL_FROM`: where e-mails go (`log`: they stay in the
    /// outbox).
    pub email: EmailTransport,
    /// `ADESAO_SMS_WEBHOOK_URL` and `ADESAO_SMS_WEBHOOK_TOKEN`: where SMS go.
    pub sms: SmsTransport,
    /// `ADESAO_PUBLIC_URL`: the base of every link in a message.
    pub public_url: String,
    /// Retries of the outbox (not environment variables: tests shorten them).
    pub retry: RetryPolicy,
    /// How often the outbox worker looks for due messages.
    pub delivery_interval: Duration,
    /// `ADESAO_SIGNING_KEY`, or the file `ADESAO_SIGNING_KEY_FILE`: the key that seals the
    /// signature provider's private keys at rest.
    pub signing_key: SigningKeySource,
}

/// One clear line saying which variable is wrong and what it should be.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Config {
    pub const DEFAULT_ADDR: &'static str = "127.0.0.1:8080";
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://data/adesao.db";
    pub const DEFAULT_LOG: &'static str = "info,sqlx=warn";
    pub const DEFAULT_MAIL_FROM: &'static str = "Adesão <nao-responda@adesao.localhost>";
    pub const DEFAULT_SIGNING_KEY_FILE: &'static str = "data/adesao-signing.key";

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let addr_text = get("ADESAO_ADDR").unwrap_or_else(|| Self::DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = addr_text.parse().map_err(|_| ConfigError {
            variable: "ADESAO_ADDR",
            problem: format!("expected IP:PORT such as 127.0.0.1:8080, got {addr_text:?}"),
        })?;

        let database_url =
            get("ADESAO_DATABASE_URL").unwrap_or_else(|| Self::DEFAULT_DATABASE_URL.to_owned());
        Backend::of_url(&database_url).map_err(|_| ConfigError {
            variable: "ADESAO_DATABASE_URL",
            problem: "expected sqlite://PATH or postgres://USER@HOST:PORT/DATABASE".to_owned(),
        })?;

        let demo_data = parse_bool("ADESAO_DEMO_DATA", get("ADESAO_DEMO_DATA"))?.unwrap_or(true);
        // Cookies must be Secure in production (HTTPS); on a loopback address the server is
        // being tried locally over plain HTTP, where a Secure cookie would not come back.
        let cookie_secure = parse_bool("ADESAO_COOKIE_SECURE", get("ADESAO_COOKIE_SECURE"))?
            .unwrap_or(!addr.ip().is_loopback());

        let log = get("ADESAO_LOG").unwrap_or_else(|| Self::DEFAULT_LOG.to_owned());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| ConfigError {
            variable: "ADESAO_LOG",
            problem: format!("not a valid log filter ({e})"),
        })?;

        let db_max_connections = match get("ADESAO_DB_MAX_CONNECTIONS") {
            None => 8,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| ConfigError {
                    variable: "ADESAO_DB_MAX_CONNECTIONS",
                    problem: format!("expected a whole number from 1 to 1000, got {text:?}"),
                })?,
        };

        let max_upload_bytes = match get("ADESAO_MAX_UPLOAD_BYTES") {
            None => 10 * 1024 * 1024,
            Some(text) => text
                .parse::<usize>()
                .ok()
                // Up to 128 MiB: the checking process reads the whole file into a heap capped
                // at 512 MiB, beside what parsing it takes.
                .filter(|n| (1024..=128 * 1024 * 1024).contains(n))
                .ok_or_else(|| ConfigError {
                    variable: "ADESAO_MAX_UPLOAD_BYTES",
                    problem: format!(
                        "expected a number of bytes from 1024 to 134217728, got {text:?}"
                    ),
                })?,
        };

        let trusted_proxies = match get("ADESAO_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(text) => parse_proxies(&text).map_err(|bad| ConfigError {
                variable: "ADESAO_TRUSTED_PROXIES",
                problem: format!(
                    "expected addresses or networks separated by commas, such as 10.0.0.0/8,::1, got {bad:?}"
                ),
            })?,
        };

        let public_url = match get("ADESAO_PUBLIC_URL") {
            None => format!("http://{addr}"),
            Some(url) => parse_public_url(&url).ok_or_else(|| ConfigError {
                variable: "ADESAO_PUBLIC_URL",
                problem: format!(
                    "expected the address people open, such as https://adesao.orgao.gov.br, got {url:?}"
                ),
            })?,
        };

        let mail_from =
            get("ADESAO_MAIL_FROM").unwrap_or_else(|| Self::DEFAULT_MAIL_FROM.to_owned());
        let email = match get("ADESAO_SMTP_URL") {
            None => {
                if mail_from.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(ConfigError {
                        variable: "ADESAO_MAIL_FROM",
                        problem: format!(
                            "expected a sender such as Adesão <nao-responda@orgao.gov.br>, got {mail_from:?}"
                        ),
                    });
                }
                EmailTransport::Log
            }
            Some(url) => {
                let smtp = Smtp::new(&url, &mail_from).map_err(|problem| ConfigError {
                    variable: if problem.starts_with("not a mailbox") {
                        "ADESAO_MAIL_FROM"
                    } else {
                        "ADESAO_SMTP_URL"
                    },
                    problem,
                })?;
                EmailTransport::Smtp(Box::new(smtp))
            }
        };

        let sms = match (
            get("ADESAO_SMS_WEBHOOK_URL"),
            get("ADESAO_SMS_WEBHOOK_TOKEN"),
        ) {
            (None, _) => SmsTransport::Log,
            (Some(_), None) => {
                return Err(ConfigError {
                    variable: "ADESAO_SMS_WEBHOOK_TOKEN",
                    problem: "the gateway's bearer token is required with ADESAO_SMS_WEBHOOK_URL"
                        .to_owned(),
                });
            }
            (Some(url), Some(token)) => {
                SmsTransport::Webhook(Webhook::new(&url, &token).map_err(|problem| {
                    ConfigError {
                        variable: "ADESAO_SMS_WEBHOOK_URL",
                        problem,
                    }
                })?)
            }
        };

        let signing_key = match (get("ADESAO_SIGNING_KEY"), get("ADESAO_SIGNING_KEY_FILE")) {
            (Some(text), _) => {
                SigningKeySource::Key(parse_signing_key(&text).map_err(|problem| ConfigError {
                    variable: "ADESAO_SIGNING_KEY",
                    problem,
                })?)
            }
            (None, file) => SigningKeySource::File(PathBuf::from(
                file.unwrap_or_else(|| Self::DEFAULT_SIGNING_KEY_FILE.to_owned()),
            )),
        };

        Ok(Self {
            addr,
            database_url,
            demo_data,
            cookie_secure,
            log,
            db_max_connections,
            max_upload_bytes,
            trusted_proxies,
            child_program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("adesao")),
            auth: AuthPolicy::default(),
            clock: Clock::system(),
            email,
            sms,
            public_url,
            retry: RetryPolicy::default(),
            delivery_interval: Duration::from_secs(2),
            signing_key,
        })
    }
}

/// An `http://` or `https://` address with a host and nothing after the path, without its
/// trailing slash.
fn parse_public_url(text: &str) -> Option<String> {
    let uri: axum::http::Uri = text.parse().ok()?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let plain = uri.query().is_none() && !text.contains('#');
    (scheme_ok && uri.host().is_some_and(|h| !h.is_empty()) && plain)
        .then(|| text.trim_end_matches('/').to_owned())
}

/// `10.0.0.0/8, 192.168.1.7, ::1` → networks (a bare address is a network of one).
fn parse_proxies(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| p.to_owned())
        })
        .collect()
}

fn parse_bool(variable: &'static str, value: Option<String>) -> Result<Option<bool>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(ConfigError {
            variable,
            problem: format!("expected true or false, got {value:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://data/adesao.db");
        assert!(c.demo_data);
        assert!(!c.cookie_secure, "loopback defaults to plain-HTTP cookies");
        assert!(
            config(&[("ADESAO_ADDR", "0.0.0.0:80")])
                .unwrap()
                .cookie_secure
        );
    }

    #[test]
    fn explicit_values() {
        let c = config(&[
            ("ADESAO_DEMO_DATA", "false"),
            ("ADESAO_COOKIE_SECURE", "true"),
            ("ADESAO_DATABASE_URL", "postgres://u@localhost/adesao"),
        ])
        .unwrap();
        assert!(!c.demo_data);
        assert!(c.cookie_secure);
        assert_eq!(c.database_url, "postgres://u@localhost/adesao");
    }

    #[test]
    fn mail_and_sms_settings() {
        let c = config(&[]).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(matches!(c.email, EmailTransport::Log));
        assert!(matches!(c.sms, SmsTransport::Log));
        let c = config(&[
            ("ADESAO_PUBLIC_URL", "https://adesao.gov.br/"),
            (
                "ADESAO_SMTP_URL",
                "smtp://user:pw@relay.example:587?tls=required",
            ),
            ("ADESAO_SMS_WEBHOOK_URL", "https://sms.example/v1/send"),
            ("ADESAO_SMS_WEBHOOK_TOKEN", "t0k3n"),
        ])
        .unwrap();
        assert_eq!(c.public_url, "https://adesao.gov.br");
        assert!(matches!(c.email, EmailTransport::Smtp(_)));
        assert!(matches!(c.sms, SmsTransport::Webhook(_)));
        assert!(!format!("{c:?}").contains("pw@"), "no credentials in Debug");
        assert!(!format!("{c:?}").contains("t0k3n"));
        for (pairs, variable) in [
            (
                vec![("ADESAO_PUBLIC_URL", "adesao.gov.br")],
                "ADESAO_PUBLIC_URL",
            ),
            (
                vec![("ADESAO_PUBLIC_URL", "ftp://adesao.gov.br")],
                "ADESAO_PUBLIC_URL",
            ),
            (
                vec![("ADESAO_SMTP_URL", "smtp://u:secret@h?tls=never")],
                "ADESAO_SMTP_URL",
            ),
            (vec![("ADESAO_MAIL_FROM", "ninguém")], "ADESAO_MAIL_FROM"),
            (
                vec![
                    ("ADESAO_SMTP_URL", "smtp://h:25"),
                    ("ADESAO_MAIL_FROM", "x"),
                ],
                "ADESAO_MAIL_FROM",
            ),
            (
                vec![("ADESAO_SMS_WEBHOOK_URL", "https://sms.example")],
                "ADESAO_SMS_WEBHOOK_TOKEN",
            ),
            (
                vec![
                    ("ADESAO_SMS_WEBHOOK_URL", "sms.example"),
                    ("ADESAO_SMS_WEBHOOK_TOKEN", "t"),
                ],
                "ADESAO_SMS_WEBHOOK_URL",
            ),
        ] {
            let e = config(&pairs).unwrap_err();
            assert_eq!(e.variable, variable, "{pairs:?}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        let c = config(&[("ADESAO_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,::1")]).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.168.1.7/32", "::1/128"]);
        let e = config(&[("ADESAO_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]).unwrap_err();
        assert_eq!(e.variable, "ADESAO_TRUSTED_PROXIES");
        assert!(e.to_string().contains("\"proxy.local\""), "{e}");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("ADESAO_ADDR", "localhost")]).unwrap_err();
        assert_eq!(e.variable, "ADESAO_ADDR");
        assert!(e.to_string().starts_with("ADESAO_ADDR: expected IP:PORT"));
        assert_eq!(
            config(&[("ADESAO_DEMO_DATA", "talvez")])
                .unwrap_err()
                .variable,
            "ADESAO_DEMO_DATA"
        );
        assert_eq!(
            config(&[("ADESAO_DATABASE_URL", "mysql://x")])
                .unwrap_err()
                .variable,
            "ADESAO_DATABASE_URL"
        );
        assert_eq!(
            config(&[("ADESAO_LOG", "info,[")]).unwrap_err().variable,
            "ADESAO_LOG"
        );
        assert_eq!(
            config(&[("ADESAO_DB_MAX_CONNECTIONS", "0")])
                .unwrap_err()
                .variable,
            "ADESAO_DB_MAX_CONNECTIONS"
        );
        assert_eq!(
            config(&[("ADESAO_MAX_UPLOAD_BYTES", "134217729")])
                .unwrap_err()
                .variable,
            "ADESAO_MAX_UPLOAD_BYTES"
        );
    }
}
