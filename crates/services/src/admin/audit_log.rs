//! Reading the audit of the administration.

use adesao_domain::FieldIssue;
use adesao_domain::access::Actor;
use adesao_store::audit::{self, Entity, Entry, Filter};

use super::{AdminService, Paged, Paging, paged, require_admin};
use crate::ServiceError;

/// Which entries to read, as typed: `entity` is a code (`organization`, `user`, `api`).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<i64>,
}

impl AdminService {
    /// Everyone who ever changed something (the audit page's filter by actor).
    pub async fn audit_actors(&self, actor: &Actor) -> Result<Vec<(i64, String)>, ServiceError> {
        require_admin(actor)?;
        let mut conn = self.db.acquire().await?;
        Ok(audit::actors(&mut conn).await?)
    }

    /// The audit, newest first, filtered by entity and actor.
    pub async fn audit(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        paging: &Paging,
    ) -> Result<Paged<Entry>, ServiceError> {
        require_admin(actor)?;
        let entity = match query.entity.as_deref() {
            None => None,
            Some(code) => Some(Entity::from_code(code).ok_or_else(|| {
                ServiceError::Invalid(vec![FieldIssue::new(
                    "entity",
                    "Entidade: use organization, user ou api.",
                )])
            })?),
        };
        let filter = Filter {
            entity,
            entity_id: super::filter_id("entity_id", query.entity_id)?,
            actor_id: super::filter_id("actor_id", query.actor_id)?,
        };
        let mut conn = self.db.acquire().await?;
        Ok(paged!(paging, |offset, limit| {
            audit::list(&mut conn, &filter, offset, limit).await?
        }))
    }
}
