//! The moves of the lifecycle after the draft: release, cancel, approve, refuse, grant.

use adesao_domain::access::{Action, Actor, RequestFacts};
use adesao_domain::{AttachmentKind, FieldIssue, RequestType, Role, Volume, text};
use adesao_store::requests::{self, Request};
use adesao_store::{
    AnyConnection, api_access, apis, attachments, dsi_documents, locks, organizations,
};

use super::notices;
use super::signing::{dsi_of, dsi_sha256};
use super::{
    RequestService, actions, begin_change, claim, commit_and_reload, input, load_checked_in,
    move_by,
};
use crate::ServiceError;
use crate::clock::local_date;
use crate::error::ServiceError as E;
use crate::messages::Event;

/// The longest justification of a refusal (SPEC §4).
pub const MAX_JUSTIFICATION_CHARS: usize = 4_000;
/// The longest comment on other transitions.
pub const MAX_COMMENT_CHARS: usize = 4_000;

impl RequestService {
    /// Liberar para Assinatura: every rule of SPEC §4 and §5, each failure named by field.
    pub async fn release(
        &self,
        actor: &Actor,
        id: i64,
        comment: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let comment = clean_comment(comment)?;
        let now = self.clock.now();
        // The DSI as it will be released, typeset before the transaction (tens of
        // milliseconds, too long to hold the database's write lock) and only for a release that
        // passes its rules as they stand; the transaction judges them again.
        let (draft, _) = self.load_checked(actor, id, Action::Release).await?;
        {
            let mut conn = self.db.acquire().await?;
            let issues = release_issues(&mut conn, &draft, local_date(now)).await?;
            if !issues.is_empty() {
                return Err(E::Invalid(issues));
            }
            check_pipeline(&mut conn, &draft).await?;
        }
        let dsi = dsi_of(&draft);
        let digest = dsi_sha256(&dsi);
        // Releases that race for the same pipeline queue for the typesetter; once its turn has
        // come, one whose pipeline was taken meanwhile is refused without typesetting anything.
        let turn = self
            .dsi_typesetter
            .turn()
            .await
            .map_err(super::typesetter_error)?;
        {
            let mut conn = self.db.acquire().await?;
            check_pipeline(&mut conn, &draft).await?;
        }
        let job = adesao_documents::typesetter::Job::Dsi(Box::new(
            adesao_documents::dsi::DsiData::new(&dsi, &digest),
        ));
        let pdf = self
            .dsi_typesetter
            .render_in(turn, job)
            .await
            .map_err(super::typesetter_error)?;
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Release).await?;
        if dsi_sha256(&dsi_of(&request)) != digest {
            return Err(E::changed_meanwhile());
        }
        lock_access(&mut tx, &request).await?;
        let issues = release_issues(&mut tx, &request, local_date(now)).await?;
        if !issues.is_empty() {
            return Err(E::Invalid(issues));
        }
        check_pipeline(&mut tx, &request).await?;
        claim(&mut tx, &request, now).await?;
        let moved = move_by(
            &mut tx,
            actor,
            &request,
            Action::Release,
            actions::RELEASED,
            comment.as_deref(),
            now,
        )
        .await;
        match moved {
            // The database's own guard of the pipeline rule (`requests_one_in_pipeline`), should
            // a writer ever bypass `lock_access`.
            Err(E::Store(e)) if e.is_unique_violation() => {
                return Err(pipeline_conflict(None));
            }
            other => other?,
        }
        dsi_documents::insert_if_missing(&mut tx, id, &digest, &pdf, now).await?;
        notices::send(
            &mut tx,
            &request,
            local_date(now),
            &self.links,
            Event::Released,
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
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Cancel).await?;
        claim(&mut tx, &request, now).await?;
        move_by(
            &mut tx,
            actor,
            &request,
            Action::Cancel,
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
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Approve).await?;
        let volume =
            authorized_volume.map_err(|e| E::invalid("authorized_volume", e.to_string()))?;
        if volume > request.requested_volume {
            return Err(E::invalid(
                "authorized_volume",
                format!(
                    "A volumetria autorizada não pode passar da solicitada ({}).",
                    request.requested_volume
                ),
            ));
        }
        claim(&mut tx, &request, now).await?;
        requests::set_authorized_volume(&mut tx, id, volume).await?;
        let text = format!(
            "Volumetria autorizada: {volume}.{}",
            comment
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default()
        );
        move_by(
            &mut tx,
            actor,
            &request,
            Action::Approve,
            actions::APPROVED,
            Some(&text),
            now,
        )
        .await?;
        notices::send(
            &mut tx,
            &request,
            local_date(now),
            &self.links,
            Event::Approved {
                authorized_volume: volume,
                comment: comment.as_deref(),
            },
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
        if let Some(issue) = text::control_characters_issue("justification", justification) {
            return Err(E::Invalid(vec![issue]));
        }
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
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Refuse).await?;
        claim(&mut tx, &request, now).await?;
        move_by(
            &mut tx,
            actor,
            &request,
            Action::Refuse,
            actions::REFUSED,
            Some(justification),
            now,
        )
        .await?;
        notices::send(
            &mut tx,
            &request,
            local_date(now),
            &self.links,
            Event::Refused { justification },
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
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Grant).await?;
        lock_access(&mut tx, &request).await?;
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
        move_by(
            &mut tx,
            actor,
            &request,
            Action::Grant,
            actions::GRANTED,
            comment.as_deref(),
            now,
        )
        .await?;
        notices::send(
            &mut tx,
            &request,
            local_date(now),
            &self.links,
            Event::Granted {
                authorized_volume: volume,
            },
        )
        .await?;
        commit_and_reload(tx, id).await
    }

    pub(super) async fn load_checked(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<(Request, RequestFacts), ServiceError> {
        let mut conn = self.db.acquire().await?;
        load_checked_in(&mut conn, actor, id, action).await
    }
}

