//! Login with CPF and password, browser sessions, API tokens, and the rate limit on guessing.

use adesao_domain::{Cpf, CpfError};
use adesao_store::accounts::{self, Account};
use adesao_store::auth_failures::{self, Bucket};
use adesao_store::users;
use adesao_store::{Db, StoreError, api_tokens, known_devices, locks, sessions};
use jiff::{SignedDuration, Timestamp};

use adesao_domain::FieldIssue;

use crate::{Clock, ServiceError, password, password_rule, secret};

/// Limits of authentication. The defaults are what the README documents.
///
/// Failed logins are counted three ways over [`failure_window`](Self::failure_window), following
/// OWASP's authentication guidance: per CPF *from one client* (a small limit, with a delay that
/// doubles after each failure), per CPF from all clients (a larger ceiling, against guessing
/// from many addresses) and per client (against one client trying many CPFs). A stranger's
/// failures from fewer clients than the ceiling allows lock a CPF only for those clients; and
/// from a browser where its owner logged in before (a known device, remembered by a cookie)
/// only that browser's own failures count, so no attack from elsewhere locks the owner out.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// A browser session ends after this long without a request.
    pub session_idle: SignedDuration,
    /// Lifetime of an API token.
    pub token_ttl: SignedDuration,
    /// Window over which failed logins are counted.
    pub failure_window: SignedDuration,
    /// Failed logins allowed per CPF from one client within the window.
    pub max_failures_per_cpf_client: i64,
    /// Failed logins allowed per CPF from all clients within the window.
    pub max_failures_per_cpf: i64,
    /// Failed logins allowed per client address within the window (several people may share
    /// an agency's address, hence higher).
    pub max_failures_per_ip: i64,
    /// After the first failure of a CPF from a client, the next attempt waits this long, and
    /// twice as long after each further failure.
    pub first_delay: SignedDuration,
    /// How long a browser stays a known device without a login from it.
    pub device_memory: SignedDuration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            session_idle: SignedDuration::from_hours(2),
            token_ttl: SignedDuration::from_hours(12),
            failure_window: SignedDuration::from_mins(15),
            max_failures_per_cpf_client: 5,
            max_failures_per_cpf: 25,
            max_failures_per_ip: 30,
            first_delay: SignedDuration::from_secs(1),
            device_memory: SignedDuration::from_hours(24 * 365),
        }
    }
}

#[derive(Debug, thiserror::Error)]
/// Every failure of [`AuthService`]: the refusals of a login, and the store's (whose text is for
/// logs only).
pub enum AuthError {
    #[error("{0}")]
    Cpf(CpfError),
    #[error("Informe a senha.")]
    MissingPassword,
    /// Same message whether the CPF is unknown, the password wrong or the user inactive, so that
    /// the answer does not tell which CPFs have accounts.
    #[error("CPF ou senha incorretos.")]
    WrongCredentials,
    #[error(
        "Muitas tentativas de acesso sem sucesso. Aguarde {} e tente novamente.",
        wait_text(*retry_after_secs)
    )]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Store(#[from] StoreError),
}

impl From<adesao_store::SqlError> for AuthError {
    fn from(e: adesao_store::SqlError) -> Self {
        AuthError::Store(e.into())
    }
}

/// "1 segundo", "40 segundos", "1 minuto", "15 minutos" (whole minutes from a minute up).
pub fn wait_text(secs: u64) -> String {
    match secs {
        0 | 1 => "1 segundo".to_owned(),
        2..=59 => format!("{secs} segundos"),
        _ => match secs.div_ceil(60) {
            1 => "1 minuto".to_owned(),
            m => format!("{m} minutos"),
        },
    }
}

/// Where a login attempt comes from, besides its credentials.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The client's address as the limits count it (see the web layer's `ClientAddr`).
    pub client: &'a str,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
    /// Whether to remember this browser as a known device when the login succeeds (browsers
    /// yes, API clients no).
    pub remember_device: bool,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct Login {
    pub account: Account,
    /// A new device cookie for a browser not yet known.
    pub device_token: Option<String>,
    /// The hash the password was verified against: a session or token is only opened while it
    /// is still the user's.
    password_hash: String,
}

/// The failure rows an attempt wrote, and the key it was counted under.
struct Counted {
    ids: Vec<i64>,
    pair: String,
}

