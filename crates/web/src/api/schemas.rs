//! Schemas of fields whose rules the types alone do not say, built from the same constants the
//! rules use (the codes of each closed set, the longest texts, the volume range), so the OpenAPI
//! document cannot drift from what the server accepts. Used with `#[schema(schema_with = …)]`.

use adesao_domain::access::Action;
use adesao_domain::purpose::MAX_SECTION_CHARS;
use adesao_domain::{AttachmentKind, LegalBasis, RequestStatus, RequestType, Role, Volume};
use adesao_services::requests::{ListPage, MAX_COMMENT_CHARS, MAX_JUSTIFICATION_CHARS, Show};
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

/// Characters refused in any text (`adesao_domain::text`): the control characters other than
/// tab, line feed and carriage return.
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";
/// What `str::trim` removes, and the control characters: a text made only of these is blank.
const BLANK: &str =
    r"\u0000-\u0020\u007F-\u009F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable(builder: ObjectBuilder, ty: Type) -> Object {
    builder
        .schema_type(SchemaType::from_iter([ty, Type::Null]))
        .build()
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| code(*t)).collect()
}

/// Free text of at most `max` characters, without control characters.
fn text_builder(max: usize) -> ObjectBuilder {
    string()
        .max_length(Some(max))
        .pattern(Some(format!("^[^{CONTROL}]*$")))
}

/// A purpose section: may be empty in a draft.
pub fn section() -> Object {
    nullable(text_builder(MAX_SECTION_CHARS), Type::String)
}

/// An optional comment of a transition.
pub fn comment() -> Object {
    nullable(text_builder(MAX_COMMENT_CHARS), Type::String)
}

/// The justification of a refusal: required, and not blank.
pub fn justification() -> Object {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_JUSTIFICATION_CHARS))
        .pattern(Some(format!("^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$")))
        .build()
}

/// A yearly volume: a whole number of calls, 1 to 10¹².
pub fn volume() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .maximum(Some(Volume::MAX as f64))
        .examples([100_000])
        .build()
}

/// An id of something that exists (an API, a user).
pub fn id() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .examples([1])
        .build()
}

pub fn nullable_id() -> Object {
    nullable(
        ObjectBuilder::new()
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            )))
            .minimum(Some(1)),
        Type::Integer,
    )
}

pub fn request_type() -> Object {
    string()
        .enum_values(Some(codes(RequestType::ALL, RequestType::code)))
        .build()
}

pub fn request_status() -> Object {
    string()
        .enum_values(Some(codes(RequestStatus::ALL, RequestStatus::code)))
        .build()
}

pub fn nullable_request_status() -> Object {
    nullable(
        ObjectBuilder::new().enum_values(Some(
            codes(RequestStatus::ALL, RequestStatus::code)
                .into_iter()
                .map(serde_json::Value::from)
                .chain([serde_json::Value::Null]),
        )),
        Type::String,
    )
}

pub fn attachment_kind() -> Object {
    string()
        .enum_values(Some(codes(AttachmentKind::ALL, AttachmentKind::code)))
        .build()
}

/// The signature provider of a multipart sign call.
pub fn a1_provider() -> Object {
    string().enum_values(Some(["icp_brasil_a1"])).build()
}

/// A certificate's password (a text field of a form: 4 KiB at most).
pub fn a1_password() -> Object {
    string().min_length(Some(1)).max_length(Some(1024)).build()
}

pub fn role() -> Object {
    string()
        .enum_values(Some(codes(Role::ALL, Role::code)))
        .build()
}

pub fn roles() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(role()).build()
}

pub fn legal_bases() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(
            string()
                .enum_values(Some(codes(LegalBasis::ALL, LegalBasis::code)))
                .build(),
        )
        .build()
}

pub fn nullable_legal_bases() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(
            string()
                .enum_values(Some(codes(LegalBasis::ALL, LegalBasis::code)))
                .build(),
        )
        .build()
}

/// What the caller may do on a request now.
pub fn actions() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(
            string()
                .enum_values(Some(
                    Action::ALL.iter().map(|a| a.code()).collect::<Vec<_>>(),
                ))
                .build(),
        )
        .build()
}

/// A SHA-256 in hexadecimal.
pub fn sha256() -> Object {
    string().pattern(Some("^[0-9a-fA-F]{64}$")).build()
}

pub fn nullable_sha256() -> Object {
    nullable(
        ObjectBuilder::new().pattern(Some("^[0-9a-fA-F]{64}$")),
        Type::String,
    )
}

/// The six digits of an SMS.
pub fn code() -> Object {
    string()
        .pattern(Some("^[0-9]{6}$"))
        .examples(["042917"])
        .build()
}

