use crate::common::TestApp;

#[tokio::test]
async fn healthz_answers_200_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.close().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/login")).await.unwrap();
    let h = response.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
}

#[tokio::test]
async fn vendored_design_system_is_served_without_a_cdn() {
    let app = TestApp::spawn().await;
    for (path, mime) in [
        ("/static/vendor/govbr-ds/core.min.css", "text/css"),
        ("/static/vendor/govbr-ds/core.min.js", "javascript"),
        (
            "/static/vendor/raleway/raleway-latin-400-normal.woff2",
            "font/woff2",
        ),
        (
            "/static/vendor/fontawesome/webfonts/fa-solid-900.woff2",
            "font/woff2",
        ),
        ("/static/app.css", "text/css"),
    ] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let ct = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(ct.contains(mime), "{path}: {ct}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert!(!response.bytes().await.unwrap().is_empty());
        let again = reqwest::Client::new()
            .get(app.url(path))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} revalidates");
    }
    let login = reqwest::get(app.url("/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !login.contains("https://"),
        "pages reference no external host"
    );
    assert_eq!(
        reqwest::get(app.url("/static/nao-existe.css"))
            .await
            .unwrap()
            .status(),
        404
    );
}
