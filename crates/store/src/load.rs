//! Generated load for measurements (`adesao gen-load`, the benchmarks): organizations and
//! requests spread like a busy programme's, from a fixed pseudo-random sequence so that runs
//! are comparable. Multi-row inserts in one transaction: a million requests in about two
//! minutes on SQLite.

use crate::{Db, StoreError};
use adesao_domain::RequestStatus;

/// A tiny deterministic generator (SplitMix64): the same database on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn cnpj_with_digits(base: &str) -> String {
    let mut v: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
    for weights in [
        &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..],
        &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..],
    ] {
        let sum: u32 = v.iter().zip(weights).map(|(a, b)| a * b).sum();
        v.push(if sum % 11 < 2 { 0 } else { 11 - sum % 11 });
    }
    v.iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

/// Where a second request drawn into the pipeline (one per requester, API and type) ends.
const FINISHED: [RequestStatus; 4] = [
    RequestStatus::Draft,
    RequestStatus::Refused,
    RequestStatus::Granted,
    RequestStatus::Cancelled,
];

/// How often each status is drawn, in percent: most requests end granted or refused, a few
/// are in each open state.
const STATUS_WEIGHTS: [(RequestStatus, u64); 7] = [
    (RequestStatus::Granted, 50),
    (RequestStatus::Refused, 20),
    (RequestStatus::Cancelled, 8),
    (RequestStatus::Draft, 6),
    (RequestStatus::AwaitingSignatures, 5),
    (RequestStatus::ProviderReview, 6),
    (RequestStatus::Approved, 5),
];

fn weighted_status(rng: &mut Rng) -> RequestStatus {
    let mut draw = rng.below(100);
    for (status, weight) in STATUS_WEIGHTS {
        if draw < weight {
            return status;
        }
        draw -= weight;
    }
    RequestStatus::Granted
}

/// The history that leads to `status`: (action, from, to) from the creation on.
fn history(status: RequestStatus) -> &'static [(&'static str, Option<&'static str>, &'static str)] {
    const CREATED: (&str, Option<&str>, &str) = ("created", None, "draft");
    const RELEASED: (&str, Option<&str>, &str) = ("released", Some("draft"), "awaiting_signatures");
    const SENT: (&str, Option<&str>, &str) = (
        "sent_to_provider",
        Some("awaiting_signatures"),
        "provider_review",
    );
    const APPROVED: (&str, Option<&str>, &str) = ("approved", Some("provider_review"), "approved");
    match status {
        RequestStatus::Draft => &[CREATED],
        RequestStatus::AwaitingSignatures => &[CREATED, RELEASED],
        RequestStatus::ProviderReview => &[CREATED, RELEASED, SENT],
        RequestStatus::Refused => &[
            CREATED,
            RELEASED,
            SENT,
            ("refused", Some("provider_review"), "refused"),
        ],
        RequestStatus::Approved => &[CREATED, RELEASED, SENT, APPROVED],
        RequestStatus::Granted => &[
            CREATED,
            RELEASED,
            SENT,
            APPROVED,
            ("granted", Some("approved"), "granted"),
        ],
        RequestStatus::Cancelled => &[CREATED, ("cancelled", Some("draft"), "cancelled")],
    }
}

