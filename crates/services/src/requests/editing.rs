//! Incluir, Nova Solicitação (copy of a refused one) and Alterar.

use adesao_domain::access::{Action, Actor};
use adesao_domain::{RequestNumber, RequestStatus};
use adesao_store::requests::{self, Content, Request};
use adesao_store::{attachments, dsi_documents, signatures};
use jiff::Timestamp;

use super::input::{self, PurposePatch, RequestPatch};
use super::{
    RequestService, actions, begin_change, claim, commit_and_reload, event, load_checked_in,
    move_by,
};
use crate::ServiceError;
use crate::error::ServiceError as E;

impl RequestService {
    /// Incluir: saves a draft and gives it the next number of the year.
    pub async fn create(
        &self,
        actor: &Actor,
        patch: RequestPatch,
        copied_from_id: Option<i64>,
    ) -> Result<Request, ServiceError> {
        adesao_domain::access::check_create(actor)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // The numbering counter is the first write: it takes the lock that orders concurrent
        // creations, and a failure below rolls the number back.
        let year = local_year(now);
        let sequence = requests::next_sequence(&mut tx, year).await?;
        let number = RequestNumber::new(
            u32::try_from(sequence)
                .map_err(|_| E::Conflict("Numeração do ano esgotada.".into()))?,
            u16::try_from(year).unwrap_or(9999),
        )
        .map_err(|_| E::Conflict("A numeração de solicitações deste ano se esgotou.".into()))?;
        let content = match input::validate(
            &mut tx,
            actor.organization_id,
            patch,
            None,
            crate::clock::local_date(now),
        )
        .await?
        {
            Ok(c) => c,
            Err(issues) => return Err(E::Invalid(issues)),
        };
        let id = requests::insert(
            &mut tx,
            &number,
            actor.organization_id,
            &stored(&content),
            copied_from_id,
            actor.user_id,
            now,
        )
        .await?;
        // A copy of a refused request keeps its attachments (as copies sent now) and says where
        // it came from.
        let comment = match copied_from_id {
            Some(source) => {
                let copied = attachments::copy_all(&mut tx, source, id, actor.user_id, now).await?;
                let number = requests::number_of(&mut tx, source)
                    .await?
                    .unwrap_or_default();
                Some(format!(
                    "A partir da solicitação {number}, com {} copiados.",
                    adesao_domain::text::plural(copied, "anexo", "anexos")
                ))
            }
            None => None,
        };
        event(
            &mut tx,
            id,
            now,
            actor,
            actions::CREATED,
            None,
            Some(RequestStatus::Draft),
            comment.as_deref(),
        )
        .await?;
        let request = requests::find(&mut tx, id).await?.ok_or(E::NotFound)?;
        tx.commit().await?;
        tracing::info!(request = %request.number, user_id = actor.user_id, "request created");
        Ok(request)
    }

    /// Nova Solicitação from a refused one: a new draft with the same content.
    pub async fn copy(&self, actor: &Actor, id: i64) -> Result<Request, ServiceError> {
        let (source, _) = self.load_checked(actor, id, Action::Copy).await?;
        let patch = RequestPatch {
            api_id: Some(source.api_id),
            request_type: Some(source.request_type),
            it_director_id: Some(source.it_director.id),
            technical_lead_id: Some(source.technical_lead.id),
            requested_volume: Some(Ok(source.requested_volume)),
            purpose: PurposePatch {
                legal_bases: Some(source.purpose.legal_bases.iter().copied().collect()),
                texts: source
                    .purpose
                    .texts()
                    .map(|(field, text)| (field, text.to_owned()))
                    .collect(),
            },
        };
        self.create(actor, patch, Some(source.id)).await
    }

    /// Alterar: changes the content. After release it sends the request back to draft and voids
    /// the signatures already given.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        patch: RequestPatch,
    ) -> Result<Request, ServiceError> {
        let now = self.clock.now();
        let mut tx = begin_change(&self.db, id).await?;
        let (request, _) = load_checked_in(&mut tx, actor, id, Action::Edit).await?;
        let base = input::Base {
            api_id: request.api_id,
            request_type: request.request_type,
            it_director_id: request.it_director.id,
            technical_lead_id: request.technical_lead.id,
            requested_volume: request.requested_volume,
            purpose: &request.purpose,
        };
        let content = match input::validate(
            &mut tx,
            request.requester.id,
            patch,
            Some(&base),
            crate::clock::local_date(now),
        )
        .await?
        {
            Ok(c) => c,
            Err(issues) => return Err(E::Invalid(issues)),
        };
        claim(&mut tx, &request, now).await?;
        requests::update_content(&mut tx, id, &stored(&content)).await?;
        // Altering a released request takes it back to draft (the lifecycle's Edit move).
        if Action::Edit.target(request.status).is_some() {
            let voided = signatures::void_all(&mut tx, id, now).await?;
            // The released DSI goes with its signatures; the next release makes a new one.
            dsi_documents::void(&mut tx, id, now).await?;
            let comment = (voided > 0).then_some("Assinaturas já realizadas foram anuladas.");
            move_by(
                &mut tx,
                actor,
                &request,
                Action::Edit,
                actions::RETURNED_TO_DRAFT,
                comment,
                now,
            )
            .await?;
        } else {
            event(&mut tx, id, now, actor, actions::UPDATED, None, None, None).await?;
        }
        commit_and_reload(tx, id).await
    }
}

fn stored(c: &input::ValidContent) -> Content<'_> {
    Content {
        request_type: c.request_type,
        api_id: c.api_id,
        provider_id: c.provider_id,
        it_director_id: c.it_director_id,
        technical_lead_id: c.technical_lead_id,
        requested_volume: c.requested_volume,
        current_volume: c.current_volume,
        purpose: &c.purpose,
    }
}

/// The calendar year in Brasília, which numbers requests.
pub fn local_year(now: Timestamp) -> i64 {
    // The time zone database is bundled into the binary, so the lookup cannot fail at run time.
    let zone = jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap_or(jiff::tz::TimeZone::UTC);
    i64::from(now.to_zoned_datetime(zone).year())
}