/// A session just opened: the token goes into the cookie, the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A live browser session with its account.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub account: Account,
    pub csrf_token: String,
}

#[derive(Debug, Clone)]
pub struct AuthService {
    db: Db,
    policy: AuthPolicy,
    clock: Clock,
}

impl AuthService {
    pub fn new(db: Db, policy: AuthPolicy) -> Self {
        Self {
            db,
            policy,
            clock: Clock::system(),
        }
    }

    /// The same service acting at `clock`'s time.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Checks CPF and password. The attempt is counted against the limits *before* the password
    /// is verified, so that a burst of parallel attempts gets no more verifications than the
    /// limits allow; a successful attempt is then uncounted.
    pub async fn authenticate(
        &self,
        cpf_input: &str,
        password: &str,
        attempt: &Attempt<'_>,
    ) -> Result<Login, AuthError> {
        let cpf = Cpf::parse(cpf_input).map_err(AuthError::Cpf)?;
        if password.is_empty() {
            return Err(AuthError::MissingPassword);
        }
        let device = self.known_device(&cpf, attempt.device).await?;
        let counted = self.reserve_attempt(&cpf, attempt.client, device).await?;

        let mut conn = self.db.acquire().await?;
        let found = users::find_credentials(&mut conn, &cpf).await?;
        let (user, stored) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let password_ok = password::verify(password.to_owned(), stored.clone()).await;
        let account = match user {
            Some(user) if password_ok && user.active => {
                accounts::find_account(&mut conn, user.id, self.clock.today()).await?
            }
            _ => None,
        };
        let (Some(account), Some(password_hash)) = (account, stored) else {
            tracing::info!(cpf = %cpf.masked(), client = attempt.client, "failed login");
            return Err(AuthError::WrongCredentials);
        };
        if !account.organization.active {
            tracing::info!(cpf = %cpf.masked(), client = attempt.client, "failed login");
            return Err(AuthError::WrongCredentials);
        }
        // Not a failure after all; and the mistakes made from here before are forgiven.
        auth_failures::delete(&mut conn, &counted.ids).await?;
        auth_failures::clear(&mut conn, Bucket::CpfClient, &counted.pair).await?;
        let now = self.clock.now();
        let device_token = match device {
            Some(id) => {
                known_devices::touch(&mut conn, id, now).await?;
                None
            }
            None if attempt.remember_device => {
                let token = secret::random_token();
                known_devices::insert(&mut conn, &secret::token_hash(&token), account.user.id, now)
                    .await?;
                Some(token)
            }
            None => None,
        };
        Ok(Login {
            account,
            device_token,
            password_hash,
        })
    }

    /// The known device behind a browser's device cookie, if it is one of this CPF's user.
    async fn known_device(&self, cpf: &Cpf, token: Option<&str>) -> Result<Option<i64>, AuthError> {
        let Some(token) = token else { return Ok(None) };
        let mut conn = self.db.acquire().await?;
        let Some((device, owner)) =
            known_devices::find(&mut conn, &secret::token_hash(token)).await?
        else {
            return Ok(None);
        };
        let user = users::id_by_cpf(&mut conn, cpf).await?;
        Ok((user == Some(owner)).then_some(device))
    }

