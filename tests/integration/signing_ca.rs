//! The builtin signature provider's CA (issue 13): made once, public as PEM, its private key
//! stored sealed.

use crate::common::*;

#[tokio::test]
async fn the_ca_certificate_is_public_made_once_and_its_key_is_sealed() {
    let app = TestApp::spawn().await;
    let (a, b) = tokio::join!(
        reqwest::get(app.url("/api/v1/signing/ca.pem")),
        reqwest::get(app.url("/api/v1/signing/ca.pem"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.status(), 200, "no token needed");
    assert_eq!(a.headers()["content-type"], "application/x-pem-file");
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert!(a.starts_with("-----BEGIN CERTIFICATE-----\n"), "{a}");
    assert_eq!(a, b, "two first requests at once: one CA");
    let again = reqwest::get(app.url("/api/v1/signing/ca.pem"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(again, a);

    // One row, and what it holds of the key is not the key: the CA's key, unsealed with the
    // test's signing key, is the one whose public half is in the certificate.
    let rows: Vec<(String, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT owner, certificate, sealed_key FROM signing_keys")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let (owner, certificate, sealed) = &rows[0];
    assert_eq!(owner, "ca");
    let issued =
        adesao_documents::pki::Issued::from_stored(certificate, sealed, &[0x5a; 32], "ca").unwrap();
    assert_eq!(issued.certificate_pem().unwrap(), a);
    assert!(
        adesao_documents::pki::Issued::from_stored(certificate, sealed, &[0x5b; 32], "ca").is_err(),
        "another signing key does not open it"
    );
}

#[tokio::test]
async fn an_official_gets_one_certificate_from_the_ca_and_signs_with_it() {
    use adesao_documents::pades::{self, SignatureInfo, verify};
    use adesao_services::{SigningAuthority, SigningKey};

    let app = TestApp::spawn().await;
    let authority = SigningAuthority::new(app.db.clone(), SigningKey::new([0x5a; 32]));
    let user_id = app.user_id(GESTOR_PRATA).await;
    let cpf = adesao_domain::Cpf::parse(GESTOR_PRATA).unwrap();
    let (a, b) = tokio::join!(
        authority.official(user_id, "Gestor Prata", &cpf, "UFV"),
        authority.official(user_id, "Gestor Prata", &cpf, "UFV")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.certificate, b.certificate,
        "one certificate, however many first uses"
    );

    let pdf = adesao_documents::report::requests_pdf(&adesao_documents::report::sample()).unwrap();
    let info = SignatureInfo {
        field: "Assinatura1",
        signer_name: "Gestor Prata",
        pdf_date: "D:20261128105902-03'00'",
        reason: "Assinatura do DSI",
        appearance: None,
    };
    let signed = pades::sign(&pdf, &info, &a).unwrap();
    let ca = authority.ca().await.unwrap();
    let reports = verify::verify(&signed, Some(&ca.certificate)).unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].intact && reports[0].trusted, "{reports:?}");
    assert_eq!(reports[0].signer, "Gestor Prata:21359115854");

    let owners: Vec<String> = sqlx::query_scalar("SELECT owner FROM signing_keys ORDER BY owner")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(owners, ["ca".to_owned(), format!("user:{user_id}")]);
}
