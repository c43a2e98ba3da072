//! Onboarding from a spreadsheet: organizations and their people from one CSV file.
//!
//! The file is UTF-8 (with or without the BOM spreadsheets write), separated by `;` (as
//! spreadsheets in Portuguese save CSV) or `,`, with the header of [`MODEL_CSV`]. A line with a
//! CPF adds a user to the organization of its CNPJ; a line without one adds the organization.
//! An organization not yet registered is created by the first line that names it (with its
//! acronym and name). A dry run lists every line's problems; the import applies all lines or,
//! if any has a problem, none.

use std::collections::HashMap;

use adesao_domain::access::Actor;
use adesao_domain::{Cnpj, Cpf, Email, FieldIssue, Mobile, Role, RoleGrant};
use adesao_store::AnyConnection;
use adesao_store::audit::Entity;
use adesao_store::organizations::{self, OrganizationFields};
use adesao_store::users::{self, NewUser};

use super::organizations::{MAX_ACRONYM_CHARS, MAX_NAME_CHARS, lock_registry};
use super::users::{RoleInput, judge_roles};
use super::{AdminService, Diff, actions, flag, record, require_admin};
use crate::ServiceError;
use crate::password::NO_PASSWORD;

/// The model file offered for download: the header and two example lines (an organization,
/// then one of its people). The example documents have valid check digits.
pub const MODEL_CSV: &str = "\u{feff}orgao_cnpj;orgao_sigla;orgao_nome;orgao_fornece_apis;cpf;nome;email;celular;papeis;inicio;fim\r\n\
11.222.333/0001-81;ORGEX;Órgão de Exemplo;não;;;;;;;\r\n\
11.222.333/0001-81;;;;111.444.777-35;Maria Exemplo;maria.exemplo@orgao.gov.br;(61) 91234-5678;manager|it_director;01/01/2026;31/12/2027\r\n";

const COLUMNS: [&str; 11] = [
    "orgao_cnpj",
    "orgao_sigla",
    "orgao_nome",
    "orgao_fornece_apis",
    "cpf",
    "nome",
    "email",
    "celular",
    "papeis",
    "inicio",
    "fim",
];

/// The largest file and the most lines one import takes.
pub const MAX_BYTES: usize = 1024 * 1024;
pub const MAX_LINES: usize = 5_000;

/// One line of the file as judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// The line number as a spreadsheet shows it (the header is line 1).
    pub number: u64,
    /// What the line does: "Órgão ORG (novo)", "Usuário Maria (ORG)".
    pub summary: String,
    /// What is wrong with it, in pt-BR; none when it can be imported.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub lines: Vec<ImportLine>,
    pub organizations: usize,
    pub users: usize,
    /// True when the import was applied (never for a dry run, never with a problem).
    pub applied: bool,
}

impl ImportReport {
    pub fn problems(&self) -> usize {
        self.lines.iter().map(|l| l.problems.len()).sum()
    }
}

struct NewOrg {
    cnpj: Cnpj,
    acronym: String,
    name: String,
    provides_apis: bool,
}

struct NewPerson {
    cnpj: Cnpj,
    cpf: Cpf,
    name: String,
    email: Email,
    mobile: Mobile,
    grants: Vec<RoleGrant>,
}

enum Planned {
    Org(NewOrg),
    Person(NewPerson),
}

/// A line of the file: its number and its value in each column.
type Row = (u64, HashMap<&'static str, String>);

/// The file's rows as text: header checked, delimiter guessed, BOM dropped. Err: a problem of
/// the whole file.
fn read_rows(bytes: &[u8]) -> Result<Vec<Row>, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "O arquivo pode ter até {} KB; divida-o em partes.",
            MAX_BYTES / 1024
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        "O arquivo não está em UTF-8. Na planilha, salve como “CSV UTF-8 (delimitado por vírgulas)” ou “CSV (;)” com codificação UTF-8.".to_owned()
    })?;
    // The csv crate numbers the lines of CRLF files one short; spreadsheets write CRLF.
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let text = text.as_str();
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(
            "O arquivo está vazio: a primeira linha deve ser o cabeçalho do modelo.".into(),
        );
    }
    let delimiter = if first_line.matches(';').count() >= first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|_| "Não foi possível ler o cabeçalho do arquivo.".to_owned())?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut positions = HashMap::new();
    let mut missing = Vec::new();
    for column in COLUMNS {
        match header.iter().position(|h| h == column) {
            Some(i) => {
                positions.insert(column, i);
            }
            None => missing.push(column),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "Faltam colunas no cabeçalho: {}. Use o cabeçalho do arquivo modelo.",
            missing.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!(
                "A linha {} não pôde ser lida (aspas sem fechar?).",
                p.line()
            ),
            None => "O arquivo não pôde ser lido como CSV.".to_owned(),
        })?;
        let number = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_LINES {
            return Err(format!(
                "O arquivo pode ter até {MAX_LINES} linhas; divida-o em partes."
            ));
        }
        let row = COLUMNS
            .iter()
            .map(|c| {
                let value = record.get(positions[c]).unwrap_or("").trim().to_owned();
                (*c, value)
            })
            .collect();
        rows.push((number, row));
    }
    if rows.is_empty() {
        return Err("O arquivo só tem o cabeçalho: inclua ao menos uma linha.".into());
    }
    Ok(rows)
}

