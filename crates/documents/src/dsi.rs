//! The DSI — Documento de Solicitação de Interoperabilidade — as a PDF (SPEC §7): the same
//! content as its canonical text ([`adesao_domain::dsi::Dsi::to_text`]), laid out as an official
//! document, with the SHA-256 of that text at the foot of every page so that the printed page
//! and the signed text can be matched.

use adesao_domain::dsi::{self, Dsi};
use adesao_domain::purpose::{LEGAL_BASES_TITLE, SECTIONS};
use adesao_domain::volume::format_thousands;
use serde::{Deserialize, Serialize};

use crate::typeset::{self, Template, TypesetError};

const TEMPLATE: Template = Template {
    name: "dsi",
    markup: include_str!("../templates/dsi.typ"),
};

/// What the document shows, as texts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DsiData {
    pub ministry: String,
    pub secretariat: String,
    pub title: String,
    pub intent: String,
    pub access_asked: String,
    pub request_type: String,
    pub current_volume: String,
    pub requested_volume: String,
    pub legal_bases_title: String,
    pub legal_bases: String,
    pub sections: Vec<TitledText>,
    pub conditions_intro: String,
    pub conditions: Vec<String>,
    pub signers: Vec<Signer>,
    /// SHA-256 (hex) of the canonical text.
    pub text_sha256: String,
    pub signature_area: AreaData,
}

/// The frame of the signatures' visible blocks, as the template draws it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AreaData {
    pub margin_x: f32,
    pub margin_bottom: f32,
    pub height: f32,
    pub title: String,
    pub hint: String,
}

/// Where the visible signature blocks go: a frame at the foot of the last page, above the
/// bottom margin, one block per signer under its title line. Points, PDF coordinates (origin
/// at the bottom left of an A4 page).
pub struct SignatureArea;

impl SignatureArea {
    const PAGE_WIDTH: f32 = 595.28;
    /// 2.2 cm and 2.6 cm.
    const MARGIN_X: f32 = 62.36;
    const MARGIN_BOTTOM: f32 = 73.70;
    const TITLE: f32 = 20.0;
    const SLOT: f32 = 34.0;
    const GAP: f32 = 4.0;
    /// Signers per document: the IT director and the technical lead.
    pub const SLOTS: usize = 2;
    const HEIGHT: f32 = Self::TITLE + Self::SLOTS as f32 * (Self::SLOT + Self::GAP) + 2.0;

    fn data() -> AreaData {
        AreaData {
            margin_x: Self::MARGIN_X,
            margin_bottom: Self::MARGIN_BOTTOM,
            height: Self::HEIGHT,
            title: "Assinaturas digitais".to_owned(),
            hint: "Confira-as em “Validar documento”, no sistema Adesão, ou em qualquer validador de PDF."
                .to_owned(),
        }
    }

    /// The rectangle `[x1, y1, x2, y2]` of the `n`th signature's block (from 0), on the last
    /// page; `None` past the last slot.
    pub fn slot(n: usize) -> Option<[f32; 4]> {
        if n >= Self::SLOTS {
            return None;
        }
        let top =
            Self::MARGIN_BOTTOM + Self::HEIGHT - Self::TITLE - n as f32 * (Self::SLOT + Self::GAP);
        let inset = 6.0;
        Some([
            Self::MARGIN_X + inset,
            top - Self::SLOT,
            Self::PAGE_WIDTH - Self::MARGIN_X - inset,
            top,
        ])
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TitledText {
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signer {
    pub role: String,
    pub name: String,
    /// Masked: `***.591.158-**`.
    pub cpf: String,
}

impl DsiData {
    /// The document of `dsi`, whose canonical text hashes to `text_sha256`.
    pub fn new(dsi: &Dsi, text_sha256: &str) -> Self {
        let signer = |role: &str, s: &dsi::DsiSigner| Signer {
            role: role.to_owned(),
            name: s.name.clone(),
            cpf: s.cpf.masked(),
        };
        Self {
            ministry: dsi::HEADER_MINISTRY.to_owned(),
            secretariat: dsi::HEADER_SECRETARIAT.to_owned(),
            title: dsi.title(),
            intent: dsi.intent(),
            access_asked: dsi.access_asked(),
            request_type: dsi.request_type.label().to_owned(),
            current_volume: format_thousands(dsi.current_volume),
            requested_volume: format_thousands(dsi.requested_volume),
            legal_bases_title: LEGAL_BASES_TITLE.to_owned(),
            legal_bases: dsi.legal_bases_text(),
            sections: SECTIONS
                .iter()
                .map(|s| TitledText {
                    title: s.title.to_owned(),
                    text: dsi.purpose.section_text(s.field).trim().to_owned(),
                })
                .collect(),
            conditions_intro: dsi::CONDITIONS_INTRO.to_owned(),
            conditions: dsi::CONDITIONS.map(str::to_owned).to_vec(),
            signers: vec![
                signer(dsi::IT_DIRECTOR, &dsi.it_director),
                signer(dsi::TECHNICAL_LEAD, &dsi.technical_lead),
            ],
            text_sha256: text_sha256.to_owned(),
            signature_area: SignatureArea::data(),
        }
    }
}

/// The PDF: the same bytes for the same content (no timestamp is written into it).
pub fn dsi_pdf(data: &DsiData) -> Result<Vec<u8>, TypesetError> {
    typeset::render(TEMPLATE, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use adesao_domain::purpose::Purpose;
    use adesao_domain::{Cnpj, Cpf, LegalBasis, RequestNumber, RequestType};

    fn dsi() -> Dsi {
        Dsi {
            number: RequestNumber::parse("000002/2026").unwrap(),
            requester_name: "UFV - Universidade Federal de Viçosa".into(),
            requester_cnpj: Cnpj::parse("25944455000196").unwrap(),
            provider_name: "INSS - Instituto Nacional do Seguro Social".into(),
            api_name: "API BPC".into(),
            request_type: RequestType::Adhesion,
            current_volume: 0,
            requested_volume: 100_000,
            purpose: Purpose {
                legal_bases: [LegalBasis::PublicPolicy].into(),
                data_usage: "Validação cadastral de beneficiários. #panic(\"x\") *a*".into(),
                ..Purpose::default()
            },
            it_director: dsi::DsiSigner {
                name: "Gestor Prata".into(),
                cpf: Cpf::parse("213.591.158-54").unwrap(),
            },
            technical_lead: dsi::DsiSigner {
                name: "Técnico Prata".into(),
                cpf: Cpf::parse("213.591.158-54").unwrap(),
            },
        }
    }

    #[test]
    fn the_same_content_gives_the_same_bytes() {
        let data = DsiData::new(&dsi(), &"ab".repeat(32));
        let first = dsi_pdf(&data).unwrap();
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, dsi_pdf(&data).unwrap());
    }
}
