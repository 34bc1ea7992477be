//! Open receivables and how overdue they are (FIN-6), from the account
//! ledger (FIN-5).
//!
//! The ledger says how much credit is in use; the credit check also needs
//! *since when*. Replaying the dated entries in order: money out (a charge,
//! a negative adjustment) is paid from funds first and the rest becomes a
//! receivable dated at that entry; money in (a deposit, a positive
//! adjustment) repays the oldest receivable first, the rest becomes funds.
//! This is the same rule as [`AccountBalance`](super::AccountBalance), so
//! the open receivables always sum to its `credit_used`.
//!
//! A receivable falls due some days after it arose, by the customer's
//! payment terms: at once for prepayment and cash on delivery, after
//! `settlement_days` for monthly settlement (ADR 0007).

use jiff::Timestamp;

use super::account::{AccountEntry, EntryKind};
use crate::Money;
use crate::master::PaymentTerms;

/// One unpaid amount and when it arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receivable {
    pub since: Timestamp,
    pub amount: Money,
}

/// The receivables still open after the dated entries, oldest first.
pub fn open_receivables(entries: &[(Timestamp, AccountEntry)]) -> Vec<Receivable> {
    let mut funds = Money::ZERO;
    let mut open: std::collections::VecDeque<Receivable> = std::collections::VecDeque::new();
    for (at, e) in entries {
        let money_in = match e.kind {
            EntryKind::Deposit => e.amount.max(Money::ZERO),
            EntryKind::Adjustment if e.amount.is_positive() => e.amount,
            _ => Money::ZERO,
        };
        let money_out = match e.kind {
            EntryKind::Charge => e.amount.max(Money::ZERO),
            EntryKind::Adjustment if e.amount.is_negative() => -e.amount,
            _ => Money::ZERO,
        };
        let mut left = money_in;
        while left.is_positive() {
            let Some(oldest) = open.front_mut() else {
                break;
            };
            let repay = left.min(oldest.amount);
            oldest.amount -= repay;
            left -= repay;
            if !oldest.amount.is_positive() {
                open.pop_front();
            }
        }
        funds += left;
        if money_out.is_positive() {
            let from_funds = money_out.min(funds);
            funds -= from_funds;
            let rest = money_out - from_funds;
            if rest.is_positive() {
                open.push_back(Receivable {
                    since: *at,
                    amount: rest,
                });
            }
        }
    }
    open.into()
}

/// Days after it arises that a receivable falls due, by payment terms.
pub fn due_after_days(terms: PaymentTerms, settlement_days: u32) -> u32 {
    match terms {
        PaymentTerms::Prepayment | PaymentTerms::CashOnDelivery => 0,
        PaymentTerms::MonthlySettlement => settlement_days,
    }
}

/// Whole days the oldest open receivable is past its due date at `now`
/// (0 when none is past due).
pub fn max_days_overdue(open: &[Receivable], due_after: u32, now: Timestamp) -> u32 {
    open.iter()
        .map(|r| {
            let age_days = now.duration_since(r.since).as_secs().max(0) / 86_400;
            u32::try_from(age_days)
                .unwrap_or(u32::MAX)
                .saturating_sub(due_after)
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::AccountBalance;

    fn at(day: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + day * 86_400).unwrap()
    }

    fn e(kind: EntryKind, yuan: i64) -> AccountEntry {
        AccountEntry::new(kind, Money::yuan(yuan), None)
    }

    #[test]
    fn fin_6_charges_beyond_funds_become_receivables_repaid_oldest_first() {
        let entries = vec![
            (at(0), e(EntryKind::Deposit, 100)),
            (at(1), e(EntryKind::Charge, 300)), // 100 from funds, 200 owed since day 1
            (at(5), e(EntryKind::Charge, 50)),  // 50 owed since day 5
            (at(9), e(EntryKind::Deposit, 120)), // repays day 1 down to 80
        ];
        let open = open_receivables(&entries);
        assert_eq!(
            open,
            vec![
                Receivable {
                    since: at(1),
                    amount: Money::yuan(80)
                },
                Receivable {
                    since: at(5),
                    amount: Money::yuan(50)
                },
            ]
        );
        // The same rule as the balance: open receivables = credit used.
        let balance = AccountBalance::from_entries(entries.iter().map(|(_, e)| e));
        let total: Money = open.iter().map(|r| r.amount).sum();
        assert_eq!(total, balance.credit_used);
    }

    #[test]
    fn fin_6_overdue_days_count_from_the_due_date_of_the_oldest() {
        let open = vec![Receivable {
            since: at(0),
            amount: Money::yuan(10),
        }];
        assert_eq!(max_days_overdue(&open, 30, at(20)), 0);
        assert_eq!(max_days_overdue(&open, 30, at(45)), 15);
        assert_eq!(max_days_overdue(&open, 0, at(3)), 3);
        assert_eq!(max_days_overdue(&[], 0, at(3)), 0);
    }

    #[test]
    fn fin_6_a_deposit_that_covers_everything_leaves_nothing_open() {
        let entries = vec![
            (at(0), e(EntryKind::Charge, 70)),
            (at(2), e(EntryKind::Adjustment, -30)),
            (at(3), e(EntryKind::Deposit, 200)),
        ];
        assert!(open_receivables(&entries).is_empty());
    }

    #[test]
    fn fin_6_due_days_follow_payment_terms() {
        assert_eq!(due_after_days(PaymentTerms::Prepayment, 30), 0);
        assert_eq!(due_after_days(PaymentTerms::CashOnDelivery, 30), 0);
        assert_eq!(due_after_days(PaymentTerms::MonthlySettlement, 30), 30);
    }
}