/// A role as a spreadsheet names it: its code or its label, in any case.
fn role_code(text: &str) -> String {
    let t = text.trim();
    Role::ALL
        .iter()
        .find(|r| r.code().eq_ignore_ascii_case(t) || r.label().to_lowercase() == t.to_lowercase())
        .map(|r| r.code().to_owned())
        .unwrap_or_else(|| t.to_owned())
}

/// `31/12/2026` as spreadsheets show dates, or `2026-12-31`.
fn iso_date(text: &str) -> String {
    let t = text.trim();
    let parts: Vec<&str> = t.split('/').collect();
    match parts.as_slice() {
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4 => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => t.to_owned(),
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "não" | "nao" | "n" | "false" | "0" => Some(false),
        "sim" | "s" | "true" | "1" => Some(true),
        _ => None,
    }
}

fn messages(issues: Vec<FieldIssue>) -> Vec<String> {
    issues.into_iter().map(|i| i.message).collect()
}

/// Judges every line against the database as it stands and against the lines before it.
async fn plan(
    conn: &mut AnyConnection,
    rows: &[Row],
) -> Result<Vec<(ImportLine, Option<Planned>)>, ServiceError> {
    // CNPJ → acronym of the organizations this file creates; CPF → line that adds it.
    let mut new_orgs: HashMap<String, (String, u64)> = HashMap::new();
    let mut new_acronyms: HashMap<String, u64> = HashMap::new();
    let mut new_cpfs: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for (number, row) in rows {
        let get = |c: &str| row[c].as_str();
        let mut problems = Vec::new();
        let cnpj = match Cnpj::parse(get("orgao_cnpj")) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(format!("CNPJ do órgão: {e}"));
                None
            }
        };
        let registered = match &cnpj {
            Some(c) => organizations::find_by_cnpj(conn, c).await?,
            None => None,
        };
        let in_file = cnpj
            .as_ref()
            .and_then(|c| new_orgs.get(c.as_str()).cloned());
        let is_person = !get("cpf").is_empty();

        // The organization: created here if it is neither registered nor created above.
        let mut org_plan = None;
        let acronym_shown;
        match (&cnpj, &registered, &in_file) {
            (Some(_), Some(org), _) => {
                acronym_shown = org.acronym.clone();
                if !is_person {
                    problems.push(format!(
                        "Este CNPJ já está cadastrado (órgão {}): a linha não acrescenta nada.",
                        org.acronym
                    ));
                }
            }
            (Some(_), None, Some((acronym, line))) => {
                acronym_shown = acronym.clone();
                if !is_person {
                    problems.push(format!("O órgão {acronym} já é incluído na linha {line}."));
                }
            }
            (Some(c), None, None) => {
                let mut issues = Vec::new();
                let acronym = super::input::required_line(
                    Some(get("orgao_sigla")),
                    None,
                    "acronym",
                    "a sigla do órgão (orgao_sigla), pois o CNPJ não está cadastrado",
                    MAX_ACRONYM_CHARS,
                    &mut issues,
                );
                let name = super::input::required_line(
                    Some(get("orgao_nome")),
                    None,
                    "name",
                    "o nome do órgão (orgao_nome), pois o CNPJ não está cadastrado",
                    MAX_NAME_CHARS,
                    &mut issues,
                );
                problems.extend(messages(issues));
                if !acronym.is_empty() {
                    if let Some(other) = organizations::find_by_acronym(conn, &acronym).await? {
                        problems.push(format!(
                            "A sigla {acronym} já é de outro órgão ({}).",
                            other.name
                        ));
                    } else if let Some(line) = new_acronyms.get(&acronym.to_lowercase()) {
                        problems.push(format!(
                            "A sigla {acronym} já é usada por outro órgão na linha {line}."
                        ));
                    }
                }
                let provides_apis = yes_no(get("orgao_fornece_apis")).unwrap_or_else(|| {
                    problems.push("orgao_fornece_apis: use “sim” ou “não”.".to_owned());
                    false
                });
                acronym_shown = acronym.clone();
                if !acronym.is_empty() {
                    new_acronyms.insert(acronym.to_lowercase(), *number);
                }
                new_orgs.insert(c.as_str().to_owned(), (acronym.clone(), *number));
                org_plan = Some(NewOrg {
                    cnpj: c.clone(),
                    acronym,
                    name,
                    provides_apis,
                });
            }
            (None, _, _) => acronym_shown = String::new(),
        }
        let mut summary = match &org_plan {
            Some(o) => format!("Órgão {} (novo)", o.acronym),
            None if is_person => String::new(),
            None => format!("Órgão {acronym_shown}"),
        };
        let mut person_plan = None;
        if is_person {
            let mut issues = Vec::new();
            let cpf = Cpf::parse(get("cpf"))
                .map_err(|e| issues.push(FieldIssue::new("cpf", format!("CPF: {e}"))))
                .ok();
            if let Some(c) = &cpf {
                if users::id_by_cpf(conn, c).await?.is_some() {
                    issues.push(FieldIssue::new(
                        "cpf",
                        format!("O CPF {} já está cadastrado.", c.formatted()),
                    ));
                } else if let Some(line) = new_cpfs.get(c.digits()) {
                    issues.push(FieldIssue::new(
                        "cpf",
                        format!("O CPF {} já aparece na linha {line}.", c.formatted()),
                    ));
                } else {
                    new_cpfs.insert(c.digits().to_owned(), *number);
                }
            }
            let name = super::input::required_line(
                Some(get("nome")),
                None,
                "name",
                "o nome da pessoa (nome)",
                super::users::MAX_NAME_CHARS,
                &mut issues,
            );
            let email = Email::parse(get("email"))
                .map_err(|e| issues.push(FieldIssue::new("email", format!("E-mail: {e}"))))
                .ok();
            let mobile = Mobile::parse(get("celular"))
                .map_err(|e| issues.push(FieldIssue::new("mobile", format!("Celular: {e}"))))
                .ok();
            let roles: Vec<RoleInput> = get("papeis")
                .split(['|', '+'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| RoleInput {
                    role: role_code(r),
                    starts_on: Some(iso_date(get("inicio"))),
                    ends_on: Some(iso_date(get("fim"))),
                })
                .collect();
            if roles.is_empty() {
                issues.push(FieldIssue::new(
                    "roles",
                    "Informe ao menos um papel (papeis), como manager|it_director.",
                ));
            }
            let grants = judge_roles(&roles, &mut issues);
            let provides_apis = match (&registered, &org_plan, &in_file) {
                (Some(o), _, _) => o.provides_apis,
                (None, Some(o), _) => o.provides_apis,
                _ => false,
            };
            if grants.iter().any(|g| g.role == Role::ProviderAnalyst) && !provides_apis {
                issues.push(FieldIssue::new(
                    "roles",
                    "Analista do cedente só pode ser atribuído em órgão que fornece APIs.",
                ));
            }
            problems.extend(messages(issues));
            summary = format!(
                "{}Usuário {}{}",
                if summary.is_empty() {
                    String::new()
                } else {
                    format!("{summary} e ")
                },
                if name.is_empty() {
                    "(sem nome)"
                } else {
                    name.as_str()
                },
                if acronym_shown.is_empty() {
                    String::new()
                } else {
                    format!(" ({acronym_shown})")
                }
            );
            if let (Some(cnpj), Some(cpf), Some(email), Some(mobile)) = (&cnpj, cpf, email, mobile)
            {
                person_plan = Some(NewPerson {
                    cnpj: cnpj.clone(),
                    cpf,
                    name,
                    email,
                    mobile,
                    grants,
                });
            }
        }
        let line = ImportLine {
            number: *number,
            summary,
            problems,
        };
        if let Some(org) = org_plan {
            out.push((line.clone(), Some(Planned::Org(org))));
            if let Some(p) = person_plan {
                // The organization's line also adds a person: one line, two steps.
                out.push((
                    ImportLine {
                        problems: Vec::new(),
                        ..line
                    },
                    Some(Planned::Person(p)),
                ));
            }
        } else {
            out.push((line, person_plan.map(Planned::Person)));
        }
    }
    Ok(out)
}

