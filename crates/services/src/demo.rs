//! The demo data of SPEC §12, loaded once on an empty database.

use adesao_domain::{AttachmentKind, Cnpj, Cpf, Mobile, Role};
use adesao_store::organizations::{self, NewOrganization};
use adesao_store::users::{self, NewUser};
use adesao_store::{Db, StoreError, apis};

use crate::password;

/// The password of every demo user. Printed in the README: demo data is for evaluation only.
pub const DEMO_PASSWORD: &str = "adesao-demo";

struct DemoOrg {
    acronym: &'static str,
    name: &'static str,
    cnpj: &'static str,
}

// UFV's CNPJ is its real one (the seed shows it); the others are made up with valid digits.
const ORGS: &[DemoOrg] = &[
    DemoOrg {
        acronym: "UFV",
        name: "UFV - Universidade Federal de Viçosa",
        cnpj: "25.944.455/0001-96",
    },
    DemoOrg {
        acronym: "INSS",
        name: "INSS - Instituto Nacional do Seguro Social",
        cnpj: "29.471.035/0001-90",
    },
    DemoOrg {
        acronym: "MDS",
        name: "MDS - Ministério do Desenvolvimento e Assistência Social, Família e Combate à Fome",
        cnpj: "05.341.036/0001-52",
    },
    DemoOrg {
        acronym: "SGP",
        name: "SGP - Secretaria de Gestão de Pessoas",
        cnpj: "00.489.482/0001-95",
    },
    DemoOrg {
        acronym: "SGD",
        name: "SGD - Secretaria de Governo Digital",
        cnpj: "00.789.231/0001-26",
    },
];

pub struct DemoUser {
    pub cpf: &'static str,
    pub name: &'static str,
    pub org: &'static str,
    pub roles: &'static [Role],
    pub email: &'static str,
    pub mobile: &'static str,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        cpf: "213.591.158-54",
        name: "Gestor Prata",
        org: "UFV",
        roles: &[Role::Manager, Role::ItDirector],
        email: "gestor.prata@ufv.example",
        mobile: "+55 (61) 91111-0011",
    },
    DemoUser {
        cpf: "240.596.684-00",
        name: "Gestor Prata 2",
        org: "UFV",
        roles: &[Role::TechnicalLead],
        email: "gestor.prata2@ufv.example",
        mobile: "+55 (61) 91111-0022",
    },
    DemoUser {
        cpf: "862.351.990-66",
        name: "Usuário Teste SGD",
        org: "UFV",
        roles: &[Role::Manager],
        email: "usuario.teste@ufv.example",
        mobile: "+55 (61) 91111-0033",
    },
    DemoUser {
        cpf: "529.982.247-25",
        name: "Analista INSS",
        org: "INSS",
        roles: &[Role::ProviderAnalyst],
        email: "analista@inss.example",
        mobile: "+55 (61) 92222-0044",
    },
    DemoUser {
        cpf: "390.533.447-05",
        name: "Analista MDS",
        org: "MDS",
        roles: &[Role::ProviderAnalyst],
        email: "analista@mds.example",
        mobile: "+55 (61) 93333-0055",
    },
    DemoUser {
        cpf: "713.882.654-00",
        name: "Analista SGP",
        org: "SGP",
        roles: &[Role::ProviderAnalyst],
        email: "analista@sgp.example",
        mobile: "+55 (61) 94444-0066",
    },
    DemoUser {
        cpf: "045.134.689-04",
        name: "Equipe Conecta",
        org: "SGD",
        roles: &[Role::ProgramAdmin],
        email: "conecta@sgd.example",
        mobile: "+55 (61) 95555-0077",
    },
];

struct DemoApi {
    name: &'static str,
    provider: &'static str,
    description: &'static str,
    /// (kind, mandatory, model file name)
    requirements: &'static [(AttachmentKind, bool, Option<&'static str>)],
}

const APIS: &[DemoApi] = &[
    DemoApi {
        name: "API BPC",
        provider: "INSS",
        description: "Consulta ao Benefício de Prestação Continuada.",
        requirements: &[(AttachmentKind::Other, false, None)],
    },
    DemoApi {
        name: "API CADUNICO SERVICOS",
        provider: "MDS",
        description: "Consulta ao Cadastro Único para Programas Sociais.",
        // The model names are the seed's (1.6).
        requirements: &[
            (
                AttachmentKind::Form,
                true,
                Some("MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v101.odt"),
            ),
            (
                AttachmentKind::OfficialLetter,
                true,
                Some("MODELO_TERMO_ADESAO_CONTRATO_01_2023_COMOC_v1.odt"),
            ),
            (AttachmentKind::Other, false, None),
        ],
    },
    DemoApi {
        name: "API CONSULTA SIAPE",
        provider: "SGP",
        description: "Consulta a dados funcionais de servidores do SIAPE.",
        requirements: &[(AttachmentKind::Other, false, None)],
    },
];

