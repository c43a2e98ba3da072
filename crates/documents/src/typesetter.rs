//! Typesetting in a child process, a bounded number at a time.
//!
//! A PDF report at its row limit makes Typst hold hundreds of megabytes while it lays the pages
//! out (BENCHMARKS.md), and an allocator keeps what a process once took: typeset in the server,
//! one large report would leave it that much bigger for good. So the server runs
//! `PROGRAM typeset` (the same binary) with the job as JSON on standard input and reads the PDF
//! from standard output. The child lowers its own heap and CPU limits first, gets an empty
//! environment (no database URL or other secret), and its memory goes back to the system when
//! it exits; the parent kills it at [`WALL_TIME`].

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::dsi::DsiData;
use crate::report::{self, RequestsReport};
use crate::typeset::TypesetError;

/// The subcommand of the server's binary that runs the child side ([`child_main`]).
pub const SUBCOMMAND: &str = "typeset";

/// Heap the child may use (`RLIMIT_DATA`). A report at its row limit peaks near 800 MB.
pub const CHILD_HEAP_BYTES: u64 = 1536 << 20;

/// When the parent kills a child that has not answered (a report at its limit takes about
/// three seconds on one core).
pub const WALL_TIME: Duration = Duration::from_secs(60);

/// How long a document waits for a free slot before the server says it is busy.
pub const QUEUE_WAIT: Duration = Duration::from_secs(30);

/// A document to typeset, with its data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "document", content = "data", rename_all = "snake_case")]
pub enum Job {
    RequestsReport(RequestsReport),
    Dsi(Box<DsiData>),
}

impl Job {
    /// The PDF, typeset in this process.
    pub fn render(&self) -> Result<Vec<u8>, TypesetError> {
        match self {
            Job::RequestsReport(r) => report::requests_pdf(r),
            Job::Dsi(d) => crate::dsi::dsi_pdf(d),
        }
    }
}

/// Why a document was not typeset.
#[derive(Debug, thiserror::Error)]
pub enum TypesetterError {
    /// Every slot stayed taken for the queue wait.
    #[error("all typesetting slots are busy")]
    Busy,
    /// A fault of ours: the template, the child process, its answer.
    #[error("typesetting failed: {0}")]
    Failed(String),
}

#[derive(Debug, Clone)]
enum Mode {
    /// On a blocking thread of this process (library users, benchmarks).
    InProcess,
    /// In `program typeset`.
    Child(PathBuf),
}

/// Typesets documents, at most `concurrent` at once.
#[derive(Debug, Clone)]
pub struct Typesetter {
    mode: Mode,
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

impl Default for Typesetter {
    fn default() -> Self {
        Self::in_process(1)
    }
}

impl Typesetter {
    /// Typesets on a blocking thread of this process.
    pub fn in_process(concurrent: usize) -> Self {
        Self::with_mode(Mode::InProcess, concurrent)
    }

    /// Typesets in `program typeset`, a child process per document.
    pub fn child(program: impl Into<PathBuf>, concurrent: usize) -> Self {
        Self::with_mode(Mode::Child(program.into()), concurrent)
    }

    fn with_mode(mode: Mode, concurrent: usize) -> Self {
        Self {
            mode,
            slots: Arc::new(Semaphore::new(concurrent.max(1))),
            queue_wait: QUEUE_WAIT,
        }
    }

    /// How long a document waits for a free slot before [`TypesetterError::Busy`].
    pub fn with_queue_wait(mut self, wait: Duration) -> Self {
        self.queue_wait = wait;
        self
    }

    /// The PDF of `job`.
    pub async fn render(&self, job: Job) -> Result<Vec<u8>, TypesetterError> {
        let turn = self.turn().await?;
        self.render_in(turn, job).await
    }

    /// Waits for a free slot (at most the queue wait). A caller can check, once its turn has
    /// come, whether the document is still wanted, before [`Typesetter::render_in`] uses it.
    pub async fn turn(&self) -> Result<Turn, TypesetterError> {
        let permit = tokio::time::timeout(self.queue_wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| TypesetterError::Busy)?
            .map_err(|_| TypesetterError::Failed("typesetter closed".into()))?;
        Ok(Turn { _permit: permit })
    }

    /// The PDF of `job`, typeset in the slot of `turn`.
    pub async fn render_in(&self, turn: Turn, job: Job) -> Result<Vec<u8>, TypesetterError> {
        let _slot = turn;
        match &self.mode {
            Mode::InProcess => tokio::task::spawn_blocking(move || job.render())
                .await
                .map_err(|e| TypesetterError::Failed(e.to_string()))?
                .map_err(|e| TypesetterError::Failed(e.to_string())),
            Mode::Child(program) => in_child(program, &job).await,
        }
    }
}

/// A slot of the typesetter, held until dropped.
pub struct Turn {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

async fn in_child(program: &std::path::Path, job: &Job) -> Result<Vec<u8>, TypesetterError> {
    let failed = |what: String| TypesetterError::Failed(what);
    let input = serde_json::to_vec(job).map_err(|e| failed(e.to_string()))?;
    let mut child = tokio::process::Command::new(program)
        .arg(SUBCOMMAND)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(format!("cannot start {}: {e}", program.display())))?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let exchange = async {
        // Written while the answer is read: a large job and a large PDF would otherwise fill
        // both pipes and wait on each other.
        let write = async {
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        let mut pdf = Vec::new();
        let mut message = String::new();
        // A read that fails leaves a short PDF, which the checks below refuse.
        let (_, _, _) = tokio::join!(write, stdout.read_to_end(&mut pdf), async {
            let _ = (&mut stderr).take(4096).read_to_string(&mut message).await;
        });
        (pdf, message, child.wait().await)
    };
    // Dropping the exchange on time-out drops the child, which kill_on_drop kills.
    let (pdf, message, status) = tokio::time::timeout(WALL_TIME, exchange)
        .await
        .map_err(|_| failed(format!("no answer within {} s", WALL_TIME.as_secs())))?;
    let status = status.map_err(|e| failed(format!("wait: {e}")))?;
    if status.success() && pdf.starts_with(b"%PDF-") {
        Ok(pdf)
    } else {
        Err(failed(format!("{status}: {}", message.trim())))
    }
}

/// The child side: a [`Job`] as JSON on standard input, its PDF on standard output.
pub fn child_main() -> ExitCode {
    use std::io::{Read, Write};

    if let Err(e) = limit_self() {
        eprintln!("typeset: cannot set resource limits: {e}");
        return ExitCode::FAILURE;
    }
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("typeset: {e}");
        return ExitCode::FAILURE;
    }
    let pdf = serde_json::from_slice::<Job>(&input)
        .map_err(|e| e.to_string())
        .and_then(|job| job.render().map_err(|e| e.to_string()));
    match pdf {
        Ok(pdf) => match std::io::stdout().write_all(&pdf) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!("typeset: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
fn limit_self() -> std::io::Result<()> {
    use rlimit::Resource;
    Resource::DATA.set(CHILD_HEAP_BYTES, CHILD_HEAP_BYTES)?;
    // A backstop for the parent's kill, should the parent itself die.
    let cpu = WALL_TIME.as_secs() + 2;
    Resource::CPU.set(cpu, cpu + 1)?;
    Resource::CORE.set(0, 0)?;
    Ok(())
}

#[cfg(not(unix))]
fn limit_self() -> std::io::Result<()> {
    Ok(())
}