    /// Counts an attempt of `cpf` as a failure unless a limit is already reached: one
    /// transaction, serialised on the client and on the CPF, so that concurrent attempts see
    /// each other. From a known device of the CPF's user, only that device's own failures
    /// count (so no one else's can lock the owner out); otherwise this client's for the CPF,
    /// the CPF's from everywhere and the client's for every CPF.
    async fn reserve_attempt(
        &self,
        cpf: &Cpf,
        client: &str,
        device: Option<i64>,
    ) -> Result<Counted, AuthError> {
        let now = self.clock.now();
        let since = now - self.policy.failure_window;
        let window = self.policy.failure_window;
        let pair = match device {
            Some(id) => format!("{}|device:{id}", cpf.digits()),
            None => format!("{}|{client}", cpf.digits()),
        };
        let mut tx = self.db.begin().await?;
        // Always in this order (client, then CPF), so that two attempts never wait on each other.
        locks::serialize_on(&mut tx, &format!("login-client:{client}")).await?;
        locks::serialize_on(&mut tx, &format!("login-cpf:{}", cpf.digits())).await?;

        let full = |w: &auth_failures::Window, max: i64| {
            (w.count >= max).then(|| w.oldest.unwrap_or(now) + window)
        };
        let by_pair = auth_failures::count_since(&mut tx, Bucket::CpfClient, &pair, since).await?;
        let delayed = by_pair.newest.filter(|_| by_pair.count > 0).map(|newest| {
            let doublings = (by_pair.count - 1).clamp(0, 20) as u32;
            newest + self.policy.first_delay * 2i32.pow(doublings)
        });
        let mut limits = vec![
            full(&by_pair, self.policy.max_failures_per_cpf_client),
            delayed,
        ];
        if device.is_none() {
            let by_client = auth_failures::count_since(&mut tx, Bucket::Ip, client, since).await?;
            let by_cpf =
                auth_failures::count_since(&mut tx, Bucket::Cpf, cpf.digits(), since).await?;
            limits.push(full(&by_client, self.policy.max_failures_per_ip));
            limits.push(full(&by_cpf, self.policy.max_failures_per_cpf));
        }
        let free_at = limits.into_iter().flatten().filter(|at| *at > now).max();
        if let Some(free_at) = free_at {
            let secs = (free_at - now).as_secs().max(1) as u64;
            tracing::warn!(cpf = %cpf.masked(), client, secs, "login attempt refused by the rate limit");
            return Err(AuthError::RateLimited {
                retry_after_secs: secs,
            });
        }
        let mut ids = vec![auth_failures::record(&mut tx, Bucket::CpfClient, &pair, now).await?];
        if device.is_none() {
            ids.push(auth_failures::record(&mut tx, Bucket::Ip, client, now).await?);
            ids.push(auth_failures::record(&mut tx, Bucket::Cpf, cpf.digits(), now).await?);
        }
        tx.commit().await?;
        Ok(Counted { ids, pair })
    }

    /// Opens a browser session for a login; None when the user's password changed since it was
    /// verified (the login then failed after all).
    pub async fn open_session(&self, login: &Login) -> Result<Option<NewSession>, AuthError> {
        let token = secret::random_token();
        let csrf_token = secret::random_token();
        let now = self.clock.now();
        let expires_at = now + self.policy.session_idle;
        let mut conn = self.db.acquire().await?;
        let opened = sessions::insert(
            &mut conn,
            &secret::token_hash(&token),
            login.account.user.id,
            &login.password_hash,
            &csrf_token,
            now,
            expires_at,
        )
        .await?;
        Ok(opened.map(|_| NewSession {
            token,
            csrf_token,
            expires_at,
        }))
    }

    /// The session behind a cookie token, if it is live and its user still may log in. Slides
    /// the idle expiry forward (at most once a minute, to spare the database a write per page).
    pub async fn session(&self, token: &str) -> Result<Option<LiveSession>, AuthError> {
        let now = self.clock.now();
        let mut conn = self.db.acquire().await?;
        let found = accounts::find_account_by_session(
            &mut conn,
            &secret::token_hash(token),
            now,
            self.clock.today(),
        )
        .await?;
        let Some((session, account)) =
            found.filter(|(_, a)| a.user.active && a.organization.active)
        else {
            return Ok(None);
        };
        if now - session.last_seen_at > SignedDuration::from_mins(1) {
            sessions::touch(&mut conn, session.id, now, now + self.policy.session_idle).await?;
        }
        Ok(Some(LiveSession {
            account,
            csrf_token: session.csrf_token,
        }))
    }

    /// Ends the session behind a cookie token (Sair).
    pub async fn close_session(&self, token: &str) -> Result<(), AuthError> {
        let mut conn = self.db.acquire().await?;
        Ok(sessions::delete_by_token_hash(&mut conn, &secret::token_hash(token)).await?)
    }

    /// Issues an API token for a login; None when the user's password changed since it was
    /// verified (the login then failed after all).
    pub async fn issue_token(
        &self,
        login: &Login,
    ) -> Result<Option<(String, Timestamp)>, AuthError> {
        let token = secret::random_token();
        let now = self.clock.now();
        let expires_at = now + self.policy.token_ttl;
        let mut conn = self.db.acquire().await?;
        let issued = api_tokens::insert(
            &mut conn,
            &secret::token_hash(&token),
            login.account.user.id,
            &login.password_hash,
            now,
            expires_at,
        )
        .await?;
        Ok(issued.map(|_| (token, expires_at)))
    }

