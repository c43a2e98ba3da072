//! `adesao`: the Solicitação de Adesão server. Configuration comes from `ADESAO_*` environment
//! variables (see the README); this file only parses the command line and starts the library.

use std::process::ExitCode;

use adesao_web::{Application, Config, init_tracing};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "adesao",
    version,
    about = "Solicitação de Adesão — Conecta gov.br"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default): ADESAO_ADDR, ADESAO_DATABASE_URL, ADESAO_DEMO_DATA,
    /// ADESAO_COOKIE_SECURE, ADESAO_LOG, ADESAO_DB_MAX_CONNECTIONS, ADESAO_MAX_UPLOAD_BYTES,
    /// ADESAO_TRUSTED_PROXIES.
    Serve,
    /// Fill the database of ADESAO_DATABASE_URL with generated load for measurements: the demo
    /// data (when empty), 45 more organizations and N requests over every status and two years.
    #[command(name = "gen-load")]
    GenLoad {
        /// How many requests to add.
        #[arg(long, default_value_t = 100_000)]
        requests: usize,
    },
    /// Check one PDF read from standard input, under resource limits. The server runs this in a
    /// child process for every upload; it is not meant to be run by hand.
    #[command(name = "check-pdf", hide = true)]
    CheckPdf {
        /// Heap limit in MiB (the server passes none: the documented default).
        #[arg(long)]
        heap_mib: Option<u64>,
    },
    /// Typeset one document: a job as JSON on standard input, its PDF on standard output. The
    /// server runs this in a child process for every PDF report; it is not meant to be run by
    /// hand.
    #[command(name = "typeset", hide = true)]
    Typeset,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        // No runtime here: the check is synchronous and its process should stay small.
        Command::CheckPdf { heap_mib } => adesao_documents::sandbox::child_main(
            heap_mib.map_or(adesao_documents::sandbox::CHILD_HEAP_BYTES, |m| m << 20),
        ),
        Command::Typeset => adesao_documents::typesetter::child_main(),
        Command::Serve => run(serve()),
        Command::GenLoad { requests } => run(gen_load(requests)),
    }
}

fn run(task: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(task),
        Err(e) => {
            eprintln!("adesao: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn gen_load(requests: usize) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("adesao: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let result = async {
        let db =
            adesao_store::Db::connect(&adesao_store::DbOptions::new(&config.database_url)).await?;
        adesao_services::demo::load_if_empty(&db).await?;
        adesao_store::load::generate(&db, requests).await?;
        db.analyze().await?;
        db.close().await;
        anyhow::Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            println!(
                "{requests} requests generated in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("adesao: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("adesao: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config.log);
    let result = async { Application::build(config).await?.run_until_stopped().await }.await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the chain on one line: "cannot open the database: …".
            eprintln!("adesao: {e:#}");
            ExitCode::FAILURE
        }
    }
}
