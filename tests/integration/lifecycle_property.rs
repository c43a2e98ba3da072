//! Random sequences of actions by random demo users, through the service layer: every accepted
//! action moves the request along a transition of the lifecycle and writes history; every refused
//! one is a clean, typed refusal that changes nothing.

use adesao_domain::access::Actor;
use adesao_domain::{LegalBasis, RequestStatus, RequestType, Volume};
use adesao_services::ServiceError;
use adesao_services::requests::{PurposePatch, RequestPatch, RequestService, actor_of};
use adesao_store::accounts;
use proptest::prelude::*;

use crate::common::TestApp;

#[derive(Debug, Clone)]
enum Step {
    Create { api: usize, kind: bool, volume: u64 },
    Update { volume: u64 },
    Release,
    Cancel,
    Sign,
    Approve { volume: u64 },
    Refuse { justification: bool },
    Grant,
    Copy,
}

/// A step and who takes it: three times in four someone whose role fits the step (so sequences
/// get far into the lifecycle), otherwise anyone (so wrong actors are tried too).
fn step() -> impl Strategy<Value = (usize, Step)> {
    let s =
        prop_oneof![
            (0usize..3, any::<bool>(), 0u64..300_000)
                .prop_map(|(api, kind, volume)| Step::Create { api, kind, volume }),
            (0u64..300_000).prop_map(|volume| Step::Update { volume }),
            Just(Step::Release),
            Just(Step::Release),
            Just(Step::Cancel),
            Just(Step::Sign),
            Just(Step::Sign),
            (0u64..150_000).prop_map(|volume| Step::Approve { volume }),
            (0u64..150_000).prop_map(|volume| Step::Approve { volume }),
            any::<bool>().prop_map(|justification| Step::Refuse { justification }),
            Just(Step::Grant),
            Just(Step::Copy),
        ];
    (s, 0usize..4, 0usize..7, 0usize..2).prop_map(|(step, dice, anyone, pick)| {
        // Demo users by id order: 0 Gestor Prata (manager, IT director), 1 Gestor Prata 2
        // (technical lead), 2 Usuário Teste (manager), 3–5 analysts of INSS, MDS, SGP, 6 Conecta.
        let fitting = match step {
            Step::Sign => [0, 1][pick],
            Step::Approve { .. } | Step::Refuse { .. } => 3,
            Step::Grant => 6,
            _ => [0, 2][pick],
        };
        (if dice < 3 { fitting } else { anyone }, step)
    })
}

fn purpose() -> PurposePatch {
    PurposePatch {
        legal_bases: Some(vec![LegalBasis::PublicPolicy]),
        texts: vec![
            ("data_usage", "Validação cadastral.".into()),
            ("public_policies", "Assistência estudantil.".into()),
            ("legal_provision", "Decreto nº 7.234/2010.".into()),
            ("citizen_results", "Menos documentos.".into()),
            ("retention", "Cinco anos.".into()),
        ],
    }
}

/// What a transition may change, read straight from the database.
async fn state_of(app: &TestApp, id: Option<i64>) -> (Option<RequestStatus>, i64, i64, i64, i64) {
    let Some(id) = id else {
        return (
            None,
            0,
            0,
            0,
            app.count("SELECT COUNT(*) FROM requests").await,
        );
    };
    let status: String = sqlx::query_scalar("SELECT status FROM requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let version: i64 = sqlx::query_scalar("SELECT version FROM requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM request_events WHERE request_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let signatures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM signatures WHERE request_id = $1 AND voided_at IS NULL",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    (
        Some(status.parse().unwrap()),
        version,
        events,
        signatures,
        app.count("SELECT COUNT(*) FROM requests").await,
    )
}

