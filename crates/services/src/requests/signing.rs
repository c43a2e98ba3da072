//! Signing (seed 1.8–1.10, SPEC §7): an authorisation by a one-time SMS code, valid for ten
//! minutes and several documents, then the signature of the DSI's exact content.

use adesao_domain::access::Actor;
use adesao_domain::dsi::{Dsi, DsiSigner};
use adesao_store::outbox::{self, Channel, NewMessage};
use adesao_store::requests::Request;
use adesao_store::signing_sessions::{self, SigningSession};
use adesao_store::{AnyConnection, StoreError, locks, users};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::RequestService;
use crate::ServiceError;
use crate::error::ServiceError as E;

pub const CODE_VALIDITY: SignedDuration = SignedDuration::from_mins(5);
pub const AUTHORIZATION_WINDOW: SignedDuration = SignedDuration::from_mins(10);
pub const MAX_ATTEMPTS: i64 = 5;
pub const RESEND_COOLDOWN: SignedDuration = SignedDuration::from_secs(60);
pub const MAX_SENDS: i64 = 5;
pub const MAX_SESSIONS_PER_HOUR: i64 = 5;

/// A signing session as shown to its user.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: i64,
    pub expires_at: Timestamp,
    pub masked_mobile: String,
    pub authorized_until: Option<Timestamp>,
}

/// What the code screen needs beyond the session: whether it can still be used, and when a
/// new code may be asked for.
pub struct CodeScreen {
    pub session: SessionView,
    /// Anulada (too many wrong codes): only a new authorisation helps.
    pub voided: bool,
    /// Seconds until "Reenviar código" is allowed (0: now); None when no resend is left.
    pub resend_in_secs: Option<i64>,
}

