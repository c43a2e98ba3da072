//! The DSI as a PDF (issue 13, first step): generated from the request once released, read back
//! with poppler's `pdftotext` (skipped without it unless `ADESAO_POPPLER_REQUIRED`).

use serde_json::{Value, json};

use crate::common::*;
use crate::reports_pdf::{flat, pdf_text};

#[tokio::test]
async fn a_released_request_has_its_dsi_as_a_pdf() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let manager = app.token(GESTOR_PRATA).await;
    let path = format!("/api/v1/requests/{id}/dsi.pdf");
    // A draft has no DSI yet.
    let body = refused(&app, 409, app.api_get(&path, &manager)).await;
    assert!(
        body["detail"].as_str().unwrap().contains("liberada"),
        "{body}"
    );

    let released = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(released.status(), 200);
    let r = app.api_get(&path, &manager).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let dsi: Value = app
        .api_get(&format!("/api/v1/requests/{id}/dsi"), &manager)
        .await
        .json()
        .await
        .unwrap();
    let number = dsi["number"].as_str().unwrap();
    assert_eq!(
        r.headers()["content-disposition"],
        format!("inline; filename=\"dsi-{}.pdf\"", number.replace('/', "-")).as_str()
    );
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The same content, the same bytes: what a signature will be embedded in.
    let again = app.api_get(&path, &manager).await.bytes().await.unwrap();
    assert_eq!(pdf, again);

    if let Some(text) = pdf_text(&pdf).as_deref().map(flat) {
        for expected in [
            "Ministério da Gestão e da Inovação em Serviços Públicos",
            "Secretaria de Governo Digital - SGD",
            &format!("Documento de Solicitação de Interoperabilidade nº {number}"),
            "UFV - Universidade Federal de Viçosa",
            "API BPC",
            "Validação de dados cadastrais dos estudantes beneficiários.",
            "Cinco anos, conforme a tabela de temporalidade do CONARQ.",
            "Conecta gov.br",
            "Dirigente de TI",
            "Responsável Técnico",
            "***.591.158-**",
            "Página 1 de",
            dsi["sha256"].as_str().unwrap(),
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        // The signers' CPFs appear masked only.
        assert!(!text.contains("213.591.158-54"), "{text}");
    }

    // The page links to it, and serves it to whoever sees the request.
    let browser = app.logged_in(GESTOR_PRATA).await;
    let page = browser
        .get(app.url(&format!("/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/solicitacoes/{id}/dsi.pdf")));
    let html = browser
        .get(app.url(&format!("/solicitacoes/{id}/dsi.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    assert_eq!(html.bytes().await.unwrap(), pdf);

    // Not to those who may not see it (the provider sees it from its review on), nor without a
    // token.
    let analyst = app.token(ANALISTA_INSS).await;
    refused(&app, 404, app.api_get(&path, &analyst)).await;
    let r = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(r.status(), 401);
}
