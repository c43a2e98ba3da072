//! The request lifecycle (SPEC §4): create, alter, release, cancel, approve, refuse, grant, and
//! the reads of the list and the detail. Every change runs in one transaction that first claims
//! the request's version (409 when someone else changed it), then writes the change, its history
//! event and its emails — or nothing.

pub mod catalogue;
mod input;
mod notices;
pub mod signing;
mod uploads;
mod view;

pub use input::{PurposePatch, RequestPatch};
pub use view::{ListPage, RequestDetail, Show};

use adesao_domain::access::{self, Action, Actor, RequestFacts};
use adesao_domain::volume::format_thousands;
use adesao_domain::{
    AttachmentKind, FieldIssue, RequestNumber, RequestStatus, RequestType, Role, Volume,
};
use adesao_store::requests::{self, Content, Request};
use adesao_store::{AnyConnection, Db, Tx, api_access, apis, attachments, events, signatures};
use jiff::Timestamp;

use crate::ServiceError;
use crate::error::ServiceError as E;
use notices::Audience;

/// The longest justification of a refusal (SPEC §4).
pub const MAX_JUSTIFICATION_CHARS: usize = 4_000;
/// The longest comment on other transitions.
pub const MAX_COMMENT_CHARS: usize = 4_000;

#[derive(Clone)]
pub struct RequestService {
    db: Db,
}

/// History actions, as stored in `request_events.action`.
pub mod actions {
    pub const CREATED: &str = "created";
    pub const UPDATED: &str = "updated";
    pub const RETURNED_TO_DRAFT: &str = "returned_to_draft";
    pub const RELEASED: &str = "released";
    pub const SIGNED: &str = "signed";
    pub const SENT_TO_PROVIDER: &str = "sent_to_provider";
    pub const APPROVED: &str = "approved";
    pub const REFUSED: &str = "refused";
    pub const GRANTED: &str = "granted";
    pub const CANCELLED: &str = "cancelled";
    pub const ATTACHMENT_ADDED: &str = "attachment_added";
    pub const ATTACHMENT_REMOVED: &str = "attachment_removed";
}

pub fn actor_of(account: &adesao_store::users::Account) -> Actor {
    Actor {
        user_id: account.user.id,
        organization_id: account.organization.id,
        roles: account.roles.clone(),
    }
}

impl RequestService {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Incluir: saves a draft and gives it the next number of the year.
    pub async fn create(
        &self,
        actor: &Actor,
        patch: RequestPatch,
        copied_from_id: Option<i64>,
    ) -> Result<Request, ServiceError> {
        if !actor.has(Role::Manager) {
            return Err(E::Forbidden(
                "Apenas gestores podem incluir solicitações de adesão.".into(),
            ));
        }
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        // The numbering counter is the first write: it takes the lock that orders concurrent
        // creations, and a failure below rolls the number back.
        let year = local_year(now);
        let sequence = requests::next_sequence(&mut tx, year).await?;
        let number = RequestNumber::new(
            u32::try_from(sequence)
                .map_err(|_| E::Conflict("Numeração do ano esgotada.".into()))?,
            u16::try_from(year).unwrap_or(9999),
        )
        .map_err(|_| E::Conflict("A numeração de solicitações deste ano se esgotou.".into()))?;
        let content = match input::validate(&mut tx, actor.organization_id, patch, None).await? {
            Ok(c) => c,
            Err(issues) => return Err(E::Invalid(issues)),
        };
        let id = requests::insert(
            &mut tx,
            &number,
            actor.organization_id,
            &stored(&content),
            copied_from_id,
            actor.user_id,
            now,
        )
        .await?;
        event(
            &mut tx,
            id,
            now,
            actor,
            actions::CREATED,
            None,
            Some(RequestStatus::Draft),
            None,
        )
        .await?;
        let request = requests::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        tracing::info!(request = %request.number, user_id = actor.user_id, "request created");
        Ok(request)
    }

