//! Reads around requests: the API catalogue, who can sign for an organization, the outbox.

use adesao_domain::Role;
use adesao_domain::access::Actor;
use adesao_store::apis;
use adesao_store::apis::{Api, AttachmentRequirement};
use adesao_store::organizations::{self, Organization};
use adesao_store::outbox::{self, OutboxMessage};
use adesao_store::users::{self, Person};

use super::{ListPage, RequestService};
use crate::ServiceError;

/// An API of the catalogue with its provider and attachment requirements.
pub struct CatalogueEntry {
    pub api: Api,
    pub provider: Organization,
    pub requirements: Vec<AttachmentRequirement>,
}

impl RequestService {
    pub async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let mut out = Vec::new();
        for api in apis::list(&mut conn).await? {
            let provider = organizations::find(&mut conn, api.provider_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let requirements = apis::requirements(&mut conn, api.id).await?;
            out.push(CatalogueEntry {
                api,
                provider,
                requirements,
            });
        }
        Ok(out)
    }

    pub async fn catalogue_entry(&self, api_id: i64) -> Result<CatalogueEntry, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let api = apis::find(&mut conn, api_id)
            .await?
            .filter(|a| a.active)
            .ok_or(ServiceError::NotFound)?;
        let provider = organizations::find(&mut conn, api.provider_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let requirements = apis::requirements(&mut conn, api.id).await?;
        Ok(CatalogueEntry {
            api,
            provider,
            requirements,
        })
    }

    pub async fn organizations(&self) -> Result<Vec<Organization>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        Ok(organizations::list(&mut conn).await?)
    }

    /// Users who can sign for an organization (Dirigentes de TI and Responsáveis Técnicos):
    /// visible to its own users and to the program team.
    pub async fn signatories(
        &self,
        actor: &Actor,
        organization_id: i64,
    ) -> Result<Vec<Person>, ServiceError> {
        if actor.organization_id != organization_id && !actor.has(Role::ProgramAdmin) {
            return Err(ServiceError::NotFound);
        }
        let mut conn = self.db.acquire().await?;
        if organizations::find(&mut conn, organization_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound);
        }
        Ok(users::with_roles(
            &mut conn,
            organization_id,
            &[Role::ItDirector, Role::TechnicalLead],
            self.clock.today(),
        )
        .await?)
    }

    /// The outbox, newest first: program admins only (it holds signing codes). `page` and
    /// `per_page` as asked (the defaults when absent: page 1 of `default_per_page`).
    pub async fn outbox(
        &self,
        actor: &Actor,
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
    ) -> Result<(Vec<OutboxMessage>, i64, i64), ServiceError> {
        if !actor.has(Role::ProgramAdmin) {
            return Err(ServiceError::Forbidden(
                "Apenas a equipe Conecta pode consultar as mensagens enviadas.".into(),
            ));
        }
        let mut issues = Vec::new();
        let (page, per_page) = ListPage::paging(page, per_page, default_per_page, &mut issues);
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        let offset = (page - 1) * per_page;
        let mut conn = self.db.acquire().await?;
        let items = outbox::list(&mut conn, offset, per_page).await?;
        Ok((items, page, per_page))
    }
}
