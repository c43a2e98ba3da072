//! The request list's totals are exact for every scope and filter: read from the counts kept by
//! triggers (migration 0010), they equal a count of the requests themselves.

use serde_json::Value;

use crate::common::{ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, TestApp};

const STATUSES: [&str; 7] = [
    "draft",
    "awaiting_signatures",
    "provider_review",
    "refused",
    "approved",
    "granted",
    "cancelled",
];

async fn total(app: &TestApp, token: &str, query: &str) -> (i64, usize) {
    let r = app
        .api_get(&format!("/api/v1/requests?per_page=100&{query}"), token)
        .await;
    assert_eq!(r.status(), 200, "{query}");
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total_is_lower_bound"], false, "{query}");
    let items = page["items"].as_array().unwrap().len();
    (page["total"].as_i64().unwrap(), items)
}

#[tokio::test]
async fn list_totals_equal_a_count_of_the_requests() {
    let app = TestApp::spawn().await;
    adesao_store::load::generate(&app.db, 600).await.unwrap();
    let org = |acronym: &'static str| {
        let pool = app.db.pool();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE acronym = $1")
                .bind(acronym)
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    let (ufv, inss) = (org("UFV").await, org("INSS").await);
    let api: i64 = sqlx::query_scalar("SELECT MIN(api_id) FROM requests")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let admin = app.token(EQUIPE_CONECTA).await;
    let manager = app.token(GESTOR_PRATA).await;
    let analyst = app.token(ANALISTA_INSS).await;
    let visible_to_provider = "status IN ('provider_review', 'refused', 'approved', 'granted')";

    let mut checked = 0;
    for status in std::iter::once(None).chain(STATUSES.iter().map(Some)) {
        let (status_query, status_sql) = match status {
            Some(s) => (format!("&status={s}"), format!(" AND status = '{s}'")),
            None => (String::new(), String::new()),
        };
        let cases = [
            (&admin, "show=todas".to_owned(), "1 = 1".to_owned()),
            (
                &admin,
                format!("show=todas&requester_id={ufv}"),
                format!("requester_id = {ufv}"),
            ),
            (
                &admin,
                format!("show=todas&provider_id={inss}&type=adhesion"),
                format!("provider_id = {inss} AND request_type = 'adhesion'"),
            ),
            (
                &admin,
                format!("show=todas&api_id={api}&type=volume_change"),
                format!("api_id = {api} AND request_type = 'volume_change'"),
            ),
            (&manager, String::new(), format!("requester_id = {ufv}")),
            (
                &analyst,
                "show=cedente".to_owned(),
                format!("provider_id = {inss} AND {visible_to_provider}"),
            ),
        ];
        for (token, query, condition) in cases {
            let query = format!("{query}{status_query}");
            let expected = app
                .count(&format!(
                    "SELECT COUNT(*) FROM requests WHERE {condition}{status_sql}"
                ))
                .await;
            let (listed, items) = total(&app, token, &query).await;
            assert_eq!(listed, expected, "{query}");
            assert_eq!(items as i64, expected.min(100), "{query}");
            checked += usize::from(expected > 0);
        }
    }
    assert!(
        checked > 30,
        "too few non-empty cases to prove much: {checked}"
    );

    // A number names one request or none; the count follows the scope.
    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE requester_id = $1")
        .bind(ufv)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        total(&app, &admin, &format!("show=todas&number={number}")).await,
        (1, 1)
    );
    assert_eq!(
        total(&app, &manager, &format!("number={number}")).await,
        (1, 1)
    );
    assert_eq!(
        total(&app, &admin, "show=todas&number=999999/2020").await,
        (0, 0)
    );
}
