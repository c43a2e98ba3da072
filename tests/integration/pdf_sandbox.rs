//! The PDF check in its child process (`adesao check-pdf`): the hostile files of issue 8 refused
//! fast by the real program, and each way a child can fail read correctly by the parent.

use std::time::{Duration, Instant};

use adesao_documents::pdf::{Excess, PdfProblem, hostile, sample};
use adesao_documents::sandbox::{CheckError, PdfChecker, WALL_TIME};

fn checker() -> PdfChecker {
    PdfChecker::new(env!("CARGO_BIN_EXE_adesao"), 2)
}

/// A checker whose "child" is a shell script.
fn shell(script: &str) -> PdfChecker {
    PdfChecker::new("/bin/sh", 1).with_args(&["-c", script])
}

async fn refusal(checker: &PdfChecker, bytes: &[u8]) -> (PdfProblem, Duration) {
    let started = Instant::now();
    match checker.check(bytes).await {
        Err(CheckError::Refused(p)) => (p, started.elapsed()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_real_pdf_passes_and_the_child_reports_its_memory() {
    let report = checker().check(&sample("Ofício")).await.unwrap();
    let rss = report
        .peak_rss_kib
        .expect("the child reports its peak memory");
    assert!(rss > 0 && rss < 64 * 1024, "{rss} KiB");
}

#[tokio::test]
async fn each_bomb_is_refused_within_two_seconds_naming_its_limit() {
    let checker = checker();
    let cases = [
        (
            "object stream of one huge array (49 KB)",
            hostile::object_stream_array(25_000_000),
            Excess::Inflated { mib: 1 },
        ),
        (
            "the same, 190 KB (aborted the server)",
            hostile::object_stream_array(100_000_000),
            Excess::Inflated { mib: 1 },
        ),
        (
            "cross-reference stream of 2 million entries",
            hostile::xref_stream(2_000_000),
            Excess::Inflated { mib: 1 },
        ),
        (
            "10 MB of deflate that inflates to 10 GB",
            hostile::flate_bomb(10_000_000),
            Excess::Inflated { mib: 256 },
        ),
        (
            "200,001 objects",
            hostile::many_objects(200_001),
            Excess::Objects { count: 200_000 },
        ),
        (
            "deflated twice, 64 MiB inside",
            hostile::double_flate(64 << 20),
            Excess::Inflated { mib: 32 },
        ),
        (
            "200,001 objects, encrypted without a password to open",
            hostile::password_protected("", 200_001),
            Excess::Objects { count: 200_000 },
        ),
    ];
    for (name, bytes, expected) in cases {
        let (problem, took) = refusal(&checker, &bytes).await;
        assert_eq!(problem, PdfProblem::TooComplex(expected), "{name}");
        assert!(took < Duration::from_secs(2), "{name}: {took:?}");
    }
    // What no limit applies to, read in time: nesting 400,000 deep and 100,000 broken
    // cross-reference entries (which wrote 100,002 log lines).
    for bytes in [
        hostile::nested_arrays(400_000),
        hostile::bad_xref_table(100_000),
    ] {
        let started = Instant::now();
        checker.check(&bytes).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn a_child_out_of_memory_is_a_refusal_for_memory() {
    // The same program with a 16 MiB heap: a file that needs about a hundred aborts the child.
    let small = checker().with_args(&["check-pdf", "--heap-mib", "16"]);
    let (problem, _) = refusal(&small, &hostile::xref_stream(140_000)).await;
    assert!(
        matches!(problem, PdfProblem::TooComplex(Excess::Memory { .. })),
        "{problem:?}"
    );
    // With the real ceiling it passes.
    checker()
        .check(&hostile::xref_stream(140_000))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_child_that_does_not_answer_is_killed_at_the_wall_time() {
    let (problem, took) = refusal(&shell("cat >/dev/null; sleep 30"), &sample("x")).await;
    assert_eq!(problem, PdfProblem::TooComplex(Excess::Time { secs: 2 }));
    assert!(
        took >= WALL_TIME && took < WALL_TIME + Duration::from_secs(1),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_child_that_answers_nonsense_is_an_internal_error_never_an_acceptance() {
    // What a misconfigured checker (the test harness itself, say) would print.
    for script in [
        "cat >/dev/null; echo 'running 0 tests'",
        "cat >/dev/null; exit 0",
        "cat >/dev/null; exit 3",
    ] {
        match shell(script).check(&sample("x")).await {
            Err(CheckError::Internal(_)) => {}
            other => panic!("{script}: {other:?}"),
        }
    }
    match PdfChecker::new("/nonexistent/adesao", 1)
        .check(&sample("x"))
        .await
    {
        Err(CheckError::Internal(m)) => assert!(m.contains("cannot start"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn checks_beyond_the_free_slots_wait_then_give_up() {
    let slow = shell("cat >/dev/null; sleep 30").with_queue_wait(Duration::from_millis(200));
    let first = {
        let slow = slow.clone();
        tokio::spawn(async move { slow.check(&sample("x")).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    assert!(matches!(
        slow.check(&sample("y")).await,
        Err(CheckError::Busy)
    ));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(first.await.unwrap(), Err(CheckError::Refused(_))));
}

#[test]
fn a_damaged_file_makes_the_checker_say_one_line_and_log_nothing() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    // 100,000 broken cross-reference entries once wrote 100,002 ERROR lines to the server log.
    let mut child = Command::new(env!("CARGO_BIN_EXE_adesao"))
        .arg("check-pdf")
        .env("ADESAO_LOG", "trace")
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&hostile::bad_xref_table(100_000))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let answer = String::from_utf8(out.stdout).unwrap();
    assert_eq!(answer.lines().count(), 1, "{answer}");
    assert!(answer.starts_with("ok "), "{answer}");
}
