//! DSI — Documento de Solicitação de Interoperabilidade: the text the two officials sign
//! (SPEC §7). The canonical plain text produced here is what is hashed into each signature; the
//! HTML summary and, later, the PDF are laid out from the same [`Dsi`] value.

use std::fmt::Write;

use crate::purpose::{LEGAL_BASES_TITLE, Purpose, SECTIONS};
use crate::volume::format_thousands;
use crate::{Cnpj, Cpf, LegalBasis, RequestNumber, RequestType};

pub const HEADER_MINISTRY: &str = "Ministério da Gestão e da Inovação em Serviços Públicos";
pub const HEADER_SECRETARIAT: &str = "Secretaria de Governo Digital - SGD";

/// What precedes the conditions (seed, item 4).
pub const CONDITIONS_INTRO: &str = "Os representantes do órgão que assinam este documento concordam com as seguintes condições de utilização dos serviços providos pelo programa Conecta gov.br:";

/// The signers' roles as the document names them.
pub const IT_DIRECTOR: &str = "Dirigente de TI";
pub const TECHNICAL_LEAD: &str = "Responsável Técnico";

/// The conditions of use the signers accept (seed, item 4).
pub const CONDITIONS: [&str; 3] = [
    "O órgão somente terá acesso aos serviços após comprovação de que possui autorização do gestor do dado para acesso às informações solicitadas;",
    "O órgão declara conhecer e concordar com as regras definidas nos contratos que suportam a prestação do serviço;",
    "Os responsáveis indicados neste documento exercerão o acompanhamento e a fiscalização dos serviços, na forma e prazo estabelecidos pela SGD, quanto ao volume consumido pelo órgão e ao cumprimento dos níveis de serviços estabelecidos em contrato com o fornecedor da solução, e enviarão a declaração de consumo dos serviços à SGD.",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsiSigner {
    pub name: String,
    pub cpf: Cpf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsi {
    pub number: RequestNumber,
    pub requester_name: String,
    pub requester_cnpj: Cnpj,
    pub provider_name: String,
    pub api_name: String,
    pub request_type: RequestType,
    pub current_volume: u64,
    pub requested_volume: u64,
    pub purpose: Purpose,
    pub it_director: DsiSigner,
    pub technical_lead: DsiSigner,
}

impl Dsi {
    pub fn title(&self) -> String {
        format!(
            "Documento de Solicitação de Interoperabilidade nº {}",
            self.number
        )
    }

    pub fn intent(&self) -> String {
        format!(
            // Without an article: the register does not say whether an organization's name takes
            // "o" or "a" (the seed's "O UFV" reads wrong).
            "{}, CNPJ {}, em cumprimento de suas competências, está buscando viabilizar a integração e a análise de dados para aprimoramento da gestão do ciclo de suas políticas e serviços públicos.",
            self.requester_name, self.requester_cnpj
        )
    }

    pub fn access_asked(&self) -> String {
        format!(
            "Para isso, solicita ao órgão cedente dos dados, {}, acesso à {}.",
            self.provider_name, self.api_name
        )
    }

    /// The legal bases as one line, in the template's order.
    pub fn legal_bases_text(&self) -> String {
        LegalBasis::ALL
            .iter()
            .filter(|b| self.purpose.legal_bases.contains(b))
            .map(|b| match b {
                LegalBasis::Other => format!("Outro: {}", self.purpose.legal_basis_other.trim()),
                _ => b.label().to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The canonical text: what is signed, byte for byte.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "{HEADER_MINISTRY}\n{HEADER_SECRETARIAT}\n");
        let _ = writeln!(t, "{}\n", self.title());
        let _ = writeln!(t, "1. {}\n", self.intent());
        let _ = writeln!(t, "2. {}", self.access_asked());
        let _ = writeln!(t, "Tipo de solicitação: {}", self.request_type.label());
        let _ = writeln!(
            t,
            "Volumetria atual: {}",
            format_thousands(self.current_volume)
        );
        let _ = writeln!(
            t,
            "Volumetria anual solicitada: {}\n",
            format_thousands(self.requested_volume)
        );
        let _ = writeln!(t, "3. Finalidade");
        let _ = writeln!(t, "{LEGAL_BASES_TITLE}: {}", self.legal_bases_text());
        for section in &SECTIONS {
            let _ = writeln!(
                t,
                "{}: {}",
                section.title,
                self.purpose.section_text(section.field).trim()
            );
        }
        let _ = writeln!(t, "\n4. {CONDITIONS_INTRO}");
        for c in CONDITIONS {
            let _ = writeln!(t, "- {c}");
        }
        let _ = writeln!(t, "\n5. Signatários");
        let _ = writeln!(
            t,
            "{IT_DIRECTOR}: {} (CPF {})",
            self.it_director.name,
            self.it_director.cpf.masked()
        );
        let _ = write!(
            t,
            "{TECHNICAL_LEAD}: {} (CPF {})",
            self.technical_lead.name,
            self.technical_lead.cpf.masked()
        );
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dsi() -> Dsi {
        Dsi {
            number: RequestNumber::parse("000002/2025").unwrap(),
            requester_name: "UFV - Universidade Federal de Viçosa".into(),
            requester_cnpj: Cnpj::parse("25944455000196").unwrap(),
            provider_name: "INSS - Instituto Nacional do Seguro Social".into(),
            api_name: "API BPC".into(),
            request_type: RequestType::Adhesion,
            current_volume: 0,
            requested_volume: 100_000,
            purpose: Purpose {
                legal_bases: [LegalBasis::PublicPolicy, LegalBasis::Other].into(),
                legal_basis_other: "Art. 11".into(),
                data_usage: "Validação cadastral.".into(),
                ..Purpose::default()
            },
            it_director: DsiSigner {
                name: "Gestor Prata".into(),
                cpf: Cpf::parse("21359115854").unwrap(),
            },
            technical_lead: DsiSigner {
                name: "Gestor Prata 2".into(),
                cpf: Cpf::parse("24059668400").unwrap(),
            },
        }
    }

    /// The canonical text is what officials sign (its SHA-256 goes into each signature): any
    /// change to it, even of a space, must be a decision someone sees in review.
    #[test]
    fn the_canonical_text_changes_only_on_purpose() {
        insta::assert_snapshot!(dsi().to_text());
    }

    #[test]
    fn the_text_carries_everything_spec_7_lists() {
        let text = dsi().to_text();
        for expected in [
            "Ministério da Gestão e da Inovação em Serviços Públicos\nSecretaria de Governo Digital - SGD",
            "Documento de Solicitação de Interoperabilidade nº 000002/2025",
            "UFV - Universidade Federal de Viçosa, CNPJ 25.944.455/0001-96, em cumprimento",
            "acesso à API BPC",
            "Tipo de solicitação: Adesão",
            "Volumetria anual solicitada: 100.000",
            "Execução de Políticas Públicas; Outro: Art. 11",
            "Como o dado será utilizado: Validação cadastral.",
            "Duração do Tratamento: ",
            "autorização do gestor do dado",
            "Dirigente de TI: Gestor Prata (CPF ***.591.158-**)",
            "Responsável Técnico: Gestor Prata 2 (CPF ***.596.684-**)",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("213.591.158-54"), "CPFs are masked");
    }

    #[test]
    fn any_change_of_content_changes_the_text() {
        let a = dsi();
        let mut b = dsi();
        b.requested_volume += 1;
        assert_ne!(a.to_text(), b.to_text());
        assert_eq!(a.to_text(), dsi().to_text(), "deterministic");
    }
}
