//! Finalidade: the LGPD justification of a request, one field per section of the template
//! (SPEC §5). Sections may stay empty while the request is a draft; all of them must hold the
//! requester's own text before release.

use std::collections::BTreeSet;

use crate::LegalBasis;

/// Longest text accepted in one section.
pub const MAX_SECTION_CHARS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purpose {
    pub legal_bases: BTreeSet<LegalBasis>,
    pub legal_basis_other: String,
    pub data_usage: String,
    pub public_policies: String,
    pub legal_provision: String,
    pub citizen_results: String,
    pub retention: String,
}

/// One section of the template: its field name (JSON API and form), its title and the template's
/// guidance, shown as help text and recognised if pasted back unchanged.
pub struct Section {
    pub field: &'static str,
    pub title: &'static str,
    pub guidance: &'static str,
}

pub const LEGAL_BASES_FIELD: &str = "legal_bases";
pub const LEGAL_BASES_TITLE: &str =
    "Hipótese de tratamento de dados pessoais adotada (conforme art. 7º ou 11 da LGPD)";

pub const SECTIONS: [Section; 5] = [
    Section {
        field: "data_usage",
        title: "Como o dado será utilizado",
        guidance: "Informar como os dados serão utilizados nas políticas públicas listadas acima, como, por exemplo, validação de dados cadastrais, validação de certidão, obtenção automática dos dados para atuação integrada do Estado etc.",
    },
    Section {
        field: "public_policies",
        title: "Políticas Públicas Impactadas",
        guidance: "Informar as políticas públicas (temas) impactados, como, por exemplo, Educação Superior, Pesca Artesanal, Programa Bolsa Família, Concessão de Licença Ambiental etc.",
    },
    Section {
        field: "legal_provision",
        title: "Previsão Legal",
        guidance: "Informar normativo ou regulamento que define as competências do órgão ou seu regimento interno; além disso, destaque outras normas ou regulamentos relevantes que respaldem a finalidade do tratamento de dados pessoais realizado.",
    },
    Section {
        field: "citizen_results",
        title: "Resultados pretendidos para o cidadão",
        guidance: "Informar os resultados sob o ponto de vista do cidadão, com por exemplo, diminuição das informações a serem preenchidas em formulários, eliminação da necessidade de apresentação de documentos etc.",
    },
    Section {
        field: "retention",
        title: "Duração do Tratamento",
        guidance: "Informar por quanto tempo o dado obtido por meio de interoperabilidade será armazenado pelo órgão, justificando os critérios para tal. Sugestão de utilizar a tabela de temporalidade do CONARQ (Código de Classificação e Tabela de Temporalidade e Destinação de Documentos de Arquivo, do Arquivo Nacional).",
    },
];

/// The free-text fields of a purpose, in the template's order: the other legal basis, then the
/// five sections. Everything that goes through every text iterates this.
pub const TEXT_FIELDS: [&str; 6] = [
    "legal_basis_other",
    "data_usage",
    "public_policies",
    "legal_provision",
    "citizen_results",
    "retention",
];

/// A field with a problem, named as in the JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: &'static str,
    pub message: String,
}

impl FieldIssue {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl Purpose {
    /// The text of a field of [`TEXT_FIELDS`] ("" for any other name).
    pub fn text(&self, field: &str) -> &str {
        match field {
            "data_usage" => &self.data_usage,
            "public_policies" => &self.public_policies,
            "legal_provision" => &self.legal_provision,
            "citizen_results" => &self.citizen_results,
            "retention" => &self.retention,
            "legal_basis_other" => &self.legal_basis_other,
            _ => "",
        }
    }

