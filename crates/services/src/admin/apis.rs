//! The API catalogue: create, edit, close to new requests, deactivate; the attachments each API
//! asks for, and their model files (ODF, PDF or Word, judged by content).

use adesao_documents::model::{self, ModelKind};
use adesao_domain::access::Actor;
use adesao_domain::filename::sanitize_file_name;
use adesao_domain::{AttachmentKind, FieldIssue};
use adesao_store::AnyConnection;
use adesao_store::apis::{self, Api, ApiFields, AttachmentRequirement, ModelFile};
use adesao_store::audit::Entity;
use adesao_store::organizations::{self, Organization};

use super::input::{optional_text, required_line};
use super::organizations::lock_registry;
use super::{AdminService, Diff, Paged, Paging, actions, flag, paged, record, require_admin};
use crate::ServiceError;
use crate::error::ServiceError as E;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;

const DUPLICATE_NAME: &str = "O órgão cedente já tem uma API com este nome.";

/// An attachment the API asks for, as typed.
#[derive(Debug, Clone, Default)]
pub struct RequirementInput {
    pub kind: String,
    pub mandatory: bool,
}

/// An API as a form or a JSON body gives it: every field optional (a PATCH sends only what
/// changes). `requirements`, when given, is the whole new set.
#[derive(Debug, Clone, Default)]
pub struct ApiInput {
    pub provider_id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub accepting_requests: Option<bool>,
    pub active: Option<bool>,
    pub requirements: Option<Vec<RequirementInput>>,
}

/// An API with its provider and what it asks for.
#[derive(Debug, Clone)]
pub struct ApiDetail {
    pub api: Api,
    pub provider: Organization,
    pub requirements: Vec<AttachmentRequirement>,
}

struct Valid {
    provider: Organization,
    name: String,
    description: String,
    accepting_requests: bool,
    active: bool,
    requirements: Option<Vec<(AttachmentKind, bool)>>,
}

impl Valid {
    fn fields(&self) -> ApiFields<'_> {
        ApiFields {
            provider_id: self.provider.id,
            name: &self.name,
            description: &self.description,
            accepting_requests: self.accepting_requests,
            active: self.active,
        }
    }
}

