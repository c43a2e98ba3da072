//! Reads: the list (scoped by SPEC §3) and the detail of a request with what the user may do.

use adesao_domain::access::{self, Action, Actor};
use adesao_domain::{FieldIssue, RequestNumber, RequestStatus, RequestType, Role, dsi::Dsi};
use adesao_store::apis::AttachmentRequirement;
use adesao_store::attachments::AttachmentMeta;
use adesao_store::events::Event;
use adesao_store::request_list::{self, Filter, ListRow, Scope};
use adesao_store::requests::{self, Request};
use adesao_store::signatures::Signature;
use adesao_store::{apis, attachments, events, signatures, users};

use super::{RequestService, facts_of};
use crate::ServiceError;

/// "Mostrar" of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Solicitações de adesão para o seu órgão (filed by the user's organization).
    OwnOrganization,
    /// Solicitações das APIs do seu órgão (addressed to the user's organization).
    OwnApis,
    /// Todas (program admins only).
    All,
}

impl Show {
    pub fn code(self) -> &'static str {
        match self {
            Show::OwnOrganization => "proprias",
            Show::OwnApis => "cedente",
            Show::All => "todas",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Show::OwnOrganization => "Solicitações de adesão para o seu órgão",
            Show::OwnApis => "Solicitações das APIs do seu órgão",
            Show::All => "Todas as solicitações",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Show::OwnOrganization, Show::OwnApis, Show::All]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// What the user sees first: analysts their APIs, the program team everything.
    pub fn default_for(actor: &Actor) -> Self {
        if actor.has(Role::ProgramAdmin) {
            Show::All
        } else if actor.has(Role::ProviderAnalyst) && !actor.has(Role::Manager) {
            Show::OwnApis
        } else {
            Show::OwnOrganization
        }
    }

    /// The choices offered to this user.
    pub fn choices(actor: &Actor) -> Vec<Show> {
        let mut v = vec![Show::OwnOrganization, Show::OwnApis];
        if actor.has(Role::ProgramAdmin) {
            v.push(Show::All);
        }
        v
    }

    pub(crate) fn scope(self, actor: &Actor) -> Scope {
        match self {
            Show::All if actor.has(Role::ProgramAdmin) => Scope::All,
            Show::OwnApis => Scope::Provider(actor.organization_id),
            _ => Scope::Requester(actor.organization_id),
        }
    }
}

/// A list query as a user typed it (the list's filters, the API's query string), before it is
/// judged: the one place that decides what a valid filter is, for both skins.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `proprias`, `cedente` or `todas`; the user's default when absent.
    pub show: Option<String>,
    /// A request number, `NNNNNN/AAAA`.
    pub number: Option<String>,
    pub request_type: Option<String>,
    pub status: Option<String>,
    pub requester_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub api_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A list query judged valid for its user.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub show: Show,
    pub filter: Filter,
    pub page: i64,
    pub per_page: i64,
    /// A page past the last shows the last (a person following an old link), rather than 404
    /// (a client walking the pages).
    pub past_the_end_shows_last: bool,
}

impl ListQuery {
    /// The query judged for `actor`: each wrong value named by its field (422), or 403 for a
    /// "Mostrar" the user may not choose.
    pub fn judge(&self, actor: &Actor, default_per_page: i64) -> Result<ListParams, ServiceError> {
        // A value given is judged even when blank: the page leaves out the fields a person left
        // blank, and a client that sends `number=` is told it is not a number.
        let text = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
        let mut issues = Vec::new();
        let show = match text(&self.show) {
            None => Show::default_for(actor),
            Some(code) => match Show::parse(&code) {
                Some(show) if Show::choices(actor).contains(&show) => show,
                Some(_) => {
                    return Err(ServiceError::Forbidden(
                        "Apenas a equipe Conecta pode ver todas as solicitações.".into(),
                    ));
                }
                None => {
                    issues.push(FieldIssue::new(
                        "show",
                        "Mostrar: use proprias, cedente ou todas.",
                    ));
                    Show::default_for(actor)
                }
            },
        };
        let number = match text(&self.number) {
            None => None,
            Some(t) => match RequestNumber::parse(&t) {
                Ok(n) => Some(n),
                Err(e) => {
                    issues.push(FieldIssue::new("number", e.to_string()));
                    None
                }
            },
        };
        let request_type = match text(&self.request_type) {
            None => None,
            Some(t) => t.parse::<RequestType>().map(Some).unwrap_or_else(|_| {
                issues.push(FieldIssue::new(
                    "type",
                    "Tipo inválido: use adhesion ou volume_change.",
                ));
                None
            }),
        };
        let status = match text(&self.status) {
            None => None,
            Some(t) => t.parse::<RequestStatus>().map(Some).unwrap_or_else(|_| {
                issues.push(FieldIssue::new("status", "Situação inválida."));
                None
            }),
        };
        for (field, id) in [
            ("requester_id", self.requester_id),
            ("provider_id", self.provider_id),
            ("api_id", self.api_id),
        ] {
            if id.is_some_and(|id| id < 1) {
                issues.push(FieldIssue::new(field, "Identificador inválido."));
            }
        }
        let (page, per_page) =
            ListPage::paging(self.page, self.per_page, default_per_page, &mut issues);
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        Ok(ListParams {
            show,
            filter: Filter {
                number,
                request_type,
                status,
                requester_id: self.requester_id,
                provider_id: self.provider_id,
                api_id: self.api_id,
            },
            page,
            per_page,
            past_the_end_shows_last: false,
        })
    }
}

