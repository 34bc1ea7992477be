//! Statements of account (对账单): per customer and month, the balance at
//! the start, the month's invoices, credit notes and verified receipts (a
//! reversed receipt comes back on the day it was reversed), the balance at
//! the end, and the ageing of the open invoices on the last day. The
//! customer confirms the statement or disputes it; the confirmation keeps
//! the closing balance it was given.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{AgeingReport, Period};
use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, UserId};

/// The longest note of a confirmation.
pub const MAX_CONFIRMATION_NOTE: usize = 1000;

string_enum!(
    /// A document on a statement.
    StatementEntryKind {
        /// Adds to what the customer owes.
        Invoice = "invoice",
        CreditNote = "credit_note",
        /// A verified receipt, dated the day the money was paid.
        Receipt = "receipt",
        /// A verified receipt taken back: owed again from that day.
        Reversal = "reversal",
    }
);

impl StatementEntryKind {
    /// +1 when the entry adds to the balance, −1 when it takes off.
    pub fn sign(self) -> i64 {
        match self {
            StatementEntryKind::Invoice | StatementEntryKind::Reversal => 1,
            StatementEntryKind::CreditNote | StatementEntryKind::Receipt => -1,
        }
    }
}

/// One document of the month, its amount positive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub kind: StatementEntryKind,
    pub document_id: i64,
    pub number: String,
    pub amount: Money,
    /// The balance after this entry (set by the fold).
    #[serde(default)]
    pub balance: Money,
}

/// What the documents before a day add up to, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementTotals {
    pub invoiced: Money,
    pub credited: Money,
    pub received: Money,
    pub reversed: Money,
}

impl StatementTotals {
    /// invoiced − credited − received + reversed.
    pub fn balance(&self) -> Money {
        self.invoiced - self.credited - self.received + self.reversed
    }

    fn add(&mut self, e: &StatementEntry) {
        match e.kind {
            StatementEntryKind::Invoice => self.invoiced += e.amount,
            StatementEntryKind::CreditNote => self.credited += e.amount,
            StatementEntryKind::Receipt => self.received += e.amount,
            StatementEntryKind::Reversal => self.reversed += e.amount,
        }
    }
}

string_enum!(
    /// What the customer said of a statement.
    ConfirmationStatus {
        Confirmed = "confirmed",
        Disputed = "disputed",
    }
);

/// The customer's answer, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmationInput {
    pub status: ConfirmationStatus,
    /// Required for a dispute (what is wrong), at most 1000 characters.
    #[serde(default)]
    pub note: Option<String>,
}

impl ConfirmationInput {
    /// The checked note.
    pub fn validate(&self) -> Result<Option<String>, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let note = e.optional_text("note", self.note.as_deref(), MAX_CONFIRMATION_NOTE);
        if self.status == ConfirmationStatus::Disputed && note.is_none() {
            e.add("note", "required", "a dispute says what is wrong");
        }
        e.into_result(note)
    }
}

/// A recorded confirmation or dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementConfirmation {
    pub id: i64,
    pub customer_id: CustomerId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
    pub period: Period,
    pub status: ConfirmationStatus,
    pub note: Option<String>,
    /// The closing balance the customer answered to.
    pub closing: Money,
    pub by: UserId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A customer's statement of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    pub customer_id: CustomerId,
    pub customer: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
    pub period: Period,
    pub opening: Money,
    /// The month's movements per kind.
    pub movements: StatementTotals,
    pub closing: Money,
    /// Oldest first; each with the balance after it.
    pub entries: Vec<StatementEntry>,
    /// The customer's open invoices on the last day, by days past due.
    pub ageing: AgeingReport,
    /// The latest confirmation or dispute, if any.
    pub confirmation: Option<StatementConfirmation>,
}