fn requirements_text(list: &[(AttachmentKind, bool)]) -> String {
    if list.is_empty() {
        return "nenhum".to_owned();
    }
    list.iter()
        .map(|(k, m)| {
            format!(
                "{} ({})",
                k.label(),
                if *m { "obrigatório" } else { "opcional" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn judge(
    conn: &mut AnyConnection,
    input: &ApiInput,
    base: Option<&ApiDetail>,
) -> Result<Valid, ServiceError> {
    let mut issues = Vec::new();
    let provider = match (input.provider_id, base) {
        (Some(id), _) => match organizations::find(conn, id).await? {
            Some(o) if o.provides_apis => Some(o),
            Some(o) => {
                issues.push(FieldIssue::new(
                    "provider_id",
                    format!(
                        "O órgão {} não está marcado como fornecedor de APIs. Marque “Fornece APIs” no cadastro do órgão ou escolha outro.",
                        o.acronym
                    ),
                ));
                None
            }
            None => {
                issues.push(FieldIssue::new(
                    "provider_id",
                    "Selecione um órgão cedente cadastrado.",
                ));
                None
            }
        },
        (None, Some(b)) => Some(b.provider.clone()),
        (None, None) => {
            issues.push(FieldIssue::new("provider_id", "Selecione o órgão cedente."));
            None
        }
    };
    let name = required_line(
        input.name.as_deref(),
        base.map(|b| b.api.name.as_str()),
        "name",
        "o nome da API",
        MAX_NAME_CHARS,
        &mut issues,
    );
    let description = optional_text(
        input.description.as_deref(),
        base.map(|b| b.api.description.as_str()),
        "description",
        "a descrição",
        MAX_DESCRIPTION_CHARS,
        &mut issues,
    );
    let requirements = input.requirements.as_ref().map(|list| {
        let mut out: Vec<(AttachmentKind, bool)> = Vec::new();
        for r in list {
            match r.kind.trim().parse::<AttachmentKind>() {
                Ok(kind) if out.iter().any(|(k, _)| *k == kind) => issues.push(FieldIssue::new(
                    "requirements",
                    format!("O anexo {} foi informado mais de uma vez.", kind.label()),
                )),
                Ok(kind) => out.push((kind, r.mandatory)),
                Err(_) => issues.push(FieldIssue::new(
                    "requirements",
                    format!(
                        "Tipo de anexo desconhecido: “{}”. Use form, official_letter ou other.",
                        r.kind.chars().take(40).collect::<String>()
                    ),
                )),
            }
        }
        out.sort();
        out
    });
    match provider {
        Some(provider) if issues.is_empty() => Ok(Valid {
            provider,
            name,
            description,
            accepting_requests: input
                .accepting_requests
                .or(base.map(|b| b.api.accepting_requests))
                .unwrap_or(true),
            active: input.active.or(base.map(|b| b.api.active)).unwrap_or(true),
            requirements,
        }),
        _ => Err(E::Invalid(issues)),
    }
}

fn diff(before: Option<&ApiDetail>, after: &Valid) -> Diff {
    let mut d = Diff::default();
    d.field(
        "provider",
        before.map(|b| b.provider.acronym.clone()),
        Some(after.provider.acronym.clone()),
    );
    d.field(
        "name",
        before.map(|b| b.api.name.clone()),
        Some(after.name.clone()),
    );
    d.field(
        "description",
        before.map(|b| b.api.description.clone()),
        Some(after.description.clone()),
    );
    d.field(
        "accepting_requests",
        before.and_then(|b| flag(b.api.accepting_requests)),
        flag(after.accepting_requests),
    );
    d.field(
        "active",
        before.and_then(|b| flag(b.api.active)),
        flag(after.active),
    );
    if let Some(wanted) = &after.requirements {
        let current: Vec<(AttachmentKind, bool)> = before
            .map(|b| {
                b.requirements
                    .iter()
                    .map(|r| (r.kind, r.mandatory))
                    .collect()
            })
            .unwrap_or_default();
        d.field(
            "requirements",
            before.map(|_| requirements_text(&current)),
            Some(requirements_text(wanted)),
        );
    }
    d
}

async fn detail(conn: &mut AnyConnection, id: i64) -> Result<ApiDetail, ServiceError> {
    let api = apis::find(conn, id).await?.ok_or(E::NotFound)?;
    let provider = organizations::find(conn, api.provider_id)
        .await?
        .ok_or(E::NotFound)?;
    let requirements = apis::requirements(conn, id).await?;
    Ok(ApiDetail {
        api,
        provider,
        requirements,
    })
}

/// The name is the provider's own (case aside): 409 beside the field otherwise.
async fn check_unique(
    conn: &mut AnyConnection,
    valid: &Valid,
    id: Option<i64>,
) -> Result<(), ServiceError> {
    match apis::find_by_name(conn, valid.provider.id, &valid.name).await? {
        Some(other) if Some(other.id) != id => Err(E::taken(
            "name",
            format!(
                "O órgão {} já tem uma API chamada “{}”.",
                valid.provider.acronym, other.name
            ),
        )),
        _ => Ok(()),
    }
}

impl AdminService {
    /// Every API, open or not, whose name or provider contains `search`, by name.
    pub async fn apis(
        &self,
        actor: &Actor,
        search: Option<&str>,
        paging: &Paging,
    ) -> Result<Paged<ApiDetail>, ServiceError> {
        require_admin(actor)?;
        let search = super::search_text(search)?;
        let mut conn = self.db.acquire().await?;
        let found = paged!(paging, |offset, limit| {
            apis::search(&mut conn, search, offset, limit).await?
        });
        let mut items = Vec::with_capacity(found.items.len());
        for api in &found.items {
            items.push(detail(&mut conn, api.id).await?);
        }
        Ok(Paged {
            items,
            total: found.total,
            page: found.page,
            per_page: found.per_page,
        })
    }

    pub async fn api(&self, actor: &Actor, id: i64) -> Result<ApiDetail, ServiceError> {
        require_admin(actor)?;
        let mut conn = self.db.acquire().await?;
        detail(&mut conn, id).await
    }

    pub async fn create_api(
        &self,
        actor: &Actor,
        input: &ApiInput,
    ) -> Result<ApiDetail, ServiceError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let mut valid = judge(&mut tx, input, None).await?;
        valid.requirements.get_or_insert_with(Vec::new);
        check_unique(&mut tx, &valid, None).await?;
        let id = super::taken_if_duplicate(
            apis::create(&mut tx, &valid.fields()).await,
            "name",
            DUPLICATE_NAME,
        )?;
        if let Some(list) = &valid.requirements {
            apis::set_requirements(&mut tx, id, list).await?;
        }
        let d = diff(None, &valid);
        record(
            &mut tx,
            now,
            actor,
            Entity::Api,
            id,
            Some(actions::CREATED),
            &d,
        )
        .await?;
        let created = detail(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an API. Closed to new requests or deactivated, it leaves "Nova" and its drafts
    /// can no longer be released; its requests stay readable. Its provider cannot change once
    /// requests were filed for it (they belong to that provider).
    pub async fn update_api(
        &self,
        actor: &Actor,
        id: i64,
        input: &ApiInput,
    ) -> Result<ApiDetail, ServiceError> {
        require_admin(actor)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let before = detail(&mut tx, id).await?;
        let valid = judge(&mut tx, input, Some(&before)).await?;
        check_unique(&mut tx, &valid, Some(id)).await?;
        if valid.provider.id != before.provider.id && apis::has_requests(&mut tx, id).await? {
            return Err(E::taken(
                "provider_id",
                "Esta API já tem solicitações, que pertencem ao cedente atual: o cedente não pode mudar. Cadastre uma nova API para o outro órgão.",
            ));
        }
        let d = diff(Some(&before), &valid);
        if d.is_empty() {
            return Ok(before);
        }
        super::taken_if_duplicate(
            apis::update(&mut tx, id, &valid.fields()).await,
            "name",
            DUPLICATE_NAME,
        )?;
        if let Some(list) = &valid.requirements {
            apis::set_requirements(&mut tx, id, list).await?;
        }
        record(&mut tx, now, actor, Entity::Api, id, None, &d).await?;
        let updated = detail(&mut tx, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Sets or replaces the model file of the API's requirement of `kind`: an ODF, PDF or Word
    /// document by its content (a PDF is checked in the sandbox like attachments), stored under
    /// the name given with the extension of its content.
    pub async fn set_model(
        &self,
        actor: &Actor,
        id: i64,
        kind: AttachmentKind,
        raw_filename: &str,
        content: &[u8],
    ) -> Result<ApiDetail, ServiceError> {
        require_admin(actor)?;
        {
            let mut conn = self.db.acquire().await?;
            let current = detail(&mut conn, id).await?;
            requirement_of(&current, kind)?;
        }
        if content.len() > self.max_model_bytes {
            return Err(E::invalid(
                "file",
                format!("O modelo pode ter até {} KB.", self.max_model_bytes / 1024),
            ));
        }
        let kind_of_file = model::identify(content).map_err(|p| match p {
            model::ModelProblem::Empty => E::invalid("file", p.to_string()),
            _ => E::Unsupported(p.to_string()),
        })?;
        if kind_of_file == ModelKind::Pdf {
            crate::requests::check_pdf(&self.checker, content).await?;
        }
        let filename = sanitize_file_name(raw_filename, kind_of_file.extension(), "modelo");
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let before = detail(&mut tx, id).await?;
        let previous = requirement_of(&before, kind)?.model_filename.clone();
        apis::set_model(
            &mut tx,
            id,
            kind,
            &ModelFile {
                filename: &filename,
                media_type: kind_of_file.media_type(),
                content,
            },
        )
        .await?;
        let mut d = Diff::default();
        d.0.push(adesao_store::audit::Change {
            field: format!("model.{}", kind.code()),
            before: previous,
            after: Some(filename),
        });
        record(
            &mut tx,
            now,
            actor,
            Entity::Api,
            id,
            Some(actions::MODEL_SET),
            &d,
        )
        .await?;
        let updated = detail(&mut tx, id).await?;
        tx.commit().await?;
        Ok(updated)
    }
}

fn requirement_of(
    api: &ApiDetail,
    kind: AttachmentKind,
) -> Result<&AttachmentRequirement, ServiceError> {
    api.requirements
        .iter()
        .find(|r| r.kind == kind)
        .ok_or_else(|| {
            E::invalid(
                "kind",
                format!(
                    "A API {} não pede anexo do tipo {}: inclua-o entre os anexos da API antes de enviar o modelo.",
                    api.api.name,
                    kind.label()
                ),
            )
        })
}
