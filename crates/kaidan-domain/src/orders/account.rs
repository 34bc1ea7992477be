//! Funds and credit accounts (FIN-5): a customer's (mainly a franchisee's)
//! money with the company, kept as a ledger. The balance is never stored on
//! its own: it is the fold of the entries ([`AccountBalance::from_entries`]).
//!
//! - deposit: money received. It first repays credit in use, the rest
//!   becomes funds.
//! - commitment: funds (then credit) reserved for an order (a hold).
//! - release: a commitment undone (order cancelled or reduced).
//! - charge: a shipment posted (ALC-9). It consumes the order's commitment
//!   and is paid from funds first, the rest from credit; funds never go
//!   negative.
//! - adjustment: a correction by finance; positive works like a deposit,
//!   negative like a charge without an order.
//! - credit_limit: sets the credit limit.
//!
//! Available funds = funds − committed (not below 0); commitments beyond the
//! funds use credit, so available credit = limit − credit used − committed
//! beyond funds (not below 0); total available = both.

use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::{ValidationErrors, is_blank};
use crate::{Money, OrderId};

string_enum!(
    /// A kind of account entry.
    EntryKind {
        Deposit = "deposit",
        Commitment = "commitment",
        Release = "release",
        Charge = "charge",
        Adjustment = "adjustment",
        CreditLimit = "credit_limit",
    }
);

/// One ledger entry. `amount` is positive, except for an adjustment (either
/// sign) and a credit limit (the new limit, zero or more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub kind: EntryKind,
    pub amount: Money,
    /// The order a commitment, release or charge belongs to.
    #[serde(default)]
    pub order_id: Option<OrderId>,
    #[serde(default)]
    pub note: Option<String>,
}

impl AccountEntry {
    pub fn new(kind: EntryKind, amount: Money, order_id: Option<OrderId>) -> Self {
        AccountEntry {
            kind,
            amount,
            order_id,
            note: None,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        match self.kind {
            EntryKind::Adjustment => {
                if self.amount.is_zero() {
                    e.add("amount", "zero", "an adjustment must not be zero");
                }
                if is_blank(self.note.as_deref()) {
                    e.add("note", "required", "say why the account is adjusted");
                }
            }
            EntryKind::CreditLimit => {
                if self.amount.is_negative() {
                    e.negative("amount");
                }
            }
            _ => {
                if !self.amount.is_positive() {
                    e.add("amount", "not_positive", "must be greater than zero");
                }
            }
        }
        if matches!(self.kind, EntryKind::Commitment | EntryKind::Release)
            && self.order_id.is_none()
        {
            e.add("order_id", "required", "a commitment belongs to an order");
        }
        if let Some(n) = &self.note {
            e.max_chars("note", n, 500);
        }
        e.into_result(())
    }
}

/// The amount still committed for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderCommitment {
    pub order_id: Option<OrderId>,
    pub amount: Money,
}

/// The balance of an account: the fold of its entries.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountBalance {
    /// Money the customer has with the company (never negative).
    pub funds: Money,
    /// Reserved for open orders.
    pub committed: Money,
    pub credit_limit: Money,
    /// Credit in use: shipped but not covered by funds.
    pub credit_used: Money,
    pub available_funds: Money,
    pub available_credit: Money,
    pub total_available: Money,
    /// Open commitments by order, sorted by order.
    pub commitments: Vec<OrderCommitment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("{needed} is needed but only {available} is available (funds and credit)")]
    InsufficientAvailable { needed: Money, available: Money },
    #[error("only {committed} is committed for this order; cannot release {requested}")]
    ReleaseExceedsCommitment { committed: Money, requested: Money },
}

impl AccountBalance {
    /// What funds and credit are committed to goods already reserved once
    /// the commitment for `waiting` (the value of backordered lines still
    /// waiting for goods) is set aside: `(funds committed, credit
    /// committed)`. An approved order commits its whole amount, so money the
    /// customer has for its waiting lines is not "taken" by them (ADR 0010).
    pub fn committed_besides(&self, waiting: Money) -> (Money, Money) {
        let earlier = (self.committed - waiting).max(Money::ZERO);
        (
            earlier.min(self.funds),
            self.credit_used + (earlier - self.funds).max(Money::ZERO),
        )
    }

