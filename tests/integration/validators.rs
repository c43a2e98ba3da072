//! The outside judges of a signed PDF, for the integration and the browser tests: poppler's
//! pdfsig and pyHanko, each skipped with a line when not installed (unless required).

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

pub fn temp_file(suffix: &str, bytes: &[u8]) -> std::path::PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("adesao-signed-{}-{n}.{suffix}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// pdfsig's report, or None where poppler is not installed (and not required).
pub fn pdfsig(pdf: &[u8]) -> Option<String> {
    let file = temp_file("pdf", pdf);
    let run = Command::new("pdfsig").arg(&file).output();
    let _ = std::fs::remove_file(&file);
    match run {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Err(e) => {
            assert!(
                std::env::var_os("ADESAO_POPPLER_REQUIRED").is_none(),
                "ADESAO_POPPLER_REQUIRED is set but pdfsig cannot run: {e}"
            );
            eprintln!("skipped: pdfsig (Debian's poppler-utils) is not installed");
            None
        }
    }
}

/// pyHanko's summary of `pdf` trusting only `roots`, or None without `ADESAO_TEST_PYHANKO`.
pub fn pyhanko(pdf: &[u8], roots: &[&str]) -> Option<String> {
    let Some(program) = std::env::var_os("ADESAO_TEST_PYHANKO") else {
        eprintln!("skipped: pyHanko (set ADESAO_TEST_PYHANKO to its pyhanko program)");
        return None;
    };
    let file = temp_file("pdf", pdf);
    let mut command = Command::new(program);
    command.args([
        "sign",
        "validate",
        "--no-revocation-check",
        "--trust-replace",
    ]);
    let pems: Vec<_> = roots
        .iter()
        .map(|r| temp_file("pem", r.as_bytes()))
        .collect();
    for pem in &pems {
        command.arg("--trust").arg(pem);
    }
    let out = command
        .arg("--executive-summary")
        .arg(&file)
        .output()
        .expect("pyhanko runs");
    let _ = std::fs::remove_file(&file);
    for pem in pems {
        let _ = std::fs::remove_file(pem);
    }
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}
