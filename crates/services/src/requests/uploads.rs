//! Anexos (SPEC §6): signed PDFs some APIs require, and the model files to fill in.

use adesao_documents::pdf::{self, PdfProblem};
use adesao_domain::access::{self, Action, Actor};
use adesao_domain::filename::sanitize_pdf_name;
use adesao_domain::{AttachmentKind, RequestStatus};
use adesao_store::attachments::{self, AttachmentMeta, NewAttachment};
use adesao_store::{apis, requests};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::{RequestService, actions, claim, event, facts_of, load_checked_in};
use crate::ServiceError;
use crate::error::ServiceError as E;

impl RequestService {
    /// Anexar: a PDF, checked by its content, of a kind the API asks for, while the request is
    /// a draft. Returns the stored attachment.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        id: i64,
        kind: Option<AttachmentKind>,
        raw_filename: &str,
        content: &[u8],
    ) -> Result<AttachmentMeta, ServiceError> {
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        editable_attachments(request.status)?;
        let Some(kind) = kind else {
            return Err(E::invalid(
                "kind",
                "Informe o tipo do anexo (Formulário, Ofício ou Outro).",
            ));
        };
        let requirements = apis::requirements(&mut tx, request.api_id).await?;
        if !requirements.iter().any(|r| r.kind == kind) {
            return Err(E::invalid(
                "kind",
                format!(
                    "A API {} não pede anexo do tipo {}.",
                    request.api_name,
                    kind.label()
                ),
            ));
        }
        match pdf::check(content) {
            Ok(()) => {}
            Err(PdfProblem::Empty) => {
                return Err(E::invalid("file", PdfProblem::Empty.to_string()));
            }
            Err(problem) => return Err(E::Unsupported(problem.to_string())),
        }
        let filename = sanitize_pdf_name(raw_filename);
        let sha256 = hex::encode(Sha256::digest(content));
        claim(&mut tx, &request, now).await?;
        let attachment_id = attachments::insert(
            &mut tx,
            &NewAttachment {
                request_id: id,
                kind,
                filename: &filename,
                media_type: "application/pdf",
                sha256: &sha256,
                content,
                uploaded_by: actor.user_id,
                uploaded_at: now,
            },
        )
        .await?;
        let comment = format!("{}: {filename}.", kind.label());
        event(
            &mut tx,
            id,
            now,
            actor,
            actions::ATTACHMENT_ADDED,
            None,
            None,
            Some(&comment),
        )
        .await?;
        let (meta, _) = attachments::find_content(&mut tx, id, attachment_id)
            .await?
            .ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(meta)
    }

    /// Remover: while the request is a draft.
    pub async fn remove_attachment(
        &self,
        actor: &Actor,
        id: i64,
        attachment_id: i64,
    ) -> Result<(), ServiceError> {
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        editable_attachments(request.status)?;
        let (meta, _) = attachments::find_content(&mut tx, id, attachment_id)
            .await?
            .ok_or(E::NotFound)?;
        claim(&mut tx, &request, now).await?;
        attachments::delete(&mut tx, id, attachment_id).await?;
        let comment = format!("{}: {}.", meta.kind.label(), meta.filename);
        event(
            &mut tx,
            id,
            now,
            actor,
            actions::ATTACHMENT_REMOVED,
            None,
            None,
            Some(&comment),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Baixar: an attachment of a request the user may see.
    pub async fn attachment(
        &self,
        actor: &Actor,
        id: i64,
        attachment_id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>), ServiceError> {
        let mut conn = self.db.acquire().await?;
        let request = requests::find(&mut conn, id).await?.ok_or(E::NotFound)?;
        let facts = facts_of(&mut conn, &request).await?;
        if !access::can_view(actor, &facts) {
            return Err(E::NotFound);
        }
        attachments::find_content(&mut conn, id, attachment_id)
            .await?
            .ok_or(E::NotFound)
    }

    /// The model file of an API's attachment requirement: (file name, media type, content).
    pub async fn model_file(
        &self,
        api_id: i64,
        kind: AttachmentKind,
    ) -> Result<(String, String, Vec<u8>), ServiceError> {
        let mut conn = self.db.acquire().await?;
        apis::model_file(&mut conn, api_id, kind)
            .await?
            .ok_or(E::NotFound)
    }
}

/// Attachments change only in drafts: after release they belong to what is being signed, so
/// the request must first go back to draft (Alterar).
fn editable_attachments(status: RequestStatus) -> Result<(), ServiceError> {
    if status.attachments_editable() {
        Ok(())
    } else {
        Err(E::Conflict(
            "Os anexos só podem ser alterados com a solicitação em elaboração. Se ela já foi liberada para assinatura, use Alterar: ela volta a Em elaboração."
                .into(),
        ))
    }
}
