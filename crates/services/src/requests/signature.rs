//! Assinar (SPEC §7): the DSI kept as a PDF from its release, and each signature embedded in it
//! as a PAdES incremental update, made by one of the signature providers:
//! - `builtin`: the installation's CA certifies the official, and an SMS-authorised signing
//!   session (seed 1.10, "Certificado: GOVBR") unlocks that key;
//! - `icp_brasil_a1`: the official's own A1 certificate and its password, for this signature
//!   only; nothing of it is kept.
//!
//! A provider only turns a signer into an [`Identity`]; where the signature goes, what it
//! shows and what is recorded is the same for all (a gov.br provider would be one more arm).

use adesao_documents::a1::{self, A1Error};
use adesao_documents::dsi::{DsiData, SignatureArea};
use adesao_documents::pades::{self, Appearance, Identity, SignatureInfo};
use adesao_documents::typesetter::Job;
use adesao_domain::Role;
use adesao_domain::access::{Action, Actor};
use adesao_domain::dsi::Dsi;
use adesao_store::requests::{self, Request};
use adesao_store::users::User;
use adesao_store::{AnyConnection, dsi_documents, organizations, signatures, users};
use jiff::Timestamp;

use super::signing::{dsi_of, dsi_sha256};
use super::{
    RequestService, actions, begin_change, claim, commit_and_reload, event, facts_of, move_by,
    notices,
};
use crate::ServiceError;
use crate::error::ServiceError as E;

/// How a signature is made.
pub enum SignWith<'a> {
    /// The builtin provider, unlocked by a signing session authorised by SMS code.
    Builtin { session_id: i64 },
    /// The signer's ICP-Brasil A1 certificate (PKCS#12) and its password.
    A1 { pkcs12: &'a [u8], password: &'a str },
}

/// How a signature was made, as recorded with it.
pub mod methods {
    /// The builtin provider, authorised by an SMS code (seed: "Certificado: GOVBR").
    pub const BUILTIN: &str = "govbr_sms";
    pub const ICP_BRASIL_A1: &str = "icp_brasil_a1";

    /// How a method is named to people.
    pub fn label(method: &str) -> &'static str {
        match method {
            BUILTIN => "Certificado da instalação, autorizado por código SMS",
            ICP_BRASIL_A1 => "Certificado digital ICP-Brasil A1",
            _ => "Outro",
        }
    }
}

impl SignWith<'_> {
    fn method(&self) -> &'static str {
        match self {
            SignWith::Builtin { .. } => methods::BUILTIN,
            SignWith::A1 { .. } => methods::ICP_BRASIL_A1,
        }
    }

    fn session_id(&self) -> Option<i64> {
        match self {
            SignWith::Builtin { session_id } => Some(*session_id),
            SignWith::A1 { .. } => None,
        }
    }
}

impl RequestService {
    /// Assinar: signs every role the user holds on the request, as one signature embedded in
    /// the DSI's PDF. The second signer's goes over the bytes that carry the first, and sends
    /// the request to provider review in the same transaction.
    ///
    /// `expected_dsi_sha256` is the digest of the DSI the signer was shown: if the request
    /// changed since, the signature is refused rather than given to a text the signer never saw.
    pub async fn sign(
        &self,
        actor: &Actor,
        id: i64,
        with: SignWith<'_>,
        expected_dsi_sha256: Option<&str>,
    ) -> Result<Request, ServiceError> {
        let now = self.clock.now();
        // Every check that needs no change first: a refused signature makes no key and
        // typesets nothing.
        let (request, _) = self.load_checked(actor, id, Action::Sign).await?;
        let digest = dsi_sha256(&dsi_of(&request));
        check_expected(expected_dsi_sha256, &digest)?;
        let (signer, organization) = {
            let mut conn = self.db.acquire().await?;
            if let Some(session_id) = with.session_id() {
                authorized_session(&mut conn, actor, session_id, now).await?;
            }
            let user = users::find(&mut conn, actor.user_id)
                .await?
                .ok_or(E::NotFound)?;
            let organization = organizations::find(&mut conn, user.organization_id)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            (user, organization)
        };
        let identity = match &with {
            SignWith::Builtin { .. } => {
                self.signing
                    .official(signer.id, &signer.name, &signer.cpf, &organization)
                    .await?
            }
            SignWith::A1 { pkcs12, password } => open_a1(&signer, pkcs12, password, now).await?,
        };
        self.dsi_document(&request, &dsi_of(&request), &digest)
            .await?;

        let mut tx = begin_change(&self.db, id).await?;
        let request = requests::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        let mut facts = facts_of(&mut tx, &request).await?;
        adesao_domain::access::check(actor, &facts, Action::Sign)?;
        if let Some(session_id) = with.session_id() {
            authorized_session(&mut tx, actor, session_id, now).await?;
        }
        if dsi_sha256(&dsi_of(&request)) != digest {
            return Err(changed());
        }
        let document = dsi_documents::current(&mut tx, id)
            .await?
            .filter(|d| d.dsi_sha256 == digest)
            .ok_or_else(changed)?;
        claim(&mut tx, &request, now).await?;
        let roles = facts.roles_to_sign(actor);
        let slot = usize::try_from(document.signature_count).unwrap_or(usize::MAX);
        let (field, pdf_date, reason, appearance) = Signed {
            signer: &signer,
            roles: &roles,
            method: with.method(),
            at: now,
        }
        .parts(slot);
        let (pdf, name) = (document.pdf, signer.name.clone());
        let signed = tokio::task::spawn_blocking(move || {
            let info = SignatureInfo {
                field: &field,
                signer_name: &name,
                pdf_date: &pdf_date,
                reason: &reason,
                appearance,
            };
            pades::sign(&pdf, &info, &identity)
        })
        .await
        .map_err(|e| E::Internal(format!("signing task: {e}")))?
        .map_err(|e| E::Internal(format!("signing the DSI: {e}")))?;
        dsi_documents::add_signature(&mut tx, document.id, &signed).await?;
        for role in &roles {
            signatures::insert(
                &mut tx,
                &signatures::NewSignature {
                    request_id: id,
                    signer_id: actor.user_id,
                    role: *role,
                    signed_at: now,
                    method: with.method(),
                    dsi_sha256: &digest,
                    signing_session_id: with.session_id(),
                },
            )
            .await?;
        }
        let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        let comment = format!(
            "Como {}. {}.",
            labels.join(" e "),
            methods::label(with.method())
        );
        event(
            &mut tx,
            id,
            now,
            actor,
            actions::SIGNED,
            None,
            None,
            Some(&comment),
        )
        .await?;
        facts.signed_roles.extend(roles);
        if facts.fully_signed() {
            move_by(
                &mut tx,
                actor,
                &request,
                Action::Sign,
                actions::SENT_TO_PROVIDER,
                None,
                now,
            )
            .await?;
            notices::send(
                &mut tx,
                &request,
                crate::clock::local_date(now),
                &self.links,
                crate::messages::Event::Signed,
            )
            .await?;
        }
        commit_and_reload(tx, id).await
    }

