//! Usuários: list with search, create (with a first password), edit, roles with their periods,
//! a new password, deactivate.

use adesao_domain::access::Actor;
use adesao_domain::role_grant::parse_date;
use adesao_domain::{Cpf, Email, FieldIssue, Mobile, Role, RoleGrant};
use adesao_store::audit::Entity;
use adesao_store::organizations::{self, Organization};
use adesao_store::users::{self, Listed, NewUser, UserFields};
use adesao_store::{AnyConnection, api_tokens, sessions};

use super::input::required_line;
use super::organizations::lock_registry;
use super::{AdminService, Diff, Paged, Paging, actions, flag, paged, record, require_admin};
use crate::error::ServiceError as E;
use crate::{ServiceError, password, password_rule};

pub const MAX_NAME_CHARS: usize = 200;

const DUPLICATE_CPF: &str = "Este CPF já está cadastrado para outro usuário.";

/// A role with its period as typed: dates `YYYY-MM-DD` or blank.
#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    pub role: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// A user as a form or a JSON body gives it: every field optional (a PATCH sends only what
/// changes). `roles`, when given, is the whole new set. `password` sets a new password (the
/// first one on creation, where it is required).
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub cpf: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub organization_id: Option<i64>,
    pub roles: Option<Vec<RoleInput>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// The issue field of a role's period, so that a form shows it beside that role's dates.
pub fn period_field(role: Role) -> &'static str {
    match role {
        Role::Manager => "roles.manager",
        Role::ItDirector => "roles.it_director",
        Role::TechnicalLead => "roles.technical_lead",
        Role::ProviderAnalyst => "roles.provider_analyst",
        Role::ProgramAdmin => "roles.program_admin",
    }
}

