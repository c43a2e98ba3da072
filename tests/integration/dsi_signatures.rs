//! The signed DSI (issue 13): the IT director signs with the builtin provider (SMS code), the
//! technical lead with an ICP-Brasil A1 certificate of a test CA; the PDF that comes back is
//! judged by poppler's pdfsig, pyHanko and our own "Validar documento", and a flipped byte is
//! rejected by all three. A1 certificates of another CPF, expired, or opened with a wrong
//! password are refused without a trace; Alterar voids the document and its signatures.

use std::time::{Duration, SystemTime};

use adesao_documents::a1;
use adesao_documents::pki::{self, Issued};
use serde_json::{Value, json};

use crate::common::*;
use crate::validators::{pdfsig, pyhanko};

/// A test CA standing in for an ICP-Brasil AC, and an A1 file it issued.
struct A1Kit {
    ca: Issued,
}

impl A1Kit {
    fn new() -> Self {
        Self {
            ca: pki::new_ca("AC Teste ICP-Brasil", "ICP-Brasil", 2048).unwrap(),
        }
    }

    /// An A1 for `cpf_digits`, valid from `from` to `to`, protected by `password`.
    fn pfx(&self, cpf_digits: &str, from: SystemTime, to: SystemTime, password: &str) -> Vec<u8> {
        let leaf =
            pki::issue_icp_brasil(&self.ca, "GESTOR PRATA 2", cpf_digits, 77, from, to).unwrap();
        a1::to_pkcs12(
            &leaf.key,
            &leaf.certificate,
            std::slice::from_ref(&self.ca.certificate),
            password,
        )
        .unwrap()
    }

    fn valid_pfx(&self, cpf_digits: &str, password: &str) -> Vec<u8> {
        let now = SystemTime::now();
        let year = Duration::from_secs(365 * 24 * 3600);
        self.pfx(cpf_digits, now - year, now + year, password)
    }

    fn ca_pem(&self) -> String {
        self.ca.certificate_pem().unwrap()
    }
}