    /// Nova Solicitação from a refused one: a new draft with the same content.
    pub async fn copy(&self, actor: &Actor, id: i64) -> Result<Request, ServiceError> {
        let (source, _) = self.load_checked(actor, id, Action::Copy).await?;
        let patch = RequestPatch {
            api_id: Some(source.api_id),
            request_type: Some(source.request_type),
            it_director_id: Some(source.it_director.id),
            technical_lead_id: Some(source.technical_lead.id),
            requested_volume: Some(Volume::new(source.requested_volume as u64)),
            purpose: PurposePatch {
                legal_bases: Some(source.purpose.legal_bases.iter().copied().collect()),
                legal_basis_other: Some(source.purpose.legal_basis_other.clone()),
                data_usage: Some(source.purpose.data_usage.clone()),
                public_policies: Some(source.purpose.public_policies.clone()),
                legal_provision: Some(source.purpose.legal_provision.clone()),
                citizen_results: Some(source.purpose.citizen_results.clone()),
                retention: Some(source.purpose.retention.clone()),
            },
        };
        self.create(actor, patch, Some(source.id)).await
    }

    /// Alterar: changes the content. After release it sends the request back to draft and voids
    /// the signatures already given.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        patch: RequestPatch,
    ) -> Result<Request, ServiceError> {
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        let base = input::Base {
            api_id: request.api_id,
            request_type: request.request_type,
            it_director_id: request.it_director.id,
            technical_lead_id: request.technical_lead.id,
            requested_volume: request.requested_volume,
            purpose: &request.purpose,
        };
        let content =
            match input::validate(&mut tx, request.requester.id, patch, Some(&base)).await? {
                Ok(c) => c,
                Err(issues) => return Err(E::Invalid(issues)),
            };
        claim(&mut tx, &request, now).await?;
        requests::update_content(&mut tx, id, &stored(&content)).await?;
        if request.status == RequestStatus::AwaitingSignatures {
            let voided = signatures::void_all(&mut tx, id, now).await?;
            let comment = (voided > 0).then_some("Assinaturas já realizadas foram anuladas.");
            move_to(
                &mut tx,
                actor,
                &request,
                RequestStatus::Draft,
                actions::RETURNED_TO_DRAFT,
                comment,
                now,
            )
            .await?;
        } else {
            event(&mut tx, id, now, actor, actions::UPDATED, None, None, None).await?;
        }
        commit_and_reload(tx, id).await
    }

    /// Liberar para Assinatura: every rule of SPEC §4 and §5, each failure named by field.
    pub async fn release(
        &self,
        actor: &Actor,
        id: i64,
        comment: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let comment = clean_comment(comment)?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Release).await?;
        let issues = release_issues(&mut tx, &request).await?;
        if !issues.is_empty() {
            return Err(E::Invalid(issues));
        }
        check_pipeline(&mut tx, &request).await?;
        claim(&mut tx, &request, now).await?;
        move_to(
            &mut tx,
            actor,
            &request,
            RequestStatus::AwaitingSignatures,
            actions::RELEASED,
            comment.as_deref(),
            now,
        )
        .await?;
        notices::email(
            &mut tx,
            &request,
            Audience::Signers,
            &format!("Solicitação de adesão {} aguarda sua assinatura", request.number),
            "A solicitação abaixo foi liberada para assinatura. Você foi indicado como Dirigente de TI ou Responsável Técnico: acesse o sistema para conferir o Documento de Solicitação de Interoperabilidade (DSI) e assiná-lo.",
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    pub async fn cancel(
        &self,
        actor: &Actor,
        id: i64,
        comment: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let comment = clean_comment(comment)?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Cancel).await?;
        claim(&mut tx, &request, now).await?;
        move_to(
            &mut tx,
            actor,
            &request,
            RequestStatus::Cancelled,
            actions::CANCELLED,
            comment.as_deref(),
            now,
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    /// Aprovar, with the authorized yearly volume (1 ≤ authorized ≤ requested).
    pub async fn approve(
        &self,
        actor: &Actor,
        id: i64,
        authorized_volume: Result<Volume, adesao_domain::VolumeError>,
        comment: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let comment = clean_comment(comment)?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Approve).await?;
        let volume = authorized_volume
            .map_err(|e| E::invalid("authorized_volume", e.to_string()))?
            .get() as i64;
        if volume > request.requested_volume {
            return Err(E::invalid(
                "authorized_volume",
                format!(
                    "A volumetria autorizada não pode passar da solicitada ({}).",
                    format_thousands(request.requested_volume as u64)
                ),
            ));
        }
        claim(&mut tx, &request, now).await?;
        requests::set_authorized_volume(&mut tx, id, volume).await?;
        let text = format!(
            "Volumetria autorizada: {}.{}",
            format_thousands(volume as u64),
            comment
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default()
        );
        move_to(
            &mut tx,
            actor,
            &request,
            RequestStatus::Approved,
            actions::APPROVED,
            Some(&text),
            now,
        )
        .await?;
        notices::email(
            &mut tx,
            &request,
            Audience::ProgramAdmins,
            &format!("Solicitação de adesão {} aprovada pelo cedente: liberar acesso", request.number),
            &format!("O órgão cedente dos dados aprovou a solicitação abaixo. {text} Falta a liberação do acesso pela equipe Conecta (Deferir)."),
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    /// Recusar, with a justification (non-empty, ≤ 4,000 characters).
    pub async fn refuse(
        &self,
        actor: &Actor,
        id: i64,
        justification: &str,
    ) -> Result<Request, ServiceError> {
        let justification = justification.trim();
        if justification.is_empty() {
            return Err(E::invalid(
                "justification",
                "Informe a justificativa da recusa.",
            ));
        }
        if justification.chars().count() > MAX_JUSTIFICATION_CHARS {
            return Err(E::invalid(
                "justification",
                "A justificativa pode ter no máximo 4.000 caracteres.",
            ));
        }
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Refuse).await?;
        claim(&mut tx, &request, now).await?;
        move_to(
            &mut tx,
            actor,
            &request,
            RequestStatus::Refused,
            actions::REFUSED,
            Some(justification),
            now,
        )
        .await?;
        notices::email(
            &mut tx,
            &request,
            Audience::RequesterTeam,
            &format!("Solicitação de adesão {} recusada pelo cedente dos dados", request.number),
            &format!("O órgão cedente dos dados recusou a solicitação abaixo.\n\nJustificativa: {justification}\n\nÉ possível iniciar uma nova solicitação a partir desta (Nova Solicitação)."),
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    /// Deferir: releases the access; the authorized volume becomes the current one.
    pub async fn grant(
        &self,
        actor: &Actor,
        id: i64,
        comment: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let comment = clean_comment(comment)?;
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Grant).await?;
        let volume = request
            .authorized_volume
            .unwrap_or(request.requested_volume);
        claim(&mut tx, &request, now).await?;
        api_access::grant(
            &mut tx,
            request.requester.id,
            request.api_id,
            volume,
            id,
            now,
        )
        .await?;
        move_to(
            &mut tx,
            actor,
            &request,
            RequestStatus::Granted,
            actions::GRANTED,
            comment.as_deref(),
            now,
        )
        .await?;
        notices::email(
            &mut tx,
            &request,
            Audience::RequesterTeam,
            &format!(
                "Solicitação de adesão {} deferida: acesso à API liberado",
                request.number
            ),
            &format!(
                "O acesso à API foi liberado. Volumetria anual autorizada: {}.",
                format_thousands(volume as u64)
            ),
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    async fn load_checked(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<(Request, RequestFacts), ServiceError> {
        let mut conn = self.db.acquire().await?;
        load_checked_in(&mut conn, actor, id, action).await
    }
}

/// Loads a request and checks that `actor` may do `action` now.
async fn load_checked_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    action: Action,
) -> Result<(Request, RequestFacts), ServiceError> {
    let request = requests::find(conn, id).await?.ok_or(E::NotFound)?;
    let facts = facts_of(conn, &request).await?;
    access::check(actor, &facts, action)?;
    Ok((request, facts))
}

pub(crate) async fn facts_of(
    conn: &mut AnyConnection,
    request: &Request,
) -> Result<RequestFacts, ServiceError> {
    let signed_roles = signatures::valid_for(conn, request.id)
        .await?
        .into_iter()
        .map(|s| s.role)
        .collect();
    Ok(RequestFacts {
        requester_id: request.requester.id,
        provider_id: request.provider.id,
        status: request.status,
        it_director_id: request.it_director.id,
        technical_lead_id: request.technical_lead.id,
        signed_roles,
    })
}

/// Moves a claimed request to `to` and records the move in its history.
pub(crate) async fn move_to(
    conn: &mut AnyConnection,
    actor: &Actor,
    request: &Request,
    to: RequestStatus,
    action: &str,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    requests::set_status(conn, request.id, to).await?;
    event(
        conn,
        request.id,
        now,
        actor,
        action,
        Some(request.status),
        Some(to),
        comment,
    )
    .await
}

/// Commits and returns the request as it now stands.
pub(crate) async fn commit_and_reload(mut tx: Tx, id: i64) -> Result<Request, ServiceError> {
    let updated = requests::find(&mut tx, id).await?.ok_or(E::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

/// Claims the version read with the request: 409 if it moved on meanwhile.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    request: &Request,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if requests::lock_version(conn, request.id, request.version, now).await? {
        Ok(())
    } else {
        Err(E::changed_meanwhile())
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn event(
    conn: &mut AnyConnection,
    request_id: i64,
    at: Timestamp,
    actor: &Actor,
    action: &str,
    from: Option<RequestStatus>,
    to: Option<RequestStatus>,
    comment: Option<&str>,
) -> Result<(), ServiceError> {
    events::append(
        conn,
        &events::NewEvent {
            request_id,
            at,
            actor_id: actor.user_id,
            action,
            from_status: from,
            to_status: to,
            comment,
        },
    )
    .await?;
    Ok(())
}

/// What release needs beyond a valid draft (SPEC §4, §5, §6).
async fn release_issues(
    conn: &mut AnyConnection,
    request: &Request,
) -> Result<Vec<FieldIssue>, ServiceError> {
    let mut issues = request.purpose.release_issues();
    input::check_signer(
        conn,
        request.requester.id,
        Some(request.it_director.id),
        Role::ItDirector,
        "it_director_id",
        &mut issues,
    )
    .await?;
    input::check_signer(
        conn,
        request.requester.id,
        Some(request.technical_lead.id),
        Role::TechnicalLead,
        "technical_lead_id",
        &mut issues,
    )
    .await?;
    let present: Vec<AttachmentKind> = attachments::of_request(conn, request.id)
        .await?
        .into_iter()
        .map(|a| a.kind)
        .collect();
    for requirement in apis::requirements(conn, request.api_id).await? {
        if requirement.mandatory && !present.contains(&requirement.kind) {
            issues.push(FieldIssue::new(
                "attachments",
                format!(
                    "Anexe o documento obrigatório: {}.",
                    requirement.kind.label()
                ),
            ));
        }
    }
    let granted = api_access::current_volume(conn, request.requester.id, request.api_id).await?;
    match (request.request_type, granted) {
        (RequestType::VolumeChange, None) => issues.push(FieldIssue::new(
            "request_type",
            "Alteração de Volumetria só é possível para uma API cuja adesão do seu órgão já foi deferida.",
        )),
        (RequestType::Adhesion, Some(_)) => issues.push(FieldIssue::new(
            "request_type",
            "Seu órgão já tem adesão deferida a esta API: para mudar a volumetria, use o tipo Alteração de Volumetria.",
        )),
        _ => {}
    }
    Ok(issues)
}

/// No two requests of the same type for the same API and requester in the pipeline at once.
async fn check_pipeline(conn: &mut AnyConnection, request: &Request) -> Result<(), ServiceError> {
    if let Some(other) = requests::pipeline_conflict(
        conn,
        request.requester.id,
        request.api_id,
        request.request_type,
        request.id,
    )
    .await?
    {
        return Err(E::Conflict(format!(
            "Já existe a solicitação {other} do seu órgão, do mesmo tipo e para a mesma API, em andamento. Aguarde sua conclusão ou cancele-a."
        )));
    }
    Ok(())
}

fn clean_comment(comment: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if c.chars().count() > MAX_COMMENT_CHARS {
        return Err(E::invalid(
            "comment",
            "O comentário pode ter no máximo 4.000 caracteres.",
        ));
    }
    Ok(Some(c.to_owned()))
}

fn stored(c: &input::ValidContent) -> Content<'_> {
    Content {
        request_type: c.request_type,
        api_id: c.api_id,
        provider_id: c.provider_id,
        it_director_id: c.it_director_id,
        technical_lead_id: c.technical_lead_id,
        requested_volume: c.requested_volume,
        current_volume: c.current_volume,
        purpose: &c.purpose,
    }
}

/// The calendar year in Brasília, which numbers requests.
pub fn local_year(now: Timestamp) -> i64 {
    // The time zone database is bundled into the binary, so the lookup cannot fail at run time.
    let zone = jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap_or(jiff::tz::TimeZone::UTC);
    i64::from(now.to_zoned_datetime(zone).year())
}
