use crate::common::{EQUIPE_CONECTA, TestApp};
use serde_json::Value;

#[tokio::test]
async fn demo_data_of_the_spec_is_loaded_on_an_empty_database() {
    let app = TestApp::spawn().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 7);
    assert_eq!(app.count("SELECT COUNT(*) FROM apis").await, 3);
    let ufv: String = sqlx::query_scalar("SELECT cnpj FROM organizations WHERE acronym = 'UFV'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(ufv, "25944455000196");
    // CADUNICO requires Formulário and Ofício and allows Outro.
    let cadunico: Vec<(String, i64)> = sqlx::query_as(
        "SELECT r.kind, r.mandatory FROM api_attachment_requirements r JOIN apis a ON a.id = r.api_id \
         WHERE a.name = 'API CADUNICO SERVICOS' ORDER BY r.kind",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        cadunico,
        vec![
            ("form".into(), 1),
            ("official_letter".into(), 1),
            ("other".into(), 0)
        ]
    );
    // Roles as in the table of SPEC §12.
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.name, r.role FROM user_roles r JOIN users u ON u.id = r.user_id ORDER BY u.name, r.role",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let has = |name: &str, role: &str| roles.iter().any(|(n, r)| n == name && r == role);
    assert!(has("Gestor Prata", "manager") && has("Gestor Prata", "it_director"));
    assert!(has("Gestor Prata 2", "technical_lead"));
    assert!(has("Analista INSS", "provider_analyst"));
    assert!(has("Equipe Conecta", "program_admin"));
    assert_eq!(roles.len(), 8);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = TestApp::spawn().await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(
        hashes
            .iter()
            .all(|h| h.starts_with("$argon2id$") && !h.contains("adesao-demo"))
    );
}

#[tokio::test]
async fn loading_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let loaded = adesao_services::demo::load_if_empty(&app.db).await.unwrap();
    assert!(!loaded);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 7);
}

#[tokio::test]
async fn demo_data_can_be_turned_off() {
    let app = TestApp::spawn_with(|c| c.demo_data = false).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn demo_users_can_log_in() {
    let app = TestApp::spawn().await;
    let token = app.token(EQUIPE_CONECTA).await;
    let me: Value = app
        .api_get("/api/v1/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Equipe Conecta");
    assert_eq!(me["organization"]["acronym"], "SGD");
    assert_eq!(me["roles"], serde_json::json!(["program_admin"]));
}
