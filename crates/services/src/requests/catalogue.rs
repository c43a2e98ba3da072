//! Reads around requests: the API catalogue and who can sign for an organization.

use adesao_domain::Role;
use adesao_domain::access::Actor;
use adesao_store::apis;
use adesao_store::apis::{Api, AttachmentRequirement};
use adesao_store::organizations::{self, Organization};
use adesao_store::users::{self, Person};

use super::RequestService;
use crate::ServiceError;

/// An API of the catalogue with its provider and attachment requirements.
pub struct CatalogueEntry {
    pub api: Api,
    pub provider: Organization,
    pub requirements: Vec<AttachmentRequirement>,
}

/// What the list's filters offer, as (id, name): every organization by acronym (Solicitante),
/// the APIs of the catalogue by name (API) and their providers by name (Cedente).
pub struct ListChoices {
    pub organizations: Vec<(i64, String)>,
    pub apis: Vec<(i64, String)>,
    pub providers: Vec<(i64, String)>,
}

impl RequestService {
    /// The list page's filter choices in two statements on one connection, reading names only:
    /// the page draws them on every view. The whole catalogue (with the attachment
    /// requirements) on a connection of its own, then whole organizations on another, cost it
    /// a third of its speed (issue 15).
    pub async fn list_choices(&self) -> Result<ListChoices, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let mut names = organizations::names(&mut conn).await?;
        names.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        let apis = apis::list(&mut conn).await?;
        let name_of: std::collections::HashMap<i64, &str> = names
            .iter()
            .map(|(id, _, name)| (*id, name.as_str()))
            .collect();
        let mut providers: Vec<(i64, String)> = apis
            .iter()
            .filter_map(|a| {
                name_of
                    .get(&a.provider_id)
                    .map(|name| (a.provider_id, (*name).to_owned()))
            })
            .collect();
        providers.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        providers.dedup_by_key(|p| p.0);
        Ok(ListChoices {
            organizations: names.into_iter().map(|(id, _, name)| (id, name)).collect(),
            apis: apis.into_iter().map(|a| (a.id, a.name)).collect(),
            providers,
        })
    }

    pub async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, ServiceError> {
        // Three statements however many APIs (the list page draws its filter from this on
        // every view): the APIs, their providers, every requirement.
        let mut conn = self.db.acquire().await?;
        let list = apis::list(&mut conn).await?;
        let providers: std::collections::HashMap<i64, _> = organizations::list(&mut conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let mut requirements = apis::all_requirements(&mut conn).await?;
        let mut out = Vec::new();
        for api in list {
            let provider = providers
                .get(&api.provider_id)
                .cloned()
                .ok_or(ServiceError::NotFound)?;
            let (own, rest) = requirements.into_iter().partition(|r| r.api_id == api.id);
            requirements = rest;
            out.push(CatalogueEntry {
                api,
                provider,
                requirements: own,
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

    /// The volume the actor's organization has been granted for `api_id`, if any: the form
    /// starts a request for such an API as a volume change.
    pub async fn granted_volume(
        &self,
        actor: &Actor,
        api_id: i64,
    ) -> Result<Option<adesao_domain::Volume>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        Ok(
            adesao_store::api_access::current_volume(&mut conn, actor.organization_id, api_id)
                .await?,
        )
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
}
