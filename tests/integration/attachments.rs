//! Anexos: the CADUNICO walkthrough of the seed, and hostile files refused with nothing stored.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::common::{ANALISTA_INSS, GESTOR_PRATA, TestApp, csrf_token_in};

fn pdf(text: &str) -> Vec<u8> {
    adesao_documents::pdf::sample(text)
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    id: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    upload_to(app.url(""), token.to_owned(), id, kind, name, bytes).await
}

/// [`upload`] by the application's address, for tasks that cannot borrow the application.
pub async fn upload_to(
    address: String,
    token: String,
    id: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("kind", kind.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    reqwest::Client::new()
        .post(format!("{address}/api/v1/requests/{id}/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub async fn cadunico_draft(app: &TestApp, token: &str) -> i64 {
    let body = app
        .draft_body("API CADUNICO SERVICOS", "adhesion", 50_000)
        .await;
    let r = app.api_post("/api/v1/requests", token, &body).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_cadunico_walkthrough_through_the_api() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    // The catalogue names the models; both download as real ODF documents.
    let apis: Value = app
        .api_get("/api/v1/apis", &token)
        .await
        .json()
        .await
        .unwrap();
    let cadunico = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "API CADUNICO SERVICOS")
        .unwrap()
        .clone();
    let api_id = cadunico["id"].as_i64().unwrap();
    assert_eq!(
        cadunico["attachment_requirements"][0]["model_filename"],
        "MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v101.odt"
    );
    for kind in ["form", "official_letter"] {
        let r = app
            .api_get(&format!("/api/v1/apis/{api_id}/models/{kind}"), &token)
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.oasis.opendocument.text"
        );
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".odt")
        );
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "a zip package");
        assert_eq!(&bytes[30..38], b"mimetype");
    }
    let id = cadunico_draft(&app, &token).await;
    // Release is refused while the mandatory attachments are missing.
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 422);
    // Upload both signed PDFs, byte for byte.
    let form_pdf = pdf("Formulário assinado");
    let r = upload(
        &app,
        &token,
        id,
        "form",
        "Formulário assinado.pdf",
        form_pdf.clone(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let meta: Value = r.json().await.unwrap();
    assert_eq!(meta["filename"], "Formulário assinado.pdf");
    assert_eq!(meta["size"], form_pdf.len());
    let r = upload(
        &app,
        &token,
        id,
        "official_letter",
        "oficio.pdf",
        pdf("Ofício"),
    )
    .await;
    assert_eq!(r.status(), 201);
    let download = app
        .api_get(
            &format!("/api/v1/requests/{id}/attachments/{}", meta["id"]),
            &token,
        )
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"Formulario assinado.pdf\"; filename*=UTF-8''Formul%C3%A1rio%20assinado.pdf"
    );
    assert_eq!(
        download.bytes().await.unwrap().to_vec(),
        form_pdf,
        "stored byte for byte"
    );
    let history: Value = app
        .api_get(&format!("/api/v1/requests/{id}/history"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["action"], "attachment_added");
    // Now it can be released.
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn hostile_files_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 10 * 1024 * 1024).await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    let real = pdf("x");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "programa.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 an executable renamed".to_vec(),
            415,
            "não é um PDF",
        ),
        ("vazio.pdf", Vec::new(), 422, "está vazio"),
        (
            "truncado.pdf",
            real[..real.len() / 2].to_vec(),
            415,
            "incompleto ou corrompido",
        ),
        (
            "grande.pdf",
            vec![b'%'; 11 * 1024 * 1024],
            413,
            "limite de 10 MiB",
        ),
    ];
    for (name, bytes, status, message) in cases {
        let before = app.snapshot().await;
        let r = upload(&app, &token, id, "form", name, bytes).await;
        assert_eq!(r.status().as_u16(), status, "{name}");
        let body: Value = r.json().await.unwrap();
        let text = body.to_string();
        assert!(text.contains(message), "{name}: {text}");
        assert_eq!(app.snapshot().await, before, "{name} changed the database");
        assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 0);
    }
    // A kind the API does not ask for, and no kind at all.
    let siape_body = app.draft_body("API BPC", "adhesion", 10).await;
    let bpc: Value = app
        .api_post("/api/v1/requests", &token, &siape_body)
        .await
        .json()
        .await
        .unwrap();
    let r = upload(
        &app,
        &token,
        bpc["id"].as_i64().unwrap(),
        "form",
        "a.pdf",
        real.clone(),
    )
    .await;
    assert_eq!(r.status(), 422);
    // A name with CR/LF cannot even be a multipart header: refused as malformed, nothing stored.
    let before = app.snapshot().await;
    let r = upload(
        &app,
        &token,
        id,
        "other",
        "a\r\nContent-Type: text/html\r\n.pdf",
        real.clone(),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("malformado"));
    assert_eq!(app.snapshot().await, before);
    // A name with path tricks and quotes is stored harmless.
    let r = upload(
        &app,
        &token,
        id,
        "other",
        "../../etc/\"passwd\".pdf",
        real.clone(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let meta: Value = r.json().await.unwrap();
    assert_eq!(meta["filename"], "passwd.pdf");
    let aid = meta["id"].as_i64().unwrap();
    // Another organization cannot download it (404, as if it did not exist).
    let other = app.token(ANALISTA_INSS).await;
    assert_eq!(
        app.api_get(&format!("/api/v1/requests/{id}/attachments/{aid}"), &other)
            .await
            .status(),
        404
    );
    // Not a multipart body: 415.
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/attachments"),
            &token,
            &json!({"kind": "form"}),
        )
        .await;
    assert_eq!(r.status(), 415);
    // After release, attachments can no longer be removed or added.
    upload(&app, &token, id, "form", "f.pdf", real.clone()).await;
    upload(&app, &token, id, "official_letter", "o.pdf", real.clone()).await;
    assert_eq!(
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({})
        )
        .await
        .status(),
        200
    );
    let before = app.snapshot().await;
    let r = reqwest::Client::new()
        .delete(app.url(&format!("/api/v1/requests/{id}/attachments/{aid}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        upload(&app, &token, id, "other", "late.pdf", real.clone())
            .await
            .status(),
        409
    );
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 3);
}

