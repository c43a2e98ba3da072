//! A role held by a user, within an optional period (a mandate, an appointment).

use jiff::civil::Date;

use crate::Role;

/// A role and the period it counts in. Both ends are optional and inclusive: a role whose
/// `ends_on` is today still counts today, and from tomorrow it does not — the official is no
/// longer offered as a signer, cannot sign, and loses the role's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleGrant {
    pub role: Role,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

/// Why a period is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("A data de término deve ser igual ou posterior à data de início.")]
    EndsBeforeStart,
    #[error("Informe a data no formato AAAA-MM-DD, como 2026-03-31.")]
    BadDate,
}

impl RoleGrant {
    /// A role without end.
    pub fn open(role: Role) -> Self {
        Self {
            role,
            starts_on: None,
            ends_on: None,
        }
    }

    pub fn new(
        role: Role,
        starts_on: Option<Date>,
        ends_on: Option<Date>,
    ) -> Result<Self, PeriodError> {
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            return Err(PeriodError::EndsBeforeStart);
        }
        Ok(Self {
            role,
            starts_on,
            ends_on,
        })
    }

    /// True when the role counts on `day`.
    pub fn counts_on(&self, day: Date) -> bool {
        self.starts_on.is_none_or(|s| s <= day) && self.ends_on.is_none_or(|e| day <= e)
    }

    /// "desde 01/03/2026 até 31/12/2026", "até 31/12/2026", "" for an open role: how the
    /// period reads beside the role.
    pub fn period_text(&self) -> String {
        let br = |d: Date| d.strftime("%d/%m/%Y").to_string();
        match (self.starts_on, self.ends_on) {
            (None, None) => String::new(),
            (Some(s), None) => format!("desde {}", br(s)),
            (None, Some(e)) => format!("até {}", br(e)),
            (Some(s), Some(e)) => format!("de {} até {}", br(s), br(e)),
        }
    }
}

/// Parses an optional `YYYY-MM-DD` date as typed in a form or sent in JSON: blank is none.
pub fn parse_date(input: &str) -> Result<Option<Date>, PeriodError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    // Exactly the ISO form: jiff would also take other spellings that no form produces.
    let shaped = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(PeriodError::BadDate);
    }
    input
        .parse::<Date>()
        .map(Some)
        .map_err(|_| PeriodError::BadDate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_role_counts_inside_its_period_both_ends_included() {
        let g = RoleGrant::new(
            Role::ItDirector,
            Some(date(2026, 3, 1)),
            Some(date(2026, 12, 31)),
        )
        .unwrap();
        assert!(!g.counts_on(date(2026, 2, 28)));
        assert!(g.counts_on(date(2026, 3, 1)));
        assert!(g.counts_on(date(2026, 12, 31)));
        assert!(!g.counts_on(date(2027, 1, 1)));
        assert!(RoleGrant::open(Role::Manager).counts_on(date(1900, 1, 1)));
        assert_eq!(g.period_text(), "de 01/03/2026 até 31/12/2026");
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        assert_eq!(
            RoleGrant::new(
                Role::Manager,
                Some(date(2026, 3, 2)),
                Some(date(2026, 3, 1))
            ),
            Err(PeriodError::EndsBeforeStart)
        );
        assert!(
            RoleGrant::new(
                Role::Manager,
                Some(date(2026, 3, 1)),
                Some(date(2026, 3, 1))
            )
            .is_ok()
        );
    }

    #[test]
    fn dates_are_iso_or_blank() {
        assert_eq!(parse_date(" "), Ok(None));
        assert_eq!(parse_date("2026-02-28"), Ok(Some(date(2026, 2, 28))));
        for bad in [
            "2026-02-30",
            "28/02/2026",
            "2026-2-28",
            "20260228",
            "2026-02-28T00:00",
            "+2026-02-28",
        ] {
            assert_eq!(parse_date(bad), Err(PeriodError::BadDate), "{bad}");
        }
    }
}
