use reqwest::Client;

use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, csrf_token_in,
};

pub async fn page(app: &TestApp, browser: &Client, path: &str) -> String {
    let r = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.unwrap()
}

/// Posts a form the way the page would (with the page's CSRF token); returns status, Location.
pub async fn post(
    app: &TestApp,
    browser: &Client,
    token_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let html = page(app, browser, token_page).await;
    let token = csrf_token_in(&html).unwrap();
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
    body.extend_from_slice(fields);
    let r = browser
        .post(app.url(path))
        .form(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

fn purpose_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("legal_bases", "public_policy"),
        ("legal_bases", "legal_obligation"),
        (
            "data_usage",
            "Validação de dados cadastrais dos estudantes.",
        ),
        ("public_policies", "Assistência estudantil."),
        ("legal_provision", "Decreto nº 7.234/2010."),
        ("citizen_results", "Menos comprovantes a apresentar."),
        ("retention", "Cinco anos (tabela do CONARQ)."),
    ]
}

async fn sign_in_browser(app: &TestApp, cpf: &str, id: i64) -> String {
    let browser = app.logged_in(cpf).await;
    let pending = page(app, &browser, "/assinaturas-pendentes").await;
    assert!(
        pending.contains(&format!("/solicitacoes/{id}/assinar")),
        "pending list offers the request"
    );
    let sign_page = page(app, &browser, &format!("/solicitacoes/{id}/assinar")).await;
    assert!(sign_page.contains("Documento de Solicitação de Interoperabilidade nº"));
    let sha = sign_page
        .split("name=\"dsi_sha256\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, location, _) = post(
        app,
        &browser,
        &format!("/solicitacoes/{id}/assinar"),
        &format!("/solicitacoes/{id}/assinar"),
        &[("dsi_sha256", &sha)],
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/autorizacao/"), "{location}");
    let authorize_page = page(app, &browser, &location).await;
    assert!(
        authorize_page.contains("+55 (61) 91***-**"),
        "masked mobile shown"
    );
    let session_path = location.split('?').next().unwrap().to_owned();
    let code = app.last_sms_code(cpf).await;
    let (status, location, _) = post(
        app,
        &browser,
        &location,
        &session_path,
        &[
            ("code", &code),
            ("solicitacao", &id.to_string()),
            ("dsi", &sha),
        ],
    )
    .await;
    assert_eq!(status, 303);
    location
}

#[tokio::test]
async fn the_seed_walkthrough_through_the_html_forms() {
    let app = TestApp::spawn().await;
    let gestor = app.logged_in(GESTOR_PRATA).await;

    // 1.1 the list, 1.2 Nova, 1.3 choose the API
    let list = page(&app, &gestor, "/solicitacoes").await;
    assert!(list.contains("Solicitações de Adesão e Alteração de Volumetria dos Órgãos"));
    assert!(list.contains("Nenhuma solicitação encontrada."));
    let choose = page(&app, &gestor, "/solicitacoes/nova").await;
    assert!(choose.contains("API BPC"));
    let bpc = app.api_id("API BPC").await.to_string();

    // 1.4 the form
    let form = page(
        &app,
        &gestor,
        &format!("/solicitacoes/nova/formulario?api_id={bpc}"),
    )
    .await;
    assert!(
        form.contains("INSS - Instituto Nacional do Seguro Social"),
        "provider shown from the API"
    );
    assert!(form.contains("Gestor Prata (CPF ***.591.158-**)"));
    assert!(
        form.contains("Informar as políticas públicas (temas) impactados"),
        "template guidance as help"
    );

    // 1.6 Incluir
    let director = app.user_id(GESTOR_PRATA).await.to_string();
    let lead = app.user_id(GESTOR_PRATA_2).await.to_string();
    let mut fields = vec![
        ("api_id", bpc.as_str()),
        ("request_type", "adhesion"),
        ("it_director_id", director.as_str()),
        ("technical_lead_id", lead.as_str()),
        ("requested_volume", "100.000"),
    ];
    fields.extend(purpose_fields());
    let (status, location, _) = post(
        &app,
        &gestor,
        &format!("/solicitacoes/nova/formulario?api_id={bpc}"),
        "/solicitacoes",
        &fields,
    )
    .await;
    assert_eq!(status, 303);
    let id: i64 = location
        .trim_start_matches("/solicitacoes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let detail = page(&app, &gestor, &location).await;
    assert!(detail.contains("Solicitação incluída."));
    assert!(detail.contains("Em elaboração"));
    assert!(detail.contains("100.000"));
    assert!(detail.contains("Liberar para Assinatura"));
    assert!(detail.contains("Criada por Gestor Prata em "));
    assert!(detail.contains("Nenhum anexo cadastrado na solicitação de adesão."));

    // 1.7 Liberar para Assinatura
    let (status, location, _) = post(
        &app,
        &gestor,
        &format!("/solicitacoes/{id}"),
        &format!("/solicitacoes/{id}/liberar"),
        &[],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/solicitacoes/{id}?msg=liberada").as_str())
    );
    let detail = page(&app, &gestor, &format!("/solicitacoes/{id}")).await;
    assert!(detail.contains("Aguardando assinatura"));
    let liberada = detail
        .find("Liberada para assinatura por Gestor Prata em")
        .unwrap();
    let criada = detail.find("Criada por Gestor Prata em").unwrap();
    assert!(liberada < criada, "history is newest first");

    // 1.8–1.10 both sign
    let after = sign_in_browser(&app, GESTOR_PRATA, id).await;
    assert_eq!(after, format!("/solicitacoes/{id}?msg=assinada"));
    let after = sign_in_browser(&app, GESTOR_PRATA_2, id).await;
    assert_eq!(after, format!("/solicitacoes/{id}?msg=enviada"));

    // 1.11 the list shows it in provider review; the analyst sees it
    let analyst = app.logged_in(ANALISTA_INSS).await;
    let list = page(&app, &analyst, "/solicitacoes").await;
    assert!(list.contains("Em análise pelo cedente dos dados"));
    // 1.12 approval with the authorized volume
    let (status, _, _) = post(
        &app,
        &analyst,
        &format!("/solicitacoes/{id}"),
        &format!("/solicitacoes/{id}/aprovar"),
        &[("authorized_volume", "90.000"), ("comment", "")],
    )
    .await;
    assert_eq!(status, 303);
    // program release
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let (status, _, _) = post(
        &app,
        &admin,
        &format!("/solicitacoes/{id}"),
        &format!("/solicitacoes/{id}/deferir"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let list = page(&app, &gestor, "/solicitacoes").await;
    assert!(list.contains("Deferida"));
    assert!(list.contains("90.000"));
    let outbox = page(&app, &admin, "/admin/mensagens").await;
    assert!(outbox.contains("acesso à API liberado"));
}

#[tokio::test]
async fn bad_input_on_the_form_is_shown_next_to_the_fields_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let gestor = app.logged_in(GESTOR_PRATA).await;
    let bpc = app.api_id("API BPC").await.to_string();
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &gestor,
        &format!("/solicitacoes/nova/formulario?api_id={bpc}"),
        "/solicitacoes",
        &[
            ("api_id", &bpc),
            ("request_type", "adhesion"),
            ("requested_volume", "1,5"),
            ("data_usage", "Meu texto"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"requested_volume-error\""));
    assert!(html.contains("A volumetria deve ser um número inteiro, como 1.000.000."));
    assert!(html.contains("Selecione o Dirigente de TI na lista."));
    assert!(html.contains("value=\"1,5\""), "keeps the typed volume");
    assert!(
        html.contains(">Meu texto</textarea>"),
        "keeps the typed purpose"
    );
    assert!(
        html.contains("href=\"#it_director_id\""),
        "summary links to the field"
    );
    assert_eq!(
        app.snapshot().await,
        before,
        "nothing stored, no number taken"
    );
}

#[tokio::test]
async fn release_with_an_incomplete_purpose_names_each_missing_section() {
    let app = TestApp::spawn().await;
    let gestor = app.logged_in(GESTOR_PRATA).await;
    let token = app.token(GESTOR_PRATA).await;
    let mut body = app.draft_body("API BPC", "adhesion", 1000).await;
    body["purpose"] = serde_json::json!({"legal_bases": [], "data_usage": "[Informar como os dados serão utilizados]"});
    let created: serde_json::Value = app
        .api_post("/api/v1/requests", &token, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &gestor,
        &format!("/solicitacoes/{id}"),
        &format!("/solicitacoes/{id}/liberar"),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Selecione ao menos uma hipótese de tratamento de dados pessoais."));
    assert!(html.contains("ainda contém o texto de orientação do modelo"));
    assert!(html.contains("Preencha a seção “Políticas Públicas Impactadas”."));
    assert!(html.contains(&format!(
        "href=\"/solicitacoes/{id}/alterar#public_policies\""
    )));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_alter_and_sign_pages_answer_only_those_who_may_use_them() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body("API BPC", "adhesion", 1000).await;
    let created: serde_json::Value = app
        .api_post("/api/v1/requests", &token, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let status = |browser: Client, path: String| {
        let url = app.url(&path);
        async move { browser.get(url).send().await.unwrap().status().as_u16() }
    };
    let lead = app.logged_in(GESTOR_PRATA_2).await;
    let analyst = app.logged_in(ANALISTA_INSS).await;
    let gestor = app.logged_in(GESTOR_PRATA).await;
    assert_eq!(
        status(lead.clone(), format!("/solicitacoes/{id}/alterar")).await,
        403,
        "not a manager"
    );
    assert_eq!(
        status(analyst.clone(), format!("/solicitacoes/{id}/alterar")).await,
        404,
        "a provider does not see drafts"
    );
    assert_eq!(
        status(gestor.clone(), format!("/solicitacoes/{id}/alterar")).await,
        200
    );
    assert_eq!(
        status(gestor.clone(), format!("/solicitacoes/{id}/assinar")).await,
        409,
        "not released yet"
    );
    app.api_post(
        &format!("/api/v1/requests/{id}/release"),
        &token,
        &serde_json::json!({}),
    )
    .await;
    assert_eq!(
        status(gestor.clone(), format!("/solicitacoes/{id}/assinar")).await,
        200
    );
    let colleague = app.logged_in("862.351.990-66").await;
    assert_eq!(
        status(colleague, format!("/solicitacoes/{id}/assinar")).await,
        403,
        "not a named signer"
    );
}
