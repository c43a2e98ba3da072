//! Relatório PDF (issue 12): the list's rows under its filters, read back with poppler's
//! `pdftotext` as a person reads the printed page. Without `pdftotext` these tests are skipped
//! with a note, unless `ADESAO_POPPLER_REQUIRED=1` (CI, which installs poppler-utils).

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common::*;
use crate::reports::list_numbers;

/// The text of `pdf` (pages separated by form feeds), or None where poppler is not installed.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("adesao-report-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let run = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_file(&path);
    let out = match run {
        Ok(out) => out,
        Err(e) => {
            assert!(
                std::env::var_os("ADESAO_POPPLER_REQUIRED").is_none(),
                "ADESAO_POPPLER_REQUIRED is set but pdftotext cannot run: {e}"
            );
            eprintln!("skipped: pdftotext (Debian's poppler-utils) is not installed");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("UTF-8 text"))
}

/// `text` with every run of whitespace made one space: a cell's words wrap over lines.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF report at `path` for `token`: checks the headers and returns the bytes.
async fn pdf_of(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let r = app.api_get(path, token).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"solicitacoes-20")
            && disposition.ends_with(".pdf\""),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"));
    bytes
}

/// Every request number in the database.
async fn all_numbers(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT number FROM requests")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_pdf_holds_the_users_list_and_nothing_else() {
    let app = TestApp::spawn().await;
    let reviewed = in_review(&app).await;
    let _ = reviewed;
    for _ in 0..3 {
        new_draft(&app, "API CONSULTA SIAPE", "adhesion").await;
    }
    new_draft(&app, "API CADUNICO SERVICOS", "adhesion").await;
    let all = all_numbers(&app).await;
    for cpf in [GESTOR_PRATA, ANALISTA_INSS, EQUIPE_CONECTA] {
        let token = app.token(cpf).await;
        let pdf = pdf_of(&app, "/api/v1/reports/requests.pdf", &token).await;
        let Some(text) = pdf_text(&pdf).as_deref().map(flat) else {
            return;
        };
        let listed = list_numbers(&app, &token, "").await;
        assert!(!listed.is_empty(), "{cpf}");
        for number in &all {
            assert_eq!(
                text.contains(number.as_str()),
                listed.contains(number),
                "{cpf}: {number} is in the PDF exactly when it is in the list"
            );
        }
        assert!(text.contains("Página 1 de 1"), "{text}");
        for words in [
            "Relatório de solicitações",
            "Órgão solicitante",
            "Volumetria anual solicitada",
            "Último",
            "Situação",
        ] {
            assert!(text.contains(words), "{cpf}: {words:?} in {text}");
        }
    }
    // Filters apply, and are named on the page.
    let manager = app.token(GESTOR_PRATA).await;
    let pdf = pdf_of(&app, "/api/v1/reports/requests.pdf?status=draft", &manager).await;
    if let Some(text) = pdf_text(&pdf).as_deref().map(flat) {
        assert!(text.contains("Situação: Em elaboração"), "{text}");
        assert!(text.contains("4 solicitações"), "{text}");
        assert!(
            text.contains("UFV - Universidade Federal de Viçosa"),
            "{text}"
        );
    }
    // Refused as the list refuses.
    refused(
        &app,
        422,
        app.api_get("/api/v1/reports/requests.pdf?status=lost", &manager),
    )
    .await;
    refused(
        &app,
        403,
        app.api_get("/api/v1/reports/requests.pdf?show=todas", &manager),
    )
    .await;
    let r = reqwest::get(app.url("/api/v1/reports/requests.pdf"))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_long_list_runs_over_pages_with_the_header_on_each() {
    let app = TestApp::spawn().await;
    adesao_store::load::generate(&app.db, 400).await.unwrap();
    let admin = app.token(EQUIPE_CONECTA).await;
    let pdf = pdf_of(&app, "/api/v1/reports/requests.pdf?show=todas", &admin).await;
    let Some(text) = pdf_text(&pdf) else { return };
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 3, "{} pages", pages.len());
    let last = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Página {} de {last}", i + 1)),
            "page {}: {page}",
            i + 1
        );
        let page = flat(page);
        for column in [
            "Número",
            "Órgão solicitante",
            "Volumetria anual solicitada",
            "Último",
        ] {
            assert!(
                page.contains(column),
                "the header's {column:?} on page {}: {page}",
                i + 1
            );
        }
    }
    for number in all_numbers(&app).await {
        assert!(text.contains(&number), "{number}");
    }
}

#[tokio::test]
async fn above_the_limit_the_pdf_is_refused_in_favour_of_the_csv() {
    let app = TestApp::spawn().await;
    let limit = adesao_services::reports::pdf::ROW_LIMIT as usize;
    adesao_store::load::generate(&app.db, limit + 1)
        .await
        .unwrap();
    let admin = app.token(EQUIPE_CONECTA).await;
    let body = refused(
        &app,
        422,
        app.api_get("/api/v1/reports/requests.pdf?show=todas", &admin),
    )
    .await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("Relatório CSV"), "{detail}");
    assert!(detail.contains("5.000"), "{detail}");
    // The list's page says the same above the list, with its filters kept.
    let browser = app.logged_in(EQUIPE_CONECTA).await;
    let r = browser
        .get(app.url("/solicitacoes/relatorio.pdf?mostrar=todas"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("o máximo do Relatório PDF"), "{page}");
    assert!(page.contains("formaction=\"/solicitacoes/relatorio.csv\""));
    // A filter that brings the list under the limit gives the PDF.
    let r = browser
        .get(app.url("/solicitacoes/relatorio.pdf?mostrar=todas&situacao=provider_review"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
}

#[tokio::test]
async fn the_list_page_prints_its_rows_and_names_are_text() {
    let app = TestApp::spawn().await;
    new_draft(&app, "API BPC", "adhesion").await;
    // Typst markup in a name is printed as typed, never run.
    let name = "#panic(\"x\") *negrito* $x^2$ <rótulo> @ref [colchetes]";
    sqlx::query("UPDATE apis SET name = $1 WHERE name = 'API BPC'")
        .bind(name)
        .execute(app.db.pool())
        .await
        .unwrap();
    let browser = app.logged_in(GESTOR_PRATA).await;
    let page = browser
        .get(app.url("/solicitacoes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("formaction=\"/solicitacoes/relatorio.pdf\""));
    let r = browser
        .get(app.url("/solicitacoes/relatorio.pdf?mostrar=proprias&situacao=draft"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap();
    if let Some(text) = pdf_text(&pdf).as_deref().map(flat) {
        assert!(text.contains(name), "{text}");
        assert!(text.contains("Gestor Prata"), "who generated it: {text}");
    }
    let r = app
        .browser()
        .get(app.url("/solicitacoes/relatorio.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "to the login");
}
