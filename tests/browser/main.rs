//! The seed walked in a real browser (headless Chromium), as the demo users, with axe-core on
//! every page visited. Skipped with a clear line when Chromium is not installed, unless
//! ADESAO_BROWSER_REQUIRED is set (CI sets it). Screenshots go to target/browser-screenshots.

#[path = "../integration/common.rs"]
#[allow(dead_code)]
mod common;
mod harness;
#[path = "../integration/mail_servers.rs"]
#[allow(dead_code)]
mod mail_servers;
mod signed_dsi;
#[path = "../integration/validators.rs"]
mod validators;

use common::{ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp};
use fantoccini::Locator;
use serde_json::json;

const PURPOSE: [(&str, &str); 5] = [
    (
        "#data_usage",
        "Validação de dados cadastrais dos estudantes beneficiários.",
    ),
    ("#public_policies", "Assistência estudantil (PNAES)."),
    ("#legal_provision", "Decreto nº 7.234/2010."),
    (
        "#citizen_results",
        "O estudante não precisa apresentar comprovantes.",
    ),
    (
        "#retention",
        "Cinco anos, conforme a tabela de temporalidade do CONARQ.",
    ),
];

/// Nova → API → the form → Incluir, as Gestor Prata; returns the request id.
async fn create_through_the_form(
    b: &harness::Browser,
    app: &TestApp,
    api: &str,
    volume: &str,
    kind: &str,
) -> i64 {
    b.goto("/solicitacoes").await;
    b.click_text("Nova").await;
    b.checkpoint("1.3-escolher-api").await;
    b.select("#api_id", &app.api_id(api).await.to_string())
        .await;
    b.click_text("Incluir").await;
    b.checkpoint("1.4-formulario").await;
    // The type follows from the access the organization already has; the form says which.
    let label = if kind == "adhesion" {
        "Adesão"
    } else {
        "Alteração de Volumetria"
    };
    assert!(
        b.find("main").await.text().await.unwrap().contains(label),
        "{kind}"
    );
    // The design system draws checkboxes on their labels, which take the click.
    b.type_into("#requested_volume", volume).await;
    b.click("label[for=legal_bases]").await;
    for (field, text) in PURPOSE {
        b.type_into(field, text).await;
    }
    b.click_text("Incluir").await;
    let path = b.path().await;
    assert!(path.contains("msg=incluida"), "{path}");
    path.trim_start_matches("/solicitacoes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Assinar as `cpf`, reading the SMS code where the log transport keeps it.
/// On a phone, the code screen's refusals keep the signer on it: a new code asked too soon
/// (as without JavaScript, which counts down), then five wrong codes, after which the screen
/// offers a new authorisation, which signs.
async fn code_screen_dead_ends(b: &harness::Browser, app: &TestApp, id: i64) {
    // Past the authorisation window of the earlier signature, so a code is asked again.
    app.clock.advance(jiff::SignedDuration::from_mins(11));
    b.phone().await;
    b.login(GESTOR_PRATA).await;
    b.goto(&format!("/solicitacoes/{id}/assinar")).await;
    b.click_text("Assinar").await;
    assert!(b.path().await.starts_with("/autorizacao/"));
    assert!(b.text().await.contains("Você poderá pedir outro código em"));
    b.client
        .execute(
            "document.getElementById('resend').disabled = false;",
            vec![],
        )
        .await
        .unwrap();
    b.click_text("Reenviar código").await;
    let text = b.text().await;
    assert!(
        text.contains("para pedir outro código.")
            && text.contains("Sair")
            && b.exists("#code").await,
        "{text}"
    );
    b.checkpoint("reenvio-antes-do-prazo").await;
    let code = app.last_sms_code(GESTOR_PRATA).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in [
        "Restam 4 tentativas.",
        "Restam 3 tentativas.",
        "Restam 2 tentativas.",
        "Resta 1 tentativa.",
    ] {
        b.type_into("#code", wrong).await;
        b.click_text("Autorizar").await;
        assert!(b.text().await.contains(left), "{left}");
    }
    b.type_into("#code", wrong).await;
    b.click_text("Autorizar").await;
    assert!(b.text().await.contains("As tentativas se esgotaram"));
    assert!(
        !b.exists("#code").await,
        "a voided authorisation takes no code"
    );
    b.checkpoint("autorizacao-anulada").await;
    b.click_text("Iniciar nova autorização").await;
    assert!(b.path().await.starts_with("/autorizacao/"));
    let code = app.last_sms_code(GESTOR_PRATA).await;
    b.type_into("#code", &code).await;
    b.click_text("Autorizar").await;
    assert!(b.text().await.contains("Documento assinado."));
    b.desktop().await;
    b.logout().await;
}

/// The id in a request's address (`/solicitacoes/ID?...`).
fn request_id_of(path: &str) -> i64 {
    path.trim_start_matches("/solicitacoes/")
        .split(['?', '#', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{path}"))
}

/// Deferir, confirmed in its dialog.
async fn grant_confirming(b: &harness::Browser) {
    b.open_dialog("Deferir").await;
    b.checkpoint("confirmar-deferimento").await;
    b.confirm_in_dialog("Sim, deferir").await;
    assert!(b.text().await.contains("acesso à API foi liberado"));
}

async fn sign(b: &harness::Browser, app: &TestApp, cpf: &str, id: i64, expect: &str) {
    sign_with(b, app, cpf, common::DEMO_PASSWORD, id, expect).await;
}

/// Where the signer reads the code: the outbox (log transport), or the SMS gateway.
enum CodeFrom<'a> {
    Outbox(&'a TestApp),
    Gateway(&'a mail_servers::SmsGateway, &'a str),
}

async fn sign_with(
    b: &harness::Browser,
    app: &TestApp,
    cpf: &str,
    password: &str,
    id: i64,
    expect: &str,
) {
    sign_reading(b, cpf, password, id, expect, CodeFrom::Outbox(app)).await;
}

async fn sign_reading(
    b: &harness::Browser,
    cpf: &str,
    password: &str,
    id: i64,
    expect: &str,
    from: CodeFrom<'_>,
) {
    b.login_with(cpf, password).await;
    b.goto("/assinaturas-pendentes").await;
    b.checkpoint("1.8-assinaturas-pendentes").await;
    b.goto(&format!("/solicitacoes/{id}")).await;
    b.click_text("Assinar").await;
    assert!(
        b.text()
            .await
            .contains("Documento de Solicitação de Interoperabilidade nº")
    );
    b.checkpoint("1.9-dsi").await;
    // SMS the gateway had for this mobile before this authorisation.
    let before = match &from {
        CodeFrom::Gateway(gateway, mobile) => gateway
            .received()
            .iter()
            .filter(|s| s.to == *mobile)
            .count(),
        CodeFrom::Outbox(_) => 0,
    };
    b.click_text("Assinar").await;
    assert!(b.path().await.starts_with("/autorizacao/"));
    b.checkpoint("1.10-autorizacao").await;
    let hint = "o código fica na caixa de saída";
    let code = match from {
        CodeFrom::Outbox(app) => {
            assert!(
                b.text().await.contains(hint),
                "the demo says where the code is"
            );
            app.last_sms_code(cpf).await
        }
        CodeFrom::Gateway(gateway, mobile) => {
            assert!(
                !b.text().await.contains(hint),
                "with a gateway, the SMS left"
            );
            gateway.code_for(mobile, before).await
        }
    };
    b.type_into("#code", &code).await;
    b.click_text("Autorizar").await;
    assert!(b.text().await.contains(expect), "after signing as {cpf}");
    b.logout().await;
}

#[tokio::test]
async fn browser_scenarios() {
    let app = TestApp::spawn().await;
    let Some(b) = harness::start(&app.address).await else {
        return;
    };

    // The accessibility check itself works: a page with an image without text fails it.
    b.client
        .goto("data:text/html,<html lang=pt-BR><title>x</title><main><img src=x.png></main></html>")
        .await
        .unwrap();
    let violations = b.wcag_violations().await;
    assert!(
        violations.to_string().contains("image-alt"),
        "axe-core runs: {violations}"
    );

    // Keyboard only, as far as the form: Tab to each control (focus visible), type, Enter.
    b.goto("/login").await;
    b.checkpoint("login").await;
    b.tab_to("#cpf")
        .await
        .send_keys(GESTOR_PRATA)
        .await
        .unwrap();
    b.tab_to("#password")
        .await
        .send_keys(common::DEMO_PASSWORD)
        .await
        .unwrap();
    b.press_enter().await;
    assert_eq!(b.path().await, "/");
    b.checkpoint("inicio").await;
    b.tab_to("a[href='/solicitacoes']").await;
    b.press_enter().await;
    assert_eq!(b.path().await, "/solicitacoes");
    b.tab_to("a[href='/solicitacoes/nova']").await;
    b.press_enter().await;
    // A native select takes the typed text as a choice.
    b.tab_to("#api_id")
        .await
        .send_keys("API BPC")
        .await
        .unwrap();
    b.tab_to("button[type=submit]").await;
    b.press_enter().await;
    assert!(
        b.path()
            .await
            .starts_with("/solicitacoes/nova/formulario?api_id="),
        "the form, by keyboard"
    );
    b.tab_to("#requested_volume").await;

    // Scenario 4a: bad input on the form shows pt-BR messages next to the fields, keeps values.
    b.goto(&format!(
        "/solicitacoes/nova/formulario?api_id={}",
        app.api_id("API BPC").await
    ))
    .await;
    b.type_into("#requested_volume", "1,5").await;
    b.type_into("#data_usage", "Texto meu").await;
    b.click_text("Incluir").await;
    let text = b.text().await;
    assert!(text.contains("A volumetria deve ser um número inteiro, como 1.000.000."));
    assert!(b.exists("#requested_volume-error").await);
    assert_eq!(
        b.find("#requested_volume")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("1,5")
    );
    assert_eq!(
        b.find("#data_usage")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Texto meu")
    );
    b.checkpoint("erro-formulario").await;

    // Scenario 1: the seed walkthrough for API BPC.
    b.goto("/solicitacoes").await;
    b.checkpoint("1.1-lista").await;
    let id = create_through_the_form(&b, &app, "API BPC", "100.000", "adhesion").await;
    b.checkpoint("1.7-detalhe").await;
    b.click_text("Liberar para Assinatura").await;
    assert!(b.text().await.contains("Aguardando assinatura"));
    b.logout().await;
    sign(&b, &app, GESTOR_PRATA, id, "Documento assinado.").await;
    // The technical lead signs with an ICP-Brasil A1; the DSI then carries both signatures.
    let (pfx, a1_root) = signed_dsi::a1_file("24059668400", "senha-do-a1");
    signed_dsi::sign_with_a1(&b, GESTOR_PRATA_2, id, &pfx, "senha-do-a1").await;
    signed_dsi::validate_in_the_page(&b, &app, id, GESTOR_PRATA, &a1_root).await;
    b.login(ANALISTA_INSS).await;
    let waiting = b
        .find("a[href='/solicitacoes?mostrar=cedente&situacao=provider_review']")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        waiting.split_whitespace().collect::<Vec<_>>().join(" "),
        "1 solicitação em análise",
        "the home page counts"
    );
    b.checkpoint("inicio-analista").await;
    b.goto(&format!("/solicitacoes/{id}")).await;
    b.checkpoint("1.12-analise").await;
    b.type_into("#authorized_volume", "90.000").await;
    b.click_text("Aprovar").await;
    assert!(b.text().await.contains("Aprovada pelo cedente"));
    b.logout().await;
    b.login(EQUIPE_CONECTA).await;
    b.goto(&format!("/solicitacoes/{id}")).await;
    grant_confirming(&b).await;
    b.goto("/admin/mensagens").await;
    b.checkpoint("mensagens").await;
    b.logout().await;
    b.login(GESTOR_PRATA).await;
    b.goto("/solicitacoes").await;
    let list = b.text().await;
    assert!(list.contains("Deferida") && list.contains("90.000") && list.contains("100.000"));
    b.checkpoint("1.11-lista-deferida").await;
    // Alterar volumetria from the granted request: the type, the API and the purpose come
    // filled; only the new volume is typed.
    b.goto(&format!("/solicitacoes/{id}")).await;
    b.click_text("Alterar volumetria").await;
    b.checkpoint("alterar-volumetria").await;
    let form = b.find("main").await.text().await.unwrap();
    assert!(
        form.contains("Alteração de Volumetria") && form.contains("90.000"),
        "{form}"
    );
    assert_eq!(
        b.find("#data_usage")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(PURPOSE[0].1)
    );
    b.type_into("#requested_volume", "150.000").await;
    b.click_text("Incluir").await;
    let detail = b.text().await;
    assert!(
        detail.contains("Alteração de Volumetria") && detail.contains("90.000"),
        "{detail}"
    );
    // Liberar while it is the one in the pipeline works; a second volume change released
    // meanwhile is refused on the request's own page, linking to the first.
    let change = request_id_of(&b.path().await);
    b.click_text("Liberar para Assinatura").await;
    assert!(b.text().await.contains("Aguardando assinatura"));
    b.goto(&format!("/solicitacoes/{id}")).await;
    b.click_text("Alterar volumetria").await;
    b.type_into("#requested_volume", "200.000").await;
    b.click_text("Incluir").await;
    b.click_text("Liberar para Assinatura").await;
    let refused = b.text().await;
    assert!(
        refused.contains("Ação não realizada.") && refused.contains("Sair"),
        "{refused}"
    );
    assert!(
        b.exists(&format!("#refusal a[href='/solicitacoes/{change}']"))
            .await
    );
    b.checkpoint("conflito-na-liberacao").await;
    // Cancelar asks first: in a dialog (here), or on its own page without JavaScript.
    b.open_dialog("Cancelar solicitação").await;
    b.checkpoint("confirmar-cancelamento").await;
    b.client
        .find(Locator::XPath(
            "//dialog[@open]//a[normalize-space(.)='Voltar sem alterar']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(!b.exists("dialog[open]").await, "Voltar closes the dialog");
    let second = request_id_of(&b.path().await);
    b.goto(&format!("/solicitacoes/{second}/cancelar")).await;
    b.checkpoint("confirmar-cancelamento-pagina").await;
    b.click_text("Sim, cancelar a solicitação").await;
    assert!(b.text().await.contains("Solicitação cancelada."));
    // "Voltar à lista" comes back to the list as it was left.
    b.goto("/solicitacoes?situacao=cancelled").await;
    b.goto(&format!("/solicitacoes/{second}")).await;
    b.click_text("Voltar à lista").await;
    let back = b.path().await;
    assert!(
        back.starts_with("/solicitacoes?") && back.contains("situacao=cancelled"),
        "{back}"
    );
    // The Número filter takes the number as people type it.
    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
        .bind(second)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let seq: u32 = number[..6].parse().unwrap();
    b.goto("/solicitacoes").await;
    b.type_into("#numero", &seq.to_string()).await;
    b.click_text("Pesquisar").await;
    let found = b.find("tbody").await.text().await.unwrap();
    let rows = b
        .client
        .execute(
            "return document.querySelectorAll('tbody tr').length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        rows == json!(1) && found.contains(&number),
        "numero={seq}: {found}"
    );
    // A page that does not exist keeps the logged-in header.
    b.goto("/solicitacoes/999999").await;
    let missing = b.text().await;
    assert!(missing.contains("Página não encontrada") && missing.contains("Sair"));
    b.checkpoint("pagina-nao-encontrada").await;

    // Scenario 2: CADUNICO — release refused naming the attachments, upload both, release.
    let cadunico =
        create_through_the_form(&b, &app, "API CADUNICO SERVICOS", "1.000.000", "adhesion").await;
    b.click_text("Liberar para Assinatura").await;
    let text = b.text().await;
    assert!(text.contains("Anexe o documento obrigatório: Formulário."));
    assert!(text.contains("Anexe o documento obrigatório: Ofício."));
    b.checkpoint("anexos-faltando").await;
    // The two models download from their links, as ODF documents.
    let downloads = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const links = [...document.querySelectorAll('a[href^=\"/apis/\"]')]; \
             Promise.all(links.map(a => fetch(a.href).then(r => [a.textContent.trim(), r.status, r.headers.get('content-type')]))) \
               .then(done).catch(e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        downloads,
        json!([
            [
                "MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v101.odt",
                200,
                "application/vnd.oasis.opendocument.text"
            ],
            [
                "MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v1.odt",
                200,
                "application/vnd.oasis.opendocument.text"
            ]
        ])
    );
    let dir = std::env::temp_dir().join(format!("adesao-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, label) in [("form", "Formulário"), ("official_letter", "Ofício")] {
        let file = dir.join(format!("{kind}.pdf"));
        std::fs::write(&file, adesao_documents::pdf::sample(label)).unwrap();
        b.goto(&format!("/solicitacoes/{cadunico}")).await;
        b.find(&format!("#file-{kind}"))
            .await
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        b.click_text(&format!("Enviar {label}")).await;
        assert!(b.text().await.contains("Anexo incluído."));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    b.checkpoint("anexos").await;
    b.click_text("Liberar para Assinatura").await;
    assert!(b.text().await.contains("Aguardando assinatura"));
    b.logout().await;
    code_screen_dead_ends(&b, &app, cadunico).await;

    // Scenario 3: a refusal with justification, seen by the requester in the history.
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body("API CONSULTA SIAPE", "adhesion", 5000).await;
    let created: serde_json::Value = app
        .api_post("/api/v1/requests", &token, &body)
        .await
        .json()
        .await
        .unwrap();
    let siape = created["id"].as_i64().unwrap();
    app.api_post(
        &format!("/api/v1/requests/{siape}/release"),
        &token,
        &json!({}),
    )
    .await;
    app.api_sign(siape, GESTOR_PRATA).await;
    app.api_sign(siape, GESTOR_PRATA_2).await;
    b.login("713.882.654-00").await;
    b.goto(&format!("/solicitacoes/{siape}")).await;
    b.click_text("Recusar").await;
    assert!(
        b.text()
            .await
            .contains("Informe a justificativa da recusa."),
        "empty justification refused"
    );
    b.checkpoint("erro-recusa").await;
    b.type_into("#justification", "Falta o ofício do dirigente máximo.")
        .await;
    b.click_text("Recusar").await;
    b.logout().await;
    b.login(GESTOR_PRATA).await;
    b.goto(&format!("/solicitacoes/{siape}")).await;
    let text = b.text().await;
    assert!(text.contains("Recusada pelo cedente"));
    assert!(text.contains("Justificativa: Falta o ofício do dirigente máximo."));
    assert!(
        b.exists("#refusal-note").await,
        "the refusal stands out at the top"
    );
    b.checkpoint("recusada").await;
    b.click_text("Nova Solicitação a partir desta").await;
    let copy = request_id_of(&b.path().await);
    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
        .bind(siape)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(
        b.text()
            .await
            .contains(&format!("Criada a partir da solicitação {number}")),
        "the copy names its origin"
    );
    b.goto(&format!("/solicitacoes/{siape}")).await;
    assert!(
        b.exists(&format!("a[href='/solicitacoes/{copy}']")).await,
        "the origin links back"
    );
    b.logout().await;

    // Scenario 5: another organization cannot reach the request by its URL.
    b.login("390.533.447-05").await;
    b.goto(&format!("/solicitacoes/{siape}")).await;
    assert!(b.text().await.contains("Página não encontrada"));
    b.checkpoint("outro-orgao-404").await;
    b.goto("/").await;
    b.logout().await;

    administration(&b, &app).await;

    b.stop().await;
}

const ANA: &str = "111.444.777-35";
const BRUNO: &str = "123.456.789-09";
const ANA_PASSWORD: &str = "jabuticaba varanda fusca azul";
const BRUNO_PASSWORD: &str = "cavalo bateria grampo correto";

/// Issue 10: the programme registers a new agency with its officials and an API for INSS with
/// a mandatory Formulário and its model; the agency's manager files a request for it, both
/// officials sign, and INSS's analyst sees it for analysis. Ending the IT director's period
/// removes her from the signer list at once.
async fn administration(b: &harness::Browser, app: &TestApp) {
    b.login(EQUIPE_CONECTA).await;
    b.goto("/admin/orgaos").await;
    b.checkpoint("admin-orgaos").await;
    b.click_text("Novo órgão").await;
    b.type_into("#name", "Autoridade Nacional de Proteção de Dados")
        .await;
    b.type_into("#acronym", "ANPD").await;
    b.type_into("#cnpj", "11.222.333/0001-8").await;
    b.click_text("Salvar").await;
    assert!(
        b.text().await.contains("Corrija o erro abaixo"),
        "a bad CNPJ is refused"
    );
    b.checkpoint("admin-orgao-erro").await;
    b.type_into("#cnpj", "11.222.333/0001-81").await;
    b.click_text("Salvar").await;
    assert!(b.text().await.contains("Cadastro incluído."));
    let anpd: i64 = b
        .path()
        .await
        .trim_start_matches("/admin/orgaos/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    for (cpf, name, email, mobile, role, password) in [
        (
            ANA,
            "Ana Diretora",
            "ana@anpd.gov.br",
            "(61) 98111-0001",
            "it_director",
            ANA_PASSWORD,
        ),
        (
            BRUNO,
            "Bruno Técnico",
            "bruno@anpd.gov.br",
            "(61) 98111-0002",
            "technical_lead",
            BRUNO_PASSWORD,
        ),
    ] {
        b.goto(&format!("/admin/usuarios/novo?orgao={anpd}")).await;
        b.type_into("#cpf", cpf).await;
        b.type_into("#name", name).await;
        b.type_into("#email", email).await;
        b.type_into("#mobile", mobile).await;
        b.click(&format!("label[for=papel_{role}]")).await;
        if role == "it_director" {
            b.click("label[for=papel_manager]").await;
        }
        b.type_into("#password", password).await;
        b.checkpoint("admin-usuario-novo").await;
        b.click_text("Salvar").await;
        assert!(b.text().await.contains("Cadastro incluído."), "{name}");
    }

    b.goto("/admin/apis/nova").await;
    let inss: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE acronym = 'INSS'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    b.select("#provider_id", &inss.to_string()).await;
    b.type_into("#name", "API CNIS").await;
    b.type_into("#description", "Vínculos e remunerações do CNIS.")
        .await;
    b.click("label[for=pede_form]").await;
    b.click("label[for=obrigatorio_form]").await;
    b.checkpoint("admin-api-nova").await;
    b.click_text("Salvar").await;
    assert!(b.text().await.contains("Cadastro incluído."));
    let dir = std::env::temp_dir().join(format!("adesao-admin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("Formulário CNIS.odt");
    std::fs::write(
        &model,
        adesao_documents::odt::text_document("Formulário CNIS", &["Preencha e assine."]),
    )
    .unwrap();
    b.find("#modelo-form")
        .await
        .send_keys(model.to_str().unwrap())
        .await
        .unwrap();
    b.click_text("Enviar modelo").await;
    assert!(b.text().await.contains("Modelo enviado."));
    b.checkpoint("admin-api-modelo").await;
    b.goto("/admin/auditoria").await;
    assert!(b.text().await.contains("Envio de modelo"));
    b.checkpoint("admin-auditoria").await;
    // The other pages of the programme team, at both widths.
    for (path, name) in [
        ("/", "inicio-equipe-conecta"),
        ("/admin/usuarios", "admin-usuarios"),
        ("/admin/apis", "admin-apis"),
        ("/admin/importacao", "admin-importacao"),
        ("/solicitacoes?mostrar=todas", "lista-todas"),
        ("/termos", "termos"),
    ] {
        b.goto(path).await;
        b.checkpoint(name).await;
    }
    b.logout().await;

    // The new agency's manager files a request for the new API, with the Formulário.
    b.login_with(ANA, ANA_PASSWORD).await;
    let id = create_through_the_form(b, app, "API CNIS", "50000", "adhesion").await;
    let form = dir.join("formulario.pdf");
    std::fs::write(&form, adesao_documents::pdf::sample("Formulário")).unwrap();
    b.find("#file-form")
        .await
        .send_keys(form.to_str().unwrap())
        .await
        .unwrap();
    b.click_text("Enviar Formulário").await;
    assert!(b.text().await.contains("Anexo incluído."));
    b.click_text("Liberar para Assinatura").await;
    assert!(b.text().await.contains("Aguardando assinatura"));
    b.logout().await;
    std::fs::remove_dir_all(&dir).unwrap();

    sign_with(b, app, ANA, ANA_PASSWORD, id, "Documento assinado.").await;
    sign_with(
        b,
        app,
        BRUNO,
        BRUNO_PASSWORD,
        id,
        "enviada para análise do órgão cedente",
    )
    .await;

    b.login(ANALISTA_INSS).await;
    b.goto("/solicitacoes?mostrar=cedente").await;
    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(b.text().await.contains(&number), "INSS sees {number}");
    b.goto(&format!("/solicitacoes/{id}")).await;
    assert!(b.text().await.contains("Aprovar"));
    b.logout().await;

    // Ana's mandate as Dirigente de TI ends yesterday: she is no longer offered as a signer.
    b.login(EQUIPE_CONECTA).await;
    let ana: i64 = app.user_id(ANA).await;
    b.goto(&format!("/admin/usuarios/{ana}")).await;
    // A date input takes typed digits in the browser's locale order; set its value directly.
    b.client
        .execute(
            "document.getElementById('fim_it_director').value = arguments[0];",
            vec![json!(
                (app.clock.today() - jiff::Span::new().days(1)).to_string()
            )],
        )
        .await
        .unwrap();
    b.click_text("Salvar").await;
    assert!(b.text().await.contains("Alterações salvas."));
    b.goto("/admin/usuarios?q=ana").await;
    assert!(b.text().await.contains("fora do período"));
    b.checkpoint("admin-usuario-periodo").await;
    b.logout().await;
    b.login_with(ANA, ANA_PASSWORD).await;
    b.goto("/solicitacoes/nova").await;
    b.select("#api_id", &app.api_id("API CNIS").await.to_string())
        .await;
    b.click_text("Incluir").await;
    assert!(
        b.text()
            .await
            .contains("Nenhum Dirigente de TI está cadastrado no seu órgão"),
        "Ana is no longer a signer"
    );
    b.goto("/minha-conta").await;
    assert!(b.text().await.contains("fora do período"));
    b.checkpoint("minha-conta").await;
    b.goto("/meu-orgao").await;
    b.checkpoint("meu-orgao").await;
    b.logout().await;
}

/// Issue 11: with an SMTP server and an SMS gateway configured, the lifecycle walked in the
/// browser sends every e-mail of SPEC §8 and the signers authorise with the code from the
/// gateway; the mail server stopped half-way loses nothing.
#[tokio::test]
async fn messages_leave_by_smtp_and_the_sms_gateway() {
    let Some(python) = mail_servers::python() else {
        return;
    };
    let mut smtp = mail_servers::SmtpServer::start(&python).await;
    let gateway = mail_servers::SmsGateway::start().await;
    let (smtp_url, gateway_url) = (smtp.url(), gateway.url.clone());
    let app = TestApp::spawn_with(move |c| {
        mail_servers::send_to(c, &smtp_url, &gateway_url);
        c.public_url = "https://adesao.test".into();
    })
    .await;
    let Some(b) = harness::start(&app.address).await else {
        return;
    };
    b.login(GESTOR_PRATA).await;
    let id = create_through_the_form(&b, &app, "API BPC", "100.000", "adhesion").await;
    b.click_text("Liberar para Assinatura").await;
    assert!(b.text().await.contains("Aguardando assinatura"));
    b.logout().await;
    // The signers, on their phones: the e-mail's link, the DSI and the code from the SMS.
    b.phone().await;
    for (cpf, mobile, expect) in [
        (GESTOR_PRATA, "+5561911110011", "Documento assinado."),
        (
            GESTOR_PRATA_2,
            "+5561911110022",
            "enviada para análise do órgão cedente",
        ),
    ] {
        sign_reading(
            &b,
            cpf,
            common::DEMO_PASSWORD,
            id,
            expect,
            CodeFrom::Gateway(&gateway, mobile),
        )
        .await;
    }
    assert_eq!(
        smtp.wait_for(3, std::time::Duration::from_secs(30))
            .await
            .len(),
        3
    );
    b.desktop().await;

    // The mail server goes down; the analysis and the grant go on.
    smtp.stop().await;
    b.login(ANALISTA_INSS).await;
    b.goto(&format!("/solicitacoes/{id}")).await;
    b.type_into("#authorized_volume", "90.000").await;
    b.click_text("Aprovar").await;
    assert!(b.text().await.contains("Aprovada pelo cedente"));
    b.logout().await;
    b.login(EQUIPE_CONECTA).await;
    b.goto(&format!("/solicitacoes/{id}")).await;
    grant_confirming(&b).await;
    // The admins see them waiting, with the reason.
    let mut waiting = String::new();
    for _ in 0..50 {
        b.goto("/admin/mensagens?situacao=pending&canal=email")
            .await;
        waiting = b.text().await;
        if waiting.contains("servidor de e-mail") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        waiting.contains("Pendente") && waiting.contains("servidor de e-mail"),
        "{waiting}"
    );
    b.checkpoint("mensagens-pendentes").await;
    smtp.resume().await;
    smtp.wait_for(7, std::time::Duration::from_secs(30)).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    // Each message once. SMTP delivers at least once: a reply lost as the server stops (or
    // slower than the send timeout on a loaded machine) makes the outbox send again, with the
    // same Message-ID, by which mail servers and readers drop the copy.
    let message_id = |m: &mail_servers::Received| {
        m.raw
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .unwrap_or_else(|| panic!("a Message-ID in {}", m.raw))
            .to_owned()
    };
    let mut seen = std::collections::BTreeSet::new();
    let received: Vec<mail_servers::Received> = smtp
        .received()
        .into_iter()
        .filter(|m| seen.insert(message_id(m)))
        .collect();
    assert_eq!(received.len(), 7, "each message once: {seen:?}");
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "analista@inss.example",
            "conecta@sgd.example",
            "gestor.prata2@ufv.example",
            "gestor.prata2@ufv.example",
            "gestor.prata@ufv.example",
            "gestor.prata@ufv.example",
            "usuario.teste@ufv.example",
        ]
    );
    let link = format!("https://adesao.test/solicitacoes/{id}");
    assert!(received.iter().all(|m| m.text().contains(&link)));
    b.goto("/admin/mensagens?situacao=sent").await;
    let rows = b.find("tbody").await.text().await.unwrap();
    assert_eq!(
        rows.matches("Enviada em").count(),
        9,
        "7 e-mails and 2 SMS: {rows}"
    );
    assert!(!rows.contains("Pendente"), "{rows}");
    b.checkpoint("mensagens-enviadas").await;
    // The admin's outbox and the list with its report button, on a phone.
    b.phone().await;
    b.goto("/admin/mensagens").await;
    b.checkpoint("mensagens").await;
    b.logout().await;
    b.login(GESTOR_PRATA).await;
    b.goto("/solicitacoes").await;
    b.checkpoint("1.1-lista").await;
    b.desktop().await;
    b.stop().await;
}