#[tokio::test]
async fn attachments_through_the_html_form() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let page = browser
        .get(app.url(&format!("/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v101.odt"));
    assert!(page.contains("Arraste ou selecione o arquivo pdf"));
    assert!(page.contains("Nenhum anexo cadastrado na solicitação de adesão."));
    let csrf = csrf_token_in(&page).unwrap();
    let post = |kind: &'static str, name: &'static str, bytes: Vec<u8>, csrf: String| {
        let browser = browser.clone();
        let url = app.url(&format!("/solicitacoes/{id}/anexos"));
        async move {
            let form = Form::new()
                .text("csrf_token", csrf)
                .text("kind", kind)
                .part("file", Part::bytes(bytes).file_name(name));
            browser.post(url).multipart(form).send().await.unwrap()
        }
    };
    // Without the right token: refused.
    let r = post("form", "f.pdf", pdf("f"), "errado".into()).await;
    assert_eq!(r.status(), 403);
    // Not a PDF: the page again, the message next to the field.
    let r = post("form", "f.pdf", b"GIF89a".to_vec(), csrf.clone()).await;
    assert_eq!(r.status(), 415);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"file-form-error\""));
    assert!(html.contains("O arquivo não é um PDF"));
    // A real one.
    let r = post("form", "Formulário.pdf", pdf("f"), csrf.clone()).await;
    assert_eq!(r.status(), 303);
    let page = browser
        .get(app.url(&format!("/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Formulário.pdf"));
    let aid: i64 = sqlx::query_scalar("SELECT id FROM attachments")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let r = browser
        .get(app.url(&format!("/solicitacoes/{id}/anexos/{aid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    // The model downloads from the page's link.
    let api_id = app.api_id("API CADUNICO SERVICOS").await;
    let r = browser
        .get(app.url(&format!("/apis/{api_id}/modelos/form")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Remover.
    let r = browser
        .post(app.url(&format!("/solicitacoes/{id}/anexos/{aid}/remover")))
        .form(&[("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 0);
    let history = app
        .count("SELECT COUNT(*) FROM request_events WHERE action = 'attachment_removed'")
        .await;
    assert_eq!(history, 1);
}
