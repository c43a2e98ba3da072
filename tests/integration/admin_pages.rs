//! The administration in the HTML UI (issue 10): every page for program admins only, bad
//! values beside their fields with nothing changed, confirmation before deactivating, Minha
//! conta and Meu órgão.

use crate::common::*;
use crate::html_lifecycle::{page, post};

const PAGES: [&str; 9] = [
    "/admin/orgaos",
    "/admin/orgaos/novo",
    "/admin/usuarios",
    "/admin/usuarios/novo",
    "/admin/apis",
    "/admin/apis/nova",
    "/admin/importacao",
    "/admin/auditoria",
    "/admin/orgaos/1",
];

#[tokio::test]
async fn the_administration_pages_answer_program_admins_only() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let manager = app.logged_in(GESTOR_PRATA).await;
    for path in PAGES {
        let html = page(&app, &admin, path).await;
        assert!(html.contains("aria-label=\"Administração\""), "{path}");
        let r = manager.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.text().await.unwrap().contains("equipe Conecta"), "{path}");
    }
    let home = page(&app, &admin, "/").await;
    assert!(home.contains("href=\"/admin/orgaos\""));
    let home = page(&app, &manager, "/").await;
    assert!(!home.contains("href=\"/admin/orgaos\""));
    assert!(home.contains("href=\"/meu-orgao\""));
    // A form posted by a manager is refused and changes nothing.
    let before = app.snapshot().await;
    let (status, _, _) = post(
        &app,
        &manager,
        "/minha-conta",
        "/admin/orgaos",
        &[
            ("name", "X"),
            ("acronym", "X"),
            ("cnpj", "11.222.333/0001-81"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn organization_form_errors_show_beside_their_fields_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &admin,
        "/admin/orgaos/novo",
        "/admin/orgaos",
        &[
            ("name", ""),
            ("acronym", "NOVO"),
            ("cnpj", "11.222.333/0001-82"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"error-summary\""));
    assert!(html.contains("id=\"name-error\""));
    assert!(html.contains("Informe o nome do órgão."));
    assert!(html.contains("id=\"cnpj-error\""));
    assert!(html.contains("value=\"NOVO\""), "what was typed stays");
    // A CNPJ already registered, beside the CNPJ field.
    let (status, _, html) = post(
        &app,
        &admin,
        "/admin/orgaos/novo",
        "/admin/orgaos",
        &[
            ("name", "Outra"),
            ("acronym", "OUT"),
            ("cnpj", "25944455000196"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"cnpj-error\""));
    assert!(html.contains("já está cadastrado para o órgão UFV"));
    assert_eq!(app.snapshot().await, before);

    let (status, location, _) = post(
        &app,
        &admin,
        "/admin/orgaos/novo",
        "/admin/orgaos",
        &[
            ("name", "Autoridade Nacional de Proteção de Dados"),
            ("acronym", "ANPD"),
            ("cnpj", "11.222.333/0001-81"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let html = page(&app, &admin, &location).await;
    assert!(html.contains("Cadastro incluído."));
    let list = page(&app, &admin, "/admin/orgaos?q=proteção").await;
    assert!(list.contains("ANPD") && list.contains("1 órgão"), "{list}");
}

#[tokio::test]
async fn deactivating_asks_first_and_the_last_admin_is_protected() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let ufv: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE acronym = 'UFV'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let confirm = page(&app, &admin, &format!("/admin/orgaos/{ufv}/desativar")).await;
    assert!(confirm.contains("Desativar órgão"));
    assert!(confirm.contains("perde o acesso imediatamente"));
    let manager = app.logged_in(GESTOR_PRATA).await;
    let (status, location, _) = post(
        &app,
        &admin,
        &format!("/admin/orgaos/{ufv}/desativar"),
        &format!("/admin/orgaos/{ufv}/desativar"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("msg=desativado"));
    // The manager's open session ends at once.
    let r = manager.get(app.url("/solicitacoes")).send().await.unwrap();
    assert_eq!(r.status(), 303);

    // The program admin cannot deactivate themselves: the page says why, nothing changes.
    let me = app.user_id(EQUIPE_CONECTA).await;
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &admin,
        &format!("/admin/usuarios/{me}/desativar"),
        &format!("/admin/usuarios/{me}/desativar"),
        &[],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("Você não pode desativar a sua própria conta."));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn user_form_errors_show_beside_each_field_and_role_period() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &admin,
        "/admin/usuarios/novo",
        "/admin/usuarios",
        &[
            ("cpf", "111.444.777-36"),
            ("name", "Maria"),
            ("email", "maria@"),
            ("mobile", "123"),
            ("organization_id", "1"),
            ("papel_it_director", "sim"),
            ("inicio_it_director", "2026-05-01"),
            ("fim_it_director", "2026-04-01"),
            ("password", "curta"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for id in ["cpf", "email", "mobile", "roles-it_director", "password"] {
        assert!(html.contains(&format!("id=\"{id}-error\"")), "{id}");
    }
    assert!(html.contains("A data de término deve ser igual ou posterior à data de início."));
    assert!(
        html.contains("value=\"2026-05-01\""),
        "the dates typed stay"
    );
    assert_eq!(app.snapshot().await, before);

    let (status, location, _) = post(
        &app,
        &admin,
        "/admin/usuarios/novo",
        "/admin/usuarios",
        &[
            ("cpf", "111.444.777-35"),
            ("name", "Maria Nova"),
            ("email", "maria@ufv.br"),
            ("mobile", "(31) 91234-5678"),
            ("organization_id", "1"),
            ("papel_technical_lead", "sim"),
            ("password", "jabuticaba varanda fusca azul"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{location}");
    let html = page(&app, &admin, &location).await;
    assert!(html.contains("Maria Nova"));
    // The period shows in the list, and an ended role is marked.
    let list = page(&app, &admin, "/admin/usuarios?q=maria").await;
    assert!(list.contains("Responsável Técnico"));
}

#[tokio::test]
async fn everyone_changes_their_password_in_minha_conta() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA_2).await;
    let html = page(&app, &browser, "/minha-conta").await;
    assert!(html.contains("Gestor Prata 2") && html.contains("Responsável Técnico"));
    let (status, _, html) = post(
        &app,
        &browser,
        "/minha-conta",
        "/minha-conta/senha",
        &[
            ("current_password", "errada"),
            ("new_password", "cavalo bateria grampo correto"),
            ("confirm_password", "cavalo bateria grampo correto"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"current_password-error\""));
    assert!(html.contains("A senha atual não confere."));
    let (status, _, html) = post(
        &app,
        &browser,
        "/minha-conta",
        "/minha-conta/senha",
        &[
            ("current_password", DEMO_PASSWORD),
            ("new_password", "cavalo bateria grampo correto"),
            ("confirm_password", "cavalo bateria grampo corret"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("A confirmação não é igual à nova senha."));
    app.clock.advance(jiff::SignedDuration::from_secs(5));
    let (status, location, _) = post(
        &app,
        &browser,
        "/minha-conta",
        "/minha-conta/senha",
        &[
            ("current_password", DEMO_PASSWORD),
            ("new_password", "cavalo bateria grampo correto"),
            ("confirm_password", "cavalo bateria grampo correto"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/login?senha=1");
    let login = app.browser().get(app.url(&location)).send().await.unwrap();
    assert!(login.text().await.unwrap().contains("Senha alterada."));
    let r = browser.get(app.url("/minha-conta")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the session ended");
    let again = app.browser();
    let r = app
        .post_login(&again, GESTOR_PRATA_2, "cavalo bateria grampo correto")
        .await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn managers_see_their_own_organizations_people_read_only() {
    let app = TestApp::spawn().await;
    let manager = app.logged_in(GESTOR_PRATA).await;
    let html = page(&app, &manager, "/meu-orgao").await;
    for name in ["Gestor Prata", "Gestor Prata 2", "Usuário Teste SGD"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("Dirigente de TI"));
    assert!(html.contains("conecta@gestao.gov.br"));
    // Read-only: no form but the header's Sair.
    assert_eq!(html.matches("<form").count(), 1);
    let analyst = app.logged_in(ANALISTA_INSS).await;
    let r = analyst.get(app.url("/meu-orgao")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_request_whose_signer_lost_the_role_says_it_needs_a_new_one() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let admin = app.token(EQUIPE_CONECTA).await;
    let prata = app.user_id(GESTOR_PRATA).await;
    let yesterday = (app.clock.today() - jiff::Span::new().days(1)).to_string();
    let r = app
        .api_patch(
            &format!("/api/v1/admin/users/{prata}"),
            &admin,
            &serde_json::json!({"roles": [{"role": "manager"}, {"role": "it_director", "ends_on": yesterday}]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let manager = app.logged_in(GESTOR_PRATA).await;
    let html = page(&app, &manager, &format!("/solicitacoes/{id}")).await;
    assert!(html.contains("Esta solicitação precisa de outro signatário."));
    assert!(html.contains("não exerce mais a função de Dirigente de TI"));
}

/// Posts a multipart form as the page would: the page's CSRF token first, then `fields`, then
/// the file.
async fn post_file(
    app: &TestApp,
    browser: &reqwest::Client,
    token_page: &str,
    path: &str,
    fields: &[(&str, &str)],
    filename: &str,
    bytes: Vec<u8>,
) -> (u16, String, String) {
    let html = page(app, browser, token_page).await;
    let token = csrf_token_in(&html).unwrap();
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
    );
    let r = browser
        .post(app.url(path))
        .multipart(form)
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

#[tokio::test]
async fn the_catalogue_form_and_its_models() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let ufv = "1";
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &admin,
        "/admin/apis/nova",
        "/admin/apis",
        &[("provider_id", ufv), ("name", " "), ("pede_form", "sim")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"provider_id-error\""));
    assert!(html.contains("não está marcado como fornecedor de APIs"));
    assert!(html.contains("id=\"name-error\""));
    assert_eq!(app.snapshot().await, before);
    let inss: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE acronym = 'INSS'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // The same name as INSS's own API BPC: refused beside the name.
    let (status, _, html) = post(
        &app,
        &admin,
        "/admin/apis/nova",
        "/admin/apis",
        &[("provider_id", &inss.to_string()), ("name", "API BPC")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("já tem uma API chamada"));
    let (status, location, _) = post(
        &app,
        &admin,
        "/admin/apis/nova",
        "/admin/apis",
        &[
            ("provider_id", &inss.to_string()),
            ("name", "API CNIS"),
            ("accepting_requests", "sim"),
            ("pede_form", "sim"),
            ("obrigatorio_form", "sim"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let edit = location.split('?').next().unwrap().to_owned();
    let id = edit.trim_start_matches("/admin/apis/");
    // A model that is no document is refused beside its field.
    let before = app.snapshot().await;
    let (status, _, html) = post_file(
        &app,
        &admin,
        &edit,
        &format!("/admin/apis/{id}/modelos"),
        &[("kind", "form")],
        "modelo.odt",
        b"#!/bin/sh\necho oi\n".to_vec(),
    )
    .await;
    assert_eq!(status, 415);
    assert!(html.contains("id=\"modelo-form-error\""));
    assert!(html.contains("O modelo deve ser um documento ODF"));
    assert_eq!(app.snapshot().await, before);
    let odt = adesao_documents::odt::text_document("Formulário CNIS", &["Preencha."]);
    let (status, location, _) = post_file(
        &app,
        &admin,
        &edit,
        &format!("/admin/apis/{id}/modelos"),
        &[("kind", "form")],
        "Formulário CNIS.odt",
        odt.clone(),
    )
    .await;
    assert_eq!(status, 303, "{location}");
    let html = page(&app, &admin, &edit).await;
    assert!(html.contains("Formulário CNIS.odt"));
    // Users download it as any other model.
    let manager = app.logged_in(GESTOR_PRATA).await;
    let r = manager
        .get(app.url(&format!("/apis/{id}/modelos/form")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), odt);
}

#[tokio::test]
async fn the_csv_import_page_checks_first_then_imports_all_or_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let model = admin
        .get(app.url("/admin/importacao/modelo.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(model.status(), 200);
    assert!(
        model.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("modelo-importacao-adesao.csv")
    );
    let bad = "orgao_cnpj;orgao_sigla;orgao_nome;orgao_fornece_apis;cpf;nome;email;celular;papeis;inicio;fim\n\
               11.222.333/0001-81;ANPD;Autoridade;não;;;;;;;\n\
               11.222.333/0001-81;;;;111.444.777-36;Errado;e@anpd.gov.br;(61) 91234-5678;manager;;\n";
    let before = app.snapshot().await;
    for action in ["verificar", "importar"] {
        let (status, _, html) = post_file(
            &app,
            &admin,
            "/admin/importacao",
            "/admin/importacao",
            &[("acao", action)],
            "orgaos.csv",
            bad.as_bytes().to_vec(),
        )
        .await;
        assert!(
            html.contains("Dígito verificador") || html.contains("CPF:"),
            "{html}"
        );
        assert!(html.contains("Nada foi gravado"), "{action}");
        assert_eq!(status, if action == "importar" { 422 } else { 200 });
    }
    assert_eq!(app.snapshot().await, before);
    let good = bad.replace("111.444.777-36", "111.444.777-35");
    let (status, _, html) = post_file(
        &app,
        &admin,
        "/admin/importacao",
        "/admin/importacao",
        &[("acao", "importar")],
        "orgaos.csv",
        good.into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Foram incluídos 1 órgão e 1 usuário"),
        "{html}"
    );
}

#[tokio::test]
async fn the_outbox_page_filters_and_sends_a_failed_message_again() {
    let app = TestApp::spawn().await;
    let admin = app.logged_in(EQUIPE_CONECTA).await;
    let manager = app.logged_in(GESTOR_PRATA).await;
    // A message that failed for good.
    let mut conn = app.db.acquire().await.unwrap();
    let id = adesao_store::outbox::enqueue(
        &mut conn,
        &adesao_store::outbox::NewMessage {
            channel: adesao_store::outbox::Channel::Email,
            recipient: "ninguem@recusa.example",
            subject: "Mensagem que falhou",
            body: "Corpo",
            html_body: None,
            delivered_body: None,
            request_id: None,
        },
    )
    .await
    .unwrap();
    let now = jiff::Timestamp::now();
    adesao_store::outbox::mark_attempt_failed(&mut conn, id, "550 caixa inexistente", now, None)
        .await
        .unwrap();
    drop(conn);

    let failed = page(&app, &admin, "/admin/mensagens?situacao=failed&canal=email").await;
    assert!(failed.contains("Mensagem que falhou") && failed.contains("550 caixa inexistente"));
    assert!(failed.contains(&format!("action=\"/admin/mensagens/{id}/reenviar\"")));
    let sms = page(&app, &admin, "/admin/mensagens?canal=sms").await;
    assert!(!sms.contains("Mensagem que falhou"));
    assert!(
        sms.contains("os SMS não são enviados a um gateway"),
        "log transport"
    );
    let r = admin
        .get(app.url("/admin/mensagens?situacao=perdida"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "an unknown status is a bad filter");

    // A manager can neither read nor retry; without the form's token nothing happens either.
    assert_eq!(
        manager
            .get(app.url("/admin/mensagens"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let before = app.snapshot().await;
    let (status, _, _) = post(
        &app,
        &manager,
        "/",
        &format!("/admin/mensagens/{id}/reenviar"),
        &[],
    )
    .await;
    assert_eq!(status, 403);
    let r = admin
        .post(app.url(&format!("/admin/mensagens/{id}/reenviar")))
        .form(&[("csrf_token", "forjado")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.outbox_status(id, "failed").await, "failed");

    let (status, location, _) = post(
        &app,
        &admin,
        "/admin/mensagens",
        &format!("/admin/mensagens/{id}/reenviar"),
        &[],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/mensagens?msg=reenviada")
    );
    // The log transport takes it at once.
    assert_eq!(app.outbox_status(id, "sent").await, "sent");
    let listed = page(&app, &admin, "/admin/mensagens?msg=reenviada").await;
    assert!(listed.contains("Mensagem posta de novo na fila de envio."));
    // Sent, it cannot be sent again (409, the page says why).
    let (status, _, body) = post(
        &app,
        &admin,
        "/admin/mensagens",
        &format!("/admin/mensagens/{id}/reenviar"),
        &[],
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body.contains("Só uma mensagem que falhou pode ser reenviada"),
        "{body}"
    );
}
