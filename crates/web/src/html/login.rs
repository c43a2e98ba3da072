//! Entrar (login with CPF and password) and Sair (logout).

use adesao_services::secret::random_token;
use adesao_services::{Attempt, AuthError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::extract::PageQuery;
use super::{FormError, Layout, PageError};
use crate::client::ClientAddr;
use crate::csrf::{CsrfForm, PlainForm, check_origin, tokens_match};
use crate::session::{CurrentUser, safe_next};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    layout: Layout,
    csrf_token: String,
    next: Option<String>,
    cpf: String,
    cpf_error: Option<String>,
    password_error: Option<String>,
    errors: Vec<FormError>,
    notice: Option<&'static str>,
}

impl LoginPage {
    fn new(csrf_token: String, next: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous(),
            csrf_token,
            next,
            cpf: String::new(),
            cpf_error: None,
            password_error: None,
            errors: Vec::new(),
            notice: None,
        }
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    saiu: Option<String>,
    /// Back from a password change, which ended every session.
    senha: Option<String>,
}

/// The login form, with a fresh double-submit token in a cookie and in the form.
pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    jar: CookieJar,
    PageQuery(query): PageQuery<LoginQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if user.is_some() {
        return Redirect::to(next.as_deref().unwrap_or("/")).into_response();
    }
    let token = random_token();
    let mut page = LoginPage::new(token.clone(), next);
    page.notice = if query.senha.is_some() {
        Some("Senha alterada. Entre com a nova senha.")
    } else if query.saiu.is_some() {
        Some("Você saiu do sistema.")
    } else {
        None
    };
    (jar.add(login_csrf_cookie(&state, token)), page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    cpf: String,
    #[serde(default)]
    password: String,
    csrf_token: Option<String>,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    PlainForm(form): PlainForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let expected = jar
        .get(state.cookies.login_csrf_cookie())
        .map(|c| c.value().to_owned());
    let fresh = random_token();
    let mut page = LoginPage::new(fresh.clone(), next.clone());
    page.cpf = form.cpf.clone();
    let jar = jar.add(login_csrf_cookie(&state, fresh));

    let token_ok = expected.is_some_and(|e| tokens_match(form.csrf_token.as_deref(), &e));
    if check_origin(&headers).is_err() || !token_ok {
        page.errors.push(FormError::general(
            "O formulário expirou. Informe novamente seu CPF e sua senha.",
        ));
        return (StatusCode::FORBIDDEN, jar, page).into_response();
    }

    let device = jar
        .get(state.cookies.device_cookie())
        .map(|c| c.value().to_owned());
    let attempt = Attempt {
        client: &client,
        device: device.as_deref(),
        remember_device: true,
    };
    let opened = match state
        .auth
        .authenticate(&form.cpf, &form.password, &attempt)
        .await
    {
        Ok(login) => state
            .auth
            .open_session(&login)
            .await
            .map(|session| session.map(|s| (login, s))),
        Err(e @ AuthError::Store(_)) => Err(e),
        Err(e) => return refused(page, jar, e),
    };
    let (login, session) = match opened {
        Ok(Some(opened)) => opened,
        // The password changed between its check and the session: it no longer holds.
        Ok(None) => return refused(page, jar, AuthError::WrongCredentials),
        Err(e) => return PageError::from(e).into_response(),
    };
    tracing::info!(user_id = login.account.user.id, "login");
    let cookie = Cookie::build((state.cookies.session_cookie(), session.token))
        .path("/")
        .http_only(true)
        .secure(state.cookies.secure)
        .same_site(SameSite::Lax)
        .build();
    let mut jar = jar
        .remove(removal(&state, state.cookies.login_csrf_cookie()))
        .add(cookie);
    if let Some(token) = login.device_token {
        // Remembers this browser, so that failures from elsewhere never lock its owner out.
        jar = jar.add(
            Cookie::build((state.cookies.device_cookie(), token))
                .path("/")
                .http_only(true)
                .secure(state.cookies.secure)
                .same_site(SameSite::Strict)
                .max_age(cookie::time::Duration::days(365))
                .build(),
        );
    }
    (jar, Redirect::to(next.as_deref().unwrap_or("/"))).into_response()
}

/// The login page again, with the refusal next to its field.
fn refused(mut page: LoginPage, jar: CookieJar, e: AuthError) -> Response {
    let message = e.to_string();
    let status = match &e {
        AuthError::Cpf(_) => {
            page.cpf_error = Some(message.clone());
            page.errors.push(FormError::field("cpf", message));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AuthError::MissingPassword => {
            page.password_error = Some(message.clone());
            page.errors.push(FormError::field("password", message));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AuthError::RateLimited { .. } => {
            page.errors.push(FormError::general(message));
            StatusCode::TOO_MANY_REQUESTS
        }
        _ => {
            page.errors.push(FormError::field("cpf", message));
            StatusCode::UNAUTHORIZED
        }
    };
    (status, jar, page).into_response()
}

#[derive(Deserialize)]
pub struct LogoutForm {}

/// Sair: ends the session on the server and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm {
        user,
        form: LogoutForm {},
    }: CsrfForm<LogoutForm>,
) -> Response {
    if let Err(e) = state.auth.close_session(&user.session_token).await {
        return PageError::from(e).into_response();
    }
    tracing::info!(user_id = user.account.user.id, "logout");
    let jar = jar.remove(removal(&state, state.cookies.session_cookie()));
    (jar, Redirect::to("/login?saiu=1")).into_response()
}

/// The cookie that deletes `name`: with the attributes it was set with, since browsers ignore a
/// deletion of a `Secure` (and `__Host-`) cookie that is not itself `Secure`.
fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    Cookie::build(name)
        .path("/")
        .http_only(true)
        .secure(state.cookies.secure)
        .same_site(SameSite::Lax)
        .build()
}

fn login_csrf_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((state.cookies.login_csrf_cookie(), token))
        .path("/")
        .http_only(true)
        .secure(state.cookies.secure)
        .same_site(SameSite::Strict)
        .build()
}
