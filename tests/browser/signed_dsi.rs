//! The signed DSI walked in the browser (issue 13): the technical lead signs with an ICP-Brasil
//! A1 certificate (a file chosen in the page's file input, as a person would), the DSI is
//! downloaded with both signatures, and "Validar documento" accepts it and rejects a tampered
//! copy.

use std::time::{Duration, SystemTime};

use adesao_documents::{a1, pki};

use crate::common::{DEMO_PASSWORD, TestApp};
use crate::harness::Browser;
use crate::validators::{pdfsig, pyhanko};

/// An A1 of `cpf_digits` from a test CA standing in for an ICP-Brasil AC, written to a file;
/// and that CA's certificate (PEM), for the validators to trust.
pub fn a1_file(cpf_digits: &str, password: &str) -> (std::path::PathBuf, String) {
    let ca = pki::new_ca("AC Teste ICP-Brasil", "ICP-Brasil", 2048).unwrap();
    let now = SystemTime::now();
    let year = Duration::from_secs(365 * 24 * 3600);
    let leaf = pki::issue_icp_brasil(
        &ca,
        "GESTOR PRATA 2",
        cpf_digits,
        41,
        now - year,
        now + year,
    )
    .unwrap();
    let pfx = a1::to_pkcs12(
        &leaf.key,
        &leaf.certificate,
        std::slice::from_ref(&ca.certificate),
        password,
    )
    .unwrap();
    (
        write_temp("certificado.pfx", &pfx),
        ca.certificate_pem().unwrap(),
    )
}

fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("adesao-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Assinar as `cpf` with the A1 in `pfx`: a wrong password first (the page comes back with the
/// message beside the field), then the right one.
pub async fn sign_with_a1(b: &Browser, cpf: &str, id: i64, pfx: &std::path::Path, password: &str) {
    b.login_with(cpf, DEMO_PASSWORD).await;
    b.goto(&format!("/solicitacoes/{id}/assinar")).await;
    let file = pfx.to_string_lossy().into_owned();
    b.find("#certificate").await.send_keys(&file).await.unwrap();
    b.type_into("#password", "senha-errada").await;
    b.click_text("Assinar com certificado A1").await;
    assert!(
        b.exists("#password-error").await,
        "the refusal is beside the password"
    );
    assert!(b.text().await.contains("Senha do certificado incorreta."));
    b.checkpoint("1.9-dsi-a1-senha-errada").await;
    b.find("#certificate").await.send_keys(&file).await.unwrap();
    b.type_into("#password", password).await;
    b.click_text("Assinar com certificado A1").await;
    assert!(
        b.text()
            .await
            .contains("enviada para análise do órgão cedente"),
        "signed with the A1 as {cpf}"
    );
    b.logout().await;
}

/// Downloads the DSI of `id` as its requester sees it, then has pdfsig, pyHanko and "Validar
/// documento" judge it and a copy with one byte changed.
pub async fn validate_in_the_page(
    b: &Browser,
    app: &TestApp,
    id: i64,
    manager: &str,
    a1_root: &str,
) {
    let token = app.token(manager).await;
    let r = app
        .api_get(&format!("/api/v1/requests/{id}/dsi.pdf"), &token)
        .await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap().to_vec();
    let signed = write_temp("dsi-assinado.pdf", &pdf);
    let mut tampered = pdf.clone();
    tampered[pdf.len() / 4] ^= 0x01;
    let tampered_file = write_temp("dsi-alterado.pdf", &tampered);
    outside_judges(app, &pdf, &tampered, a1_root).await;

    // Public: no login.
    b.goto("/validar").await;
    b.checkpoint("validar").await;
    b.find("#file")
        .await
        .send_keys(&signed.to_string_lossy())
        .await
        .unwrap();
    b.click_text("Validar").await;
    let text = b.text().await;
    assert!(
        text.contains("Todas as 2 assinaturas são válidas"),
        "{text}"
    );
    assert!(
        text.contains("Gestor Prata") && text.contains("***.591.158-**"),
        "{text}"
    );
    assert!(
        text.contains("GESTOR PRATA 2") && text.contains("***.596.684-**"),
        "{text}"
    );
    assert!(
        text.contains("Certificado emitido por AC Teste ICP-Brasil"),
        "{text}"
    );
    b.checkpoint("validar-assinado").await;
    // On a phone too: the result fits its width and passes axe-core.
    b.phone().await;
    b.goto("/validar").await;
    b.find("#file")
        .await
        .send_keys(&signed.to_string_lossy())
        .await
        .unwrap();
    b.click_text("Validar").await;
    assert!(
        b.text()
            .await
            .contains("Todas as 2 assinaturas são válidas")
    );
    b.checkpoint("validar-assinado").await;
    b.desktop().await;

    b.find("#file")
        .await
        .send_keys(&tampered_file.to_string_lossy())
        .await
        .unwrap();
    b.click_text("Validar").await;
    let text = b.text().await;
    assert!(text.contains("Há assinatura inválida"), "{text}");
    assert!(
        !text.contains("Todas as 2 assinaturas são válidas"),
        "{text}"
    );
    b.checkpoint("validar-alterado").await;
}

/// pdfsig and pyHanko (trusting the installation's CA and the test AC) accept both signatures
/// of `signed` and neither of `tampered`.
async fn outside_judges(app: &TestApp, signed: &[u8], tampered: &[u8], a1_root: &str) {
    let ca = app
        .browser()
        .get(app.url("/api/v1/signing/ca.pem"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if let Some(out) = pdfsig(signed) {
        assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    }
    if let Some(out) = pdfsig(tampered) {
        assert_eq!(out.matches("Signature is Valid.").count(), 0, "{out}");
    }
    let valid_lines = |out: &str| {
        out.lines()
            .filter(|l| l.starts_with("Assinatura") && l.trim_end().ends_with(":VALID"))
            .count()
    };
    if let Some(out) = pyhanko(signed, &[&ca, a1_root]) {
        assert_eq!(valid_lines(&out), 2, "{out}");
    }
    if let Some(out) = pyhanko(tampered, &[&ca, a1_root]) {
        assert!(out.contains("Assinatura1:"), "judged: {out}");
        assert_eq!(valid_lines(&out), 0, "{out}");
    }
}
