use crate::common::TestApp;

#[tokio::test]
async fn unknown_pages_are_a_pt_br_404() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/nao-existe")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Página não encontrada")
    );
}

#[tokio::test]
async fn terms_are_linked_from_every_page() {
    let app = TestApp::spawn().await;
    let html = reqwest::get(app.url("/termos"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<h1 class=\"text-up-03\">Termos de uso e de política de privacidade</h1>")
    );
    assert!(html.contains("href=\"/termos\""));
}
