//! The PDF check in a child process of its own, so that no file can take the server down.
//!
//! [`pdf::check`] bounds what it can count (inflated bytes, objects, values, time), but a parser
//! can still be made to allocate or loop before it counts anything, and an allocation failure
//! aborts a Rust process outright. So the server never parses an upload itself: it runs
//! `PROGRAM check-pdf` (the same binary) with the file on standard input. The child lowers its
//! own resource limits before reading anything — heap ([`CHILD_HEAP_BYTES`]), CPU time, no core
//! file — and answers one line on standard output. The parent kills it at [`WALL_TIME`], runs at
//! most [`PdfChecker::new`]'s `concurrent` checks at once, and gives the child an empty
//! environment (no database URL or other secret reaches it). A child that dies is read by how it
//! died: out of time (killed, or SIGXCPU), out of memory (abort), otherwise an internal error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::pdf::{self, Excess, Limits, PdfProblem};

/// The subcommand of the server's binary that runs the child side ([`child_main`]).
pub const SUBCOMMAND: &str = "check-pdf";

/// Heap the child may use (`RLIMIT_DATA`: its data segment and private anonymous mappings, which
/// is where every allocation goes; the binary's own mapped file is not counted).
pub const CHILD_HEAP_BYTES: u64 = 512 << 20;

/// What the check itself may take ([`Limits::time`]); the parent's kill comes at [`WALL_TIME`].
const CHECK_TIME: Duration = Duration::from_secs(2);

/// When the parent kills a child that has not answered: the check's own time plus a margin for
/// starting the process and moving the file through the pipe.
pub const WALL_TIME: Duration = Duration::from_millis(2_500);

/// How long an upload waits for a free checking slot before the server says it is busy.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The limits the child applies.
pub fn limits() -> Limits {
    Limits {
        time: CHECK_TIME,
        ..Limits::default()
    }
}

/// Why a file could not be judged.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The file is not accepted; the message says why, in Portuguese.
    #[error("{0}")]
    Refused(PdfProblem),
    /// Every checking slot stayed taken for [`QUEUE_WAIT`].
    #[error("all PDF checking slots are busy")]
    Busy,
    /// The checker itself failed (missing program, unexpected answer).
    #[error("PDF checker failed: {0}")]
    Internal(String),
}

/// Runs checks in child processes, a bounded number at a time.
#[derive(Debug, Clone)]
pub struct PdfChecker {
    program: PathBuf,
    args: Vec<OsString>,
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

/// What a finished check reports for the log.
#[derive(Debug, Clone, Copy)]
pub struct CheckReport {
    pub elapsed: Duration,
    /// The child's peak resident memory, when it lived to tell.
    pub peak_rss_kib: Option<u64>,
}

impl PdfChecker {
    /// Checks with `program check-pdf`, at most `concurrent` at once.
    pub fn new(program: impl Into<PathBuf>, concurrent: usize) -> Self {
        Self {
            program: program.into(),
            args: vec![SUBCOMMAND.into()],
            slots: Arc::new(Semaphore::new(concurrent.max(1))),
            queue_wait: QUEUE_WAIT,
        }
    }

    /// Runs `program` with `args` instead of `check-pdf` (tests give the child a smaller heap,
    /// or put a misbehaving program in its place).
    pub fn with_args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(OsString::from).collect();
        self
    }

    /// How long a check waits for a free slot before [`CheckError::Busy`].
    pub fn with_queue_wait(mut self, wait: Duration) -> Self {
        self.queue_wait = wait;
        self
    }

    /// Checks with this very program (the `adesao` binary), one check per CPU.
    pub fn current_exe() -> std::io::Result<Self> {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self::new(std::env::current_exe()?, cpus))
    }

    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// Judges `bytes`: accepted, refused (with the reason), or not judged.
    pub async fn check(&self, bytes: &[u8]) -> Result<CheckReport, CheckError> {
        let _slot = tokio::time::timeout(self.queue_wait, self.slots.acquire())
            .await
            .map_err(|_| CheckError::Busy)?
            .map_err(|_| CheckError::Internal("checker closed".into()))?;
        let started = Instant::now();
        let mut child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                CheckError::Internal(format!("cannot start {}: {e}", self.program.display()))
            })?;
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let exchange = async {
            // A child that dies early closes its end: the write fails, the exit status tells.
            let _ = stdin.write_all(bytes).await;
            drop(stdin);
            let mut answer = String::new();
            let _ = (&mut stdout).take(4096).read_to_string(&mut answer).await;
            let status = child.wait().await;
            (answer, status)
        };
        let outcome = tokio::time::timeout(WALL_TIME, exchange).await;
        let elapsed = started.elapsed();
        let (answer, status) = match outcome {
            Ok(done) => done,
            // Dropping the exchange drops the child, which kill_on_drop kills (and tokio reaps).
            Err(_) => {
                return Err(CheckError::Refused(PdfProblem::TooComplex(time_excess())));
            }
        };
        let status = status.map_err(|e| CheckError::Internal(format!("wait: {e}")))?;
        if status.success() {
            let (verdict, peak_rss_kib) = parse_answer(&answer)
                .ok_or_else(|| CheckError::Internal(format!("unexpected answer {answer:?}")))?;
            let report = CheckReport {
                elapsed,
                peak_rss_kib,
            };
            return match verdict {
                None => Ok(report),
                Some(problem) => Err(CheckError::Refused(problem)),
            };
        }
        Err(died(status))
    }
}

fn time_excess() -> Excess {
    Excess::Time {
        secs: CHECK_TIME.as_secs(),
    }
}

