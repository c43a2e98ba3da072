//! Relatório CSV (issue 12): every row of the user's list under the list's filters, read back
//! with the `csv` crate as a spreadsheet would.

use adesao_store::request_list::{self, Filter, Scope};
use serde_json::Value;

use crate::common::*;

/// The CSV at `path` for `token`, parsed: (headers, rows).
async fn csv_of(app: &TestApp, path: &str, token: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let r = app.api_get(path, token).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"solicitacoes-20")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    let body = std::str::from_utf8(&bytes).expect("UTF-8");
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(body.is_empty() || body.ends_with("\r\n"), "CRLF lines");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

/// The numbers of every row of the list (all pages) for `token` with `filters`.
pub async fn list_numbers(app: &TestApp, token: &str, filters: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    for page in 1.. {
        let v: Value = app
            .api_get(
                &format!("/api/v1/requests?per_page=2&page={page}{filters}"),
                token,
            )
            .await
            .json()
            .await
            .unwrap();
        let Some(items) = v["items"].as_array() else {
            break;
        };
        numbers.extend(
            items
                .iter()
                .map(|i| i["number"].as_str().unwrap().to_owned()),
        );
        if items.len() < 2 {
            break;
        }
    }
    numbers
}

#[tokio::test]
async fn the_csv_holds_the_users_list_under_its_filters_and_nothing_else() {
    let app = TestApp::spawn().await;
    // Requests in several states, of two APIs with two providers.
    let granted = in_review(&app).await;
    let inss = app.token(ANALISTA_INSS).await;
    let conecta = app.token(EQUIPE_CONECTA).await;
    app.api_post(
        &format!("/api/v1/requests/{granted}/approve"),
        &inss,
        &serde_json::json!({"authorized_volume": 60000}),
    )
    .await;
    app.api_post(
        &format!("/api/v1/requests/{granted}/grant"),
        &conecta,
        &serde_json::json!({}),
    )
    .await;
    for _ in 0..3 {
        new_draft(&app, "API CONSULTA SIAPE", "adhesion").await;
    }
    // One awaiting signatures, of another provider.
    let cadunico = new_draft(&app, "API CADUNICO SERVICOS", "adhesion").await;
    let _ = cadunico;

    let manager = app.token(GESTOR_PRATA).await;
    for (token, who) in [
        (&manager, "manager"),
        (&inss, "analyst"),
        (&conecta, "admin"),
    ] {
        let (headers, rows) = csv_of(&app, "/api/v1/reports/requests.csv", token).await;
        assert_eq!(
            headers,
            [
                "Número",
                "Tipo",
                "Órgão solicitante",
                "API",
                "Órgão cedente",
                "Situação",
                "Volumetria atual",
                "Volumetria anual solicitada",
                "Volumetria autorizada",
                "Último andamento",
            ]
        );
        let numbers: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(
            numbers,
            list_numbers(&app, token, "").await,
            "{who}: the list, all pages"
        );
        assert!(!numbers.is_empty(), "{who}");
    }
    // The analyst of INSS sees the requests for its APIs from the provider's review on only.
    let (_, rows) = csv_of(&app, "/api/v1/reports/requests.csv", &inss).await;
    assert!(
        rows.iter()
            .all(|r| r[4] == "INSS - Instituto Nacional do Seguro Social")
    );
    assert!(
        rows.iter().all(|r| r[5] != "Em elaboração"),
        "no drafts of others"
    );

    // The granted row as a spreadsheet reads it.
    let (_, rows) = csv_of(
        &app,
        "/api/v1/reports/requests.csv?status=granted",
        &manager,
    )
    .await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row[1], "Adesão");
    assert_eq!(row[2], "UFV - Universidade Federal de Viçosa");
    assert_eq!(row[3], "API BPC");
    assert_eq!(row[5], "Deferida");
    assert_eq!(
        (row[6].as_str(), row[7].as_str(), row[8].as_str()),
        ("0", "100000", "60000")
    );
    assert!(
        jiff::civil::DateTime::strptime("%d/%m/%Y %H:%M:%S", &row[9]).is_ok(),
        "{}",
        row[9]
    );
    // Filters apply as in the list.
    let (_, drafts) = csv_of(
        &app,
        "/api/v1/reports/requests.csv?status=draft&type=adhesion",
        &manager,
    )
    .await;
    assert_eq!(drafts.len(), 4);
    assert!(drafts.iter().all(|r| r[5] == "Em elaboração"));
    let siape = app.api_id("API CONSULTA SIAPE").await;
    let (_, siape_drafts) = csv_of(
        &app,
        &format!("/api/v1/reports/requests.csv?status=draft&api_id={siape}"),
        &manager,
    )
    .await;
    assert_eq!(siape_drafts.len(), 3);
    assert!(siape_drafts.iter().all(|r| r[3] == "API CONSULTA SIAPE"));

    // Wrong filters and strangers are refused as by the list.
    refused(
        &app,
        422,
        app.api_get("/api/v1/reports/requests.csv?status=lost", &manager),
    )
    .await;
    refused(
        &app,
        403,
        app.api_get("/api/v1/reports/requests.csv?show=todas", &manager),
    )
    .await;
    let r = reqwest::get(app.url("/api/v1/reports/requests.csv"))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_name_a_spreadsheet_would_run_arrives_as_text() {
    let app = TestApp::spawn().await;
    new_draft(&app, "API BPC", "adhesion").await;
    sqlx::query("UPDATE apis SET name = $1 WHERE name = 'API BPC'")
        .bind("=HYPERLINK(\"http://x.example\";\"clique\")")
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE organizations SET name = $1 WHERE acronym = 'UFV'")
        .bind("Universidade; \"Federal\"\nde Viçosa")
        .execute(app.db.pool())
        .await
        .unwrap();
    let token = app.token(GESTOR_PRATA).await;
    let (_, rows) = csv_of(&app, "/api/v1/reports/requests.csv", &token).await;
    assert_eq!(rows[0][3], "'=HYPERLINK(\"http://x.example\";\"clique\")");
    assert_eq!(
        rows[0][2], "UFV - Universidade; \"Federal\"\nde Viçosa",
        "RFC 4180 quoting"
    );
}

