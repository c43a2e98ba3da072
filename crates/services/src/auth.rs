//! Login with CPF and password, browser sessions, API tokens, and the rate limit on guessing.

use adesao_domain::{Cpf, CpfError};
use adesao_store::auth_failures::{self, Bucket};
use adesao_store::users::{self, Account};
use adesao_store::{Db, StoreError, api_tokens, sessions};
use jiff::{SignedDuration, Timestamp};

use crate::{password, secret};

/// Limits of authentication. The defaults are what the README documents.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// A browser session ends after this long without a request.
    pub session_idle: SignedDuration,
    /// Lifetime of an API token.
    pub token_ttl: SignedDuration,
    /// Window over which failed logins are counted.
    pub failure_window: SignedDuration,
    /// Failed logins allowed per CPF within the window.
    pub max_failures_per_cpf: i64,
    /// Failed logins allowed per client address within the window (several people may share
    /// an agency's address, hence higher).
    pub max_failures_per_ip: i64,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            session_idle: SignedDuration::from_hours(2),
            token_ttl: SignedDuration::from_hours(12),
            failure_window: SignedDuration::from_mins(15),
            max_failures_per_cpf: 5,
            max_failures_per_ip: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("{0}")]
    Cpf(CpfError),
    #[error("Informe a senha.")]
    MissingPassword,
    /// Same message whether the CPF is unknown, the password wrong or the user inactive, so that
    /// the answer does not tell which CPFs have accounts.
    #[error("CPF ou senha incorretos.")]
    WrongCredentials,
    #[error(
        "Muitas tentativas de acesso sem sucesso. Aguarde {minutes} minuto(s) e tente novamente."
    )]
    RateLimited { minutes: i64 },
    #[error("internal error")]
    Store(#[from] StoreError),
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
}

impl AuthService {
    pub fn new(db: Db, policy: AuthPolicy) -> Self {
        Self { db, policy }
    }

    /// Checks CPF and password, counting failures against the CPF and the client address.
    pub async fn authenticate(
        &self,
        cpf_input: &str,
        password: &str,
        client_ip: &str,
    ) -> Result<Account, LoginError> {
        let cpf = Cpf::parse(cpf_input).map_err(LoginError::Cpf)?;
        if password.is_empty() {
            return Err(LoginError::MissingPassword);
        }
        let now = Timestamp::now();
        let mut conn = self.db.acquire().await?;
        self.check_not_limited(
            &mut conn,
            Bucket::Ip,
            client_ip,
            self.policy.max_failures_per_ip,
            now,
        )
        .await?;
        self.check_not_limited(
            &mut conn,
            Bucket::Cpf,
            cpf.digits(),
            self.policy.max_failures_per_cpf,
            now,
        )
        .await?;

        let found = users::find_credentials(&mut conn, &cpf).await?;
        let (user, stored) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let password_ok = password::verify(password.to_owned(), stored).await;
        let account = match user {
            Some(user) if password_ok && user.active => {
                users::find_account(&mut conn, user.id).await?
            }
            _ => None,
        };
        match account {
            Some(account) if account.organization.active => {
                auth_failures::clear(&mut conn, Bucket::Cpf, cpf.digits()).await?;
                Ok(account)
            }
            _ => {
                auth_failures::record(&mut conn, Bucket::Cpf, cpf.digits(), now).await?;
                auth_failures::record(&mut conn, Bucket::Ip, client_ip, now).await?;
                tracing::info!(cpf = %cpf.masked(), ip = client_ip, "failed login");
                Err(LoginError::WrongCredentials)
            }
        }
    }

    async fn check_not_limited(
        &self,
        conn: &mut adesao_store::AnyConnection,
        bucket: Bucket,
        key: &str,
        max: i64,
        now: Timestamp,
    ) -> Result<(), LoginError> {
        let since = now - self.policy.failure_window;
        let (count, oldest) = auth_failures::count_since(conn, bucket, key, since).await?;
        if count < max {
            return Ok(());
        }
        // The window frees a place when its oldest failure leaves it.
        let free_at = oldest.unwrap_or(now) + self.policy.failure_window;
        let secs = (free_at - now).as_secs().max(1);
        tracing::warn!(?bucket, "login rate limit reached");
        Err(LoginError::RateLimited {
            minutes: (secs + 59) / 60,
        })
    }

    /// Opens a browser session for an authenticated account.
    pub async fn open_session(&self, account: &Account) -> Result<NewSession, StoreError> {
        let token = secret::random_token();
        let csrf_token = secret::random_token();
        let now = Timestamp::now();
        let expires_at = now + self.policy.session_idle;
        let mut conn = self.db.acquire().await?;
        sessions::insert(
            &mut conn,
            &secret::token_hash(&token),
            account.user.id,
            &csrf_token,
            now,
            expires_at,
        )
        .await?;
        Ok(NewSession {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The session behind a cookie token, if it is live and its user still may log in. Slides
    /// the idle expiry forward (at most once a minute, to spare the database a write per page).
    pub async fn session(&self, token: &str) -> Result<Option<LiveSession>, StoreError> {
        let now = Timestamp::now();
        let mut conn = self.db.acquire().await?;
        let Some((session, last_seen)) =
            sessions::find_live(&mut conn, &secret::token_hash(token), now).await?
        else {
            return Ok(None);
        };
        let Some(account) = usable_account(&mut conn, session.user_id).await? else {
            return Ok(None);
        };
        if now - last_seen > SignedDuration::from_mins(1) {
            sessions::touch(&mut conn, session.id, now, now + self.policy.session_idle).await?;
        }
        Ok(Some(LiveSession {
            account,
            csrf_token: session.csrf_token,
        }))
    }

    /// Ends the session behind a cookie token (Sair).
    pub async fn close_session(&self, token: &str) -> Result<(), StoreError> {
        let mut conn = self.db.acquire().await?;
        sessions::delete_by_token_hash(&mut conn, &secret::token_hash(token)).await
    }

    /// Issues an API token for an authenticated account.
    pub async fn issue_token(&self, account: &Account) -> Result<(String, Timestamp), StoreError> {
        let token = secret::random_token();
        let now = Timestamp::now();
        let expires_at = now + self.policy.token_ttl;
        let mut conn = self.db.acquire().await?;
        api_tokens::insert(
            &mut conn,
            &secret::token_hash(&token),
            account.user.id,
            now,
            expires_at,
        )
        .await?;
        Ok((token, expires_at))
    }

    /// The account behind a bearer token, if the token is live and the user still may log in.
    pub async fn token_account(&self, token: &str) -> Result<Option<Account>, StoreError> {
        let mut conn = self.db.acquire().await?;
        let user_id =
            api_tokens::find_live_user(&mut conn, &secret::token_hash(token), Timestamp::now())
                .await?;
        match user_id {
            Some(id) => usable_account(&mut conn, id).await,
            None => Ok(None),
        }
    }

    /// Deletes expired sessions, tokens and old login failures; returns how many rows went.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let now = Timestamp::now();
        let mut conn = self.db.acquire().await?;
        let mut n = sessions::delete_expired(&mut conn, now).await?;
        n += api_tokens::delete_expired(&mut conn, now).await?;
        n += auth_failures::delete_before(&mut conn, now - self.policy.failure_window).await?;
        Ok(n)
    }
}

/// An account that may still act: the user and their organization are active.
async fn usable_account(
    conn: &mut adesao_store::AnyConnection,
    user_id: i64,
) -> Result<Option<Account>, StoreError> {
    let account = users::find_account(conn, user_id).await?;
    Ok(account.filter(|a| a.user.active && a.organization.active))
}