    /// The text of a field of [`TEXT_FIELDS`], to change it.
    pub fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "data_usage" => &mut self.data_usage,
            "public_policies" => &mut self.public_policies,
            "legal_provision" => &mut self.legal_provision,
            "citizen_results" => &mut self.citizen_results,
            "retention" => &mut self.retention,
            "legal_basis_other" => &mut self.legal_basis_other,
            _ => return None,
        })
    }

    /// The texts by field, in [`TEXT_FIELDS`] order.
    pub fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        TEXT_FIELDS.into_iter().map(|f| (f, self.text(f)))
    }

    pub fn section_text(&self, field: &str) -> &str {
        self.text(field)
    }

    /// Problems that prevent saving at all: texts too long or holding control characters.
    /// Drafts may be incomplete.
    pub fn draft_issues(&self) -> Vec<FieldIssue> {
        let mut issues = Vec::new();
        for (field, text) in self.texts() {
            if let Some(issue) = crate::text::control_characters_issue(field, text) {
                issues.push(issue);
            } else if text.chars().count() > MAX_SECTION_CHARS {
                issues.push(FieldIssue::new(
                    field,
                    format!(
                        "O texto pode ter no máximo {} caracteres.",
                        crate::volume::format_thousands(MAX_SECTION_CHARS as u64)
                    ),
                ));
            }
        }
        issues
    }

    /// Problems that prevent release for signature: every section filled with the requester's
    /// own text (SPEC §4, §5), on top of [`draft_issues`](Self::draft_issues).
    pub fn release_issues(&self) -> Vec<FieldIssue> {
        let mut issues = self.draft_issues();
        if self.legal_bases.is_empty() {
            issues.push(FieldIssue::new(
                LEGAL_BASES_FIELD,
                "Selecione ao menos uma hipótese de tratamento de dados pessoais.",
            ));
        }
        if self.legal_bases.contains(&LegalBasis::Other) && self.legal_basis_other.trim().is_empty()
        {
            issues.push(FieldIssue::new(
                "legal_basis_other",
                "Especifique a outra hipótese de tratamento de dados pessoais.",
            ));
        }
        for section in &SECTIONS {
            let text = self.section_text(section.field);
            if text.trim().is_empty() {
                issues.push(FieldIssue::new(
                    section.field,
                    format!("Preencha a seção “{}”.", section.title),
                ));
            } else if is_placeholder(text, section.guidance) {
                issues.push(FieldIssue::new(
                    section.field,
                    format!(
                        "A seção “{}” ainda contém o texto de orientação do modelo: substitua-o pelas informações da solicitação.",
                        section.title
                    ),
                ));
            }
        }
        issues
    }
}

/// True when the text is the template's guidance (or a bracketed instruction such as the seed's
/// "[Informar …]") rather than the requester's own words.
fn is_placeholder(text: &str, guidance: &str) -> bool {
    let normalize = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let text_n = normalize(text);
    let guidance_n = normalize(guidance);
    let trimmed = text.trim();
    let bracketed = trimmed.starts_with('[') && trimmed.ends_with(']');
    let starts_like_instruction = text_n.starts_with("informar");
    // The guidance's opening words are enough to recognise a pasted template.
    let guidance_head: String = guidance_n.chars().take(60).collect();
    bracketed || starts_like_instruction || text_n.contains(&guidance_head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Purpose {
        Purpose {
            legal_bases: [LegalBasis::PublicPolicy].into(),
            legal_basis_other: String::new(),
            data_usage: "Validação de dados cadastrais dos estudantes.".into(),
            public_policies: "Assistência estudantil.".into(),
            legal_provision: "Lei nº 8.742/1993.".into(),
            citizen_results: "Menos documentos a apresentar.".into(),
            retention: "Cinco anos, conforme a tabela do CONARQ.".into(),
        }
    }

    #[test]
    fn a_complete_purpose_has_no_issues() {
        assert!(complete().release_issues().is_empty());
    }

    #[test]
    fn an_empty_purpose_is_fine_for_a_draft_but_not_for_release() {
        let empty = Purpose::default();
        assert!(empty.draft_issues().is_empty());
        let fields: Vec<_> = empty.release_issues().iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            vec![
                "legal_bases",
                "data_usage",
                "public_policies",
                "legal_provision",
                "citizen_results",
                "retention"
            ]
        );
    }

    #[test]
    fn template_text_left_in_place_is_refused() {
        for section in &SECTIONS {
            let mut p = complete();
            let pasted = format!("[{}]", section.guidance);
            match section.field {
                "data_usage" => p.data_usage = pasted,
                "public_policies" => p.public_policies = pasted,
                "legal_provision" => p.legal_provision = pasted,
                "citizen_results" => p.citizen_results = section.guidance.to_owned(),
                _ => p.retention = format!("  {}  ", section.guidance.to_uppercase()),
            }
            let issues = p.release_issues();
            assert_eq!(issues.len(), 1, "{}", section.field);
            assert_eq!(issues[0].field, section.field);
            assert!(issues[0].message.contains("texto de orientação"));
        }
    }

    #[test]
    fn other_legal_basis_needs_its_text() {
        let mut p = complete();
        p.legal_bases.insert(LegalBasis::Other);
        assert_eq!(p.release_issues()[0].field, "legal_basis_other");
        p.legal_basis_other = "Art. 11, II, b".into();
        assert!(p.release_issues().is_empty());
    }

    #[test]
    fn over_long_sections_are_refused_even_in_drafts() {
        let p = Purpose {
            data_usage: "a".repeat(MAX_SECTION_CHARS + 1),
            ..Purpose::default()
        };
        assert_eq!(
            p.draft_issues()[0].message,
            "O texto pode ter no máximo 10.000 caracteres."
        );
    }
}
