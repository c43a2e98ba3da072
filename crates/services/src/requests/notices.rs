//! The e-mails of SPEC §8, written into the outbox in the transaction of their event: who hears
//! of each event, one message per person (whatever roles they hold), from the templates of
//! [`crate::messages`].

use adesao_domain::Role;
use adesao_store::outbox::{self, Channel, NewMessage};
use adesao_store::requests::Request;
use adesao_store::{AnyConnection, StoreResult, users};
use jiff::civil::Date;

use crate::ServiceError;
use crate::messages::{self, Event, Links};

/// Someone to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Recipient {
    user_id: i64,
    name: String,
    email: String,
    /// For the signers: the role(s) they sign the request in.
    signer_role: String,
}

/// Writes `event`'s e-mail for each of its recipients into the outbox; returns how many.
pub async fn send(
    conn: &mut AnyConnection,
    request: &Request,
    today: Date,
    links: &Links,
    event: Event<'_>,
) -> Result<usize, ServiceError> {
    let recipients = recipients(conn, request, today, &event).await?;
    for to in &recipients {
        let facts = messages::facts(request, &event, links, &to.name, &to.signer_role);
        let mail = messages::email(&event, &facts)
            .map_err(|e| ServiceError::Internal(format!("mail template: {e}")))?;
        outbox::enqueue(
            conn,
            &NewMessage {
                channel: Channel::Email,
                recipient: &to.email,
                subject: &mail.subject,
                body: &mail.text,
                html_body: Some(&mail.html),
                delivered_body: None,
                request_id: Some(request.id),
            },
        )
        .await?;
    }
    Ok(recipients.len())
}

/// SPEC §8: release → both signers; both signed → the provider's analysts; approved → the
/// program admins; refused or granted → the requester's managers and both signers. Each person
/// once, in a stable order; people without an e-mail address are left out (and logged).
async fn recipients(
    conn: &mut AnyConnection,
    request: &Request,
    today: Date,
    event: &Event<'_>,
) -> StoreResult<Vec<Recipient>> {
    let mut people: Vec<Recipient> = Vec::new();
    let person = |id: i64, name: String, email: String| Recipient {
        user_id: id,
        name,
        email,
        signer_role: String::new(),
    };
    match event {
        Event::Released => people.extend(signers(conn, request).await?),
        Event::Signed => {
            let analysts =
                users::with_roles(conn, request.provider.id, &[Role::ProviderAnalyst], today)
                    .await?;
            people.extend(analysts.into_iter().map(|p| person(p.id, p.name, p.email)));
        }
        Event::Approved { .. } => {
            let admins = users::program_admins(conn, today).await?;
            people.extend(
                admins
                    .into_iter()
                    .map(|a| person(a.user_id, a.name, a.email)),
            );
        }
        Event::Refused { .. } | Event::Granted { .. } => {
            let managers =
                users::with_roles(conn, request.requester.id, &[Role::Manager], today).await?;
            people.extend(managers.into_iter().map(|p| person(p.id, p.name, p.email)));
            people.extend(signers(conn, request).await?);
        }
    }
    Ok(once_each(people, event.code(), request.id))
}

/// One entry per person and per address (two accounts sharing a mailbox get one message),
/// without those who have no address.
fn once_each(people: Vec<Recipient>, event: &str, request_id: i64) -> Vec<Recipient> {
    let mut seen_users = std::collections::HashSet::new();
    let mut seen_addresses = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in people {
        if p.email.trim().is_empty() {
            tracing::info!(
                user_id = p.user_id,
                event,
                request_id,
                "no e-mail sent: the user has no e-mail address"
            );
            continue;
        }
        if seen_users.insert(p.user_id) && seen_addresses.insert(p.email.trim().to_lowercase()) {
            out.push(p);
        }
    }
    out
}

/// The two officials named on the request, still active, with the role each signs in; one
/// entry when the same person is both.
async fn signers(conn: &mut AnyConnection, request: &Request) -> StoreResult<Vec<Recipient>> {
    let director = request.it_director.id;
    let lead = request.technical_lead.id;
    let mut out = Vec::new();
    for (id, role) in [
        (director, Role::ItDirector.label()),
        (lead, Role::TechnicalLead.label()),
    ] {
        if id == lead && id == director && !out.is_empty() {
            continue;
        }
        let role = if director == lead {
            format!(
                "{} e {}",
                Role::ItDirector.label(),
                Role::TechnicalLead.label()
            )
        } else {
            role.to_owned()
        };
        match users::find(conn, id).await? {
            Some(u) if u.active => out.push(Recipient {
                user_id: u.id,
                name: u.name,
                email: u.email,
                signer_role: role,
            }),
            _ => tracing::info!(
                user_id = id,
                request_id = request.id,
                "no e-mail sent: the signer's account is inactive"
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: i64, email: &str) -> Recipient {
        Recipient {
            user_id: id,
            name: format!("P{id}"),
            email: email.into(),
            signer_role: String::new(),
        }
    }

    #[test]
    fn each_person_and_address_once_and_none_without_address() {
        let out = once_each(
            vec![
                r(1, "a@x.example"),
                r(2, ""),
                r(1, "a@x.example"),
                r(3, "A@X.example"),
                r(4, "d@x.example"),
            ],
            "granted",
            9,
        );
        assert_eq!(
            out.iter().map(|p| p.user_id).collect::<Vec<_>>(),
            vec![1, 4]
        );
    }
}
