//! The request lifecycle (SPEC §4): create, alter, release, cancel, approve, refuse, grant, and
//! the reads of the list and the detail. Every change runs in one transaction that first claims
//! the request's version (409 when someone else changed it), then writes the change, its history
//! event and its emails — or nothing.

pub mod catalogue;
mod editing;
mod input;
mod notices;
pub mod signature;
pub mod signing;
mod transitions;
mod uploads;
pub mod validation;
mod view;

pub use editing::local_year;
pub use input::{CLOSED_API, PatchInput, PurposePatch, RequestPatch};
pub use uploads::AttachmentPolicy;
pub(crate) use uploads::check_pdf;
pub use view::{ListPage, ListParams, ListQuery, RequestDetail, Show};

use adesao_domain::RequestStatus;
use adesao_domain::access::{self, Action, Actor, RequestFacts};
use adesao_store::requests::{self, Request};
use adesao_store::{AnyConnection, Db, Tx, events, locks, signatures};
use jiff::Timestamp;

use crate::error::ServiceError as E;
use crate::{Clock, ServiceError};

pub use transitions::{MAX_COMMENT_CHARS, MAX_JUSTIFICATION_CHARS};

#[derive(Clone)]
pub struct RequestService {
    db: Db,
    attachments: AttachmentPolicy,
    clock: Clock,
    /// Where the links in e-mails point (`ADESAO_PUBLIC_URL`).
    links: crate::messages::Links,
    /// What typesets the PDF reports (in this process unless told otherwise).
    typesetter: adesao_documents::typesetter::Typesetter,
    /// What typesets the DSI at each release: in this process, one per CPU. Unlike a report,
    /// a DSI is bounded (every field has a maximum length: a page or three), so it neither
    /// needs a child process to give its memory back nor waits behind a long report.
    dsi_typesetter: adesao_documents::typesetter::Typesetter,
    /// The builtin signature provider's CA (SPEC §7).
    signing: crate::SigningAuthority,
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

    /// Every history action as people read it (the one table the pages, the e-mails and the
    /// reports take their words from): what happened to the request, in pt-BR.
    pub const LABELS: [(&str, &str); 12] = [
        (CREATED, "Criada"),
        (UPDATED, "Alterada"),
        (RETURNED_TO_DRAFT, "Alterada"),
        (RELEASED, "Liberada para assinatura"),
        (SIGNED, "Assinada"),
        (
            SENT_TO_PROVIDER,
            "Enviada para análise do órgão cedente dos dados",
        ),
        (APPROVED, "Aprovada"),
        (REFUSED, "Recusada"),
        (GRANTED, "Deferida"),
        (CANCELLED, "Cancelada"),
        (ATTACHMENT_ADDED, "Anexo incluído"),
        (ATTACHMENT_REMOVED, "Anexo removido"),
    ];

    /// The pt-BR words of `action`; an action this version does not know (written by a newer
    /// one) still reads as Portuguese.
    pub fn label(action: &str) -> &'static str {
        LABELS
            .iter()
            .find(|(code, _)| *code == action)
            .map_or("Andamento registrado", |(_, label)| label)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_action_reads_in_portuguese() {
            let codes = [
                CREATED,
                UPDATED,
                RETURNED_TO_DRAFT,
                RELEASED,
                SIGNED,
                SENT_TO_PROVIDER,
                APPROVED,
                REFUSED,
                GRANTED,
                CANCELLED,
                ATTACHMENT_ADDED,
                ATTACHMENT_REMOVED,
            ];
            assert_eq!(codes.len(), LABELS.len());
            for code in codes {
                let label = label(code);
                assert!(
                    label != "Andamento registrado" && !label.contains('_'),
                    "{code}: {label}"
                );
            }
            assert_eq!(label("something_new"), "Andamento registrado");
        }
    }
}

pub fn actor_of(account: &adesao_store::accounts::Account) -> Actor {
    Actor {
        user_id: account.user.id,
        organization_id: account.organization.id,
        roles: account.roles.clone(),
    }
}

