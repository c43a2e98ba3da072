//! Órgãos: list with search, create, edit, deactivate.

use adesao_domain::access::Actor;
use adesao_domain::{Cnpj, FieldIssue};
use adesao_store::audit::Entity;
use adesao_store::organizations::{self, Organization, OrganizationFields};
use adesao_store::{AnyConnection, users};

use super::input::required_line;
use super::{AdminService, Diff, Paged, Paging, actions, flag, paged, record, require_admin};
use crate::ServiceError;
use crate::error::ServiceError as E;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_ACRONYM_CHARS: usize = 30;

const DUPLICATE: &str = "Este CNPJ ou esta sigla já estão cadastrados para outro órgão.";

/// An organization as a form or a JSON body gives it: every field optional (a PATCH sends
/// only what changes; a creation needs name, acronym and CNPJ).
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    pub name: Option<String>,
    pub acronym: Option<String>,
    pub cnpj: Option<String>,
    pub provides_apis: Option<bool>,
    pub active: Option<bool>,
}

struct Valid {
    name: String,
    acronym: String,
    cnpj: Cnpj,
    provides_apis: bool,
    active: bool,
}

impl Valid {
    fn fields(&self) -> OrganizationFields<'_> {
        OrganizationFields {
            name: &self.name,
            acronym: &self.acronym,
            cnpj: &self.cnpj,
            provides_apis: self.provides_apis,
            active: self.active,
        }
    }
}

/// Judges `input` over `base` (the organization as it stands, for a PATCH).
fn judge(input: &OrganizationInput, base: Option<&Organization>) -> Result<Valid, ServiceError> {
    let mut issues = Vec::new();
    let name = required_line(
        input.name.as_deref(),
        base.map(|b| b.name.as_str()),
        "name",
        "o nome do órgão",
        MAX_NAME_CHARS,
        &mut issues,
    );
    let acronym = required_line(
        input.acronym.as_deref(),
        base.map(|b| b.acronym.as_str()),
        "acronym",
        "a sigla",
        MAX_ACRONYM_CHARS,
        &mut issues,
    );
    let cnpj = match (&input.cnpj, base) {
        (Some(text), _) => Cnpj::parse(text)
            .map_err(|e| issues.push(FieldIssue::new("cnpj", e.to_string())))
            .ok(),
        (None, Some(b)) => Some(b.cnpj.clone()),
        (None, None) => {
            issues.push(FieldIssue::new("cnpj", "Informe o CNPJ do órgão."));
            None
        }
    };
    match cnpj {
        Some(cnpj) if issues.is_empty() => Ok(Valid {
            name,
            acronym,
            cnpj,
            provides_apis: input
                .provides_apis
                .or(base.map(|b| b.provides_apis))
                .unwrap_or(false),
            active: input.active.or(base.map(|b| b.active)).unwrap_or(true),
        }),
        _ => Err(E::Invalid(issues)),
    }
}

/// CNPJ and acronym are each one organization's (409 beside the field otherwise).
async fn check_unique(
    conn: &mut AnyConnection,
    valid: &Valid,
    id: Option<i64>,
) -> Result<(), ServiceError> {
    let mut issues = Vec::new();
    if let Some(other) = organizations::find_by_cnpj(conn, &valid.cnpj).await?
        && Some(other.id) != id
    {
        issues.push(FieldIssue::new(
            "cnpj",
            format!(
                "Este CNPJ já está cadastrado para o órgão {}.",
                other.acronym
            ),
        ));
    }
    if let Some(other) = organizations::find_by_acronym(conn, &valid.acronym).await?
        && Some(other.id) != id
    {
        issues.push(FieldIssue::new(
            "acronym",
            format!(
                "A sigla {} já é de outro órgão ({}).",
                other.acronym, other.name
            ),
        ));
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(E::Taken(issues))
    }
}

