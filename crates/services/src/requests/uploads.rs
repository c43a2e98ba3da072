//! Anexos (SPEC §6): signed PDFs some APIs require, and the model files to fill in.

use adesao_documents::pdf::{self, PdfProblem};
use adesao_documents::sandbox::{CheckError, PdfChecker};
use adesao_domain::access::{self, Action, Actor};
use adesao_domain::filename::sanitize_pdf_name;
use adesao_domain::{AttachmentKind, RequestStatus};
use adesao_store::attachments::{self, AttachmentMeta, NewAttachment};
use adesao_store::requests::Request;
use adesao_store::{AnyConnection, apis, requests};
use sha2::{Digest, Sha256};

use super::{RequestService, actions, begin_change, claim, event, facts_of, load_checked_in};
use crate::ServiceError;
use crate::error::ServiceError as E;

/// What a request may hold, and how uploads are checked.
#[derive(Debug, Clone)]
pub struct AttachmentPolicy {
    /// Runs the PDF check of each upload in a child process.
    pub checker: PdfChecker,
    /// Attachments one request may hold.
    pub max_per_request: usize,
    /// Their sizes together, in bytes.
    pub max_total_bytes: u64,
}

impl AttachmentPolicy {
    /// Attachments per request, whatever the size limit.
    pub const MAX_PER_REQUEST: usize = 20;

    /// The default for uploads of up to `max_upload_bytes` each: 20 files, together at most five
    /// times the size of one.
    pub fn new(checker: PdfChecker, max_upload_bytes: usize) -> Self {
        Self {
            checker,
            max_per_request: Self::MAX_PER_REQUEST,
            max_total_bytes: 5 * max_upload_bytes as u64,
        }
    }
}

impl RequestService {
    /// Anexar: a PDF, checked by its content, of a kind the API asks for, while the request is
    /// a draft. Returns the stored attachment.
    ///
    /// The rules are checked once before the content (so that no one gets a PDF parsed where
    /// they may not attach it), the content is checked holding no connection or lock (it may
    /// take a second or two), and the rules are checked again in the writing transaction.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        id: i64,
        kind: Option<AttachmentKind>,
        raw_filename: &str,
        content: &[u8],
    ) -> Result<AttachmentMeta, ServiceError> {
        {
            let mut conn = self.db.acquire().await?;
            let (request, _) = load_checked_in(&mut conn, actor, id, Action::Edit).await?;
            self.attachable(&mut conn, &request, kind, content.len())
                .await?;
        }
        self.check_pdf(content).await?;

        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        let kind = self
            .attachable(&mut tx, &request, kind, content.len())
            .await?;
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
        let meta = attachments::find_meta(&mut tx, id, attachment_id)
            .await?
            .ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(meta)
    }

    /// The rules of an upload apart from its content: a draft, a kind the API asks for, and room
    /// left on the request. Returns the kind.
    async fn attachable(
        &self,
        conn: &mut AnyConnection,
        request: &Request,
        kind: Option<AttachmentKind>,
        size: usize,
    ) -> Result<AttachmentKind, ServiceError> {
        editable_attachments(request.status)?;
        let Some(kind) = kind else {
            return Err(E::invalid(
                "kind",
                "Informe o tipo do anexo (Formulário, Ofício ou Outro).",
            ));
        };
        let requirements = apis::requirements(conn, request.api_id).await?;
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
        let present = attachments::of_request(conn, request.id).await?;
        let policy = &self.attachments;
        if present.len() >= policy.max_per_request {
            return Err(E::Conflict(format!(
                "A solicitação já tem {} anexos, o máximo permitido. Remova um anexo para incluir outro.",
                policy.max_per_request
            )));
        }
        let total: u64 = present.iter().map(|a| a.size.max(0) as u64).sum();
        if total + size as u64 > policy.max_total_bytes {
            return Err(E::Conflict(format!(
                "Os anexos de uma solicitação podem somar até {}; com este arquivo, somariam {}. Remova um anexo ou envie um arquivo menor.",
                megabytes(policy.max_total_bytes),
                megabytes(total + size as u64)
            )));
        }
        Ok(kind)
    }

    pub(super) async fn check_pdf(&self, content: &[u8]) -> Result<(), ServiceError> {
        check_pdf(&self.attachments.checker, content).await
    }

    /// Remover: while the request is a draft.
    pub async fn remove_attachment(
        &self,
        actor: &Actor,
        id: i64,
        attachment_id: i64,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        editable_attachments(request.status)?;
        let meta = attachments::find_meta(&mut tx, id, attachment_id)
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

/// Is `content` a PDF the system accepts? Decided in a child process (see
/// [`adesao_documents::sandbox`]), after the checks that need no parsing.
pub(crate) async fn check_pdf(checker: &PdfChecker, content: &[u8]) -> Result<(), ServiceError> {
    let refused = |problem: PdfProblem| match problem {
        PdfProblem::NotPdf | PdfProblem::Damaged => E::Unsupported(problem.to_string()),
        PdfProblem::Empty | PdfProblem::Encrypted | PdfProblem::TooComplex(_) => {
            E::invalid("file", problem.to_string())
        }
    };
    pdf::check_outline(content).map_err(refused)?;
    match checker.check(content).await {
        Ok(report) => {
            tracing::info!(
                bytes = content.len(),
                elapsed_ms = report.elapsed.as_millis() as u64,
                peak_rss_kib = report.peak_rss_kib,
                "PDF accepted"
            );
            Ok(())
        }
        Err(CheckError::Refused(problem)) => {
            tracing::warn!(bytes = content.len(), reason = ?problem, "PDF refused");
            Err(refused(problem))
        }
        Err(CheckError::Busy) => Err(E::Busy(
            "Muitos arquivos estão sendo verificados agora. Tente enviar o seu novamente em instantes."
                .into(),
        )),
        Err(e @ CheckError::Internal(_)) => Err(E::Internal(e.to_string())),
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

/// "10 MiB", "12,5 MiB": sizes in the unit the upload limit is documented in.
fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{} MiB", tenths / 10)
    } else {
        format!("{},{} MiB", tenths / 10, tenths % 10)
    }
}
