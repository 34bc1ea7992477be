//! The annual sales target plan (SAL-1; seed 001 第十四条: 销售指标由销售部
//! 根据公司年度目标制定,经总经理批准后执行): one plan a year, its amounts
//! per month for the company and split to teams, reps and regions, counted
//! on one basis, drafted by the sales department and approved by the
//! general manager (ADR 0039).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::quantity::{QuantityTarget, QuantityTargetInput, check_quantities};
use crate::access::string_enum;
use crate::validation::MAX_REASON;
use crate::{Money, UserId, ValidationErrors};

/// The first and last year a plan may be written for.
pub const MIN_TARGET_YEAR: i16 = 2000;
pub const MAX_TARGET_YEAR: i16 = 2100;
/// The most lines (subjects) one plan holds.
pub const MAX_TARGET_LINES: usize = 1000;

string_enum!(
    /// What a target's completion is counted on.
    TargetBasis {
        /// Orders received (not drafts, not rejected or cancelled).
        Ordered = "ordered",
        /// Goods shipped, less what the customer refused.
        Shipped = "shipped",
        /// Invoiced, less credit notes.
        Invoiced = "invoiced",
        /// Receipts verified by finance.
        Collected = "collected",
    }
);

string_enum!(
    /// Where a plan is in its approval.
    TargetStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        /// Sent back by the general manager with a reason; edited again.
        Returned = "returned",
    }
);

impl TargetStatus {
    /// Whether the sales department may still change the lines.
    pub fn is_editable(self) -> bool {
        matches!(self, TargetStatus::Draft | TargetStatus::Returned)
    }
}

/// Whose target a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetSubject {
    Company,
    Team {
        id: i64,
    },
    Rep {
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        id: UserId,
    },
    Region {
        id: i64,
    },
}

impl TargetSubject {
    pub fn kind(self) -> &'static str {
        match self {
            TargetSubject::Company => "company",
            TargetSubject::Team { .. } => "team",
            TargetSubject::Rep { .. } => "rep",
            TargetSubject::Region { .. } => "region",
        }
    }

    /// The id stored beside the kind (0 for the company).
    pub fn id(self) -> i64 {
        match self {
            TargetSubject::Company => 0,
            TargetSubject::Team { id } | TargetSubject::Region { id } => id,
            TargetSubject::Rep { id } => id.get(),
        }
    }

    /// Back from the stored kind and id; None for an unknown kind.
    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        Some(match kind {
            "company" => TargetSubject::Company,
            "team" => TargetSubject::Team { id },
            "rep" => TargetSubject::Rep { id: UserId(id) },
            "region" => TargetSubject::Region { id },
            _ => return None,
        })
    }
}

impl fmt::Display for TargetSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetSubject::Company => f.write_str("the company"),
            s => write!(f, "{} {}", s.kind(), s.id()),
        }
    }
}

/// One subject's annual target as written: the year's amount and, if the
/// months are not given, an even split of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TargetLineInput {
    pub subject: TargetSubject,
    pub annual: Money,
    /// January to December; they add up to `annual`. Left out: `annual`
    /// split evenly to the fen, the odd fen to the first months.
    #[serde(default)]
    pub months: Option<Vec<Money>>,
    /// Optional quantity targets per product category (ADR 0045).
    #[serde(default)]
    pub quantities: Vec<QuantityTargetInput>,
}

/// A plan as the sales department writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TargetPlanInput {
    pub basis: TargetBasis,
    #[serde(default)]
    pub note: Option<String>,
    pub lines: Vec<TargetLineInput>,
}

/// One subject's twelve monthly targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetLine {
    pub subject: TargetSubject,
    pub months: [Money; 12],
}

impl TargetLine {
    pub fn annual(&self) -> Money {
        // Twelve amounts each within the bound add up without overflow.
        self.months.iter().copied().sum()
    }
}

/// A checked plan: a line per subject, the company's first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPlanDraft {
    pub year: i16,
    pub basis: TargetBasis,
    pub note: Option<String>,
    pub lines: Vec<TargetLine>,
    /// The subjects' quantity targets, in the order of their lines.
    pub quantities: Vec<QuantityTarget>,
}

