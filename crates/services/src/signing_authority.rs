//! The builtin signature provider's authority (SPEC §7): the installation's CA, made the first
//! time it is needed and kept in the database with its private key sealed under the
//! installation's signing key (`ADESAO_SIGNING_KEY` or its key file); the CA certificate is
//! public (`GET /api/v1/signing/ca.pem`).

use adesao_documents::pki::{self, Issued};
use adesao_store::{Db, signing_keys};

use crate::ServiceError;
use crate::clock::Clock;

const CA_OWNER: &str = "ca";
const CA_NAME: &str = "Adesão - Autoridade Certificadora da instalação";
const ORGANIZATION: &str = "Programa Conecta gov.br";
/// RSA key sizes: the CA's outlives its officials'.
const CA_BITS: usize = 3072;

/// The installation's signing key: 32 bytes that seal every private key at rest.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

#[derive(Debug, Clone)]
pub struct SigningAuthority {
    db: Db,
    key: SigningKey,
    clock: Clock,
}

impl SigningAuthority {
    pub fn new(db: Db, key: SigningKey) -> Self {
        Self {
            db,
            key,
            clock: Clock::system(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The CA certificate, as PEM.
    pub async fn ca_pem(&self) -> Result<String, ServiceError> {
        self.ca().await?.certificate_pem().map_err(internal)
    }

    /// The CA: its certificate and key, made and stored the first time.
    pub async fn ca(&self) -> Result<Issued, ServiceError> {
        let mut conn = self.db.acquire().await?;
        if signing_keys::find(&mut conn, CA_OWNER).await?.is_none() {
            // Generated outside any transaction (a second of CPU): two first uses at once each
            // make one, the first stored wins and both read it.
            let ca = tokio::task::spawn_blocking(|| pki::new_ca(CA_NAME, ORGANIZATION, CA_BITS))
                .await
                .map_err(internal)?
                .map_err(internal)?;
            let (certificate, sealed_key) =
                ca.to_stored(&self.key.0, CA_OWNER).map_err(internal)?;
            let stored = signing_keys::StoredKey {
                certificate,
                sealed_key,
            };
            signing_keys::insert_if_missing(&mut conn, CA_OWNER, &stored, self.clock.now()).await?;
        }
        let stored = signing_keys::find(&mut conn, CA_OWNER)
            .await?
            .ok_or_else(|| internal("the CA was not stored"))?;
        Issued::from_stored(
            &stored.certificate,
            &stored.sealed_key,
            &self.key.0,
            CA_OWNER,
        )
        .map_err(|e| internal(format!("{e} (not the signing key that sealed it?)")))
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("signing authority: {e}"))
}