/// What release needs beyond a valid draft (SPEC §4, §5, §6).
async fn release_issues(
    conn: &mut AnyConnection,
    request: &Request,
    today: jiff::civil::Date,
) -> Result<Vec<FieldIssue>, ServiceError> {
    let mut issues = request.purpose.release_issues();
    let open = apis::find(conn, request.api_id)
        .await?
        .is_some_and(|a| a.is_open())
        && organizations::find(conn, request.provider.id)
            .await?
            .is_some_and(|o| o.active);
    if !open {
        issues.push(FieldIssue::new("api_id", input::CLOSED_API));
    }
    input::check_signer(
        conn,
        request.requester.id,
        Some(request.it_director.id),
        Role::ItDirector,
        "it_director_id",
        today,
        &mut issues,
    )
    .await?;
    input::check_signer(
        conn,
        request.requester.id,
        Some(request.technical_lead.id),
        Role::TechnicalLead,
        "technical_lead_id",
        today,
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
        return Err(pipeline_conflict(Some(other)));
    }
    Ok(())
}

fn pipeline_conflict(other: Option<(i64, String)>) -> ServiceError {
    let message = |which: &str| {
        format!(
            "Já existe {which} do seu órgão, do mesmo tipo e para a mesma API, em andamento. Aguarde sua conclusão ou cancele-a."
        )
    };
    match other {
        Some((request_id, number)) => E::ConflictWith {
            message: message(&format!("a solicitação {number}")),
            request_id,
        },
        None => E::Conflict(message("outra solicitação")),
    }
}

/// Serialises the moves that read or write a requester's access to an API (release checks the
/// pipeline and the granted access; grant writes the access), so that two of them at once on
/// PostgreSQL cannot both pass the check (SPEC §4).
async fn lock_access(conn: &mut AnyConnection, request: &Request) -> Result<(), ServiceError> {
    locks::serialize_on(
        conn,
        &format!("access:{}:{}", request.requester.id, request.api_id),
    )
    .await?;
    Ok(())
}

fn clean_comment(comment: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if let Some(issue) = text::control_characters_issue("comment", c) {
        return Err(E::Invalid(vec![issue]));
    }
    if c.chars().count() > MAX_COMMENT_CHARS {
        return Err(E::invalid(
            "comment",
            "O comentário pode ter no máximo 4.000 caracteres.",
        ));
    }
    Ok(Some(c.to_owned()))
}