#[tokio::test]
async fn the_list_page_downloads_its_rows_with_its_filters() {
    let app = TestApp::spawn().await;
    new_draft(&app, "API BPC", "adhesion").await;
    in_review(&app).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let page = browser
        .get(app.url("/solicitacoes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("formaction=\"/solicitacoes/relatorio.csv\""));
    let r = browser
        .get(app.url("/solicitacoes/relatorio.csv?mostrar=proprias&situacao=draft"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[1].contains(";Em elaboração;"));
    let r = browser
        .get(app.url("/solicitacoes/relatorio.csv?situacao=perdida"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .browser()
        .get(app.url("/solicitacoes/relatorio.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "to the login");
}

#[tokio::test]
async fn reading_after_the_last_row_walks_the_whole_list_in_its_order() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        new_draft(&app, "API CONSULTA SIAPE", "adhesion").await;
        new_draft(&app, "API CADUNICO SERVICOS", "adhesion").await;
    }
    // Ties on the activity time are ordered by id, as in the list.
    sqlx::query("UPDATE requests SET last_event_at = '2026-01-01T00:00:00.000000Z' WHERE id <= 4")
        .execute(app.db.pool())
        .await
        .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    let filter = Filter::default();
    let whole = request_list::page(&mut conn, Scope::All, &filter, 0, 100)
        .await
        .unwrap();
    let mut walked = Vec::new();
    let mut last = None;
    loop {
        let batch = request_list::report_batch(&mut conn, Scope::All, &filter, last.as_ref(), 2)
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        last = batch.last().cloned();
        walked.extend(batch);
    }
    assert_eq!(walked.len(), 6);
    let walked: Vec<_> = walked.iter().map(|r| (r.id, r.number)).collect();
    let whole: Vec<_> = whole.iter().map(|r| (r.id, r.number)).collect();
    assert_eq!(walked, whole);
}