pub struct ListPage {
    pub items: Vec<ListRow>,
    /// How many requests match, exactly (the kept counts, migration 0010).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl ListPage {
    /// The last page number any list accepts (a million pages of 100 is far past every list;
    /// the bound keeps page arithmetic from overflowing).
    pub const MAX_PAGE: i64 = 1_000_000;

    /// The most items a page holds.
    pub const MAX_PER_PAGE: i64 = 100;

    /// The page and its size as asked (defaults when absent), each wrong one an issue: the
    /// paging of every list.
    pub fn paging(
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
        issues: &mut Vec<FieldIssue>,
    ) -> (i64, i64) {
        let page = page.unwrap_or(1);
        if !(1..=Self::MAX_PAGE).contains(&page) {
            issues.push(FieldIssue::new(
                "page",
                "A página deve estar entre 1 e 1.000.000.",
            ));
        }
        let per_page = per_page.unwrap_or(default_per_page);
        if !(1..=Self::MAX_PER_PAGE).contains(&per_page) {
            issues.push(FieldIssue::new("per_page", "Itens por página: de 1 a 100."));
        }
        (page, per_page)
    }

    /// `page` brought into 1..=[`MAX_PAGE`](Self::MAX_PAGE).
    pub fn clamp_page(page: i64) -> i64 {
        page.clamp(1, Self::MAX_PAGE)
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

pub struct RequestDetail {
    pub request: Request,
    pub signatures: Vec<Signature>,
    pub history: Vec<Event>,
    pub attachments: Vec<AttachmentMeta>,
    pub requirements: Vec<AttachmentRequirement>,
    pub actions: Vec<Action>,
    pub dsi: Dsi,
    /// What the access rules know of the request (to explain a refused action).
    pub facts: access::RequestFacts,
    /// Why a signature still due cannot be given: a named official who no longer holds the
    /// role (their period ended) or was deactivated. The request then needs a new signer.
    pub signer_problems: Vec<String>,
    /// The refused request this one was copied from (id, number).
    pub origin: Option<(i64, String)>,
    /// The requests copied from this one (id, number).
    pub copies: Vec<(i64, String)>,
}

impl RequestDetail {
    /// "Alterar volumetria": a granted request offers its organization's managers a volume
    /// change filled from it.
    pub fn offers_volume_change(&self, actor: &Actor) -> bool {
        self.request.status == RequestStatus::Granted
            && self.request.requester.id == actor.organization_id
            && access::can_create(actor)
    }

    /// Why the provider refused the request (the justification of its last refusal), while it
    /// stands refused.
    pub fn refusal_justification(&self) -> Option<&str> {
        if self.request.status != RequestStatus::Refused {
            return None;
        }
        self.history
            .iter()
            .rev()
            .find(|e| e.action == super::actions::REFUSED)
            .and_then(|e| e.comment.as_deref())
    }

    /// Whether the request has a DSI to show: it is made at release, so every request but a
    /// draft has one (SPEC §7).
    pub fn has_dsi(&self) -> bool {
        self.request.status != RequestStatus::Draft
    }
}

/// For each signature still due, a sentence when its official can no longer give it.
async fn signer_problems(
    conn: &mut adesao_store::AnyConnection,
    request: &Request,
    facts: &access::RequestFacts,
    today: jiff::civil::Date,
) -> Result<Vec<String>, ServiceError> {
    if !matches!(
        request.status,
        RequestStatus::Draft | RequestStatus::AwaitingSignatures
    ) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (role, signer) in [
        (Role::ItDirector, &request.it_director),
        (Role::TechnicalLead, &request.technical_lead),
    ] {
        if facts.signed_roles.contains(&role) {
            continue;
        }
        let holders = users::with_roles(conn, request.requester.id, &[role], today).await?;
        if !holders.iter().any(|p| p.id == signer.id) {
            out.push(format!(
                "{} não exerce mais a função de {} (ou foi desativado) e não pode assinar. Um gestor do órgão deve alterar a solicitação e indicar outro {}.",
                signer.name,
                role.label(),
                role.label()
            ));
        }
    }
    Ok(out)
}

impl RequestService {
    /// A page of the list. A page past the last is 404, so a client walking the pages learns
    /// where they end rather than getting pages that are not there.
    pub async fn list(&self, actor: &Actor, params: &ListParams) -> Result<ListPage, ServiceError> {
        let per_page = params.per_page.clamp(1, ListPage::MAX_PER_PAGE);
        let page = ListPage::clamp_page(params.page);
        let scope = params.show.scope(actor);
        let mut conn = self.db.acquire().await?;
        let total = request_list::count(&mut conn, scope, &params.filter).await?;
        let list = ListPage {
            items: Vec::new(),
            total,
            page,
            per_page,
        };
        let page = if page > list.pages() {
            if !params.past_the_end_shows_last {
                return Err(ServiceError::PageNotFound { last: list.pages() });
            }
            list.pages()
        } else {
            page
        };
        let offset = (page - 1) * per_page;
        let items = request_list::page(&mut conn, scope, &params.filter, offset, per_page).await?;
        Ok(ListPage {
            items,
            page,
            ..list
        })
    }

    pub async fn detail(&self, actor: &Actor, id: i64) -> Result<RequestDetail, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let request = requests::find(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let signatures = signatures::valid_for(&mut conn, id).await?;
        let facts = super::facts_from(&request, &signatures);
        if !access::can_view(actor, &facts) {
            return Err(ServiceError::NotFound);
        }
        let dsi = super::signing::dsi_of(&request);
        let signer_problems =
            signer_problems(&mut conn, &request, &facts, self.clock.today()).await?;
        let origin = match request.copied_from_id {
            Some(from) => requests::number_of(&mut conn, from)
                .await?
                .map(|number| (from, number)),
            None => None,
        };
        Ok(RequestDetail {
            signer_problems,
            origin,
            copies: requests::copies_of(&mut conn, id).await?,
            actions: access::available_actions(actor, &facts),
            signatures,
            history: events::of_request(&mut conn, id).await?,
            attachments: attachments::of_request(&mut conn, id).await?,
            requirements: apis::requirements(&mut conn, request.api_id).await?,
            dsi,
            request,
            facts,
        })
    }

    /// The history of a request the user may see (`GET /api/v1/requests/{id}/history`): the
    /// statements that decide who may see it and the events, not the whole detail.
    pub async fn history(&self, actor: &Actor, id: i64) -> Result<Vec<Event>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let request = requests::find(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !access::can_view(actor, &facts_of(&mut conn, &request).await?) {
            return Err(ServiceError::NotFound);
        }
        Ok(events::of_request(&mut conn, id).await?)
    }

    /// The detail, if `actor` may do `action` on the request now (the pages of Alterar and
    /// Assinar): 404 when unseen, 403 for the wrong role, 409 in the wrong state.
    pub async fn detail_for(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<RequestDetail, ServiceError> {
        let detail = self.detail(actor, id).await?;
        access::check(actor, &detail.facts, action)?;
        Ok(detail)
    }

    /// Answers as `action` would (404 unseen, 403 wrong role, 409 wrong state) without doing it:
    /// for a step that precedes the action itself (the SMS before Assinar).
    pub async fn check_allowed(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<(), ServiceError> {
        self.load_checked(actor, id, action).await.map(|_| ())
    }

    /// The id of the request with this number, if the user may see it.
    pub async fn find_by_number(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<Option<i64>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let Some(request) = requests::find_by_number(&mut conn, number).await? else {
            return Ok(None);
        };
        let facts = facts_of(&mut conn, &request).await?;
        Ok(access::can_view(actor, &facts).then_some(request.id))
    }

    /// Requests awaiting the user's signature (Minhas assinaturas pendentes).
    pub async fn pending_signatures(&self, actor: &Actor) -> Result<Vec<Request>, ServiceError> {
        let mut conn = self.db.acquire().await?;
        let ids = requests::awaiting_signature_of(&mut conn, actor.user_id).await?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(request) = requests::find(&mut conn, id).await? {
                let facts = facts_of(&mut conn, &request).await?;
                if !facts.roles_to_sign(actor).is_empty() {
                    out.push(request);
                }
            }
        }
        Ok(out)
    }
}
