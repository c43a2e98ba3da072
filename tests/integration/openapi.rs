use serde_json::Value;

use crate::common::TestApp;

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/apis", "get"),
        ("/api/v1/organizations/{id}/signatories", "get"),
        ("/api/v1/admin/outbox", "get"),
        ("/api/v1/requests", "get"),
        ("/api/v1/requests", "post"),
        ("/api/v1/requests/{id}", "get"),
        ("/api/v1/requests/{id}", "patch"),
        ("/api/v1/requests/{id}/release", "post"),
        ("/api/v1/requests/{id}/cancel", "post"),
        ("/api/v1/requests/{id}/approve", "post"),
        ("/api/v1/requests/{id}/refuse", "post"),
        ("/api/v1/requests/{id}/grant", "post"),
        ("/api/v1/requests/{id}/copy", "post"),
        ("/api/v1/requests/{id}/sign", "post"),
        ("/api/v1/auth/token", "delete"),
        ("/api/v1/requests/{id}/history", "get"),
        ("/api/v1/requests/{id}/dsi", "get"),
        ("/api/v1/signing-sessions", "post"),
        ("/api/v1/signing-sessions/{id}", "get"),
        ("/api/v1/signing-sessions/{id}/authorize", "post"),
        ("/api/v1/signing-sessions/{id}/resend", "post"),
        ("/api/v1/requests/{id}/attachments", "get"),
        ("/api/v1/requests/{id}/attachments", "post"),
        ("/api/v1/requests/{id}/attachments/{aid}", "get"),
        ("/api/v1/requests/{id}/attachments/{aid}", "delete"),
        ("/api/v1/apis/{id}/models/{kind}", "get"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/organizations/{id}/people", "get"),
        ("/api/v1/admin/organizations", "get"),
        ("/api/v1/admin/organizations", "post"),
        ("/api/v1/admin/organizations/{id}", "get"),
        ("/api/v1/admin/organizations/{id}", "patch"),
        ("/api/v1/admin/users", "get"),
        ("/api/v1/admin/users", "post"),
        ("/api/v1/admin/users/{id}", "get"),
        ("/api/v1/admin/users/{id}", "patch"),
        ("/api/v1/admin/apis", "get"),
        ("/api/v1/admin/apis", "post"),
        ("/api/v1/admin/apis/{id}", "get"),
        ("/api/v1/admin/apis/{id}", "patch"),
        ("/api/v1/admin/apis/{id}/models/{kind}", "put"),
        ("/api/v1/admin/audit", "get"),
        ("/api/v1/admin/import", "post"),
        ("/api/v1/admin/outbox/{id}/retry", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let request = &doc["components"]["schemas"]["RequestView"]["properties"];
    for field in [
        "number",
        "type",
        "status",
        "requester",
        "provider",
        "api",
        "purpose",
        "signatures",
        "attachments",
    ] {
        assert!(request.get(field).is_some(), "RequestView.{field}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // A model is served as whatever kind the program team uploaded: each is documented.
    let served =
        doc["paths"]["/api/v1/apis/{id}/models/{kind}"]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
    let mut accepted: Vec<&str> = adesao_documents::model::ODF_TYPES
        .iter()
        .map(|(t, _)| *t)
        .collect();
    accepted.extend([
        adesao_documents::model::ModelKind::Pdf.media_type(),
        adesao_documents::model::ModelKind::Docx.media_type(),
    ]);
    for media_type in accepted {
        assert!(served.contains_key(media_type), "{media_type} undocumented");
    }
}