/// The roles as they read in the audit: "Gestor; Dirigente de TI (até 31/12/2026)".
pub fn grants_text(grants: &[RoleGrant]) -> String {
    if grants.is_empty() {
        return "nenhum".to_owned();
    }
    grants
        .iter()
        .map(|g| match g.period_text() {
            p if p.is_empty() => g.role.label().to_owned(),
            p => format!("{} ({p})", g.role.label()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Roles as typed, judged: known codes, each once, periods that are dates with the end not
/// before the start.
pub fn judge_roles(input: &[RoleInput], issues: &mut Vec<FieldIssue>) -> Vec<RoleGrant> {
    let mut grants: Vec<RoleGrant> = Vec::new();
    for r in input {
        let Ok(role) = r.role.trim().parse::<Role>() else {
            issues.push(FieldIssue::new(
                "roles",
                format!(
                    "Papel desconhecido: “{}”. Use manager, it_director, technical_lead, provider_analyst ou program_admin.",
                    r.role.chars().take(40).collect::<String>()
                ),
            ));
            continue;
        };
        if grants.iter().any(|g| g.role == role) {
            issues.push(FieldIssue::new(
                "roles",
                format!("O papel {} foi informado mais de uma vez.", role.label()),
            ));
            continue;
        }
        let field = period_field(role);
        let date = |text: &Option<String>, issues: &mut Vec<FieldIssue>| {
            parse_date(text.as_deref().unwrap_or("")).unwrap_or_else(|e| {
                issues.push(FieldIssue::new(field, format!("{}: {e}", role.label())));
                None
            })
        };
        let starts_on = date(&r.starts_on, issues);
        let ends_on = date(&r.ends_on, issues);
        match RoleGrant::new(role, starts_on, ends_on) {
            Ok(g) => grants.push(g),
            Err(e) => issues.push(FieldIssue::new(field, format!("{}: {e}", role.label()))),
        }
    }
    grants.sort();
    grants
}

struct Valid {
    cpf: Cpf,
    name: String,
    email: Email,
    mobile: Mobile,
    organization: Organization,
    grants: Vec<RoleGrant>,
    active: bool,
    password: Option<String>,
}

impl Valid {
    fn fields(&self) -> UserFields<'_> {
        UserFields {
            organization_id: self.organization.id,
            cpf: &self.cpf,
            name: &self.name,
            email: self.email.as_str(),
            mobile: &self.mobile,
            active: self.active,
        }
    }
}

/// Judges `input` over `base` (the user as they stand, for a PATCH). `password_required` on
/// creation.
async fn judge(
    conn: &mut AnyConnection,
    input: &UserInput,
    base: Option<&Listed>,
) -> Result<Valid, ServiceError> {
    let mut issues = Vec::new();
    let cpf = match (&input.cpf, base) {
        (Some(text), _) => Cpf::parse(text)
            .map_err(|e| issues.push(FieldIssue::new("cpf", e.to_string())))
            .ok(),
        (None, Some(b)) => Some(b.user.cpf.clone()),
        (None, None) => {
            issues.push(FieldIssue::new("cpf", "Informe o CPF."));
            None
        }
    };
    let name = required_line(
        input.name.as_deref(),
        base.map(|b| b.user.name.as_str()),
        "name",
        "o nome",
        MAX_NAME_CHARS,
        &mut issues,
    );
    let email = Email::parse(
        input
            .email
            .as_deref()
            .or(base.map(|b| b.user.email.as_str()))
            .unwrap_or(""),
    )
    .map_err(|e| issues.push(FieldIssue::new("email", e.to_string())))
    .ok();
    let mobile = match (&input.mobile, base) {
        (Some(text), _) => Mobile::parse(text)
            .map_err(|e| issues.push(FieldIssue::new("mobile", e.to_string())))
            .ok(),
        (None, Some(b)) => Some(b.user.mobile.clone()),
        (None, None) => {
            issues.push(FieldIssue::new(
                "mobile",
                "Informe o celular, para onde vão os códigos de assinatura.",
            ));
            None
        }
    };
    let organization = match (input.organization_id, base) {
        (Some(id), _) => {
            let found = organizations::find(conn, id).await?;
            if found.is_none() {
                issues.push(FieldIssue::new(
                    "organization_id",
                    "Selecione um órgão cadastrado.",
                ));
            }
            found
        }
        (None, Some(b)) => Some(b.organization.clone()),
        (None, None) => {
            issues.push(FieldIssue::new("organization_id", "Selecione o órgão."));
            None
        }
    };
    let grants = match (&input.roles, base) {
        (Some(roles), _) => judge_roles(roles, &mut issues),
        (None, Some(b)) => b.grants.clone(),
        (None, None) => Vec::new(),
    };
    if let Some(org) = &organization
        && !org.provides_apis
        && grants.iter().any(|g| g.role == Role::ProviderAnalyst)
        && input.roles.is_some()
    {
        issues.push(FieldIssue::new(
            "roles",
            format!(
                "Analista do cedente só pode ser atribuído a usuários de órgãos que fornecem APIs; {} não fornece.",
                org.acronym
            ),
        ));
    }
    let password = match (&input.password, base) {
        (Some(p), _) => {
            let personal: Vec<&str> = [
                Some(name.as_str()),
                cpf.as_ref().map(|c| c.digits()),
                email.as_ref().map(|e| e.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Err(message) = password_rule::check(p, &personal) {
                issues.push(FieldIssue::new("password", message));
            }
            Some(p.clone())
        }
        (None, Some(_)) => None,
        (None, None) => {
            issues.push(FieldIssue::new(
                "password",
                "Defina a primeira senha do usuário.",
            ));
            None
        }
    };
    match (cpf, email, mobile, organization) {
        (Some(cpf), Some(email), Some(mobile), Some(organization)) if issues.is_empty() => {
            Ok(Valid {
                cpf,
                name,
                email,
                mobile,
                organization,
                grants,
                active: input.active.or(base.map(|b| b.user.active)).unwrap_or(true),
                password,
            })
        }
        _ => Err(E::Invalid(issues)),
    }
}

fn diff(before: Option<&Listed>, after: &Valid) -> Diff {
    let mut d = Diff::default();
    d.field(
        "cpf",
        before.map(|b| b.user.cpf.formatted()),
        Some(after.cpf.formatted()),
    );
    d.field(
        "name",
        before.map(|b| b.user.name.clone()),
        Some(after.name.clone()),
    );
    d.field(
        "email",
        before.map(|b| b.user.email.clone()),
        Some(after.email.to_string()),
    );
    d.field(
        "mobile",
        before.map(|b| b.user.mobile.to_string()),
        Some(after.mobile.to_string()),
    );
    d.field(
        "organization",
        before.map(|b| b.organization.acronym.clone()),
        Some(after.organization.acronym.clone()),
    );
    d.field(
        "roles",
        before.map(|b| grants_text(&b.grants)),
        Some(grants_text(&after.grants)),
    );
    d.field(
        "active",
        before.and_then(|b| flag(b.user.active)),
        flag(after.active),
    );
    if after.password.is_some() {
        // That it changed, never the value nor the hash.
        d.field("password", None, Some("redefinida".to_owned()));
    }
    d
}

impl AdminService {
    /// Users whose name or CPF, or whose organization's acronym or name, contains `search`;
    /// optionally of one organization; by name.
    pub async fn users(
        &self,
        actor: &Actor,
        search: Option<&str>,
        organization_id: Option<i64>,
        paging: &Paging,
    ) -> Result<Paged<Listed>, ServiceError> {
        require_admin(actor)?;
        let search = super::search_text(search)?;
        let organization_id = super::filter_id("organization_id", organization_id)?;
        let mut conn = self.db.acquire().await?;
        Ok(paged!(paging, |offset, limit| {
            users::search(&mut conn, search, organization_id, offset, limit).await?
        }))
    }

    pub async fn user(&self, actor: &Actor, id: i64) -> Result<Listed, ServiceError> {
        require_admin(actor)?;
        let mut conn = self.db.acquire().await?;
        users::find_listed(&mut conn, id).await?.ok_or(E::NotFound)
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &UserInput,
    ) -> Result<Listed, ServiceError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let valid = {
            let mut conn = self.db.acquire().await?;
            judge(&mut conn, input, None).await?
        };
        // Hash before the transaction: it is slow on purpose, and the write lock should not be.
        let hash = password::hash(valid.password.clone().unwrap_or_default()).await;
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let valid = judge(&mut tx, input, None).await?;
        check_unique(&mut tx, &valid.cpf, None).await?;
        let id = super::taken_if_duplicate(
            users::insert(
                &mut tx,
                &NewUser {
                    organization_id: valid.organization.id,
                    cpf: &valid.cpf,
                    name: &valid.name,
                    email: valid.email.as_str(),
                    mobile: &valid.mobile,
                    password_hash: &hash,
                },
            )
            .await,
            "cpf",
            DUPLICATE_CPF,
        )?;
        users::set_grants(&mut tx, id, &valid.grants).await?;
        if !valid.active {
            super::taken_if_duplicate(
                users::update(&mut tx, id, &valid.fields()).await,
                "cpf",
                DUPLICATE_CPF,
            )?;
        }
        let mut d = diff(None, &valid);
        d.0.retain(|c| c.field != "password");
        record(
            &mut tx,
            now,
            actor,
            Entity::User,
            id,
            Some(actions::CREATED),
            &d,
        )
        .await?;
        let created = users::find_listed(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a user. Deactivation or a new password ends their sessions and API tokens at
    /// once; a role's period counts from the next request on. No admin can deactivate
    /// themselves, drop their own program admin role or set their own password here (that is
    /// "Minha conta"), and the last program admin who can act keeps the role.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        input: &UserInput,
    ) -> Result<Listed, ServiceError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let hash = match &input.password {
            Some(p) if password_rule::check(p, &[]).is_ok() => {
                Some(password::hash(p.clone()).await)
            }
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let before = users::find_listed(&mut tx, id).await?.ok_or(E::NotFound)?;
        let valid = judge(&mut tx, input, Some(&before)).await?;
        check_unique(&mut tx, &valid.cpf, Some(id)).await?;
        let counts_as_admin = |v: &Valid| {
            v.active
                && v.organization.active
                && v.grants
                    .iter()
                    .any(|g| g.role == Role::ProgramAdmin && g.counts_on(today))
        };
        let was_admin = before.user.active
            && before.organization.active
            && before
                .grants
                .iter()
                .any(|g| g.role == Role::ProgramAdmin && g.counts_on(today));
        if id == actor.user_id {
            if !valid.active {
                return Err(E::Conflict(
                    "Você não pode desativar a sua própria conta.".into(),
                ));
            }
            if valid.password.is_some() {
                return Err(E::invalid(
                    "password",
                    "Para trocar a sua própria senha, use Minha conta (é preciso informar a senha atual).",
                ));
            }
            if was_admin && !counts_as_admin(&valid) {
                return Err(E::Conflict(
                    "Você não pode retirar o seu próprio papel de Equipe Conecta: peça a outro administrador."
                        .into(),
                ));
            }
        }
        if was_admin && !counts_as_admin(&valid) {
            let admins = users::program_admins(&mut tx, today).await?;
            if admins.iter().all(|a| a.user_id == id) {
                return Err(E::Conflict(
                    "Este é o último administrador ativo do programa (Equipe Conecta): ele não pode perder o papel nem ser desativado."
                        .into(),
                ));
            }
        }
        let d = diff(Some(&before), &valid);
        if d.is_empty() {
            return Ok(before);
        }
        super::taken_if_duplicate(
            users::update(&mut tx, id, &valid.fields()).await,
            "cpf",
            DUPLICATE_CPF,
        )?;
        users::set_grants(&mut tx, id, &valid.grants).await?;
        let ends_access = before.user.active && !valid.active;
        if let Some(p) = &valid.password {
            let hash = match hash {
                Some(h) => h,
                None => password::hash(p.clone()).await,
            };
            users::set_password_hash(&mut tx, id, &hash).await?;
        }
        if ends_access || valid.password.is_some() {
            let s = sessions::delete_for_user(&mut tx, id).await?;
            let t = api_tokens::delete_for_user(&mut tx, id).await?;
            tracing::info!(
                user_id = id,
                sessions = s,
                tokens = t,
                "sessions and tokens ended by an admin"
            );
        }
        let action = match d.0.as_slice() {
            [only] if only.field == "password" => Some(actions::PASSWORD_SET),
            _ => None,
        };
        record(&mut tx, now, actor, Entity::User, id, action, &d).await?;
        let updated = users::find_listed(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }
}

async fn check_unique(
    conn: &mut AnyConnection,
    cpf: &Cpf,
    id: Option<i64>,
) -> Result<(), ServiceError> {
    match users::id_by_cpf(conn, cpf).await? {
        Some(other) if Some(other) != id => Err(E::taken("cpf", DUPLICATE_CPF)),
        _ => Ok(()),
    }
}