fn diff(before: Option<&Organization>, after: &Valid) -> Diff {
    let mut d = Diff::default();
    d.field(
        "name",
        before.map(|b| b.name.clone()),
        Some(after.name.clone()),
    );
    d.field(
        "acronym",
        before.map(|b| b.acronym.clone()),
        Some(after.acronym.clone()),
    );
    d.field(
        "cnpj",
        before.map(|b| b.cnpj.formatted()),
        Some(after.cnpj.formatted()),
    );
    d.field(
        "provides_apis",
        before.and_then(|b| flag(b.provides_apis)),
        flag(after.provides_apis),
    );
    d.field(
        "active",
        before.and_then(|b| flag(b.active)),
        flag(after.active),
    );
    d
}

impl AdminService {
    /// Organizations whose name, acronym or CNPJ contains `search`, by acronym.
    pub async fn organizations(
        &self,
        actor: &Actor,
        search: Option<&str>,
        paging: &Paging,
    ) -> Result<Paged<Organization>, ServiceError> {
        require_admin(actor)?;
        let search = super::search_text(search)?;
        let mut conn = self.db.acquire().await?;
        Ok(paged!(paging, |offset, limit| {
            organizations::search(&mut conn, search, offset, limit).await?
        }))
    }

    pub async fn organization(&self, actor: &Actor, id: i64) -> Result<Organization, ServiceError> {
        require_admin(actor)?;
        let mut conn = self.db.acquire().await?;
        organizations::find(&mut conn, id).await?.ok_or(E::NotFound)
    }

    pub async fn create_organization(
        &self,
        actor: &Actor,
        input: &OrganizationInput,
    ) -> Result<Organization, ServiceError> {
        require_admin(actor)?;
        let valid = judge(input, None)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        check_unique(&mut tx, &valid, None).await?;
        let id = super::taken_if_duplicate(
            organizations::insert(&mut tx, &valid.fields()).await,
            "cnpj",
            DUPLICATE,
        )?;
        let d = diff(None, &valid);
        record(
            &mut tx,
            now,
            actor,
            Entity::Organization,
            id,
            Some(actions::CREATED),
            &d,
        )
        .await?;
        let created = organizations::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an organization. Deactivating it keeps its users from logging in (and ends
    /// what they have open, at their next request) and keeps it from filing requests; its
    /// history stays readable. The team's own organization, or one whose deactivation would
    /// leave no program admin, cannot be deactivated.
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: i64,
        input: &OrganizationInput,
    ) -> Result<Organization, ServiceError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let before = organizations::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        let valid = judge(input, Some(&before))?;
        check_unique(&mut tx, &valid, Some(id)).await?;
        if before.active && !valid.active {
            if actor.organization_id == id {
                return Err(E::Conflict(
                    "Você não pode desativar o seu próprio órgão: ficaria sem acesso ao sistema."
                        .into(),
                ));
            }
            let admins = users::program_admins(&mut tx, self.clock.today()).await?;
            if admins.iter().all(|a| a.organization_id == id) {
                return Err(E::Conflict(
                    "Este órgão tem os únicos administradores ativos do programa (equipe Conecta): desativá-lo deixaria o sistema sem administração."
                        .into(),
                ));
            }
        }
        if before.provides_apis
            && !valid.provides_apis
            && adesao_store::apis::count_of_provider(&mut tx, id).await? > 0
        {
            return Err(E::taken(
                "provides_apis",
                "O órgão é o cedente de APIs do catálogo: ele continua fornecendo APIs enquanto elas forem dele.",
            ));
        }
        let d = diff(Some(&before), &valid);
        if d.is_empty() {
            return Ok(before);
        }
        super::taken_if_duplicate(
            organizations::update(&mut tx, id, &valid.fields()).await,
            "cnpj",
            DUPLICATE,
        )?;
        record(&mut tx, now, actor, Entity::Organization, id, None, &d).await?;
        let updated = organizations::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }
}

/// Serialises the changes of the registry (organizations, users, APIs), so that two admins
/// saving at once cannot both take the same CNPJ, or both remove one of the last two program
/// admins. Administration is rare; one lock for it all costs nothing.
pub(crate) async fn lock_registry(conn: &mut AnyConnection) -> Result<(), ServiceError> {
    adesao_store::locks::serialize_on(conn, "admin-registry").await?;
    Ok(())
}
