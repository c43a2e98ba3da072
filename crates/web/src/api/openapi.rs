//! The OpenAPI document of `/api/v1`: the handlers' own annotations, collected with the routes
//! themselves (`api::router`, so no route exists without its documentation), finished here with
//! what every operation shares — the errors each can answer, as `application/problem+json`, and
//! the links between an operation that creates something and those that act on it.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{Modify, OpenApi as _};

use super::problem::{FieldError, Problem};

/// Where the API lives: the paths of the annotations are relative to it.
pub const BASE: &str = "/api/v1";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Adesão — API",
        version = "1",
        description = "Solicitações de adesão a APIs do Conecta gov.br: o ciclo inteiro, da inclusão ao deferimento. \
            Autenticação por token (`POST /api/v1/auth/token`). Erros em `application/problem+json` (RFC 9457), com `detail` \
            em português e, para campos inválidos, `errors: [{\"field\", \"message\"}]`."
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The base document, before the routes add their paths.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// The document as served: paths under [`BASE`], every error documented, links added.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_errors(operation);
        }
        doc.paths.paths.insert(format!("{BASE}{path}"), item);
    }
    add_links(&mut doc);
    doc
}

/// Why each shared error status may be answered.
const WHY: [(&str, &str); 11] = [
    (
        "400",
        "Requisição malformada: um identificador do endereço, um parâmetro ou o corpo que não se consegue ler.",
    ),
    (
        "401",
        "Sem token, ou com um token inválido, expirado ou revogado.",
    ),
    ("403", "O papel do usuário não permite esta ação."),
    (
        "404",
        "Não existe, ou pertence a outro órgão (a existência não é revelada).",
    ),
    (
        "409",
        "A situação atual não permite a ação, ou outra pessoa a alterou antes.",
    ),
    ("413", "O corpo da requisição é grande demais."),
    (
        "415",
        "Tipo de conteúdo não aceito (JSON com Content-Type: application/json, ou o arquivo enviado).",
    ),
    (
        "422",
        "Valores inválidos: cada campo com problema em `errors`.",
    ),
    ("429", "Tentativas demais: aguarde o tempo de Retry-After."),
    (
        "503",
        "O sistema está ocupado: tente novamente depois de Retry-After.",
    ),
    ("500", "Erro inesperado do servidor."),
];

/// Adds the errors the shared parts of every operation can answer (the extractors of the path,
/// the query and the body, the token), and makes every error `application/problem+json`.
fn add_errors(operation: &mut Operation) {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let in_path = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path)));
    let in_query = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
    let body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut statuses: Vec<&str> = Vec::new();
    if in_path || in_query || body {
        statuses.push("400");
    }
    if secured {
        statuses.push("401");
    }
    if in_path {
        statuses.push("404");
    }
    if body {
        statuses.extend(["413", "415", "422"]);
    }
    if in_query {
        statuses.push("422");
    }
    let responses = &mut operation.responses.responses;
    for status in statuses {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(why(status)).build()));
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        if response.description.is_empty() {
            response.description = why(status).to_owned();
        }
        response.content.clear();
        response.content.insert(
            "application/problem+json".to_owned(),
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build()
                .into(),
        );
        if status == "429" || status == "503" {
            response.headers.insert(
                "Retry-After".to_owned(),
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    ))
                    .description(Some("Segundos a aguardar"))
                    .build()
                    .into(),
            );
        }
    }
}

fn why(status: &str) -> &'static str {
    WHY.iter()
        .find(|(s, _)| *s == status)
        .map_or("Erro.", |(_, why)| why)
}

/// Links (OpenAPI `links`) from what creates a resource to what acts on it, with the new id
/// taken from the answer: a client, or a stateful test, can follow the lifecycle.
fn add_links(doc: &mut OpenApi) {
    let request_ops = [
        "getRequest",
        "updateRequest",
        "releaseRequest",
        "cancelRequest",
        "copyRequest",
        "approveRequest",
        "refuseRequest",
        "grantRequest",
        "signRequest",
        "getRequestHistory",
        "getRequestDsi",
        "listAttachments",
        "uploadAttachment",
    ];
    let sources: [(&str, &str, &str, &[&str]); 7] = [
        (
            "/admin/organizations",
            "post",
            "201",
            &["getOrganization", "updateOrganization"],
        ),
        ("/admin/users", "post", "201", &["getUser", "updateUser"]),
        ("/admin/apis", "post", "201", &["getAdminApi", "updateApi"]),
        ("/requests", "post", "201", &request_ops),
        ("/requests/{id}/copy", "post", "200", &request_ops),
        (
            "/signing-sessions",
            "post",
            "201",
            &[
                "getSigningSession",
                "authorizeSigningSession",
                "resendSigningCode",
            ],
        ),
        (
            "/requests/{id}/attachments",
            "post",
            "201",
            &["downloadAttachment", "deleteAttachment"],
        ),
    ];
    for (path, method, status, targets) in sources {
        let Some(item) = doc.paths.paths.get_mut(&format!("{BASE}{path}")) else {
            continue;
        };
        let operation = match method {
            "post" => item.post.as_mut(),
            _ => item.get.as_mut(),
        };
        let Some(RefOr::T(response)) =
            operation.and_then(|o| o.responses.responses.get_mut(status))
        else {
            continue;
        };
        let from_attachment = path.ends_with("/attachments");
        for target in targets.iter() {
            let mut link = LinkBuilder::new().operation_id(*target);
            link = if from_attachment {
                link.parameter("id", "$request.path.id")
                    .parameter("aid", "$response.body#/id")
            } else {
                link.parameter("id", "$response.body#/id")
            };
            response
                .links
                .insert((*target).to_owned(), link.build().into());
        }
    }
}
