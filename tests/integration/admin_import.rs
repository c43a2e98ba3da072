//! Onboarding from CSV (issue 10): a dry run that names every line's problems in Portuguese,
//! then an import of all lines or none.

use serde_json::Value;

use crate::common::*;

async fn import(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("orgaos.csv"),
    );
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/admin/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    status_of(r).await
}

const HEADER: &str = "orgao_cnpj;orgao_sigla;orgao_nome;orgao_fornece_apis;cpf;nome;email;celular;papeis;inicio;fim\n";

#[tokio::test]
async fn a_file_with_bad_lines_is_judged_line_by_line_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    let admin = app.token(EQUIPE_CONECTA).await;
    let csv = format!(
        "{HEADER}\
         11.222.333/0001-81;ANPD;Autoridade Nacional;não;;;;;;;\n\
         11.222.333/0001-81;;;;111.444.777-35;Ana Diretora;ana@anpd.gov.br;(61) 91234-5678;Dirigente de TI;;\n\
         11.222.333/0001-81;;;;111.444.777-36;CPF Errado;x@anpd.gov.br;(61) 91234-5678;manager;;\n\
         99.999.999/0001-91;;;;123.456.789-09;Sem Órgão;y@anpd.gov.br;(61) 91234-5678;manager;;\n\
         25.944.455/0001-96;;;;213.591.158-54;Duplicado;z@ufv.br;(61) 91234-5678;manager;;\n\
         11.222.333/0001-81;;;;390.533.447-05;Datas;w@anpd.gov.br;123;chefe;2026-05-01;2026-04-01\n"
    );
    let before = app.snapshot().await;
    let (status, report) = import(&app, &admin, &csv, true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], false);
    let lines = report["lines"].as_array().unwrap();
    let problems = |n: u64| -> Vec<String> {
        lines
            .iter()
            .find(|l| l["line"] == n)
            .unwrap_or_else(|| panic!("line {n}: {report}"))["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(problems(2).is_empty(), "{report}");
    assert!(problems(3).is_empty(), "{report}");
    assert!(problems(4)[0].starts_with("CPF:"), "{report}");
    assert!(problems(5)[0].contains("não está cadastrado"), "{report}");
    assert!(problems(6)[0].contains("já está cadastrado"), "{report}");
    let six = problems(7).join(" ");
    for expected in ["Celular:", "Papel desconhecido"] {
        assert!(six.contains(expected), "{expected}: {six}");
    }
    assert_eq!(app.snapshot().await, before, "a dry run writes nothing");

    // Imported for real, the file is refused whole, with each problem by line.
    let (status, problem) = import(&app, &admin, &csv, false).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("Nada foi importado")
    );
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "line 4"),
        "{problem}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_clean_file_imports_organizations_and_people_with_their_periods() {
    let app = TestApp::spawn().await;
    let admin = app.token(EQUIPE_CONECTA).await;
    // Commas, a BOM and CRLF, as spreadsheets write them.
    let csv = "\u{feff}orgao_cnpj,orgao_sigla,orgao_nome,orgao_fornece_apis,cpf,nome,email,celular,papeis,inicio,fim\r\n\
               11.222.333/0001-81,ANPD,Autoridade Nacional,sim,,,,,,,\r\n\
               11.222.333/0001-81,,,,111.444.777-35,Ana Diretora,ana@anpd.gov.br,(61) 91234-5678,manager|it_director,01/01/2026,31/12/2030\r\n\
               25.944.455/0001-96,,,,123.456.789-09,Novo Técnico,t@ufv.br,(31) 99876-5432,technical_lead,,\r\n";
    let (status, report) = import(&app, &admin, csv, false).await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["applied"], true);
    assert_eq!(report["organizations"], 1);
    assert_eq!(report["users"], 2);
    let orgs: Value = app
        .api_get("/api/v1/admin/organizations?q=anpd", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(orgs["items"][0]["provides_apis"], true);
    let users: Value = app
        .api_get("/api/v1/admin/users?q=111.444", &admin)
        .await
        .json()
        .await
        .unwrap();
    let ana = &users["items"][0];
    assert_eq!(ana["organization"]["acronym"], "ANPD");
    assert_eq!(ana["roles"][1]["role"], "it_director");
    assert_eq!(ana["roles"][1]["starts_on"], "2026-01-01");
    assert_eq!(ana["roles"][1]["ends_on"], "2030-12-31");
    // Imported people have no password until an admin sets one.
    assert_eq!(
        app.request_token("111.444.777-35", DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    let audit: Value = app
        .api_get("/api/v1/admin/audit?entity=user", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"][0]["action"], "imported");
    // The same file again: every line is now a duplicate, and nothing changes.
    let before = app.snapshot().await;
    let (status, _) = import(&app, &admin, csv, false).await;
    assert_eq!(status, 422);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_file_that_is_not_the_model_is_refused_as_a_whole() {
    let app = TestApp::spawn().await;
    let admin = app.token(EQUIPE_CONECTA).await;
    let (status, body) = import(&app, &admin, "nome;cpf\nMaria;111.444.777-35\n", true).await;
    assert_eq!(status, 422);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Faltam colunas")
    );
    let model = app.api_get("/api/v1/admin/import/model.csv", &admin).await;
    assert_eq!(model.status(), 200);
    let text = model.text().await.unwrap();
    // The model itself imports cleanly in a dry run.
    let (status, report) = import(&app, &admin, &text, true).await;
    assert_eq!(status, 200);
    assert!(
        report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["problems"].as_array().unwrap().is_empty()),
        "{report}"
    );
}