    /// The DSI of request `id` as a PDF (SPEC §7), with the signatures it carries, for whoever
    /// may see the request, once it has been released: its number (for the file's name) and the
    /// bytes.
    pub async fn dsi_pdf(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(adesao_domain::RequestNumber, Vec<u8>), ServiceError> {
        let detail = self.detail(actor, id).await?;
        if !detail.has_dsi() {
            return Err(E::Conflict(
                "O DSI é gerado quando a solicitação é liberada para assinatura.".into(),
            ));
        }
        let digest = dsi_sha256(&detail.dsi);
        let document = self
            .dsi_document(&detail.request, &detail.dsi, &digest)
            .await?;
        Ok((detail.request.number, document.pdf))
    }

    /// The DSI laid out as a PDF, unsigned.
    pub(crate) async fn render_dsi(&self, dsi: &Dsi, digest: &str) -> Result<Vec<u8>, E> {
        let job = Job::Dsi(Box::new(DsiData::new(dsi, digest)));
        self.typeset_with(&self.dsi_typesetter, job).await
    }

    /// The request's current DSI document. One is made at release; a request released before
    /// documents were kept gets its own here, the first time it is needed. An unsigned document
    /// whose text no longer matches (a signer renamed since) is made again; a signed one stays
    /// as signed.
    async fn dsi_document(
        &self,
        request: &Request,
        dsi: &Dsi,
        digest: &str,
    ) -> Result<dsi_documents::DsiDocument, E> {
        let mut conn = self.db.acquire().await?;
        let found = dsi_documents::current(&mut conn, request.id).await?;
        match found {
            Some(d) if d.dsi_sha256 == digest || d.signature_count > 0 => return Ok(d),
            _ => {}
        }
        drop(conn);
        let pdf = self.render_dsi(dsi, digest).await?;
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, request.id).await?;
        if let Some(stale) = dsi_documents::current(&mut tx, request.id).await?
            && stale.dsi_sha256 != digest
            && stale.signature_count == 0
        {
            dsi_documents::void(&mut tx, request.id, now).await?;
        }
        dsi_documents::insert_if_missing(&mut tx, request.id, digest, &pdf, now).await?;
        let document = dsi_documents::current(&mut tx, request.id)
            .await?
            .ok_or_else(|| E::Internal("the DSI document was not stored".into()))?;
        tx.commit().await?;
        Ok(document)
    }
}

/// What a signature says of itself: its field, time, reason and visible block.
struct Signed<'a> {
    signer: &'a User,
    roles: &'a [Role],
    method: &'static str,
    at: Timestamp,
}

