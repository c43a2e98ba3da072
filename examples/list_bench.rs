//! Measures the request list (SPEC §9, issue 3) on a generated database.
//!
//!     cargo run --release --example list_bench -- [REQUESTS] [DATABASE_URL]
//!
//! REQUESTS defaults to 100000; DATABASE_URL to a fresh SQLite file in the temp folder (a
//! `postgres://` URL must name an empty database). The requests are spread over 50 requester
//! organizations, the three demo APIs (so three providers), every status and two years of
//! activity, with a fixed pseudo-random sequence so runs are comparable. Each scenario runs the
//! list exactly as the UI and the API do (`RequestService::list`: capped count + one page) and
//! prints the median and 95th percentile.

use std::time::{Duration, Instant};

use adesao_domain::access::Actor;
use adesao_domain::{RequestStatus, Role};
use adesao_services::requests::{AttachmentPolicy, ListParams, RequestService, Show};
use adesao_store::request_list::Filter;
use adesao_store::{Db, DbOptions};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let total: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let path = std::env::temp_dir().join(format!("adesao-bench-{}.db", std::process::id()));
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", path.display()));
    let db = Db::connect(&DbOptions::new(&url)).await?;
    adesao_services::demo::load_if_empty(&db).await?;

    let started = Instant::now();
    generate(&db, total).await?;
    println!(
        "generated {total} requests in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        db.backend_name()
    );
    // Fresh statistics and (PostgreSQL) a visibility map, as a database maintained by
    // autovacuum has; without VACUUM, PostgreSQL cannot answer counts from the indexes alone.
    let maintenance = if url.starts_with("postgres") {
        "VACUUM ANALYZE requests"
    } else {
        "ANALYZE"
    };
    sqlx::query(maintenance).execute(db.pool()).await?;

    // Lists only: the PDF checker of uploads is never called here.
    let checker = adesao_documents::sandbox::PdfChecker::current_exe()?;
    let service = RequestService::new(db.clone(), AttachmentPolicy::new(checker, 10 << 20));
    let ufv = Actor {
        user_id: 1,
        organization_id: 1,
        roles: vec![Role::Manager, Role::ItDirector],
    };
    let inss = Actor {
        user_id: 4,
        organization_id: 2,
        roles: vec![Role::ProviderAnalyst],
    };
    let admin = Actor {
        user_id: 7,
        organization_id: 5,
        roles: vec![Role::ProgramAdmin],
    };
    let some_number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = 4242")
        .fetch_one(db.pool())
        .await?;

    println!(
        "\n{:<58} {:>10} {:>10} {:>8}",
        "scenario (20 per page)", "median ms", "p95 ms", "total"
    );
    let by_status = Filter {
        status: Some(RequestStatus::ProviderReview),
        ..Filter::default()
    };
    let by_number = Filter {
        number: Some(adesao_domain::RequestNumber::parse(&some_number)?),
        ..Filter::default()
    };
    let by_api_status = Filter {
        api_id: Some(2),
        status: Some(RequestStatus::Granted),
        ..Filter::default()
    };
    let scenarios: Vec<(&str, &Actor, Show, Filter, i64)> = vec![
        (
            "requester UFV, no filter, page 1",
            &ufv,
            Show::OwnOrganization,
            Filter::default(),
            1,
        ),
        (
            "requester UFV, status = provider_review",
            &ufv,
            Show::OwnOrganization,
            by_status.clone(),
            1,
        ),
        (
            "provider INSS (its APIs), page 1",
            &inss,
            Show::OwnApis,
            Filter::default(),
            1,
        ),
        (
            "provider INSS, status = provider_review",
            &inss,
            Show::OwnApis,
            by_status.clone(),
            1,
        ),
        (
            "program admin, all, page 1",
            &admin,
            Show::All,
            Filter::default(),
            1,
        ),
        (
            "program admin, all, page 50",
            &admin,
            Show::All,
            Filter::default(),
            50,
        ),
        (
            "program admin, status = provider_review",
            &admin,
            Show::All,
            by_status,
            1,
        ),
        (
            "program admin, API 2 + status = granted",
            &admin,
            Show::All,
            by_api_status,
            1,
        ),
        ("program admin, by number", &admin, Show::All, by_number, 1),
    ];
    for (name, actor, show, filter, page) in scenarios {
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let params = ListParams {
                show,
                filter: filter.clone(),
                page,
                per_page: 20,
                past_the_end_shows_last: true,
            };
            let result = service.list(actor, &params).await?;
            times.push(t.elapsed());
            count = result.total;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total = if count >= adesao_services::requests::ListPage::COUNT_CAP {
            format!(">{count}")
        } else {
            count.to_string()
        };
        println!(
            "{name:<58} {:>10.2} {:>10.2} {:>8}",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            total
        );
    }
    db.close().await;
    if args.get(2).is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}

/// Where a request drawn into an occupied place in the pipeline ends instead.
const FINISHED: [RequestStatus; 4] = [
    RequestStatus::Draft,
    RequestStatus::Refused,
    RequestStatus::Granted,
    RequestStatus::Cancelled,
];

async fn generate(db: &Db, total: usize) -> anyhow::Result<()> {
    let mut rng = Rng(42);
    let mut tx = db.begin().await?;
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
    let orgs: Vec<i64> = sqlx::query_scalar("SELECT id FROM organizations")
        .fetch_all(&mut *tx)
        .await?;
    let apis: Vec<(i64, i64)> = sqlx::query_as("SELECT id, provider_id FROM apis")
        .fetch_all(&mut *tx)
        .await?;
    let statuses = RequestStatus::ALL;
    let mut in_pipeline = std::collections::HashSet::new();
    let start = jiff::Timestamp::from_second(1_700_000_000)?;
    let batch = 500;
    let mut made = 0;
    while made < total {
        let n = batch.min(total - made);
        let mut sql = String::from(
            "INSERT INTO requests (number, number_year, number_sequence, request_type, status, api_id, requester_id, \
             provider_id, it_director_id, technical_lead_id, requested_volume, current_volume, created_by, created_at, \
             last_event_at) VALUES ",
        );
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let seq = made + i + 1;
            let year = 2000 + (seq / 999_999) as i64;
            let (api, provider) = apis[rng.below(apis.len() as u64) as usize];
            let requester = orgs[rng.below(orgs.len() as u64) as usize];
            let mut status = statuses[rng.below(statuses.len() as u64) as usize];
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
            let at = start + jiff::SignedDuration::from_secs(rng.below(63_072_000) as i64);
            let at = adesao_store::time::to_db(at);
            rows.push(format!(
                "('{:06}/{year}', {year}, {}, '{kind}', '{}', {api}, {requester}, {provider}, 1, 2, {}, 0, 1, '{at}', '{at}')",
                seq % 999_999 + 1,
                seq % 999_999 + 1,
                status.code(),
                1000 + rng.below(1_000_000)
            ));
        }
        sql.push_str(&rows.join(", "));
        sqlx::query(&sql).execute(&mut *tx).await?;
        made += n;
    }
    tx.commit().await?;
    Ok(())
}