/// The text of a demo model file: a term of adhesion to fill in and sign.
fn model_text(kind: AttachmentKind, api: &str) -> (String, Vec<String>) {
    match kind {
        AttachmentKind::OfficialLetter => (
            format!("Ofício de solicitação de acesso à {api}"),
            vec![
                "Ofício nº ____/______ – ______ (sigla do órgão)".into(),
                "Local e data: ______________________, ___ de ____________ de ______.".into(),
                "Ao Ministério do Desenvolvimento e Assistência Social, Família e Combate à Fome".into(),
                String::new(),
                format!("Assunto: Solicitação de acesso à {api} por meio do programa Conecta gov.br."),
                String::new(),
                "Senhor(a) Gestor(a),".into(),
                format!("Solicitamos acesso à {api}, nos termos da solicitação de adesão registrada no sistema Adesão, para a finalidade nela descrita, em conformidade com a Lei nº 13.709/2018 (LGPD)."),
                "Indicamos como responsáveis pelo acompanhamento do serviço o Dirigente de TI e o Responsável Técnico nomeados na solicitação.".into(),
                String::new(),
                "Atenciosamente,".into(),
                "______________________________________".into(),
                "Nome, cargo e assinatura da autoridade máxima do órgão".into(),
            ],
        ),
        _ => (
            format!("Termo de Adesão – {api}"),
            vec![
                "Contrato nº 01/2023 – COMOC".into(),
                "Órgão aderente: ____________________________________  CNPJ: __.___.___/____-__".into(),
                String::new(),
                format!("Cláusula primeira – Do objeto: adesão do órgão acima ao consumo da {api}, disponibilizada pelo órgão gestor dos dados por meio do programa Conecta gov.br."),
                "Cláusula segunda – Da finalidade: os dados serão tratados exclusivamente para a finalidade declarada na solicitação de adesão, vedado o compartilhamento com terceiros.".into(),
                "Cláusula terceira – Da segurança: o órgão aderente adotará medidas técnicas e administrativas aptas a proteger os dados pessoais recebidos, nos termos da LGPD.".into(),
                "Cláusula quarta – Da vigência: este termo vigora enquanto durar o acesso concedido, podendo ser denunciado por qualquer das partes.".into(),
                String::new(),
                "Local e data: ______________________, ___ de ____________ de ______.".into(),
                "______________________________________".into(),
                "Dirigente de TI do órgão aderente".into(),
                "______________________________________".into(),
                "Responsável Técnico do órgão aderente".into(),
            ],
        ),
    }
}

/// Loads the demo data if the database has no organization yet. Returns whether it loaded.
/// Running it again, or on a database with data of its own, changes nothing.
pub async fn load_if_empty(db: &Db) -> Result<bool, StoreError> {
    // Hash before taking the write lock: hashing is slow and the lock should be short. One hash
    // serves all demo users (they share the published password anyway).
    let password_hash = password::hash(DEMO_PASSWORD.to_owned()).await;

    let mut tx = db.begin().await?;
    if organizations::count(&mut tx).await? > 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let mut org_ids = Vec::new();
    for org in ORGS {
        let cnpj = Cnpj::parse(org.cnpj).expect("demo CNPJs are valid");
        let id = organizations::insert(
            &mut tx,
            &NewOrganization {
                name: org.name,
                acronym: org.acronym,
                cnpj: &cnpj,
                provides_apis: APIS.iter().any(|a| a.provider == org.acronym),
                active: true,
            },
        )
        .await?;
        org_ids.push((org.acronym, id));
    }
    let org_id = |acronym: &str| {
        org_ids
            .iter()
            .find(|(a, _)| *a == acronym)
            .map(|(_, id)| *id)
            .expect("demo org exists")
    };
    for user in USERS {
        let cpf = Cpf::parse(user.cpf).expect("demo CPFs are valid");
        let mobile = Mobile::parse(user.mobile).expect("demo mobiles are valid");
        let id = users::insert(
            &mut tx,
            &NewUser {
                organization_id: org_id(user.org),
                cpf: &cpf,
                name: user.name,
                email: user.email,
                mobile: &mobile,
                password_hash: &password_hash,
            },
        )
        .await?;
        for role in user.roles {
            users::grant_role(&mut tx, id, *role).await?;
        }
    }
    for api in APIS {
        let id = apis::insert(&mut tx, org_id(api.provider), api.name, api.description).await?;
        for (kind, mandatory, model_name) in api.requirements {
            let content = model_name.map(|_| {
                let (title, paragraphs) = model_text(*kind, api.name);
                let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
                adesao_documents::odt::text_document(&title, &refs)
            });
            let model = match (model_name, &content) {
                (Some(filename), Some(content)) => Some(apis::ModelFile {
                    filename,
                    media_type: adesao_documents::odt::MEDIA_TYPE,
                    content,
                }),
                _ => None,
            };
            apis::add_requirement(&mut tx, id, *kind, *mandatory, model.as_ref()).await?;
        }
    }
    tx.commit().await?;
    tracing::info!("demo data loaded");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_documents_are_valid() {
        for org in ORGS {
            Cnpj::parse(org.cnpj).unwrap();
        }
        for user in USERS {
            Cpf::parse(user.cpf).unwrap();
            Mobile::parse(user.mobile).unwrap();
            assert!(ORGS.iter().any(|o| o.acronym == user.org));
        }
    }
}
