//! Open receivables and how overdue they are, as the credit check at review
//! reads them (FIN-4, FIN-6; ADR 0028).
//!
//! Two facts, from two places, because each place is right about one:
//!
//! - **How much is owed** is the ledger's credit in use (FIN-5): open
//!   invoices + shipped value not yet invoiced − verified money not yet
//!   matched (ADR 0021). Goods shipped but not invoiced are owed too, so the
//!   exposure never reads the invoices alone.
//! - **How late** is the invoices' business: an invoice with something open
//!   falls due on its due date, which the customer's terms gave it (monthly
//!   settlement, net days, …). The oldest open invoice past its due date
//!   decides. Goods shipped but not invoiced have no due date yet, so they
//!   are never overdue; neither is an old ledger charge whose invoice is
//!   paid or not yet due.

use jiff::civil::Date;

use super::account::{AccountBalance, AccountEntry};
use crate::Money;

/// What the customer owes: the ledger's credit in use.
pub fn owed<'a>(entries: impl IntoIterator<Item = &'a AccountEntry>) -> Money {
    AccountBalance::from_entries(entries).credit_used
}

/// Whole days the oldest open invoice is past its due date on `today`:
/// `oldest_open_due` is the earliest due date among the customer's invoices
/// with something open (none: nothing open). 0 when it is not yet past due.
pub fn days_overdue(oldest_open_due: Option<Date>, today: Date) -> u32 {
    oldest_open_due
        .map(|due| (today - due).get_days())
        .and_then(|days| u32::try_from(days).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::EntryKind;
    use jiff::civil::date;

    #[test]
    fn fin_6_overdue_days_count_from_the_oldest_open_due_date() {
        let today = date(2026, 6, 30);
        assert_eq!(days_overdue(None, today), 0);
        // Due today or later: not overdue.
        assert_eq!(days_overdue(Some(today), today), 0);
        assert_eq!(days_overdue(Some(date(2026, 7, 31)), today), 0);
        assert_eq!(days_overdue(Some(date(2026, 6, 29)), today), 1);
        assert_eq!(days_overdue(Some(date(2026, 5, 1)), today), 60);
        assert_eq!(days_overdue(Some(date(2025, 6, 30)), today), 365);
    }

    #[test]
    fn fin_6_what_is_owed_is_the_ledgers_credit_in_use() {
        let e = |kind, yuan| AccountEntry::new(kind, Money::yuan(yuan), None);
        let entries = [
            e(EntryKind::Deposit, 100),
            e(EntryKind::Charge, 300), // 100 from funds, 200 on credit
            e(EntryKind::Charge, 50),
            e(EntryKind::Deposit, 120),
        ];
        assert_eq!(owed(&entries), Money::yuan(130));
        let paid = [e(EntryKind::Charge, 70), e(EntryKind::Deposit, 200)];
        assert_eq!(owed(&paid), Money::ZERO);
    }
}