/// Splits `annual` into twelve months to the fen: the odd fen go to the
/// first months. None when `annual` has parts of a fen.
pub fn split_evenly(annual: Money) -> Option<[Money; 12]> {
    let units = annual.units();
    if units % 100 != 0 {
        return None;
    }
    let fen = units / 100;
    let (base, odd) = (fen / 12, fen % 12);
    let mut months = [Money::ZERO; 12];
    for (i, m) in months.iter_mut().enumerate() {
        let extra = i64::from(i64::try_from(i).unwrap_or(12) < odd);
        *m = Money::from_units((base + extra) * 100);
    }
    Some(months)
}

fn in_fen(m: Money) -> bool {
    m.units() % 100 == 0
}

impl TargetPlanInput {
    /// Checks a plan for `year`; `rep_teams` says which team each rep is
    /// in, for the rule that a team's reps add up to the team.
    ///
    /// The split rules (ADR 0039): the teams add up to the company month
    /// by month, and so do the regions; a team's reps add up to the team;
    /// without team lines, the reps add up to the company.
    pub fn validate(
        self,
        year: i16,
        rep_teams: &BTreeMap<UserId, i64>,
    ) -> Result<TargetPlanDraft, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !(MIN_TARGET_YEAR..=MAX_TARGET_YEAR).contains(&year) {
            e.add(
                "year",
                "out_of_range",
                format!("a plan is for a year from {MIN_TARGET_YEAR} to {MAX_TARGET_YEAR}"),
            );
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        if self.lines.is_empty() || self.lines.len() > MAX_TARGET_LINES {
            e.add(
                "lines",
                "out_of_range",
                format!("a plan has 1 to {MAX_TARGET_LINES} lines, the company's among them"),
            );
        }
        e.once_each(
            self.lines.iter().map(|l| l.subject),
            |i| format!("lines[{i}].subject"),
            "target of",
        );
        let mut lines = Vec::with_capacity(self.lines.len());
        let mut quantities = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            quantities.extend(check_quantities(
                &mut e,
                &format!("{field}.quantities"),
                l.subject,
                &l.quantities,
            ));
            if let Some(months) = check_line(&mut e, &field, l) {
                lines.push(TargetLine {
                    subject: l.subject,
                    months,
                });
            }
        }
        let companies = lines
            .iter()
            .filter(|l| l.subject == TargetSubject::Company)
            .count();
        if companies != 1 && !self.lines.is_empty() {
            e.add(
                "lines",
                "required",
                "a plan has exactly one line for the company (subject kind \"company\")",
            );
        }
        if e.is_empty() {
            check_split(&mut e, &lines, rep_teams);
        }
        lines.sort_by_key(|l| l.subject);
        quantities.sort_by(|a, b| (a.subject, &a.category).cmp(&(b.subject, &b.category)));
        e.into_result(TargetPlanDraft {
            year,
            basis: self.basis,
            note,
            lines,
            quantities,
        })
    }
}

