//! Pages without forms: home, terms.

use adesao_domain::{RequestStatus, Role};
use adesao_services::requests::{self, actor_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::{Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    name: String,
    organization: String,
    roles: String,
    /// What awaits this user, each linking to the list filtered to it.
    waiting: Vec<Waiting>,
    signer: bool,
    admin: bool,
    manager: bool,
}

/// "3 assinaturas pendentes": a count of what awaits the user, and where to find it.
pub struct Waiting {
    pub count: String,
    pub what: &'static str,
    pub link: &'static str,
}

impl Waiting {
    fn new(
        n: impl TryInto<i64>,
        singular: &'static str,
        plural: &'static str,
        link: &'static str,
    ) -> Self {
        let n = n.try_into().unwrap_or(i64::MAX);
        Self {
            count: adesao_domain::text::thousands(n),
            what: if n == 1 { singular } else { plural },
            link,
        }
    }
}

/// How many requests the user sees under `show` in `status`.
async fn count(
    state: &AppState,
    actor: &adesao_domain::access::Actor,
    show: &str,
    status: RequestStatus,
) -> Result<i64, PageError> {
    let query = requests::ListQuery {
        show: Some(show.to_owned()),
        status: Some(status.code().to_owned()),
        per_page: Some(1),
        ..Default::default()
    };
    let params = query.judge(actor, 1)?;
    Ok(state.requests.list(actor, &params).await?.total)
}

pub async fn home(State(state): State<AppState>, user: CurrentUser) -> Result<HomePage, PageError> {
    let account = &user.account;
    let actor = actor_of(account);
    let roles: Vec<&str> = account.roles.iter().map(|r| r.label()).collect();
    let signer = account.has_role(Role::ItDirector) || account.has_role(Role::TechnicalLead);
    let mut waiting = Vec::new();
    if signer {
        let n = state.requests.pending_signatures(&actor).await?.len();
        waiting.push(Waiting::new(
            n,
            "assinatura pendente",
            "assinaturas pendentes",
            "/assinaturas-pendentes",
        ));
    }
    if account.has_role(Role::Manager) {
        let drafts = count(&state, &actor, "proprias", RequestStatus::Draft).await?;
        waiting.push(Waiting::new(
            drafts,
            "solicitação em elaboração",
            "solicitações em elaboração",
            "/solicitacoes?mostrar=proprias&situacao=draft",
        ));
        let refused = count(&state, &actor, "proprias", RequestStatus::Refused).await?;
        waiting.push(Waiting::new(
            refused,
            "solicitação recusada",
            "solicitações recusadas",
            "/solicitacoes?mostrar=proprias&situacao=refused",
        ));
    }
    if account.has_role(Role::ProviderAnalyst) {
        let n = count(&state, &actor, "cedente", RequestStatus::ProviderReview).await?;
        waiting.push(Waiting::new(
            n,
            "solicitação em análise",
            "solicitações em análise",
            "/solicitacoes?mostrar=cedente&situacao=provider_review",
        ));
    }
    if account.has_role(Role::ProgramAdmin) {
        let n = count(&state, &actor, "todas", RequestStatus::Approved).await?;
        waiting.push(Waiting::new(
            n,
            "solicitação aguardando liberação",
            "solicitações aguardando liberação",
            "/solicitacoes?mostrar=todas&situacao=approved",
        ));
    }
    Ok(HomePage {
        layout: Layout::for_user(&user),
        name: account.user.name.clone(),
        organization: account.organization.name.clone(),
        roles: roles.join(", "),
        waiting,
        signer,
        admin: account.has_role(Role::ProgramAdmin),
        manager: account.has_role(Role::Manager),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "terms.html")]
pub struct TermsPage {
    layout: Layout,
}

pub async fn terms(user: Option<CurrentUser>) -> TermsPage {
    let layout = user
        .as_ref()
        .map(Layout::for_user)
        .unwrap_or_else(Layout::anonymous);
    TermsPage { layout }
}

pub async fn not_found() -> super::PageError {
    super::PageError::NotFound
}

/// A method the address does not take (a form posted to a page, say).
pub async fn method_not_allowed() -> super::PageError {
    super::PageError::MethodNotAllowed
}
