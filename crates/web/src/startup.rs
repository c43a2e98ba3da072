//! Building and running the whole application, the same way in production and in tests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use adesao_documents::sandbox::PdfChecker;
use adesao_documents::typesetter::{Job, Typesetter};
use adesao_notify::Notifier;
use adesao_services::requests::AttachmentPolicy;
use adesao_services::{
    AdminService, AuthService, RequestService, SigningAuthority, SigningKey, demo,
};
use adesao_store::{Db, DbOptions};
use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::routes;
use crate::state::{AppState, CookiePolicy};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: Db,
    auth: AuthService,
    notifier: Notifier,
    delivery_interval: Duration,
}

impl Application {
    /// Binds the address, connects to and migrates the database, loads the demo data when asked
    /// and the database is empty, and wires the routes. Nothing runs until
    /// [`run_until_stopped`](Self::run_until_stopped).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let mut options = DbOptions::new(&config.database_url);
        options.max_connections = config.db_max_connections;
        let db = Db::connect(&options)
            .await
            .context("cannot open the database")?;
        if config.demo_data
            && demo::load_if_empty(&db)
                .await
                .context("cannot load demo data")?
        {
            tracing::warn!(
                "demo data loaded: every demo user has the published password; do not use in production"
            );
        }
        let auth =
            AuthService::new(db.clone(), config.auth.clone()).with_clock(config.clock.clone());
        let checker = pdf_checker(&config).await?;
        let typesetter = typesetter(&config).await?;
        let signing_key = config.signing_key.load()?;
        let signing = SigningAuthority::new(db.clone(), SigningKey::new(signing_key))
            .with_clock(config.clock.clone());
        let state = AppState {
            db: db.clone(),
            auth: auth.clone(),
            requests: RequestService::new(
                db.clone(),
                AttachmentPolicy::new(checker.clone(), config.max_upload_bytes),
            )
            .with_clock(config.clock.clone())
            .with_public_url(&config.public_url)
            .with_typesetter(typesetter)
            .with_signing(signing.clone()),
            admin: AdminService::new(db.clone(), checker, config.max_upload_bytes)
                .with_clock(config.clock.clone()),
            signing,
            cookies: CookiePolicy {
                secure: config.cookie_secure,
            },
            max_upload_bytes: config.max_upload_bytes,
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            sms_leaves: config.sms.leaves(),
        };
        tracing::info!(email = ?config.email, sms = ?config.sms, public_url = %config.public_url, "message transports");
        let notifier = Notifier::new(
            db.clone(),
            config.email.clone(),
            config.sms.clone(),
            config.retry.clone(),
        );
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        Ok(Self {
            listener,
            router: routes::router(state),
            db,
            auth,
            notifier,
            delivery_interval: config.delivery_interval,
        })
    }

    /// The port actually bound (useful with port 0 in tests).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let housekeeping = tokio::spawn(housekeeping(self.auth.clone()));
        let delivery = tokio::spawn(self.notifier.run(self.delivery_interval));
        tracing::info!(addr = %self.listener.local_addr()?, "listening");
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        housekeeping.abort();
        delivery.abort();
        self.db.close().await;
        result.context("server error")
    }
}

/// The checker of uploaded PDFs (a child process per check, one per CPU at a time), tried once on
/// a sample so that a checker that cannot run stops start-up instead of every upload.
async fn pdf_checker(config: &Config) -> anyhow::Result<PdfChecker> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let checker = PdfChecker::new(&config.child_program, cpus);
    checker
        .check(&adesao_documents::pdf::sample("Adesão"))
        .await
        .with_context(|| {
            format!(
                "the PDF checker ({} {}) does not work",
                config.child_program.display(),
                adesao_documents::sandbox::SUBCOMMAND
            )
        })?;
    Ok(checker)
}

/// The typesetter of the PDF reports (a child process per document, one per two CPUs at a
/// time: each is CPU-bound and may take hundreds of megabytes), tried once on a one-line report
/// so that one that cannot run stops start-up instead of every report.
async fn typesetter(config: &Config) -> anyhow::Result<Typesetter> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let typesetter = Typesetter::child(&config.child_program, cpus / 2);
    typesetter
        .render(Job::RequestsReport(adesao_documents::report::sample()))
        .await
        .with_context(|| {
            format!(
                "the typesetter ({} {}) does not work",
                config.child_program.display(),
                adesao_documents::typesetter::SUBCOMMAND
            )
        })?;
    Ok(typesetter)
}

/// Deletes expired sessions, tokens and old login failures every ten minutes.
async fn housekeeping(auth: AuthService) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match auth.purge_expired().await {
            Ok(n) if n > 0 => tracing::debug!(rows = n, "expired authentication data purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purge of expired authentication data failed"),
        }
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
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Logs to standard error with the configured filter. Call once, before `build`.
pub fn init_tracing(filter: &str) {
    // lopdf logs an ERROR line per unreadable object of a damaged PDF (100,000 for a crafted
    // file of 2 MB). Uploads are parsed in a child process that logs nothing; should lopdf ever
    // run in this process, keep it quiet unless the filter asks for it by name.
    let filter = if filter.contains("lopdf") {
        filter.to_owned()
    } else {
        format!("{filter},lopdf=off")
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(Config::DEFAULT_LOG));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
