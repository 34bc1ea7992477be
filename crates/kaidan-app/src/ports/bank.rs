//! Ports of bank statement imports (FIN-3, ADR 0023): the lines of the
//! statements, each stored once by its identity's hash, and their way from
//! unmatched to assigned or ignored.

use async_trait::async_trait;
use kaidan_domain::CustomerId;
use kaidan_domain::finance::{BankLineStatus, BankStatementLine, MatchRule};

use super::StoreError;

/// Which statement lines a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankLineFilter {
    pub status: Option<BankLineStatus>,
    /// Newest first, before this id.
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// What becomes of a line: its new status, customer, receipt, rule, note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLineOutcome {
    pub status: BankLineStatus,
    pub customer_id: Option<CustomerId>,
    pub receipt_id: Option<i64>,
    pub rule: Option<MatchRule>,
    pub note: Option<String>,
}

#[async_trait]
pub trait BankTx {
    /// Stores a line (its `id` is ignored) unless a line with the same
    /// `line_hash` is stored: then `Ok(None)` and nothing is written.
    async fn bank_line_insert(
        &mut self,
        line: &BankStatementLine,
    ) -> Result<Option<i64>, StoreError>;
    async fn bank_line_get(&mut self, id: i64) -> Result<Option<BankStatementLine>, StoreError>;
    /// Lines, newest first.
    async fn bank_lines(
        &mut self,
        filter: &BankLineFilter,
    ) -> Result<Vec<BankStatementLine>, StoreError>;
    /// Moves a line from `from` to the outcome; false when it is no longer
    /// in `from` (someone else assigned or ignored it first).
    async fn bank_line_settle(
        &mut self,
        id: i64,
        from: BankLineStatus,
        outcome: &BankLineOutcome,
    ) -> Result<bool, StoreError>;
}