/// The line's twelve months, or None with the errors recorded.
fn check_line(e: &mut ValidationErrors, field: &str, l: &TargetLineInput) -> Option<[Money; 12]> {
    if l.annual.is_negative() {
        e.negative(format!("{field}.annual"));
        return None;
    }
    if !in_fen(l.annual) {
        e.add(
            format!("{field}.annual"),
            "too_precise",
            "a target is in yuan and fen (two decimals at most)",
        );
        return None;
    }
    let Some(given) = &l.months else {
        return split_evenly(l.annual);
    };
    let Ok(months) = <[Money; 12]>::try_from(given.as_slice()) else {
        e.add(
            format!("{field}.months"),
            "invalid",
            format!(
                "twelve months are given, January to December, not {}",
                given.len()
            ),
        );
        return None;
    };
    let mut ok = true;
    for (m, amount) in months.iter().enumerate() {
        let f = format!("{field}.months[{m}]");
        if amount.is_negative() {
            e.negative(f);
            ok = false;
        } else if !in_fen(*amount) {
            e.add(
                f,
                "too_precise",
                "a target is in yuan and fen (two decimals at most)",
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let sum: Money = months.iter().copied().sum();
    if sum != l.annual {
        e.add(
            format!("{field}.months"),
            "mismatch",
            format!(
                "the months add up to {sum}, the annual target is {}",
                l.annual
            ),
        );
        return None;
    }
    Some(months)
}

/// For each month, `parts` must add up to `whole`; the first month that
/// does not is reported.
fn check_sum(
    e: &mut ValidationErrors,
    what: &str,
    of: &str,
    parts: &[&TargetLine],
    whole: &TargetLine,
) {
    for m in 0..12 {
        let sum: Money = parts.iter().map(|l| l.months[m]).sum();
        if sum != whole.months[m] {
            e.add(
                "lines",
                "mismatch",
                format!(
                    "in month {} the {what} add up to {sum}, {of}'s target is {}",
                    m + 1,
                    whole.months[m]
                ),
            );
            return;
        }
    }
}

fn check_split(e: &mut ValidationErrors, lines: &[TargetLine], rep_teams: &BTreeMap<UserId, i64>) {
    let Some(company) = lines.iter().find(|l| l.subject == TargetSubject::Company) else {
        return;
    };
    let of_kind =
        |k: &str| -> Vec<&TargetLine> { lines.iter().filter(|l| l.subject.kind() == k).collect() };
    let (teams, reps, regions) = (of_kind("team"), of_kind("rep"), of_kind("region"));
    if !teams.is_empty() {
        check_sum(e, "teams' targets", "the company", &teams, company);
    }
    if !regions.is_empty() {
        check_sum(e, "regions' targets", "the company", &regions, company);
    }
    if teams.is_empty() {
        if !reps.is_empty() {
            check_sum(e, "reps' targets", "the company", &reps, company);
        }
        return;
    }
    let with_line: BTreeSet<i64> = teams.iter().map(|t| t.subject.id()).collect();
    for team in &teams {
        let members: Vec<&TargetLine> = reps
            .iter()
            .copied()
            .filter(|r| {
                let TargetSubject::Rep { id } = r.subject else {
                    return false;
                };
                rep_teams.get(&id) == Some(&team.subject.id())
            })
            .collect();
        if !members.is_empty() {
            check_sum(
                e,
                "targets of its reps",
                &format!("team {}", team.subject.id()),
                &members,
                team,
            );
        }
    }
    // A rep whose team has no line of its own is outside the split.
    for r in &reps {
        let TargetSubject::Rep { id } = r.subject else {
            continue;
        };
        if rep_teams.get(&id).is_none_or(|t| !with_line.contains(t)) {
            e.add(
                "lines",
                "invalid",
                format!(
                    "rep {id} is in no team of the plan: with team targets, each rep's target is part of his team's"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(n: i64) -> Money {
        Money::yuan(n)
    }

    fn line(subject: TargetSubject, annual: i64) -> TargetLineInput {
        TargetLineInput {
            subject,
            annual: y(annual),
            months: None,
            quantities: Vec::new(),
        }
    }

    fn plan(lines: Vec<TargetLineInput>) -> TargetPlanInput {
        TargetPlanInput {
            basis: TargetBasis::Ordered,
            note: None,
            lines,
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<String> {
        e.errors.iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn sal_1_an_even_split_gives_the_odd_fen_to_the_first_months() {
        let m = split_evenly("100.07".parse().unwrap()).unwrap();
        // 10007 fen = 12 × 833 + 11: eleven months of 8.34, one of 8.33.
        assert_eq!(m[0], "8.34".parse().unwrap());
        assert_eq!(m[10], "8.34".parse().unwrap());
        assert_eq!(m[11], "8.33".parse().unwrap());
        assert_eq!(m.iter().copied().sum::<Money>(), "100.07".parse().unwrap());
        assert!(split_evenly("1.001".parse().unwrap()).is_none());
    }

    #[test]
    fn sal_1_teams_regions_and_reps_add_up_to_the_company() {
        let mut teams = BTreeMap::new();
        teams.insert(UserId(5), 1);
        teams.insert(UserId(6), 1);
        teams.insert(UserId(7), 2);
        let ok = plan(vec![
            line(TargetSubject::Company, 1200),
            line(TargetSubject::Team { id: 1 }, 840),
            line(TargetSubject::Team { id: 2 }, 360),
            line(TargetSubject::Rep { id: UserId(5) }, 600),
            line(TargetSubject::Rep { id: UserId(6) }, 240),
            line(TargetSubject::Region { id: 9 }, 1200),
        ])
        .validate(2027, &teams)
        .unwrap();
        assert_eq!(ok.lines[0].subject, TargetSubject::Company);
        assert_eq!(ok.lines[0].months[0], y(100));

        let e = plan(vec![
            line(TargetSubject::Company, 1200),
            line(TargetSubject::Team { id: 1 }, 840),
            line(TargetSubject::Team { id: 2 }, 300),
        ])
        .validate(2027, &teams)
        .unwrap_err();
        assert!(
            e.errors[0].message.contains("teams' targets add up to 95"),
            "{e}"
        );

        let e = plan(vec![
            line(TargetSubject::Company, 1200),
            line(TargetSubject::Team { id: 1 }, 1200),
            line(TargetSubject::Rep { id: UserId(5) }, 600),
            line(TargetSubject::Rep { id: UserId(7) }, 600),
        ])
        .validate(2027, &teams)
        .unwrap_err();
        let messages: Vec<&str> = e.errors.iter().map(|f| f.message.as_str()).collect();
        assert!(
            messages[0].contains("targets of its reps add up to 50"),
            "{e}"
        );
        assert!(
            messages[1].contains("rep 7 is in no team of the plan"),
            "{e}"
        );

        let e = plan(vec![
            line(TargetSubject::Company, 1200),
            line(TargetSubject::Rep { id: UserId(5) }, 1000),
        ])
        .validate(2027, &teams)
        .unwrap_err();
        assert!(e.errors[0].message.contains("reps' targets"), "{e}");
    }

    #[test]
    fn sal_1_bad_lines_are_named_where_they_are() {
        let mut months = vec![y(10); 12];
        months[3] = "10.005".parse().unwrap();
        let e = plan(vec![
            line(TargetSubject::Team { id: 1 }, 5),
            TargetLineInput {
                subject: TargetSubject::Team { id: 1 },
                annual: y(-1),
                months: None,
                quantities: Vec::new(),
            },
            TargetLineInput {
                subject: TargetSubject::Region { id: 2 },
                annual: y(120),
                months: Some(months),
                quantities: Vec::new(),
            },
            TargetLineInput {
                subject: TargetSubject::Region { id: 3 },
                annual: y(120),
                months: Some(vec![y(10); 11]),
                quantities: Vec::new(),
            },
            TargetLineInput {
                subject: TargetSubject::Region { id: 4 },
                annual: y(121),
                months: Some(vec![y(10); 12]),
                quantities: Vec::new(),
            },
        ])
        .validate(1999, &BTreeMap::new())
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "year",
                "lines[1].subject",
                "lines[1].annual",
                "lines[2].months[3]",
                "lines[3].months",
                "lines[4].months",
                "lines",
            ]
        );
        assert!(e.errors[5].message.contains("add up to 120"), "{e}");
    }

    #[test]
    fn sal_1_only_a_draft_or_a_returned_plan_is_edited() {
        assert!(TargetStatus::Draft.is_editable());
        assert!(TargetStatus::Returned.is_editable());
        assert!(!TargetStatus::Submitted.is_editable());
        assert!(!TargetStatus::Approved.is_editable());
        assert_eq!(
            TargetSubject::from_parts("rep", 4),
            Some(TargetSubject::Rep { id: UserId(4) })
        );
        assert_eq!(TargetSubject::from_parts("x", 4), None);
    }
}