    /// Funds plus credit left for the waiting lines (see
    /// [`Self::committed_besides`]), never below zero per part.
    pub fn available_for_waiting(&self, waiting: Money) -> Money {
        let (funds, credit) = self.committed_besides(waiting);
        (self.funds - funds).max(Money::ZERO) + (self.credit_limit - credit).max(Money::ZERO)
    }

    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a AccountEntry>) -> Self {
        let mut b = AccountBalance::default();
        for e in entries {
            b.apply(e);
        }
        b
    }

    /// Folds one entry in. Never fails (stored history is replayed as it
    /// is); amounts of the wrong sign count as zero. New entries go through
    /// [`AccountBalance::post`].
    pub fn apply(&mut self, e: &AccountEntry) {
        let amount = e.amount.max(Money::ZERO);
        match e.kind {
            EntryKind::Deposit => self.receive(amount),
            EntryKind::Commitment => {
                let c = self.commitment_mut(e.order_id);
                *c += amount;
            }
            EntryKind::Release => self.release(e.order_id, amount),
            EntryKind::Charge => {
                self.release(e.order_id, amount);
                self.pay(amount);
            }
            EntryKind::Adjustment => {
                if e.amount.is_negative() {
                    self.pay(-e.amount);
                } else {
                    self.receive(e.amount);
                }
            }
            EntryKind::CreditLimit => self.credit_limit = amount,
        }
        self.commitments.retain(|c| c.amount.is_positive());
        self.derive();
    }

    /// Checks a new entry against the balance, then applies it: amounts
    /// must be valid, a commitment must fit the total available, a release
    /// must not exceed the order's commitment. A charge is a shipment that
    /// happened and is always posted.
    pub fn post(&mut self, e: &AccountEntry) -> Result<(), AccountError> {
        e.validate()?;
        match e.kind {
            EntryKind::Commitment if e.amount > self.total_available => {
                return Err(AccountError::InsufficientAvailable {
                    needed: e.amount,
                    available: self.total_available,
                });
            }
            EntryKind::Release => {
                let committed = self.committed_for(e.order_id);
                if e.amount > committed {
                    return Err(AccountError::ReleaseExceedsCommitment {
                        committed,
                        requested: e.amount,
                    });
                }
            }
            _ => {}
        }
        self.apply(e);
        Ok(())
    }

    pub fn committed_for(&self, order: Option<OrderId>) -> Money {
        self.commitments
            .iter()
            .find(|c| c.order_id == order)
            .map_or(Money::ZERO, |c| c.amount)
    }

    fn commitment_mut(&mut self, order: Option<OrderId>) -> &mut Money {
        let i = match self
            .commitments
            .binary_search_by_key(&order, |c| c.order_id)
        {
            Ok(i) => i,
            Err(i) => {
                self.commitments.insert(
                    i,
                    OrderCommitment {
                        order_id: order,
                        amount: Money::ZERO,
                    },
                );
                i
            }
        };
        &mut self.commitments[i].amount
    }

    fn release(&mut self, order: Option<OrderId>, amount: Money) {
        let c = self.commitment_mut(order);
        *c -= amount.min(*c);
    }

    /// Money in: repays credit first, the rest is funds.
    fn receive(&mut self, amount: Money) {
        let repay = amount.min(self.credit_used);
        self.credit_used -= repay;
        self.funds += amount - repay;
    }

    /// Money out: funds first, the rest on credit.
    fn pay(&mut self, amount: Money) {
        let from_funds = amount.min(self.funds);
        self.funds -= from_funds;
        self.credit_used += amount - from_funds;
    }

    fn derive(&mut self) {
        self.committed = self.commitments.iter().map(|c| c.amount).sum();
        let beyond_funds = (self.committed - self.funds).max(Money::ZERO);
        self.available_funds = (self.funds - self.committed).max(Money::ZERO);
        self.available_credit =
            (self.credit_limit - self.credit_used - beyond_funds).max(Money::ZERO);
        self.total_available = self.available_funds + self.available_credit;
    }
}