    /// The account behind a bearer token, if the token is live and the user still may log in.
    pub async fn token_account(&self, token: &str) -> Result<Option<Account>, AuthError> {
        let mut conn = self.db.acquire().await?;
        let account = accounts::find_account_by_token(
            &mut conn,
            &secret::token_hash(token),
            self.clock.now(),
            self.clock.today(),
        )
        .await?;
        Ok(account.filter(|a| a.user.active && a.organization.active))
    }

    /// Revokes the API token `token` (`DELETE /api/v1/auth/token`); true when it was live.
    pub async fn revoke_token(&self, token: &str) -> Result<bool, AuthError> {
        let mut conn = self.db.acquire().await?;
        Ok(api_tokens::delete_by_token_hash(&mut conn, &secret::token_hash(token)).await?)
    }

    /// Sets a user's password and, in the same transaction, ends every browser session and API
    /// token of theirs: whoever held the old password loses what it opened. False when there is
    /// no such user.
    pub async fn set_password(&self, user_id: i64, new_password: &str) -> Result<bool, AuthError> {
        let hash = password::hash(new_password.to_owned()).await;
        let mut tx = self.db.begin().await?;
        if !users::set_password_hash(&mut tx, user_id, &hash).await? {
            return Ok(false);
        }
        let sessions = sessions::delete_for_user(&mut tx, user_id).await?;
        let tokens = api_tokens::delete_for_user(&mut tx, user_id).await?;
        tx.commit().await?;
        tracing::info!(
            user_id,
            sessions,
            tokens,
            "password changed; sessions and tokens ended"
        );
        Ok(true)
    }

    /// Minha conta: the user changes their own password, giving the current one. The attempt
    /// is counted against the login limits (a stolen session must not become a way to guess
    /// the password), the new password must pass [`password_rule`], and on success every
    /// session and token of the user ends, this one included: they log in again with it.
    pub async fn change_own_password(
        &self,
        account: &Account,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<(), ServiceError> {
        let mut issues = Vec::new();
        if current.is_empty() {
            issues.push(FieldIssue::new(
                "current_password",
                "Informe a senha atual.",
            ));
        }
        let personal = [
            account.user.name.as_str(),
            account.user.cpf.digits(),
            account.user.email.as_str(),
        ];
        if let Err(message) = password_rule::check(new, &personal) {
            issues.push(FieldIssue::new("new_password", message));
        } else if new == current {
            issues.push(FieldIssue::new(
                "new_password",
                "A nova senha deve ser diferente da atual.",
            ));
        }
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        let cpf = &account.user.cpf;
        let counted = self
            .reserve_attempt(cpf, client, None)
            .await
            .map_err(|e| match e {
                AuthError::RateLimited { retry_after_secs } => ServiceError::RateLimited {
                    message: e.to_string(),
                    retry_after_secs,
                },
                AuthError::Store(e) => ServiceError::Store(e),
                other => ServiceError::Internal(other.to_string()),
            })?;
        let stored = {
            let mut conn = self.db.acquire().await?;
            users::find_credentials(&mut conn, cpf)
                .await?
                .map(|(_, h)| h)
        };
        if !password::verify(current.to_owned(), stored).await {
            tracing::info!(
                user_id = account.user.id,
                "wrong current password on a password change"
            );
            return Err(ServiceError::invalid(
                "current_password",
                "A senha atual não confere.",
            ));
        }
        {
            let mut conn = self.db.acquire().await?;
            auth_failures::delete(&mut conn, &counted.ids).await?;
        }
        self.set_password(account.user.id, new)
            .await
            .map_err(|e| match e {
                AuthError::Store(e) => ServiceError::Store(e),
                other => ServiceError::Internal(other.to_string()),
            })?;
        Ok(())
    }

    /// Deletes expired sessions, tokens and old login failures; returns how many rows went.
    pub async fn purge_expired(&self) -> Result<u64, AuthError> {
        let now = self.clock.now();
        let mut conn = self.db.acquire().await?;
        let mut n = sessions::delete_expired(&mut conn, now).await?;
        n += api_tokens::delete_expired(&mut conn, now).await?;
        n += auth_failures::delete_before(&mut conn, now - self.policy.failure_window).await?;
        n += known_devices::delete_unused_since(&mut conn, now - self.policy.device_memory).await?;
        Ok(n)
    }
}