/// Reads how a child that did not answer ended.
fn died(status: std::process::ExitStatus) -> CheckError {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            // Out of CPU time (RLIMIT_CPU), or killed (by us or the kernel's OOM killer).
            Some(24) => return CheckError::Refused(PdfProblem::TooComplex(time_excess())),
            // An allocation beyond the heap limit aborts; so does a stack overflow.
            Some(6) | Some(9) | Some(11) => {
                return CheckError::Refused(PdfProblem::TooComplex(Excess::Memory {
                    mib: CHILD_HEAP_BYTES >> 20,
                }));
            }
            _ => {}
        }
    }
    CheckError::Internal(format!("checker ended with {status}"))
}

/// `ok RSS` or `refused CODE RSS`, RSS in KiB.
fn parse_answer(answer: &str) -> Option<(Option<PdfProblem>, Option<u64>)> {
    let mut words = answer.split_whitespace();
    let verdict = match words.next()? {
        "ok" => None,
        "refused" => Some(decode(words.next()?)?),
        _ => return None,
    };
    let rss = words.next().and_then(|w| w.parse().ok());
    Some((verdict, rss))
}

/// A refusal as one word: `empty`, `not_pdf`, `damaged`, or `too_complex:KIND:N`.
fn encode(problem: &PdfProblem) -> String {
    match problem {
        PdfProblem::Empty => "empty".into(),
        PdfProblem::NotPdf => "not_pdf".into(),
        PdfProblem::Damaged => "damaged".into(),
        PdfProblem::Encrypted => "encrypted".into(),
        PdfProblem::TooComplex(excess) => {
            let n = match *excess {
                Excess::Inflated { mib } | Excess::Time { secs: mib } | Excess::Memory { mib } => {
                    mib
                }
                Excess::Objects { count } | Excess::Values { count } => count as u64,
            };
            format!("too_complex:{}:{n}", excess.code())
        }
    }
}

fn decode(word: &str) -> Option<PdfProblem> {
    Some(match word {
        "empty" => PdfProblem::Empty,
        "not_pdf" => PdfProblem::NotPdf,
        "damaged" => PdfProblem::Damaged,
        "encrypted" => PdfProblem::Encrypted,
        other => {
            let mut parts = other.strip_prefix("too_complex:")?.split(':');
            let kind = parts.next()?;
            let n: u64 = parts.next()?.parse().ok()?;
            PdfProblem::TooComplex(match kind {
                "inflated" => Excess::Inflated { mib: n },
                "objects" => Excess::Objects { count: n as usize },
                "values" => Excess::Values { count: n as usize },
                "time" => Excess::Time { secs: n },
                "memory" => Excess::Memory { mib: n },
                _ => return None,
            })
        }
    })
}

/// The child's side of [`PdfChecker::check`]: limits its heap to `heap_bytes` (normally
/// [`CHILD_HEAP_BYTES`]), reads the file from standard input, checks it and prints its answer.
/// Called by the `check-pdf` subcommand.
pub fn child_main(heap_bytes: u64) -> ExitCode {
    use std::io::{Read, Write};

    if let Err(e) = limit_self(heap_bytes) {
        eprintln!("check-pdf: cannot set resource limits: {e}");
        return ExitCode::FAILURE;
    }
    let mut bytes = Vec::new();
    if std::io::stdin().read_to_end(&mut bytes).is_err() {
        return ExitCode::FAILURE;
    }
    let answer = match pdf::check(&bytes, &limits()) {
        Ok(()) => "ok".to_owned(),
        Err(problem) => format!("refused {}", encode(&problem)),
    };
    let line = format!("{answer} {}\n", peak_rss_kib());
    if std::io::stdout().write_all(line.as_bytes()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(unix)]
fn limit_self(heap_bytes: u64) -> std::io::Result<()> {
    use rlimit::Resource;
    Resource::DATA.set(heap_bytes, heap_bytes)?;
    // A backstop for the parent's kill, should the parent itself die: whole seconds of CPU.
    let cpu = WALL_TIME.as_secs() + 2;
    Resource::CPU.set(cpu, cpu + 1)?;
    // An abort must not leave a core file of up to half a gigabyte behind.
    Resource::CORE.set(0, 0)?;
    Ok(())
}

#[cfg(not(unix))]
fn limit_self(_heap_bytes: u64) -> std::io::Result<()> {
    Ok(())
}

/// The peak resident memory of this process, in KiB (0 where unknown).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_crosses_the_pipe_unchanged() {
        let problems = [
            PdfProblem::Empty,
            PdfProblem::NotPdf,
            PdfProblem::Damaged,
            PdfProblem::Encrypted,
            PdfProblem::TooComplex(Excess::Inflated { mib: 256 }),
            PdfProblem::TooComplex(Excess::Objects { count: 200_000 }),
            PdfProblem::TooComplex(Excess::Values { count: 2_000_000 }),
            PdfProblem::TooComplex(Excess::Time { secs: 2 }),
            PdfProblem::TooComplex(Excess::Memory { mib: 512 }),
        ];
        for p in problems {
            let line = format!("refused {} 1234\n", encode(&p));
            assert_eq!(parse_answer(&line), Some((Some(p), Some(1234))));
        }
        assert_eq!(parse_answer("ok 99\n"), Some((None, Some(99))));
        for garbage in [
            "",
            "running 0 tests",
            "refused",
            "refused too_complex:x:1 1",
        ] {
            assert_eq!(parse_answer(garbage), None, "{garbage:?}");
        }
    }
}
