//! The builtin signature provider's authority (SPEC §7): the installation's CA, made the first
//! time it is needed and kept in the database with its private key sealed under the
//! installation's signing key (`ADESAO_SIGNING_KEY` or its key file); the CA certificate is
//! public (`GET /api/v1/signing/ca.pem`).

use adesao_documents::pades::Identity;
use adesao_documents::pki::{self, Issued};
use adesao_domain::Cpf;
use adesao_store::{Db, signing_keys};
use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::ServiceError;
use crate::clock::Clock;

const CA_OWNER: &str = "ca";
const CA_NAME: &str = "Adesão - Autoridade Certificadora da instalação";
const ORGANIZATION: &str = "Programa Conecta gov.br";
/// RSA key sizes: the CA's outlives its officials'.
const CA_BITS: usize = 3072;
const OFFICIAL_BITS: usize = 2048;

/// The installation's signing key: 32 bytes that seal every private key at rest.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A random key that dies with the process: keys sealed under it are lost with it. For
    /// services built without the installation's key (tests, tools); the server always has one.
    pub fn ephemeral() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
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
        self.stored_or_made(CA_OWNER.to_owned(), || {
            pki::new_ca(CA_NAME, ORGANIZATION, CA_BITS)
        })
        .await
    }

    /// What the official `user_id` signs with under the builtin provider: a key and a
    /// certificate for `NAME:CPF` issued by the CA the first time, and the CA as its chain. The
    /// certificate keeps the name it was issued with.
    pub async fn official(
        &self,
        user_id: i64,
        name: &str,
        cpf: &Cpf,
        organization: &str,
    ) -> Result<Identity, ServiceError> {
        let ca = self.ca().await?;
        let chain = vec![ca.certificate.clone()];
        let common_name = format!("{name}:{}", cpf.digits());
        let organization = organization.to_owned();
        let official = self
            .stored_or_made(format!("user:{user_id}"), move || {
                // Random serials: unique within the CA without a counter to keep.
                let serial = (OsRng.next_u64() >> 1).max(2);
                pki::issue(&ca, &common_name, &organization, serial, OFFICIAL_BITS)
            })
            .await?;
        Ok(Identity {
            key: official.key,
            certificate: official.certificate,
            chain,
        })
    }

    /// The key stored for `owner`, or one `make` makes and stores first. Made outside any
    /// transaction (a second of CPU): two first uses at once each make one, the first stored
    /// wins and both read it.
    async fn stored_or_made(
        &self,
        owner: String,
        make: impl FnOnce() -> Result<Issued, pki::PkiError> + Send + 'static,
    ) -> Result<Issued, ServiceError> {
        let mut conn = self.db.acquire().await?;
        if signing_keys::find(&mut conn, &owner).await?.is_none() {
            let made = tokio::task::spawn_blocking(make)
                .await
                .map_err(internal)?
                .map_err(internal)?;
            let (certificate, sealed_key) =
                made.to_stored(&self.key.0, &owner).map_err(internal)?;
            let stored = signing_keys::StoredKey {
                certificate,
                sealed_key,
            };
            signing_keys::insert_if_missing(&mut conn, &owner, &stored, self.clock.now()).await?;
        }
        let stored = signing_keys::find(&mut conn, &owner)
            .await?
            .ok_or_else(|| internal(format!("the key of {owner} was not stored")))?;
        Issued::from_stored(&stored.certificate, &stored.sealed_key, &self.key.0, &owner)
            .map_err(|e| internal(format!("{e} (not the signing key that sealed it?)")))
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("signing authority: {e}"))
}