impl AdminService {
    /// Judges a CSV file and, unless `dry_run` or any line has a problem, imports all of it in
    /// one transaction. Err only for a problem of the whole file (not UTF-8, wrong header).
    pub async fn import_csv(
        &self,
        actor: &Actor,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport, ServiceError> {
        require_admin(actor)?;
        let rows = read_rows(bytes).map_err(|m| ServiceError::invalid("file", m))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        lock_registry(&mut tx).await?;
        let planned = plan(&mut tx, &rows).await?;
        let mut lines: Vec<ImportLine> = Vec::new();
        for (line, _) in &planned {
            match lines.last_mut() {
                // The two steps of one line show as one.
                Some(last) if last.number == line.number => {}
                _ => lines.push(line.clone()),
            }
        }
        let mut report = ImportReport {
            organizations: planned
                .iter()
                .filter(|(_, p)| matches!(p, Some(Planned::Org(_))))
                .count(),
            users: planned
                .iter()
                .filter(|(_, p)| matches!(p, Some(Planned::Person(_))))
                .count(),
            lines,
            applied: false,
        };
        if dry_run || report.problems() > 0 {
            tx.rollback().await?;
            return Ok(report);
        }
        let mut org_ids: HashMap<String, i64> = HashMap::new();
        for (_, step) in planned {
            match step {
                Some(Planned::Org(o)) => {
                    let fields = OrganizationFields {
                        name: &o.name,
                        acronym: &o.acronym,
                        cnpj: &o.cnpj,
                        provides_apis: o.provides_apis,
                        active: true,
                    };
                    let id = organizations::insert(&mut tx, &fields).await?;
                    org_ids.insert(o.cnpj.as_str().to_owned(), id);
                    let mut d = Diff::default();
                    d.created("name", Some(o.name.clone()));
                    d.created("acronym", Some(o.acronym.clone()));
                    d.created("cnpj", Some(o.cnpj.formatted()));
                    d.created("provides_apis", flag(o.provides_apis));
                    record(
                        &mut tx,
                        now,
                        actor,
                        Entity::Organization,
                        id,
                        Some(actions::IMPORTED),
                        &d,
                    )
                    .await?;
                }
                Some(Planned::Person(p)) => {
                    let organization_id = match org_ids.get(p.cnpj.as_str()) {
                        Some(id) => *id,
                        None => organizations::find_by_cnpj(&mut tx, &p.cnpj)
                            .await?
                            .map(|o| o.id)
                            .ok_or_else(|| {
                                ServiceError::Internal("planned organization vanished".into())
                            })?,
                    };
                    let id = users::insert(
                        &mut tx,
                        &NewUser {
                            organization_id,
                            cpf: &p.cpf,
                            name: &p.name,
                            email: p.email.as_str(),
                            mobile: &p.mobile,
                            password_hash: NO_PASSWORD,
                        },
                    )
                    .await?;
                    users::set_grants(&mut tx, id, &p.grants).await?;
                    let mut d = Diff::default();
                    d.created("cpf", Some(p.cpf.formatted()));
                    d.created("name", Some(p.name.clone()));
                    d.created("email", Some(p.email.to_string()));
                    d.created("mobile", Some(p.mobile.to_string()));
                    d.created("roles", Some(super::users::grants_text(&p.grants)));
                    record(
                        &mut tx,
                        now,
                        actor,
                        Entity::User,
                        id,
                        Some(actions::IMPORTED),
                        &d,
                    )
                    .await?;
                }
                None => {}
            }
        }
        tx.commit().await?;
        report.applied = true;
        tracing::info!(
            organizations = report.organizations,
            users = report.users,
            "CSV import applied"
        );
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_file_reads_back_with_valid_documents() {
        let rows = read_rows(MODEL_CSV.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        Cnpj::parse(&rows[0].1["orgao_cnpj"]).unwrap();
        Cpf::parse(&rows[1].1["cpf"]).unwrap();
        assert_eq!(iso_date(&rows[1].1["fim"]), "2027-12-31");
    }

    #[test]
    fn commas_and_a_missing_bom_work_too_and_a_wrong_header_is_named() {
        let csv = MODEL_CSV.trim_start_matches('\u{feff}').replace(';', ",");
        assert_eq!(read_rows(csv.as_bytes()).unwrap().len(), 2);
        let err = read_rows(b"cnpj;nome\n1;2\n").unwrap_err();
        assert!(err.contains("Faltam colunas"), "{err}");
        assert!(read_rows(b"\xff\xfe").unwrap_err().contains("UTF-8"));
        assert!(read_rows(b"").unwrap_err().contains("vazio"));
    }

    #[test]
    fn roles_by_code_or_label_and_brazilian_dates() {
        assert_eq!(role_code("Dirigente de TI"), "it_director");
        assert_eq!(role_code(" MANAGER "), "manager");
        assert_eq!(role_code("chefe"), "chefe");
        assert_eq!(iso_date("1/2/2026"), "2026-02-01");
        assert_eq!(iso_date("2026-02-01"), "2026-02-01");
    }
}
