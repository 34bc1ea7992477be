//! Ports: what the use cases need from the outside world. The store crate
//! implements them on SQLite and PostgreSQL; tests may implement them too.
//!
//! A use case opens a transaction (`Store::write`), reads and writes through
//! it, appends its audit rows and outbox events to the *same* transaction and
//! commits. Dropping a transaction without `commit` rolls it back, so an
//! error anywhere changes nothing.

mod allocation;
mod assessments;
mod bank;
mod changes;
mod collection;
mod commissions;
mod complaints;
mod contracts;
mod customer_files;
mod deadlines;
mod events;
mod expenses;
mod figures;
mod finance;
mod fulfilment;
mod holds;
mod jobs;
mod master;
mod orders;
mod points;
mod portal;
mod purchasing;
mod records;
mod returns;
mod saved_filters;
mod search;
mod stock;
mod surveys;
mod targets;
mod teams;
mod transfers;
mod users;
mod visits;

pub use allocation::*;
pub use assessments::*;
pub use bank::*;
pub use changes::*;
pub use collection::*;
pub use commissions::*;
pub use complaints::*;
pub use contracts::*;
pub use customer_files::*;
pub use deadlines::*;
pub use events::*;
pub use expenses::*;
pub use figures::*;
pub use finance::*;
pub use fulfilment::*;
pub use holds::*;
pub use jobs::*;
pub use master::*;
pub use orders::*;
pub use points::*;
pub use portal::*;
pub use purchasing::*;
pub use records::*;
pub use returns::*;
pub use saved_filters::*;
pub use search::*;
pub use stock::*;
pub use surveys::*;
pub use targets::*;
pub use teams::*;
pub use transfers::*;
pub use users::*;
pub use visits::*;

use async_trait::async_trait;

/// A failure of the storage adapter. Constraint violations are told apart so
/// the use case can say which field is wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{field} '{value}' already exists")]
    Duplicate { field: String, value: String },
    #[error("a referenced record does not exist ({detail})")]
    MissingReference { detail: String },
    #[error("the record is still referenced by other records ({detail})")]
    StillReferenced { detail: String },
    #[error("the change would break a rule of the stock ledger: {detail}")]
    CheckViolation { detail: String },
    /// A number would leave its bound (ADR 0024): a quantity or amount
    /// beyond its largest value, or a sum that is no longer a 64-bit
    /// integer. Nothing was written.
    #[error("{table}.{column} would be out of range ({limit})")]
    OutOfBounds {
        table: String,
        column: String,
        limit: String,
    },
    #[error("concurrent update; try again")]
    Conflict,
    /// A value the database cannot hold (a text with NUL on PostgreSQL, a
    /// key over an index row's size): the input's fault, which a rule in
    /// the domain should have caught first.
    #[error("the database cannot store a value of this request: {detail}")]
    ValueRefused { detail: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// An error of the database driver that names no rule of ours; the
    /// driver's error is kept as the cause.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// What is stored cannot be what was written (a wrong kind of record,
    /// an unreadable value or record): a bug or a damaged database.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// A write the use case relies on did not happen (a row that must exist
    /// was not there).
    #[error("database error: {0}")]
    Other(String),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A read-write transaction.
    async fn write(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A read-write transaction for bulk work (an allocation run): on
    /// SQLite a transaction of its own instead of a share of a group
    /// commit, so its many rows are not journalled twice.
    async fn write_bulk(&self) -> Result<Box<dyn Tx>, StoreError> {
        self.write().await
    }
    /// A read-only transaction (may use a replica or a reader pool).
    async fn read(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A read-only transaction for a read known to be small (one order
    /// after a write): on SQLite its statements run on the calling task,
    /// without a hand-off to a reader thread (ADR 0033). Never for lists,
    /// reports or exports, which may run long.
    async fn read_short(&self) -> Result<Box<dyn Tx>, StoreError> {
        self.read().await
    }
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Packs an allocation run's record (its input and result as JSON) for
    /// `AllocationTx::allocation_run_record`. CPU-bound: call it on a
    /// blocking thread.
    fn pack_record(&self, input: &[u8], result: &[u8]) -> PackedRecord;
    /// The JSON text of one part of a stored record.
    fn unpack_record(&self, packing: RecordPacking, bytes: &[u8]) -> Result<String, StoreError>;
}

/// One transaction: everything the use cases read and write, by room.
#[async_trait]
pub trait Tx:
    UsersTx
    + MasterTx
    + StockTx
    + RecordsTx
    + OrdersTx
    + DeadlinesTx
    + ChangesTx
    + PurchasingTx
    + JobsTx
    + FulfilmentTx
    + AllocationTx
    + AllocationWritesTx
    + TransfersTx
    + HoldsTx
    + FinanceTx
    + CollectionTx
    + BankTx
    + EventsTx
    + PortalTx
    + ReturnsTx
    + ComplaintsTx
    + SurveysTx
    + ContractsTx
    + FiguresTx
    + DailyReportsTx
    + TeamsTx
    + TargetsTx
    + VisitsTx
    + PointsTx
    + ExpensesTx
    + CommissionsTx
    + AssessmentsTx
    + CustomerFilesTx
    + SearchTx
    + SavedFiltersTx
    + Send
{
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}
