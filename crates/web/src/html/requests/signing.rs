//! 1.8–1.10 — Assinar: the DSI summary, the SMS authorisation, the signature; and the list of
//! the user's pending signatures.

use adesao_domain::access::Action;
use adesao_domain::dsi::{CONDITIONS, HEADER_MINISTRY, HEADER_SECRETARIAT};
use adesao_domain::purpose::{LEGAL_BASES_TITLE, SECTIONS};
use adesao_services::ServiceError;
use adesao_services::requests::signature::SignWith;
use adesao_services::requests::signing::dsi_sha256;
use adesao_services::requests::{RequestDetail, actor_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::flash_text;
use crate::csrf::CsrfForm;
use crate::format;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout, PageError, Refusal};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "sign.html")]
pub struct SignPage {
    layout: Layout,
    pub(super) errors: Vec<FormError>,
    pub(super) refusal: Option<Refusal>,
    pub(super) certificate_error: Option<String>,
    pub(super) password_error: Option<String>,
    signatures_so_far: usize,
    csrf_token: String,
    id: i64,
    number: String,
    roles: String,
    ministry: &'static str,
    secretariat: &'static str,
    title: String,
    intent: String,
    access_asked: String,
    kind: &'static str,
    current_volume: String,
    requested_volume: String,
    purpose: Vec<(&'static str, String)>,
    conditions: [&'static str; 3],
    it_director: String,
    technical_lead: String,
    sha256: String,
}

impl SignPage {
    pub(super) fn new(user: &CurrentUser, d: &RequestDetail) -> Self {
        let dsi = &d.dsi;
        let roles: Vec<&str> = d
            .facts
            .roles_to_sign(&adesao_services::requests::actor_of(&user.account))
            .iter()
            .map(|r| r.label())
            .collect();
        let mut purpose = vec![(LEGAL_BASES_TITLE, dsi.legal_bases_text())];
        purpose.extend(
            SECTIONS
                .iter()
                .map(|s| (s.title, dsi.purpose.section_text(s.field).trim().to_owned())),
        );
        Self {
            layout: Layout::for_user(user),
            errors: Vec::new(),
            refusal: None,
            certificate_error: None,
            password_error: None,
            signatures_so_far: d
                .signatures
                .iter()
                .map(|s| s.signer_id)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            csrf_token: user.csrf_token.clone(),
            id: d.request.id,
            number: d.request.number.to_string(),
            roles: roles.join(" e "),
            ministry: HEADER_MINISTRY,
            secretariat: HEADER_SECRETARIAT,
            title: dsi.title(),
            intent: dsi.intent(),
            access_asked: dsi.access_asked(),
            kind: dsi.request_type.label(),
            current_volume: format::count(dsi.current_volume),
            requested_volume: format::count(dsi.requested_volume),
            purpose,
            conditions: CONDITIONS,
            it_director: format!(
                "{} (CPF {})",
                dsi.it_director.name,
                dsi.it_director.cpf.masked()
            ),
            technical_lead: format!(
                "{} (CPF {})",
                dsi.technical_lead.name,
                dsi.technical_lead.cpf.masked()
            ),
            sha256: dsi_sha256(dsi),
        }
    }
}

/// 1.9 — the DSI summary and the Assinar button.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let detail = state.requests.detail_for(&actor, id, Action::Sign).await?;
    Ok(SignPage::new(&user, &detail).into_response())
}

/// The DSI as a PDF (SPEC §7), shown in the browser's viewer.
pub async fn dsi_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let (number, pdf) = state.requests.dsi_pdf(&actor_of(&user.account), id).await?;
    Ok(crate::report::dsi_pdf(number, pdf))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    dsi_sha256: String,
}

/// Assinar: signs at once within an authorisation window, otherwise asks for the SMS code. A
/// refusal (the document changed, too many authorisations this hour) comes back on this page.
pub async fn sign(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<SignForm>,
) -> Result<Response, PageError> {
    match start_or_sign(&state, &user, id, &form).await {
        Ok(response) => Ok(response),
        Err(e) => {
            let (status, refusal) = Refusal::in_context(e)?;
            let actor = actor_of(&user.account);
            let detail = state.requests.detail_for(&actor, id, Action::Sign).await?;
            let mut page = SignPage::new(&user, &detail);
            page.refusal = Some(refusal);
            Ok((status, page).into_response())
        }
    }
}