impl Signed<'_> {
    fn parts(&self, slot: usize) -> (String, String, String, Option<Appearance>) {
        let local = self.at.to_zoned_datetime(crate::clock::brasilia());
        let offset = local.strftime("%:z").to_string().replace(':', "'");
        let pdf_date = format!("D:{}{offset}'", local.strftime("%Y%m%d%H%M%S"));
        let roles: Vec<&str> = self.roles.iter().map(|r| r.label()).collect();
        let roles = roles.join(" e ");
        let reason = format!("Assinatura do DSI como {roles}");
        let appearance = SignatureArea::slot(slot).map(|rect| Appearance {
            rect,
            lines: vec![
                format!(
                    "Assinado digitalmente por {}, CPF {}, em {}",
                    self.signer.name,
                    self.signer.cpf.masked(),
                    local.strftime("%d/%m/%Y %H:%M:%S")
                ),
                format!("Como {roles} · {}", methods::label(self.method)),
            ],
        });
        (
            format!("Assinatura{}", slot + 1),
            pdf_date,
            reason,
            appearance,
        )
    }
}

fn changed() -> E {
    E::Conflict(
        "O documento foi alterado depois que você o abriu. Confira a versão atual antes de assinar."
            .into(),
    )
}

fn check_expected(expected: Option<&str>, digest: &str) -> Result<(), E> {
    if expected.is_some_and(|e| !e.eq_ignore_ascii_case(digest)) {
        return Err(changed());
    }
    Ok(())
}

/// The caller's signing session `session_id`, authorised now.
async fn authorized_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    now: Timestamp,
) -> Result<(), E> {
    // A session that is not the caller's is no authorisation; a database failure stays one.
    let session = match super::signing::own_session(conn, actor, session_id).await {
        Err(E::NotFound) => Err(E::Forbidden(
            "Autorização de assinatura inválida: autorize com o código enviado por SMS.".into(),
        )),
        other => other,
    }?;
    if session.voided_at.is_some() || session.authorized_until.is_none_or(|u| u <= now) {
        return Err(E::Forbidden(
            "A autorização de assinatura expirou ou não foi concluída: autorize novamente com o código enviado por SMS."
                .into(),
        ));
    }
    Ok(())
}

/// Opens the signer's A1 and checks that it is theirs and valid now.
async fn open_a1(
    signer: &User,
    pkcs12: &[u8],
    password: &str,
    now: Timestamp,
) -> Result<Identity, E> {
    const FIELD: &str = "certificate";
    if pkcs12.is_empty() {
        return Err(E::invalid(
            FIELD,
            "Escolha o arquivo do seu certificado digital A1 (.pfx ou .p12).",
        ));
    }
    if password.is_empty() {
        return Err(E::invalid("password", "Informe a senha do certificado."));
    }
    let (file, password) = (pkcs12.to_vec(), password.to_owned());
    let opened = tokio::task::spawn_blocking(move || a1::open(&file, &password))
        .await
        .map_err(|e| E::Internal(format!("opening an A1: {e}")))?;
    let a1 = opened.map_err(|e| match e {
        A1Error::WrongPassword => E::invalid("password", "Senha do certificado incorreta."),
        A1Error::TooLarge => E::invalid(
            FIELD,
            "O arquivo passa de 64 KB: não parece um certificado A1 (.pfx ou .p12).",
        ),
        A1Error::NoKey => E::invalid(
            FIELD,
            "O arquivo não traz a chave privada junto com o certificado: exporte o certificado A1 com a chave.",
        ),
        A1Error::NotRsa => E::invalid(FIELD, "Só certificados com chave RSA são aceitos."),
        A1Error::TooCostly => E::invalid(
            FIELD,
            "O arquivo pede uma proteção de senha fora do comum (iterações demais): exporte o certificado novamente.",
        ),
        A1Error::Unreadable | A1Error::Write(_) => E::invalid(
            FIELD,
            "O arquivo não é um certificado digital A1 legível (.pfx ou .p12).",
        ),
    })?;
    match a1.cpf.as_deref() {
        Some(cpf) if cpf == signer.cpf.digits() => {}
        Some(_) => {
            return Err(E::invalid(
                FIELD,
                "Este certificado pertence a outro CPF: use o seu próprio certificado A1.",
            ));
        }
        None => {
            return Err(E::invalid(
                FIELD,
                "O certificado não informa um CPF (campo ICP-Brasil 2.16.76.1.3.1): use um certificado A1 de pessoa física.",
            ));
        }
    }
    let instant = |t: std::time::SystemTime| Timestamp::try_from(t).unwrap_or(Timestamp::MIN);
    let date = |t: std::time::SystemTime| {
        crate::clock::local_date(instant(t))
            .strftime("%d/%m/%Y")
            .to_string()
    };
    if now < instant(a1.not_before) {
        return Err(E::invalid(
            FIELD,
            format!(
                "O certificado só é válido a partir de {}.",
                date(a1.not_before)
            ),
        ));
    }
    if now > instant(a1.not_after) {
        return Err(E::invalid(
            FIELD,
            format!(
                "O certificado expirou em {}: use um certificado válido.",
                date(a1.not_after)
            ),
        ));
    }
    Ok(a1.identity)
}