/// A request number, `NNNNNN/AAAA`.
pub fn request_number() -> Object {
    string()
        // Six digits, not all zeros; a year of four digits.
        .pattern(Some(
            "^(0{5}[1-9]|0{4}[1-9][0-9]|0{3}[1-9][0-9]{2}|0{2}[1-9][0-9]{3}|0[1-9][0-9]{4}|[1-9][0-9]{5})/[1-9][0-9]{3}$",
        ))
        .examples(["000001/2026"])
        .build()
}

/// "Mostrar" of the list.
pub fn show() -> Object {
    string()
        .enum_values(Some(
            [Show::OwnOrganization, Show::OwnApis, Show::All]
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ))
        .build()
}

pub fn page() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(ListPage::MAX_PAGE as f64))
        .build()
}

pub fn per_page() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(ListPage::MAX_PER_PAGE as f64))
        .build()
}

/// A CPF, with or without punctuation (its check digits are checked by the server).
pub fn cpf() -> Object {
    string()
        .pattern(Some(r"^[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}$"))
        .examples(["213.591.158-54"])
        .build()
}

pub fn password() -> Object {
    string().min_length(Some(1)).max_length(Some(1024)).build()
}

/// Control characters and line breaks: refused in one-line texts (names, acronyms).
const LINE_BREAKING: &str = r"\u0000-\u001F\u007F-\u009F";

/// A required one-line text of at most `max` characters: not blank, no line breaks.
fn line(max: usize) -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!(
            "^[^{LINE_BREAKING}]*[^{BLANK}][^{LINE_BREAKING}]*$"
        )))
}

/// The text of a search box.
pub fn search() -> Object {
    string()
        .max_length(Some(adesao_services::admin::MAX_SEARCH_CHARS))
        .build()
}

pub fn org_name() -> Object {
    line(adesao_services::admin::MAX_ORG_NAME_CHARS)
        .examples(["Universidade Federal de Viçosa"])
        .build()
}

pub fn acronym() -> Object {
    line(adesao_services::admin::MAX_ACRONYM_CHARS)
        .examples(["UFV"])
        .build()
}

pub fn person_name() -> Object {
    line(adesao_services::admin::MAX_PERSON_NAME_CHARS)
        .examples(["Maria da Silva"])
        .build()
}

pub fn api_name() -> Object {
    line(adesao_services::admin::MAX_API_NAME_CHARS)
        .examples(["API Consulta CPF"])
        .build()
}

pub fn description() -> Object {
    text_builder(adesao_services::admin::MAX_API_DESCRIPTION_CHARS).build()
}

/// A CNPJ, numeric or alphanumeric, with or without punctuation (its check digits are checked
/// by the server).
pub fn cnpj() -> Object {
    string()
        .pattern(Some(
            r"^[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?[0-9]{2}$",
        ))
        .examples(["25.944.455/0001-96"])
        .build()
}

pub fn email() -> Object {
    string()
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email,
        )))
        .max_length(Some(adesao_domain::email::MAX_EMAIL_CHARS))
        .examples(["maria.silva@orgao.gov.br"])
        .build()
}

/// A Brazilian mobile with its area code, as people write it.
pub fn mobile() -> Object {
    string()
        .pattern(Some(r"^(\+55 ?)?\(?[1-9][0-9]\)? ?9?[0-9]{4}-?[0-9]{4}$"))
        .examples(["+55 (61) 91234-5678"])
        .build()
}

/// A date, `YYYY-MM-DD`, or null for none.
pub fn nullable_date() -> Object {
    nullable(
        ObjectBuilder::new()
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .pattern(Some(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
        Type::String,
    )
}

/// A new password: the server also judges how easy it is to guess (see the README).
pub fn new_password() -> Object {
    string()
        .min_length(Some(adesao_services::password_rule::MIN_CHARS))
        .max_length(Some(adesao_services::password_rule::MAX_CHARS))
        .pattern(Some(format!("^[^{LINE_BREAKING}]*$")))
        .examples(["cavalo bateria grampo correto"])
        .build()
}

/// An entity of the audit.
pub fn audit_entity() -> Object {
    string()
        .enum_values(Some(
            adesao_store::audit::Entity::ALL
                .iter()
                .map(|e| e.code())
                .collect::<Vec<_>>(),
        ))
        .build()
}

/// A delivery status of the outbox.
pub fn delivery_status() -> Object {
    string()
        .enum_values(Some(
            adesao_store::outbox::DeliveryStatus::ALL
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ))
        .build()
}

/// A channel of the outbox.
pub fn channel() -> Object {
    string()
        .enum_values(Some(
            adesao_store::outbox::Channel::ALL
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>(),
        ))
        .build()
}
