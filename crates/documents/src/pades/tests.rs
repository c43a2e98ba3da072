//! Signatures checked by outside validators: poppler's pdfsig and pyHanko.

use std::process::Command;

use super::*;

/// A CA of the test and two officials it certifies.
fn identities() -> (Certificate, Identity, Identity) {
    let ca = crate::pki::new_ca("Adesao AC de teste", "Adesao", 2048).unwrap();
    let official = |serial, cn: &str| {
        let issued = crate::pki::issue(&ca, cn, "Adesao", serial, 2048).unwrap();
        Identity {
            key: issued.key,
            certificate: issued.certificate,
            chain: vec![ca.certificate.clone()],
        }
    };
    let first = official(2, "Gestor Prata:21359115854");
    let second = official(3, "Gestor Prata 2:45859659684");
    (ca.certificate.clone(), first, second)
}

fn info<'a>(field: &'a str, name: &'a str) -> SignatureInfo<'a> {
    SignatureInfo {
        field,
        signer_name: name,
        pdf_date: "D:20261128105902-03'00'",
        reason: "Assinatura do DSI",
        // Visible, as the DSI's are: the validators must accept the appearance stream too.
        appearance: Some(Appearance {
            rect: [68.0, 100.0, 527.0, 134.0],
            lines: vec![
                format!(
                    "Assinado digitalmente por {name}, CPF ***.591.158-**, em 28/11/2026 10:59:02"
                ),
                "Diretor(a) de TI".to_owned(),
            ],
        }),
    }
}

fn temp_path(suffix: &str) -> std::path::PathBuf {
    let n = rand_core::RngCore::next_u64(&mut rand_core::OsRng);
    std::env::temp_dir().join(format!("adesao-pades-{n}.{suffix}"))
}

/// pyHanko's executive summary of `pdf` with `ca` as the only trust root, or None where
/// `ADESAO_TEST_PYHANKO` (the `pyhanko` program of a virtual environment with pyHanko and
/// pyhanko-cli) is not set.
fn pyhanko(pdf: &[u8], ca: &Certificate) -> Option<String> {
    let Some(program) = std::env::var_os("ADESAO_TEST_PYHANKO") else {
        eprintln!("skipped: pyHanko (set ADESAO_TEST_PYHANKO to its pyhanko program)");
        return None;
    };
    let (file, trust) = (temp_path("pdf"), temp_path("pem"));
    std::fs::write(&file, pdf).unwrap();
    std::fs::write(
        &trust,
        der::EncodePem::to_pem(ca, der::pem::LineEnding::LF).unwrap(),
    )
    .unwrap();
    let out = Command::new(program)
        .args(["sign", "validate", "--no-revocation-check", "--trust"])
        .arg(&trust)
        .args(["--trust-replace", "--executive-summary"])
        .arg(&file)
        .output()
        .expect("pyhanko runs");
    let _ = (std::fs::remove_file(&file), std::fs::remove_file(&trust));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// pdfsig's report on `pdf`, or None where poppler is not installed.
fn pdfsig(pdf: &[u8]) -> Option<String> {
    let path = temp_path("pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfsig").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    match out {
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

#[test]
fn two_incremental_signatures_both_valid_and_a_flipped_byte_breaks_them() {
    let (ca, first, second) = identities();
    let pdf = crate::report::requests_pdf(&crate::report::sample()).unwrap();
    let once = sign(&pdf, &info("Assinatura1", "Gestor Prata"), &first).unwrap();
    assert!(once.starts_with(&pdf), "an update appends");
    let twice = sign(&once, &info("Assinatura2", "Gestor Prata 2"), &second).unwrap();
    assert!(twice.starts_with(&once));
    // pyHanko: both signatures valid, chained to the CA, and the second update judged
    // harmless to the first (its incremental-update analysis).
    if let Some(summary) = pyhanko(&twice, &ca) {
        let lines: Vec<&str> = summary.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2, "{summary}");
        assert!(
            lines[0].starts_with("Assinatura1:") && lines[0].ends_with(":VALID"),
            "{summary}"
        );
        assert!(
            lines[1].starts_with("Assinatura2:") && lines[1].ends_with(":VALID"),
            "{summary}"
        );
    }
    let Some(report) = pdfsig(&twice) else { return };
    assert_eq!(report.matches("Signature is Valid.").count(), 2, "{report}");
    assert!(report.contains("Gestor Prata:21359115854"), "{report}");
    assert!(report.contains("Gestor Prata 2:45859659684"), "{report}");

    // One byte of the first revision changed: neither signature holds.
    let mut tampered = twice.clone();
    let at = pdf.len() / 2;
    tampered[at] ^= 0x01;
    let report = pdfsig(&tampered).unwrap();
    assert_eq!(report.matches("Signature is Valid.").count(), 0, "{report}");
    if let Some(summary) = pyhanko(&tampered, &ca) {
        assert!(!summary.contains(":VALID"), "{summary}");
    }
}

#[test]
fn our_own_verification_agrees_with_the_validators() {
    let (ca, first, second) = identities();
    let pdf = crate::report::requests_pdf(&crate::report::sample()).unwrap();
    let once = sign(&pdf, &info("Assinatura1", "Gestor Prata"), &first).unwrap();
    let twice = sign(&once, &info("Assinatura2", "Gestor Prata 2"), &second).unwrap();

    let reports = verify::verify(&twice, Some(&ca)).unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0].field, "Assinatura1");
    assert_eq!(reports[0].signer, "Gestor Prata:21359115854");
    assert_eq!(reports[1].signer, "Gestor Prata 2:45859659684");
    assert!(reports.iter().all(|r| r.intact && r.trusted), "{reports:?}");
    assert_eq!(reports[0].time.as_deref(), Some("D:20261128105902-03'00'"));
    // The first was followed by the second; the second covers the whole file.
    assert!(!reports[0].covers_whole_file && reports[1].covers_whole_file);

    // Another CA is not this installation's.
    let (other_ca, _, _) = identities();
    let reports = verify::verify(&twice, Some(&other_ca)).unwrap();
    assert!(
        reports.iter().all(|r| r.intact && !r.trusted),
        "{reports:?}"
    );

    // A flipped byte in the signed part: neither holds, and the reason says so.
    let mut tampered = twice.clone();
    tampered[pdf.len() / 2] ^= 0x01;
    let reports = verify::verify(&tampered, Some(&ca)).unwrap();
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert!(!r.intact, "{r:?}");
        assert_eq!(
            r.problem.as_deref(),
            Some("o documento foi alterado depois desta assinatura")
        );
    }
    // An unsigned document has no signature to report.
    assert!(verify::verify(&pdf, Some(&ca)).unwrap().is_empty());
}
