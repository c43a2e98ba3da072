//! The emails of SPEC §8, written into the outbox in the transaction of their event.

use adesao_domain::Role;
use adesao_store::outbox::{self, Channel, NewMessage};
use adesao_store::requests::Request;
use adesao_store::{AnyConnection, StoreResult, users};
use jiff::civil::Date;

/// Who should hear of an event.
pub enum Audience {
    /// Both officials named on the request.
    Signers,
    /// The provider organization's analysts.
    ProviderAnalysts,
    /// The requester's managers and the two officials.
    RequesterTeam,
    ProgramAdmins,
}

pub async fn email(
    conn: &mut AnyConnection,
    request: &Request,
    today: Date,
    audience: Audience,
    subject: &str,
    body: &str,
) -> StoreResult<usize> {
    let mut recipients: Vec<String> = Vec::new();
    match audience {
        Audience::Signers => recipients.extend(signer_emails(conn, request).await?),
        Audience::ProviderAnalysts => {
            let people =
                users::with_roles(conn, request.provider.id, &[Role::ProviderAnalyst], today)
                    .await?;
            recipients.extend(people.into_iter().map(|p| p.email));
        }
        Audience::RequesterTeam => {
            let people =
                users::with_roles(conn, request.requester.id, &[Role::Manager], today).await?;
            recipients.extend(people.into_iter().map(|p| p.email));
            recipients.extend(signer_emails(conn, request).await?);
        }
        Audience::ProgramAdmins => {
            recipients.extend(
                users::program_admins(conn, today)
                    .await?
                    .into_iter()
                    .map(|a| a.email),
            );
        }
    }
    recipients.sort();
    recipients.dedup();
    let full_body = format!(
        "{body}\n\nSolicitação nº {} — {} ({})\nÓrgão solicitante: {}\n\nAcesse o sistema Adesão para ver os detalhes.\n\nEsta é uma mensagem automática do Adesão — Conecta gov.br.",
        request.number, request.api_name, request.provider.acronym, request.requester.name
    );
    for to in &recipients {
        outbox::enqueue(
            conn,
            &NewMessage {
                channel: Channel::Email,
                recipient: to,
                subject,
                body: &full_body,
                request_id: Some(request.id),
            },
        )
        .await?;
    }
    Ok(recipients.len())
}

async fn signer_emails(conn: &mut AnyConnection, request: &Request) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for id in [request.it_director.id, request.technical_lead.id] {
        if let Some(u) = users::find(conn, id).await? {
            out.push(u.email);
        }
    }
    Ok(out)
}