impl RequestService {
    /// Starts an authorisation: a new code is sent by SMS to the user's mobile.
    pub async fn start_signing_session(&self, actor: &Actor) -> Result<SessionView, ServiceError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Count and insert as one step: concurrent starts must not all pass the hourly limit.
        locks::serialize_on(&mut tx, &format!("signing-user:{}", actor.user_id)).await?;
        let started = signing_sessions::count_started_since(
            &mut tx,
            actor.user_id,
            now - SignedDuration::from_hours(1),
        )
        .await?;
        if started >= MAX_SESSIONS_PER_HOUR {
            return Err(E::RateLimited {
                message: "Limite de 5 autorizações de assinatura por hora atingido. Tente novamente mais tarde.".into(),
                retry_after_secs: 3600,
            });
        }
        let user = users::find(&mut tx, actor.user_id)
            .await?
            .ok_or(E::NotFound)?;
        let code = new_code();
        let salt = hex::encode(random_bytes::<16>());
        let expires_at = now + CODE_VALIDITY;
        let id = signing_sessions::insert(
            &mut tx,
            actor.user_id,
            &hash_code(&salt, &code),
            expires_at,
            now,
        )
        .await?;
        send_code(&mut tx, user.mobile.e164(), &code).await?;
        tx.commit().await?;
        Ok(SessionView {
            id,
            expires_at,
            masked_mobile: user.mobile.masked(),
            authorized_until: None,
        })
    }

    /// Reenviar código: a fresh code for the same session, after a cooldown.
    pub async fn resend_code(
        &self,
        actor: &Actor,
        session_id: i64,
    ) -> Result<SessionView, ServiceError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Attempts and sends are counted on the session: one change to it at a time.
        locks::serialize_on(&mut tx, &format!("signing-session:{session_id}")).await?;
        let session = own_session(&mut tx, actor, session_id).await?;
        usable(&session)?;
        let wait = (session.last_sent_at + RESEND_COOLDOWN) - now;
        if wait.is_positive() {
            let secs = wait.as_secs().max(1);
            return Err(E::RateLimited {
                message: format!(
                    "Aguarde {} para pedir outro código.",
                    adesao_domain::text::plural(secs, "segundo", "segundos")
                ),
                retry_after_secs: secs as u64,
            });
        }
        if session.sends >= MAX_SENDS {
            return Err(E::Conflict(
                "Limite de reenvios atingido. Inicie uma nova autorização.".into(),
            ));
        }
        let user = users::find(&mut tx, actor.user_id)
            .await?
            .ok_or(E::NotFound)?;
        let code = new_code();
        let salt = hex::encode(random_bytes::<16>());
        let expires_at = now + CODE_VALIDITY;
        signing_sessions::replace_code(
            &mut tx,
            session_id,
            &hash_code(&salt, &code),
            expires_at,
            now,
        )
        .await?;
        send_code(&mut tx, user.mobile.e164(), &code).await?;
        tx.commit().await?;
        Ok(SessionView {
            id: session_id,
            expires_at,
            masked_mobile: user.mobile.masked(),
            authorized_until: None,
        })
    }

    /// Autorizar: checks the code; five wrong codes void the session.
    pub async fn authorize_signing(
        &self,
        actor: &Actor,
        session_id: i64,
        code: &str,
    ) -> Result<SessionView, ServiceError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // Attempts and sends are counted on the session: one change to it at a time.
        locks::serialize_on(&mut tx, &format!("signing-session:{session_id}")).await?;
        let session = own_session(&mut tx, actor, session_id).await?;
        let user = users::find(&mut tx, actor.user_id)
            .await?
            .ok_or(E::NotFound)?;
        let view = |until| SessionView {
            id: session_id,
            expires_at: session.code_expires_at,
            masked_mobile: user.mobile.masked(),
            authorized_until: until,
        };
        if let Some(until) = session.authorized_until.filter(|u| *u > now) {
            return Ok(view(Some(until)));
        }
        usable(&session)?;
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid(
                "code",
                "Informe os 6 dígitos do código recebido por SMS.",
            ));
        }
        if session.code_expires_at <= now {
            return Err(E::invalid(
                "code",
                "O código expirou. Clique em Reenviar código para receber outro.",
            ));
        }
        if !verify_code(&session.code_hash, code) {
            let attempts = session.attempts + 1;
            let exhausted = attempts >= MAX_ATTEMPTS;
            signing_sessions::record_wrong_code(&mut tx, session_id, exhausted, now).await?;
            tx.commit().await?;
            return Err(if exhausted {
                E::Conflict(
                    "Código incorreto. As tentativas se esgotaram: inicie uma nova autorização."
                        .into(),
                )
            } else {
                E::invalid(
                    "code",
                    match MAX_ATTEMPTS - attempts {
                        1 => "Código incorreto. Resta 1 tentativa.".to_owned(),
                        n => format!("Código incorreto. Restam {n} tentativas."),
                    },
                )
            });
        }
        let until = now + AUTHORIZATION_WINDOW;
        signing_sessions::authorize(&mut tx, session_id, until).await?;
        tx.commit().await?;
        Ok(view(Some(until)))
    }

    /// The user's session that authorises signing right now, if any.
    pub async fn active_authorization(&self, actor: &Actor) -> Result<Option<i64>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        Ok(signing_sessions::find_authorized(&mut conn, actor.user_id, self.clock.now()).await?)
    }

    pub async fn signing_session(
        &self,
        actor: &Actor,
        session_id: i64,
    ) -> Result<SessionView, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let session = own_session(&mut conn, actor, session_id).await?;
        let user = users::find(&mut conn, actor.user_id)
            .await?
            .ok_or(E::NotFound)?;
        Ok(SessionView {
            id: session.id,
            expires_at: session.code_expires_at,
            masked_mobile: user.mobile.masked(),
            authorized_until: session.authorized_until.filter(|u| *u > self.clock.now()),
        })
    }

    /// The session as its code screen shows it.
    pub async fn code_screen(
        &self,
        actor: &Actor,
        session_id: i64,
    ) -> Result<CodeScreen, ServiceError> {
        let view = self.signing_session(actor, session_id).await?;
        let mut conn = self.db.acquire().await?;
        let session = own_session(&mut conn, actor, session_id).await?;
        let wait = (session.last_sent_at + RESEND_COOLDOWN) - self.clock.now();
        Ok(CodeScreen {
            session: view,
            voided: session.voided_at.is_some(),
            resend_in_secs: (session.sends < MAX_SENDS).then(|| {
                if wait.is_positive() {
                    wait.as_secs().max(1)
                } else {
                    0
                }
            }),
        })
    }
}