async fn start_or_sign(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &SignForm,
) -> Result<Response, ServiceError> {
    let actor = actor_of(&user.account);
    // Before anything is sent: an SMS (and a place in the hourly quota) only for a request this
    // user may sign now.
    state
        .requests
        .check_allowed(&actor, id, Action::Sign)
        .await?;
    if let Some(session_id) = state.requests.active_authorization(&actor).await? {
        return finish(state, user, id, session_id, &form.dsi_sha256).await;
    }
    let session = state.requests.start_signing_session(&actor).await?;
    let link = authorization_link(session.id, &id.to_string(), &form.dsi_sha256, None);
    Ok(Redirect::to(&link).into_response())
}

/// The authorisation page of session `session_id`, for request `request_id` and the DSI digest
/// the user was shown. Every value is reduced to what it may hold (digits, 64 hex digits) and
/// encoded: nothing a user posts can add a parameter or a header line.
fn authorization_link(session_id: i64, request_id: &str, dsi: &str, msg: Option<&str>) -> String {
    let request_id = request_id
        .parse::<i64>()
        .map(|i| i.to_string())
        .unwrap_or_default();
    let dsi = hex_digest(dsi);
    let mut pairs = vec![("solicitacao", request_id.as_str()), ("dsi", dsi.as_str())];
    if let Some(msg) = msg {
        pairs.push(("msg", msg));
    }
    let query = serde_html_form::to_string(&pairs).unwrap_or_default();
    format!("/autorizacao/{session_id}?{query}")
}

/// A SHA-256 in hex, or nothing.
pub(super) fn hex_digest(text: &str) -> String {
    let hex: String = text
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect();
    if hex.len() == 64 { hex } else { String::new() }
}

async fn finish(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    session_id: i64,
    expected: &str,
) -> Result<Response, ServiceError> {
    let actor = actor_of(&user.account);
    // The page always posts the digest of the DSI it showed; without it there is no telling
    // whether the signer read the version being signed, so nothing is signed.
    let expected = hex_digest(expected);
    if expected.is_empty() {
        return Err(ServiceError::Conflict(
            "Não foi possível confirmar qual versão do documento você leu. Abra o documento novamente e clique em Assinar."
                .into(),
        ));
    }
    let signed = state
        .requests
        .sign(
            &actor,
            id,
            SignWith::Builtin { session_id },
            Some(&expected),
        )
        .await?;
    Ok(after_signing(id, &signed))
}

/// Where a signature leads: the request, saying whether it went on to the provider.
pub(super) fn after_signing(id: i64, signed: &adesao_store::requests::Request) -> Response {
    let msg = if signed.status == adesao_domain::RequestStatus::ProviderReview {
        "enviada"
    } else {
        "assinada"
    };
    Redirect::to(&format!("/solicitacoes/{id}?msg={msg}")).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "authorize.html")]
pub struct AuthorizePage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Vec<FormError>,
    refusal: Option<Refusal>,
    csrf_token: String,
    session_id: i64,
    /// Too many wrong codes: only "Iniciar nova autorização" is offered.
    voided: bool,
    /// Seconds until a new code may be asked for; None when no resend is left.
    resend_in_secs: Option<i64>,
    request_id: String,
    dsi: String,
    masked_mobile: String,
    code_error: Option<String>,
    cancel_link: String,
    /// The SMS stays in the outbox (log transport): the page says where the code is read.
    sms_kept: bool,
    code_minutes: i64,
    window_minutes: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuthorizeQuery {
    solicitacao: String,
    dsi: String,
    msg: String,
}

async fn authorize_page(
    state: &AppState,
    user: &CurrentUser,
    session_id: i64,
    request_id: &str,
    dsi: &str,
    flash: Option<&'static str>,
) -> Result<AuthorizePage, ServiceError> {
    let screen = state
        .requests
        .code_screen(&actor_of(&user.account), session_id)
        .await?;
    let session = screen.session;
    let request_id = request_id
        .parse::<i64>()
        .ok()
        .map(|i| i.to_string())
        .unwrap_or_default();
    let cancel_link = if request_id.is_empty() {
        "/assinaturas-pendentes".to_owned()
    } else {
        format!("/solicitacoes/{request_id}")
    };
    Ok(AuthorizePage {
        layout: Layout::for_user(user),
        flash,
        errors: Vec::new(),
        refusal: None,
        csrf_token: user.csrf_token.clone(),
        session_id,
        voided: screen.voided,
        resend_in_secs: screen.resend_in_secs,
        request_id,
        dsi: hex_digest(dsi),
        masked_mobile: session.masked_mobile,
        code_error: None,
        cancel_link,
        sms_kept: !state.sms_leaves,
        code_minutes: adesao_services::requests::signing::CODE_VALIDITY.as_mins(),
        window_minutes: adesao_services::requests::signing::AUTHORIZATION_WINDOW.as_mins(),
    })
}

