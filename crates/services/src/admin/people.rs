//! What a requester's manager sees of their own organization: its people and their roles with
//! the periods (read-only; changes are asked of the programme).

use adesao_domain::access::Actor;
use adesao_domain::{Role, RoleGrant};
use adesao_store::organizations::{self, Organization};
use adesao_store::users::{self, Listed};

use super::AdminService;
use crate::ServiceError;

pub struct OrganizationPeople {
    pub organization: Organization,
    pub people: Vec<Listed>,
}

/// The most people one organization's page lists (no agency has more officials than this).
const MAX_PEOPLE: i64 = 1_000;

impl AdminService {
    /// The acting user's own roles with their periods, current or not (Minha conta).
    pub async fn own_grants(&self, actor: &Actor) -> Result<Vec<RoleGrant>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        Ok(users::grants(&mut conn, actor.user_id).await?)
    }

    /// The people of organization `id`, for its own managers and the program team; 404 for
    /// anyone else, so that other organizations' people stay private.
    pub async fn organization_people(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<OrganizationPeople, ServiceError> {
        let own_manager = actor.organization_id == id && actor.has(Role::Manager);
        if !own_manager && !actor.has(Role::ProgramAdmin) {
            return Err(ServiceError::NotFound);
        }
        let mut conn = self.db.acquire().await?;
        let organization = organizations::find(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (people, _) = users::search(&mut conn, None, Some(id), 0, MAX_PEOPLE).await?;
        Ok(OrganizationPeople {
            organization,
            people,
        })
    }
}