/// Folds the month's entries onto the opening balance: each entry gets its
/// running balance; closing = opening + invoices − credit notes − receipts
/// + reversals.
pub fn fold_statement(
    opening: Money,
    mut entries: Vec<StatementEntry>,
) -> (StatementTotals, Money, Vec<StatementEntry>) {
    entries.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.kind.cmp(&b.kind))
            .then(a.document_id.cmp(&b.document_id))
    });
    let mut totals = StatementTotals::default();
    let mut balance = opening;
    for e in &mut entries {
        totals.add(e);
        balance += if e.kind.sign() > 0 {
            e.amount
        } else {
            -e.amount
        };
        e.balance = balance;
    }
    (totals, balance, entries)
}

/// The entries of `all` in `period` and the totals of those before it:
/// what the store reads, done in memory (for tests and small histories).
pub fn split_at_period(
    all: &[StatementEntry],
    period: Period,
) -> (StatementTotals, Vec<StatementEntry>) {
    let mut before = StatementTotals::default();
    let mut within = Vec::new();
    for e in all {
        if e.date < period.first_day() {
            before.add(e);
        } else if e.date <= period.last_day() {
            within.push(e.clone());
        }
    }
    (before, within)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn entry(d: Date, kind: StatementEntryKind, id: i64, yuan: i64) -> StatementEntry {
        StatementEntry {
            date: d,
            kind,
            document_id: id,
            number: format!("D{id}"),
            amount: Money::yuan(yuan),
            balance: Money::ZERO,
        }
    }

    #[test]
    fn fin_4_a_statement_folds_the_months_documents() {
        use StatementEntryKind::*;
        let (t, closing, entries) = fold_statement(
            Money::yuan(100),
            vec![
                entry(date(2026, 3, 9), Receipt, 1, 80),
                entry(date(2026, 3, 2), Invoice, 7, 500),
                entry(date(2026, 3, 20), Reversal, 1, 80),
                entry(date(2026, 3, 5), CreditNote, 8, 50),
            ],
        );
        assert_eq!(closing, Money::yuan(100 + 500 - 50 - 80 + 80));
        assert_eq!(t.invoiced, Money::yuan(500));
        assert_eq!(entries[0].kind, Invoice);
        assert_eq!(entries[0].balance, Money::yuan(600));
        assert_eq!(entries[3].balance, closing);
    }

    #[test]
    fn fin_4_a_dispute_needs_a_note() {
        let d = ConfirmationInput {
            status: ConfirmationStatus::Disputed,
            note: Some("  ".into()),
        };
        assert_eq!(d.validate().unwrap_err().errors[0].field, "note");
        let c = ConfirmationInput {
            status: ConfirmationStatus::Confirmed,
            note: None,
        };
        assert_eq!(c.validate().unwrap(), None);
        let long = ConfirmationInput {
            status: ConfirmationStatus::Confirmed,
            note: Some("x".repeat(MAX_CONFIRMATION_NOTE + 1)),
        };
        assert!(long.validate().is_err());
    }

    proptest! {
        /// Opening + movements = closing, and a month's closing is the next
        /// month's opening, whatever the documents.
        #[test]
        fn fin_4_opening_plus_movements_is_closing(
            docs in proptest::collection::vec((0i64..120, 0usize..4, 1i64..1_000_000), 0..60),
            month in 0i64..3,
        ) {
            let base = date(2026, 1, 1);
            let all: Vec<StatementEntry> = docs.iter().enumerate().map(|(i, (d, k, a))| {
                let day = base.checked_add(jiff::Span::new().days(*d)).unwrap();
                entry(day, StatementEntryKind::ALL[*k], i as i64, 0).with_units(*a)
            }).collect();
            let p = Period::of(base.checked_add(jiff::Span::new().months(month)).unwrap());
            let (before, within) = split_at_period(&all, p);
            let (moved, closing, entries) = fold_statement(before.balance(), within);
            prop_assert_eq!(closing, before.balance() + moved.balance());
            prop_assert_eq!(entries.last().map_or(before.balance(), |e| e.balance), closing);
            let (next_before, _) = split_at_period(&all, Period::of(p.end()));
            prop_assert_eq!(next_before.balance(), closing);
        }
    }

    impl StatementEntry {
        fn with_units(mut self, u: i64) -> Self {
            self.amount = Money::from_units(u * 100);
            self
        }
    }
}
