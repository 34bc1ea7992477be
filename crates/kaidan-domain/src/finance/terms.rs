//! Due dates from payment terms (FIN-2, FIN-4) and finance's settings.
//!
//! Prepayment and cash on delivery are due on the invoice date (the money
//! should be there before or with the goods). Monthly settlement (月结) is due
//! on the configured day of the month after the invoice's month, or, when no
//! day is configured, `settlement_days` after the invoice date (30 by
//! default: seed 001's 30-day collection period). Net-days terms (净N天) are
//! due the customer's own number of days after the invoice date (ADR 0028).
//! A contract's signing date
//! will start that period once contracts exist (CON-1); until then the
//! invoice date does (ADR 0021).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::master::{MAX_NET_DAYS, PaymentTerms};
use crate::validation::ValidationErrors;

/// Finance's settings (`[finance]` in kaidan.toml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FinanceSettings {
    /// Monthly settlement: days after the invoice date it falls due, when
    /// no `settlement_day` is set.
    pub settlement_days: u32,
    /// Monthly settlement: the day of the following month it falls due
    /// (1–28); none: `settlement_days` after the invoice date.
    pub settlement_day: Option<u8>,
    /// Upper ends of the ageing buckets in days past due, ascending; one
    /// more bucket holds everything older (default 30, 60, 90: 0–30, 31–60,
    /// 61–90, 90+).
    pub ageing_buckets: Vec<u32>,
    /// Days past due of the dunning levels (`[finance.dunning]`, FIN-4).
    pub dunning: super::DunningThresholds,
}

impl Default for FinanceSettings {
    fn default() -> Self {
        FinanceSettings {
            settlement_days: 30,
            settlement_day: None,
            ageing_buckets: vec![30, 60, 90],
            dunning: super::DunningThresholds::default(),
        }
    }
}

/// The longest settlement period that may be configured (a year).
pub const MAX_SETTLEMENT_DAYS: u32 = 366;

impl FinanceSettings {
    /// Refuses settings that would give no sensible due date or buckets.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.settlement_days > MAX_SETTLEMENT_DAYS {
            e.add(
                "finance.settlement_days",
                "out_of_range",
                format!("at most {MAX_SETTLEMENT_DAYS} days"),
            );
        }
        if let Some(d) = self.settlement_day
            && !(1..=28).contains(&d)
        {
            e.add(
                "finance.settlement_day",
                "out_of_range",
                "a day of the month from 1 to 28",
            );
        }
        let b = &self.ageing_buckets;
        if b.is_empty() || b.len() > 8 || b.windows(2).any(|w| w[0] >= w[1]) || b[0] == 0 {
            e.add(
                "finance.ageing_buckets",
                "invalid",
                "one to eight ascending day counts above zero, e.g. [30, 60, 90]",
            );
        }
        if b.iter().any(|d| *d > 3650) {
            e.add(
                "finance.ageing_buckets",
                "out_of_range",
                "at most 3650 days",
            );
        }
        if let Err(d) = self.dunning.validate() {
            e.merge(d);
        }
        e.into_result(())
    }

    /// The day an invoice of `invoice_date` under `terms` falls due;
    /// `net_days` is the customer's number of days of net-days terms.
    /// Net-days terms without a number (a record validation refuses) are
    /// due at once: the strict reading, never a later day than agreed.
    pub fn due_date(&self, terms: PaymentTerms, net_days: Option<u32>, invoice_date: Date) -> Date {
        match terms {
            PaymentTerms::Prepayment | PaymentTerms::CashOnDelivery => invoice_date,
            PaymentTerms::NetDays => invoice_date
                .checked_add(i64::from(net_days.unwrap_or(0).min(MAX_NET_DAYS)).days())
                .unwrap_or(invoice_date),
            PaymentTerms::MonthlySettlement => match self.settlement_day {
                Some(day) => {
                    let next = invoice_date
                        .first_of_month()
                        .checked_add(1.month())
                        .unwrap_or(invoice_date);
                    next.with()
                        .day(i8::try_from(day).unwrap_or(28))
                        .build()
                        .unwrap_or(next)
                }
                None => invoice_date
                    .checked_add(i64::from(self.settlement_days).days())
                    .unwrap_or(invoice_date),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fin_2_fin_4_due_dates_follow_the_terms() {
        let s = FinanceSettings::default();
        let d = date(2026, 1, 31);
        assert_eq!(s.due_date(PaymentTerms::Prepayment, None, d), d);
        assert_eq!(s.due_date(PaymentTerms::CashOnDelivery, None, d), d);
        assert_eq!(
            s.due_date(PaymentTerms::MonthlySettlement, None, d),
            date(2026, 3, 2)
        );
        // Net days: the customer's number, across months and years.
        assert_eq!(
            s.due_date(PaymentTerms::NetDays, Some(30), d),
            date(2026, 3, 2)
        );
        assert_eq!(
            s.due_date(PaymentTerms::NetDays, Some(45), date(2026, 12, 20)),
            date(2027, 2, 3)
        );
        assert_eq!(
            s.due_date(PaymentTerms::NetDays, Some(366), date(2027, 1, 1)),
            date(2028, 1, 2)
        );
        assert_eq!(s.due_date(PaymentTerms::NetDays, None, d), d);
        let day = FinanceSettings {
            settlement_day: Some(25),
            ..FinanceSettings::default()
        };
        assert_eq!(
            day.due_date(PaymentTerms::MonthlySettlement, None, d),
            date(2026, 2, 25)
        );
        assert_eq!(
            day.due_date(PaymentTerms::MonthlySettlement, None, date(2026, 12, 1)),
            date(2027, 1, 25)
        );
    }

    #[test]
    fn fin_4_settings_are_checked() {
        assert!(FinanceSettings::default().validate().is_ok());
        let bad = FinanceSettings {
            settlement_day: Some(31),
            ageing_buckets: vec![60, 30],
            ..FinanceSettings::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
    }
}