/// Signs request `id` as `cpf` with the A1 `pfx` through the API's multipart sign call.
async fn sign_a1(
    app: &TestApp,
    id: i64,
    cpf: &str,
    pfx: Vec<u8>,
    password: &str,
) -> reqwest::Response {
    let token = app.token(cpf).await;
    let form = reqwest::multipart::Form::new()
        .text("provider", "icp_brasil_a1")
        .part(
            "certificate",
            reqwest::multipart::Part::bytes(pfx).file_name("certificado.pfx"),
        )
        .text("password", password.to_owned());
    app.browser()
        .post(app.url(&format!("/api/v1/requests/{id}/sign")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn released(app: &TestApp) -> i64 {
    let id = new_draft(app, "API BPC", "adhesion").await;
    release(app, id).await;
    id
}

async fn release(app: &TestApp, id: i64) {
    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

async fn dsi_pdf(app: &TestApp, id: i64) -> Vec<u8> {
    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_get(&format!("/api/v1/requests/{id}/dsi.pdf"), &token)
        .await;
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

async fn validate(app: &TestApp, pdf: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf).file_name("dsi.pdf"),
    );
    let r = app
        .browser()
        .post(app.url("/api/v1/validate"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn both_signatures_verify_with_pdfsig_pyhanko_and_validar_and_a_flipped_byte_fails_all() {
    let app = TestApp::spawn().await;
    let kit = A1Kit::new();
    let id = released(&app).await;
    let unsigned = dsi_pdf(&app, id).await;

    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    let once = dsi_pdf(&app, id).await;
    assert!(
        once.starts_with(&unsigned),
        "an incremental update keeps the bytes before it"
    );

    let pfx = kit.valid_pfx("24059668400", "s3nha-do-A1");
    let r = sign_a1(&app, id, GESTOR_PRATA_2, pfx, "s3nha-do-A1").await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let token = app.token(GESTOR_PRATA).await;
    let view: Value = app
        .api_get(&format!("/api/v1/requests/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "provider_review", "{view}");
    let signed = dsi_pdf(&app, id).await;
    assert!(
        signed.starts_with(&once),
        "the second signature goes over the first"
    );

    // Our own check, through the public endpoint.
    let report = validate(&app, signed.clone()).await;
    assert_eq!(report["valid"], true, "{report}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{report}");
    assert_eq!(sigs[0]["signer"], "Gestor Prata");
    assert_eq!(sigs[0]["cpf"], "***.591.158-**");
    assert_eq!(sigs[0]["issued_by_this_installation"], true);
    assert_eq!(sigs[1]["signer"], "GESTOR PRATA 2");
    assert_eq!(sigs[1]["cpf"], "***.596.684-**");
    assert_eq!(sigs[1]["issued_by_this_installation"], false);
    assert!(
        sigs[1]["provider"]
            .as_str()
            .unwrap()
            .contains("AC Teste ICP-Brasil"),
        "{report}"
    );

    let ca_pem = app
        .browser()
        .get(app.url("/api/v1/signing/ca.pem"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let a1_root = kit.ca_pem();
    if let Some(out) = pdfsig(&signed) {
        assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    }
    if let Some(out) = pyhanko(&signed, &[&ca_pem, &a1_root]) {
        let valid = |field: &str| {
            out.lines()
                .any(|l| l.starts_with(&format!("{field}:")) && l.trim_end().ends_with(":VALID"))
        };
        assert!(valid("Assinatura1") && valid("Assinatura2"), "{out}");
    }

    // One byte in the middle of the document as released (inside a compressed stream) changed:
    // every judge says so.
    let mut tampered = signed.clone();
    tampered[unsigned.len() / 2] ^= 0x01;
    let report = validate(&app, tampered.clone()).await;
    assert_eq!(report["valid"], false, "{report}");
    assert!(
        report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["valid"] == false),
        "{report}"
    );
    if let Some(out) = pdfsig(&tampered) {
        assert_eq!(out.matches("Signature is Valid.").count(), 0, "{out}");
        assert_eq!(
            out.matches("Signature Validation: Digest Mismatch.")
                .count(),
            2,
            "{out}"
        );
    }
    if let Some(out) = pyhanko(&tampered, &[&ca_pem, &a1_root]) {
        // Judged (both fields named), and neither valid.
        assert!(
            out.contains("Assinatura1:") && out.contains("Assinatura2:"),
            "{out}"
        );
        assert!(
            !out.lines().any(|l| l.trim_end().ends_with(":VALID")),
            "{out}"
        );
    }
}

#[tokio::test]
async fn an_a1_of_another_cpf_expired_or_with_a_wrong_password_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let kit = A1Kit::new();
    let id = released(&app).await;
    let now = SystemTime::now();
    let day = Duration::from_secs(24 * 3600);
    let cases: [(Vec<u8>, &str, &str); 5] = [
        (
            kit.valid_pfx("21359115854", "x"),
            "x",
            "Este certificado pertence a outro CPF",
        ),
        (
            kit.pfx("24059668400", now - 400 * day, now - day, "x"),
            "x",
            "O certificado expirou em",
        ),
        (
            kit.pfx("24059668400", now + day, now + 400 * day, "x"),
            "x",
            "só é válido a partir de",
        ),
        (
            kit.valid_pfx("24059668400", "certa"),
            "errada",
            "Senha do certificado incorreta.",
        ),
        (
            b"not a pfx".to_vec(),
            "x",
            "não é um certificado digital A1",
        ),
    ];
    for (pfx, password, message) in cases {
        let body = refused(&app, 422, sign_a1(&app, id, GESTOR_PRATA_2, pfx, password)).await;
        assert!(body.to_string().contains(message), "{message:?} in {body}");
    }
    // A provider other than A1 in a multipart call is refused too.
    let token = app.token(GESTOR_PRATA_2).await;
    let form = reqwest::multipart::Form::new().text("provider", "govbr");
    let call = app
        .browser()
        .post(app.url(&format!("/api/v1/requests/{id}/sign")))
        .bearer_auth(token)
        .multipart(form)
        .send();
    refused(&app, 422, async { call.await.unwrap() }).await;
}

#[tokio::test]
async fn alterar_voids_the_document_and_the_next_release_makes_a_new_unsigned_one() {
    let app = TestApp::spawn().await;
    let id = released(&app).await;
    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    let signed_once = dsi_pdf(&app, id).await;
    assert_eq!(
        validate(&app, signed_once).await["signatures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_patch(
            &format!("/api/v1/requests/{id}"),
            &token,
            &json!({"requested_volume": 200_000}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // A draft again: no document to show, the old one voided with its signature.
    let r = app
        .api_get(&format!("/api/v1/requests/{id}/dsi.pdf"), &token)
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM dsi_documents WHERE request_id = {id} AND voided_at IS NOT NULL AND signature_count = 1"
        ))
        .await,
        1
    );

    release(&app, id).await;
    let fresh = dsi_pdf(&app, id).await;
    let report = validate(&app, fresh.clone()).await;
    assert_eq!(
        report["signatures"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    assert_eq!(report["valid"], false);
    if let Some(text) = crate::reports_pdf::pdf_text(&fresh) {
        assert!(
            crate::reports_pdf::flat(&text).contains("200.000"),
            "{text}"
        );
    }
}