/// 1.10 — the code sent by SMS.
pub async fn authorize_form(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(session_id): PagePath<i64>,
    PageQuery(q): PageQuery<AuthorizeQuery>,
) -> Result<Response, PageError> {
    let flash = flash_text(&q.msg);
    let page = authorize_page(&state, &user, session_id, &q.solicitacao, &q.dsi, flash).await?;
    Ok(page.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    solicitacao: String,
    dsi: String,
}

/// Autorizar, then sign the request that asked for it.
pub async fn authorize(
    State(state): State<AppState>,
    PagePath(session_id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let issues = match state
        .requests
        .authorize_signing(&actor, session_id, &form.code)
        .await
    {
        Ok(_) => {
            return match form.solicitacao.parse::<i64>() {
                Ok(id) => Ok(finish(&state, &user, id, session_id, &form.dsi).await?),
                Err(_) => Ok(Redirect::to("/assinaturas-pendentes").into_response()),
            };
        }
        Err(e) => match e.into_issues() {
            Ok(issues) => issues,
            Err(other) => return refused_here(&state, &user, session_id, &form, other).await,
        },
    };
    let mut page = authorize_page(
        &state,
        &user,
        session_id,
        &form.solicitacao,
        &form.dsi,
        None,
    )
    .await?;
    for issue in issues {
        page.code_error = Some(issue.message.clone());
        page.errors.push(FormError::field("code", issue.message));
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The code screen again with a refusal that is not about the typed code (a resend too soon,
/// the attempts used up), so the signer keeps their place and sees what to do next.
async fn refused_here(
    state: &AppState,
    user: &CurrentUser,
    session_id: i64,
    form: &CodeForm,
    e: ServiceError,
) -> Result<Response, PageError> {
    let (status, refusal) = Refusal::in_context(e)?;
    let mut page =
        authorize_page(state, user, session_id, &form.solicitacao, &form.dsi, None).await?;
    page.refusal = Some(refusal);
    Ok((status, page).into_response())
}

/// Reenviar código.
pub async fn resend(
    State(state): State<AppState>,
    PagePath(session_id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    if let Err(e) = state
        .requests
        .resend_code(&actor_of(&user.account), session_id)
        .await
    {
        return refused_here(&state, &user, session_id, &form, e).await;
    }
    let link = authorization_link(session_id, &form.solicitacao, &form.dsi, Some("reenviado"));
    Ok(Redirect::to(&link).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "pending.html")]
pub struct PendingPage {
    layout: Layout,
    rows: Vec<(i64, String, String, &'static str, String)>,
}

/// Minhas assinaturas pendentes.
pub async fn pending(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let list = state
        .requests
        .pending_signatures(&actor_of(&user.account))
        .await?;
    Ok(PendingPage {
        layout: Layout::for_user(&user),
        rows: list
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.number.to_string(),
                    format!("{} ({})", r.api_name, r.provider.name),
                    r.request_type.label(),
                    r.requested_volume.to_string(),
                )
            })
            .collect(),
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::authorization_link;

    #[test]
    fn posted_values_cannot_shape_the_link() {
        let digest = "ab".repeat(32);
        assert_eq!(
            authorization_link(7, "42", &digest, None),
            format!("/autorizacao/7?solicitacao=42&dsi={digest}")
        );
        for hostile in ["abc&solicitacao=42#x", "abc\r\nSet-Cookie: x=1", "%0d%0a"] {
            let link = authorization_link(7, "42&x=1", hostile, Some("reenviado"));
            assert_eq!(
                link, "/autorizacao/7?solicitacao=&dsi=&msg=reenviado",
                "{hostile}"
            );
        }
    }
}