/// The SHA-256 (hex) of a DSI's canonical text: what a signature covers.
pub fn dsi_sha256(dsi: &Dsi) -> String {
    hex::encode(Sha256::digest(dsi.to_text().as_bytes()))
}

/// The DSI of a request as it stands.
pub(crate) fn dsi_of(request: &Request) -> Dsi {
    let signer = |u: &adesao_store::requests::UserRef| DsiSigner {
        name: u.name.clone(),
        cpf: u.cpf.clone(),
    };
    Dsi {
        number: request.number,
        requester_name: request.requester.name.clone(),
        requester_cnpj: request.requester.cnpj.clone(),
        provider_name: request.provider.name.clone(),
        api_name: request.api_name.clone(),
        request_type: request.request_type,
        current_volume: request.current_volume,
        requested_volume: request.requested_volume.get(),
        purpose: request.purpose.clone(),
        it_director: signer(&request.it_director),
        technical_lead: signer(&request.technical_lead),
    }
}

pub(super) async fn own_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<SigningSession, ServiceError> {
    match signing_sessions::find(conn, id).await? {
        Some(s) if s.user_id == actor.user_id => Ok(s),
        _ => Err(E::NotFound),
    }
}

fn usable(session: &SigningSession) -> Result<(), ServiceError> {
    if session.voided_at.is_some() {
        return Err(E::Conflict(
            "Esta autorização foi anulada: inicie uma nova autorização.".into(),
        ));
    }
    Ok(())
}

async fn send_code(conn: &mut AnyConnection, mobile: &str, code: &str) -> Result<(), StoreError> {
    let body = crate::messages::code_sms(code);
    let masked = crate::messages::code_sms(crate::messages::MASKED_CODE);
    outbox::enqueue(
        conn,
        &NewMessage {
            channel: Channel::Sms,
            recipient: mobile,
            subject: "",
            body: &body,
            html_body: None,
            delivered_body: Some(&masked),
            request_id: None,
        },
    )
    .await?;
    Ok(())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

/// Six uniformly random digits (rejection sampling, so no digit is likelier than another).
fn new_code() -> String {
    loop {
        let n = OsRng.next_u32();
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Stored as `salt$sha256(salt:code)`.
fn hash_code(salt: &str, code: &str) -> String {
    format!(
        "{salt}${}",
        hex::encode(Sha256::digest(format!("{salt}:{code}").as_bytes()))
    )
}

fn verify_code(stored: &str, code: &str) -> bool {
    let Some((salt, _)) = stored.split_once('$') else {
        return false;
    };
    let expected = hash_code(salt, code);
    // Constant-time comparison of equal-length hex strings.
    expected.len() == stored.len()
        && expected
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The code inside an SMS body (for tests and the demo's outbox reader).
pub fn code_in_sms(body: &str) -> Option<String> {
    body.as_bytes()
        .windows(6)
        .enumerate()
        .find(|(i, w)| {
            w.iter().all(u8::is_ascii_digit)
                && !body.as_bytes().get(i + 6).is_some_and(u8::is_ascii_digit)
                && (*i == 0 || !body.as_bytes()[i - 1].is_ascii_digit())
        })
        .map(|(_, w)| String::from_utf8_lossy(w).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_verify_only_themselves() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            let stored = hash_code("abc", &code);
            assert!(verify_code(&stored, &code));
            let other = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
            assert!(!verify_code(&stored, &other));
        }
    }

    #[test]
    fn the_sms_holds_the_code_as_six_consecutive_digits() {
        let body = "Adesão gov.br: seu código de autorização de assinatura é 042917. Válido por 5 minutos.";
        assert_eq!(code_in_sms(body).as_deref(), Some("042917"));
    }
}