/// A typesetter's refusal as the use cases answer it.
pub(crate) fn typesetter_error(e: adesao_documents::typesetter::TypesetterError) -> ServiceError {
    use adesao_documents::typesetter::TypesetterError;
    match e {
        TypesetterError::Busy => ServiceError::Busy(
            "Muitos documentos PDF estão sendo gerados agora. Tente novamente em instantes."
                .to_owned(),
        ),
        TypesetterError::Failed(cause) => ServiceError::Internal(cause),
    }
}

impl RequestService {
    pub fn new(db: Db, attachments: AttachmentPolicy) -> Self {
        Self {
            attachments,
            clock: Clock::system(),
            links: crate::messages::Links::default(),
            typesetter: Default::default(),
            dsi_typesetter: adesao_documents::typesetter::Typesetter::in_process(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            signing: crate::SigningAuthority::new(db.clone(), crate::SigningKey::ephemeral()),
            db,
        }
    }

    /// The same service signing with `authority` (the server's: the installation's CA, its
    /// keys sealed under the installation's signing key).
    pub fn with_signing(mut self, authority: crate::SigningAuthority) -> Self {
        self.signing = authority;
        self
    }

    /// The same service typesetting its PDFs with `typesetter` (the server's: child processes).
    pub fn with_typesetter(mut self, typesetter: adesao_documents::typesetter::Typesetter) -> Self {
        self.typesetter = typesetter;
        self
    }

    /// The PDF of `job`; [`ServiceError::Busy`] when the typesetter stays busy.
    pub(crate) async fn typeset(
        &self,
        job: adesao_documents::typesetter::Job,
    ) -> Result<Vec<u8>, ServiceError> {
        self.typeset_with(&self.typesetter, job).await
    }

    pub(crate) async fn typeset_with(
        &self,
        typesetter: &adesao_documents::typesetter::Typesetter,
        job: adesao_documents::typesetter::Job,
    ) -> Result<Vec<u8>, ServiceError> {
        typesetter.render(job).await.map_err(typesetter_error)
    }

    /// This year in Brasília (the year of the numbers the next requests get).
    pub fn current_year(&self) -> u16 {
        u16::try_from(editing::local_year(self.clock.now())).unwrap_or(9999)
    }

    /// The same service acting at `clock`'s time.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.signing = self.signing.with_clock(clock.clone());
        self.clock = clock;
        self
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// The same service writing links to `public_url` in its e-mails.
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        self.links = crate::messages::Links::new(public_url);
        self
    }
}

/// Opens the transaction of a change to request `id`, serialised with every other change to it:
/// a concurrent second change waits for the first to commit and then reads its result, so it
/// is judged by the rules on the request as it now stands (never refused for a mere race).
pub(crate) async fn begin_change(db: &Db, id: i64) -> Result<Tx, ServiceError> {
    let mut tx = db.begin().await?;
    locks::serialize_on(&mut tx, &format!("request:{id}")).await?;
    Ok(tx)
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
    let signatures = signatures::valid_for(conn, request.id).await?;
    Ok(facts_from(request, &signatures))
}

/// The facts of a request whose valid signatures are already read (the detail shows them too).
pub(crate) fn facts_from(request: &Request, signatures: &[signatures::Signature]) -> RequestFacts {
    RequestFacts {
        requester_id: request.requester.id,
        provider_id: request.provider.id,
        status: request.status,
        it_director_id: request.it_director.id,
        technical_lead_id: request.technical_lead.id,
        signed_roles: signatures.iter().map(|s| s.role).collect(),
    }
}

/// Moves a claimed request where `action` takes it (the lifecycle's table,
/// `adesao_domain::access::MOVES`) and records the move in its history as `history_action`.
pub(crate) async fn move_by(
    conn: &mut AnyConnection,
    actor: &Actor,
    request: &Request,
    action: Action,
    history_action: &str,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let to = action.target(request.status).ok_or_else(|| {
        E::Conflict(format!(
            "Não é possível {} uma solicitação na situação “{}”.",
            action.label().to_lowercase(),
            request.status.label()
        ))
    })?;
    requests::set_status(conn, request.id, to).await?;
    event(
        conn,
        request.id,
        now,
        actor,
        history_action,
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