async fn sign(
    app: &TestApp,
    service: &RequestService,
    actor: &Actor,
    id: i64,
) -> Result<RequestStatus, ServiceError> {
    let session = match service.active_authorization(actor).await? {
        Some(s) => s,
        None => {
            let s = service.start_signing_session(actor).await?;
            let body: String = sqlx::query_scalar(
                "SELECT o.body FROM outbox o JOIN users u ON u.mobile = o.recipient WHERE u.id = $1 AND o.channel = 'sms' \
                 ORDER BY o.id DESC LIMIT 1",
            )
            .bind(actor.user_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            let code = adesao_services::requests::signing::code_in_sms(&body).unwrap();
            service.authorize_signing(actor, s.id, &code).await?;
            s.id
        }
    };
    Ok(service
        .sign(
            actor,
            id,
            adesao_services::requests::signature::SignWith::Builtin {
                session_id: session,
            },
            None,
        )
        .await?
        .status)
}

async fn run(app: &TestApp, actors: &[Actor], steps: Vec<(usize, Step)>) {
    let service = RequestService::new(app.db.clone(), crate::common::attachment_policy());
    let apis: Vec<i64> = sqlx::query_scalar("SELECT id FROM apis ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let mut current: Option<i64> = None;
    for (who, step) in steps {
        let actor = &actors[who];
        let before = state_of(app, current).await;
        let id = current.unwrap_or(0);
        let result: Result<Option<i64>, ServiceError> = match &step {
            Step::Create { api, kind, volume } => {
                let patch = RequestPatch {
                    api_id: Some(apis[*api]),
                    request_type: Some(if *kind {
                        RequestType::Adhesion
                    } else {
                        RequestType::VolumeChange
                    }),
                    it_director_id: Some(actors[0].user_id),
                    technical_lead_id: Some(actors[1].user_id),
                    requested_volume: Some(Volume::new(*volume)),
                    purpose: purpose(),
                };
                service.create(actor, patch, None).await.map(|r| Some(r.id))
            }
            Step::Update { volume } => service
                .update(
                    actor,
                    id,
                    RequestPatch {
                        requested_volume: Some(Volume::new(*volume)),
                        ..RequestPatch::default()
                    },
                )
                .await
                .map(|_| None),
            Step::Release => service.release(actor, id, None).await.map(|_| None),
            Step::Cancel => service.cancel(actor, id, None).await.map(|_| None),
            Step::Sign => sign(app, &service, actor, id).await.map(|_| None),
            Step::Approve { volume } => service
                .approve(actor, id, Volume::new(*volume), None)
                .await
                .map(|_| None),
            Step::Refuse { justification } => service
                .refuse(
                    actor,
                    id,
                    if *justification {
                        "Falta documento."
                    } else {
                        " "
                    },
                )
                .await
                .map(|_| None),
            Step::Grant => service.grant(actor, id, None).await.map(|_| None),
            Step::Copy => service.copy(actor, id).await.map(|r| Some(r.id)),
        };
        match result {
            Ok(new_id) => {
                if let Some(new_id) = new_id {
                    current = Some(new_id);
                    let (status, _, events, _, _) = state_of(app, current).await;
                    assert_eq!(status, Some(RequestStatus::Draft), "{step:?}");
                    assert_eq!(events, 1, "a new request has its creation event");
                    continue;
                }
                let after = state_of(app, current).await;
                let (from, to) = (before.0.unwrap(), after.0.unwrap());
                assert!(
                    from == to || from.can_move_to(to),
                    "{step:?}: {from:?} -> {to:?} is not a transition"
                );
                assert!(after.2 > before.2, "{step:?} wrote no history");
                assert_eq!(
                    after.1,
                    before.1 + 1,
                    "{step:?} must bump the version exactly once"
                );
                if to != from {
                    let recorded: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM request_events WHERE request_id = $1 AND to_status = $2",
                    )
                    .bind(id)
                    .bind(to.code())
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
                    assert!(recorded >= 1, "the move to {to:?} is in the history");
                }
                if to == RequestStatus::Draft && from == RequestStatus::AwaitingSignatures {
                    assert_eq!(after.3, 0, "going back to draft voids the signatures");
                }
            }
            Err(ServiceError::Store(e)) => panic!("{step:?} by user {who}: internal error {e}"),
            Err(_) => {
                // Refused: nothing of the request changed (a refused creation adds no row).
                let after = state_of(app, current).await;
                assert_eq!(after.0, before.0, "{step:?}");
                assert_eq!(
                    (after.1, after.2, after.3, after.4),
                    (before.1, before.2, before.3, before.4),
                    "{step:?}"
                );
            }
        }
    }
}

/// The counts the lists total from (kept by triggers, migration 0010) equal a count of the
/// requests themselves, whatever the sequence did.
async fn kept_counts_match_a_recount(app: &TestApp) {
    type Key = (i64, i64, i64, String, String, i64);
    let recount: Vec<Key> = sqlx::query_as(
        "SELECT requester_id, provider_id, api_id, request_type, status, COUNT(*) FROM requests \
         GROUP BY requester_id, provider_id, api_id, request_type, status \
         ORDER BY requester_id, provider_id, api_id, request_type, status",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let kept: Vec<Key> = sqlx::query_as(
        "SELECT requester_id, provider_id, api_id, request_type, status, n FROM request_counts \
         WHERE n > 0 ORDER BY requester_id, provider_id, api_id, request_type, status",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(kept, recount);
}

async fn actors(app: &TestApp) -> Vec<Actor> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let mut out = Vec::new();
    for id in ids {
        let mut conn = app.db.acquire().await.unwrap();
        out.push(actor_of(
            &accounts::find_account(&mut conn, id, app.clock.today())
                .await
                .unwrap()
                .unwrap(),
        ));
    }
    out
}

#[test]
fn random_action_sequences_follow_the_lifecycle() {
    let reached = std::sync::Mutex::new(std::collections::BTreeSet::new());
    // A fixed seed: the same 40 sequences on every run, so the coverage assertion below cannot
    // flake. Change the seed locally to explore other sequences.
    let config = ProptestConfig {
        cases: 40,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(99),
        ..ProptestConfig::default()
    };
    proptest!(config, |(steps in proptest::collection::vec(step(), 1..40))| {
        // Each case has a database of its own and starts with a creation by a manager, so the
        // sequence has a request to act on.
        let mut steps = steps;
        steps.insert(0, (0, Step::Create { api: 0, kind: true, volume: 100_000 }));
        // A runtime per case: dropping it stops that case's server and closes its connections.
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let app = TestApp::spawn().await;
            let actors = actors(&app).await;
            run(&app, &actors, steps).await;
            kept_counts_match_a_recount(&app).await;
            let statuses: Vec<String> =
                sqlx::query_scalar("SELECT DISTINCT to_status FROM request_events WHERE to_status IS NOT NULL")
                    .fetch_all(app.db.pool())
                    .await
                    .unwrap();
            reached.lock().unwrap().extend(statuses);
        });
    });
    // The sequences must reach past the easy states, or the test proves little.
    let reached = reached.into_inner().unwrap();
    eprintln!("statuses reached: {reached:?}");
    for status in [
        "awaiting_signatures",
        "provider_review",
        "approved",
        "refused",
        "granted",
        "cancelled",
    ] {
        assert!(
            reached.iter().any(|s| s == status),
            "no sequence reached {status}: {reached:?}"
        );
    }
}