/// Adds 45 requester organizations (beside the demo's five) and `total` requests over the
/// catalogue's APIs, with their history. Spread like a programme's years of use: a few large
/// requesters file most requests, most requests end granted or refused, activity over two
/// years, yearly volumes over four orders of magnitude (most small, a few huge). From a fixed
/// seed, so every run makes the same database. Expects the demo data.
pub async fn generate(db: &Db, total: usize) -> Result<(), StoreError> {
    let mut rng = Rng(42);
    let mut tx = db.begin().await?;
    // The kept counts (migration 0010) are made once at the end on PostgreSQL: its trigger would
    // update the same few hundred count rows a million times in this one transaction, each
    // update a new row version the next must step over (the load slowed to a crawl at half a
    // million). SQLite updates them in place, at a cost the load hardly notices. Turning the
    // trigger off locks `requests` until the load commits (or rolls back, trigger and all):
    // fine for a measurement database, which is all this is for.
    let postgres = db.backend() == crate::Backend::Postgres;
    if postgres {
        sqlx::query("ALTER TABLE requests DISABLE TRIGGER request_counts_keep")
            .execute(&mut *tx)
            .await?;
    }
    // 45 more requester organizations beside the five of the demo.
    for i in 0..45u64 {
        let cnpj = cnpj_with_digits(&format!("{:08}0001", 10_000_000 + i * 7919));
        sqlx::query("INSERT INTO organizations (name, acronym, cnpj, created_at) VALUES ($1, $2, $3, '2024-01-01T00:00:00.000000Z')")
            .bind(format!("Órgão de teste {i}"))
            .bind(format!("ORG{i}"))
            .bind(cnpj)
            .execute(&mut *tx)
            .await?;
    }
    let orgs: Vec<i64> = sqlx::query_scalar("SELECT id FROM organizations ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    let apis: Vec<(i64, i64)> = sqlx::query_as("SELECT id, provider_id FROM apis ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    let mut in_pipeline = std::collections::HashSet::new();
    let start = jiff::Timestamp::from_second(1_700_000_000).unwrap_or_default();
    let batch = 500;
    let mut made = 0;
    while made < total {
        let n = batch.min(total - made);
        let mut sql = String::from(
            "INSERT INTO requests (number, number_year, number_sequence, request_type, status, api_id, requester_id, \
             provider_id, it_director_id, technical_lead_id, requested_volume, authorized_volume, current_volume, \
             created_by, created_at, last_event_at) VALUES ",
        );
        let mut rows = Vec::with_capacity(n);
        let mut lives = Vec::with_capacity(n);
        for i in 0..n {
            let seq = made + i + 1;
            let year = 2024 + (seq / 999_999) as i64;
            let (api, provider) = apis[rng.below(apis.len() as u64) as usize];
            // Skewed: the cube of a uniform draw favours the first organizations, so the
            // largest requester files about a fifth of all requests and most file few.
            let u = rng.below(1_000_000) as f64 / 1_000_000.0;
            let requester = orgs[((u * u * u) * orgs.len() as f64) as usize];
            let mut status = weighted_status(&mut rng);
            let kind = if rng.below(5) == 0 {
                "volume_change"
            } else {
                "adhesion"
            };
            // One request per requester, API and type in the pipeline (SPEC §4, and the unique
            // index `requests_one_in_pipeline`): a second one drawn there ends otherwise.
            if status.in_pipeline() && !in_pipeline.insert((requester, api, kind)) {
                status = FINISHED[rng.below(FINISHED.len() as u64) as usize];
            }
            let last = start + jiff::SignedDuration::from_secs(rng.below(63_072_000) as i64);
            // Created up to 60 days before its last activity.
            let created = last - jiff::SignedDuration::from_secs(rng.below(5_184_000) as i64);
            let requested = skewed_volume(&mut rng);
            let authorized = match status {
                RequestStatus::Approved | RequestStatus::Granted => (requested / 2
                    + rng.below(requested / 2 + 1))
                .max(1)
                .to_string(),
                _ => "NULL".to_owned(),
            };
            rows.push(format!(
                "('{:06}/{year}', {year}, {}, '{kind}', '{}', {api}, {requester}, {provider}, 1, 2, {requested}, \
                 {authorized}, 0, 1, '{}', '{}')",
                seq % 999_999 + 1,
                seq % 999_999 + 1,
                status.code(),
                crate::time::to_db(created),
                crate::time::to_db(last),
            ));
            lives.push((status, created, last));
        }
        sql.push_str(&rows.join(", "));
        sqlx::query(&sql).execute(&mut *tx).await?;
        // The ids just given, in insertion order (ids only grow within the transaction).
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM requests ORDER BY id DESC LIMIT $1")
            .bind(n as i64)
            .fetch_all(&mut *tx)
            .await?;
        let mut events = Vec::with_capacity(n * 5);
        for (id, (status, created, last)) in ids.iter().rev().zip(&lives) {
            let steps = history(*status);
            let span = (*last - *created).as_secs() / steps.len().max(1) as i64;
            for (k, (action, from, to)) in steps.iter().enumerate() {
                let at = if k + 1 == steps.len() {
                    *last
                } else {
                    *created + jiff::SignedDuration::from_secs(span * k as i64)
                };
                let from = from.map_or("NULL".to_owned(), |f| format!("'{f}'"));
                events.push(format!(
                    "({id}, '{}', 1, '{action}', {from}, '{to}')",
                    crate::time::to_db(at)
                ));
            }
        }
        let sql = format!(
            "INSERT INTO request_events (request_id, at, actor_id, action, from_status, to_status) VALUES {}",
            events.join(", ")
        );
        sqlx::query(&sql).execute(&mut *tx).await?;
        made += n;
    }
    if postgres {
        for sql in [
            "DELETE FROM request_counts",
            "INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n) \
             SELECT requester_id, provider_id, api_id, request_type, status, COUNT(*) FROM requests \
             GROUP BY requester_id, provider_id, api_id, request_type, status",
            "ALTER TABLE requests ENABLE TRIGGER request_counts_keep",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// 1,000 to 10,000,000 calls a year, log-uniform: as many requests of thousands as of millions.
fn skewed_volume(rng: &mut Rng) -> u64 {
    let exponent = 3.0 + (rng.below(4_000) as f64) / 1_000.0;
    10f64.powf(exponent) as u64
}
