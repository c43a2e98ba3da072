//! The JSON shapes of SPEC §11 (snake_case English; states and types by their codes).

use adesao_domain::{AttachmentKind, LegalBasis, RequestStatus, RequestType, Role, Volume};
use adesao_services::requests::RequestDetail;
use adesao_services::requests::signing::SessionView;
use adesao_store::events::Event;
use adesao_store::request_list::ListRow;
use adesao_store::requests::{OrgRef, Request, UserRef};
use serde::Serialize;
use utoipa::ToSchema;

use crate::format::rfc3339;

#[derive(Serialize, ToSchema)]
pub struct OrgView {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: String,
}

impl From<&OrgRef> for OrgView {
    fn from(o: &OrgRef) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            acronym: o.acronym.clone(),
            cnpj: o.cnpj.formatted(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

impl From<&UserRef> for Named {
    fn from(u: &UserRef) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PurposeView {
    #[schema(schema_with = super::schemas::legal_bases)]
    pub legal_bases: Vec<LegalBasis>,
    pub legal_basis_other: String,
    pub data_usage: String,
    pub public_policies: String,
    pub legal_provision: String,
    pub citizen_results: String,
    pub retention: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignatureView {
    #[schema(schema_with = super::schemas::role)]
    pub role: Role,
    pub signer: Named,
    pub signed_at: String,
    pub method: String,
    pub dsi_sha256: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    #[schema(schema_with = super::schemas::attachment_kind)]
    pub kind: AttachmentKind,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub number: String,
    #[serde(rename = "type")]
    #[schema(schema_with = super::schemas::request_type)]
    pub request_type: RequestType,
    #[schema(schema_with = super::schemas::request_status)]
    pub status: RequestStatus,
    pub status_label: &'static str,
    pub requester: OrgView,
    pub provider: OrgView,
    pub api: Named,
    pub it_director: Named,
    pub technical_lead: Named,
    pub requested_volume: u64,
    pub current_volume: u64,
    pub authorized_volume: Option<u64>,
    pub purpose: PurposeView,
    pub signatures: Vec<SignatureView>,
    pub attachments: Vec<AttachmentView>,
    /// What the caller may do now (`edit`, `release`, `sign`, …).
    #[schema(schema_with = super::schemas::actions)]
    pub actions: Vec<&'static str>,
    /// Why a signature still due cannot be given (an official whose role ended or who was
    /// deactivated): the request needs a new signer (Alterar).
    pub signer_problems: Vec<String>,
    pub copied_from_id: Option<i64>,
    pub created_at: String,
    pub last_event_at: String,
}

fn base(r: &Request) -> RequestView {
    let p = &r.purpose;
    RequestView {
        id: r.id,
        number: r.number.to_string(),
        request_type: r.request_type,
        status: r.status,
        status_label: r.status.label(),
        requester: (&r.requester).into(),
        provider: (&r.provider).into(),
        api: Named {
            id: r.api_id,
            name: r.api_name.clone(),
        },
        it_director: (&r.it_director).into(),
        technical_lead: (&r.technical_lead).into(),
        requested_volume: r.requested_volume.get(),
        current_volume: r.current_volume,
        authorized_volume: r.authorized_volume.map(Volume::get),
        purpose: PurposeView {
            legal_bases: p.legal_bases.iter().copied().collect(),
            legal_basis_other: p.legal_basis_other.clone(),
            data_usage: p.data_usage.clone(),
            public_policies: p.public_policies.clone(),
            legal_provision: p.legal_provision.clone(),
            citizen_results: p.citizen_results.clone(),
            retention: p.retention.clone(),
        },
        signatures: Vec::new(),
        attachments: Vec::new(),
        actions: Vec::new(),
        signer_problems: Vec::new(),
        copied_from_id: r.copied_from_id,
        created_at: rfc3339(r.created_at),
        last_event_at: rfc3339(r.last_event_at),
    }
}

impl From<&RequestDetail> for RequestView {
    fn from(d: &RequestDetail) -> Self {
        let mut v = base(&d.request);
        v.signatures = d
            .signatures
            .iter()
            .map(|s| SignatureView {
                role: s.role,
                signer: Named {
                    id: s.signer_id,
                    name: s.signer_name.clone(),
                },
                signed_at: rfc3339(s.signed_at),
                method: s.method.clone(),
                dsi_sha256: s.dsi_sha256.clone(),
            })
            .collect();
        v.attachments = d.attachments.iter().map(AttachmentView::from).collect();
        v.actions = d.actions.iter().map(|a| a.code()).collect();
        v.signer_problems = d.signer_problems.clone();
        v
    }
}

#[derive(Serialize, ToSchema)]
pub struct ListItemView {
    pub id: i64,
    pub number: String,
    #[serde(rename = "type")]
    #[schema(schema_with = super::schemas::request_type)]
    pub request_type: RequestType,
    #[schema(schema_with = super::schemas::request_status)]
    pub status: RequestStatus,
    pub requester: OrgAcronym,
    pub provider: OrgAcronym,
    pub api: Named,
    pub current_volume: u64,
    pub requested_volume: u64,
    pub authorized_volume: Option<u64>,
    pub last_event_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgAcronym {
    pub id: i64,
    pub name: String,
    pub acronym: String,
}

impl From<&ListRow> for ListItemView {
    fn from(r: &ListRow) -> Self {
        Self {
            id: r.id,
            number: r.number.to_string(),
            request_type: r.request_type,
            status: r.status,
            requester: OrgAcronym {
                id: r.requester_id,
                name: r.requester_name.clone(),
                acronym: r.requester_acronym.clone(),
            },
            provider: OrgAcronym {
                id: r.provider_id,
                name: r.provider_name.clone(),
                acronym: r.provider_acronym.clone(),
            },
            api: Named {
                id: r.api_id,
                name: r.api_name.clone(),
            },
            current_volume: r.current_volume,
            requested_volume: r.requested_volume.get(),
            authorized_volume: r.authorized_volume.map(Volume::get),
            last_event_at: rfc3339(r.last_event_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    /// Always false: `total` is exact. Until 2026-11 lists counted only up to 10,000 and set
    /// this past it; the field stays so that clients reading it keep working.
    #[deprecated(note = "totals are exact; always false")]
    pub total_is_lower_bound: bool,
    pub page: i64,
    pub per_page: i64,
}

impl<T: ToSchema> Page<T> {
    #[allow(deprecated)] // the one place that sets the deprecated field
    pub fn new(items: Vec<T>, total: i64, page: i64, per_page: i64) -> Self {
        Self {
            items,
            total,
            total_is_lower_bound: false,
            page,
            per_page,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub at: String,
    pub actor: Named,
    pub action: String,
    #[schema(schema_with = super::schemas::nullable_request_status)]
    pub from_status: Option<RequestStatus>,
    #[schema(schema_with = super::schemas::nullable_request_status)]
    pub to_status: Option<RequestStatus>,
    pub comment: Option<String>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        Self {
            at: rfc3339(e.at),
            actor: Named {
                id: e.actor_id,
                name: e.actor_name.clone(),
            },
            action: e.action.clone(),
            from_status: e.from_status,
            to_status: e.to_status,
            comment: e.comment.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionJson {
    pub id: i64,
    pub expires_at: String,
    pub masked_mobile: String,
    pub authorized_until: Option<String>,
}

impl From<&SessionView> for SessionJson {
    fn from(s: &SessionView) -> Self {
        Self {
            id: s.id,
            expires_at: rfc3339(s.expires_at),
            masked_mobile: s.masked_mobile.clone(),
            authorized_until: s.authorized_until.map(rfc3339),
        }
    }
}
