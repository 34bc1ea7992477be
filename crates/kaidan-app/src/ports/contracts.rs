//! Ports of sales contracts (CON-1, CON-2): the contract with its terms,
//! its review and signing; every version of its terms; its signed copy;
//! its supplementary agreements, the loans of its paper original and the
//! orders placed against it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::contracts::{
    ContractStatus, ContractTerms, ReviewRecord, ReviewStep, SupplementContent, SupplementStatus,
};
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId};
use serde::Serialize;

use super::*;

/// A contract as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractRow {
    pub id: i64,
    /// 合同编号.
    pub number: String,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub status: ContractStatus,
    /// The review step the contract waits for, while in review.
    pub awaiting: Option<ReviewStep>,
    /// The version of the terms (1 for the first draft).
    pub terms_version: i64,
    pub terms: ContractTerms,
    pub amount: Money,
    pub drafted_by: UserId,
    pub drafted_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub drafted_at: Timestamp,
    pub reviews: Vec<ReviewRecord>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub signed_on: Option<Date>,
    /// The signing day plus the collection days (seed 001 第十五条: 30
    /// days; FIN-4): invoices of orders against the contract fall due then.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub collect_by: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub in_force_at: Option<Timestamp>,
    /// The signed copy's file name, once it is kept.
    pub signed_copy: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A version of a contract's terms and what changed from the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractVersion {
    pub terms_version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub changes: Vec<FieldChange>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub by_name: String,
}

/// Which contracts to list, newest first (CON-2's archive search).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFilter {
    pub customer: Option<CustomerId>,
    pub status: Option<ContractStatus>,
    /// Words in the number, title or terms.
    pub text: Option<String>,
    /// Signed on or after / on or before.
    pub signed_from: Option<Date>,
    pub signed_to: Option<Date>,
    pub min_amount: Option<Money>,
    pub max_amount: Option<Money>,
    pub before: Option<i64>,
    pub limit: u32,
}

/// A supplementary agreement as stored (CON-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplementRow {
    pub id: i64,
    pub contract_id: i64,
    /// 补充协议编号.
    pub number: String,
    pub status: SupplementStatus,
    pub awaiting: Option<ReviewStep>,
    pub content: SupplementContent,
    pub reviews: Vec<ReviewRecord>,
    pub drafted_by: UserId,
    pub drafted_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub drafted_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub signed_on: Option<Date>,
    /// The signed copy's file name, once signed.
    pub signed_copy: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A loan of a contract's paper original (借阅签字).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanRow {
    pub id: i64,
    pub contract_id: i64,
    pub borrower: UserId,
    pub borrower_name: String,
    pub purpose: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_back: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub lent_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub returned_at: Option<Timestamp>,
    pub received_by_name: Option<String>,
}

/// An order placed against a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractOrder {
    pub order_id: OrderId,
    pub number: Option<String>,
    pub status: OrderStatus,
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
}

/// The sums of what was placed against a contract, from the orders that
/// count (neither cancelled nor rejected), their shipments, invoices and
/// payments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFigures {
    /// Units ordered and shipped of each product.
    pub units: BTreeMap<ProductId, (i64, i64)>,
    pub ordered: Money,
    pub shipped: Money,
    pub invoiced: Money,
    pub paid: Money,
}

#[async_trait]
pub trait ContractsTx: Send {
    async fn contract_insert(&mut self, c: &ContractRow) -> Result<i64, StoreError>;
    async fn contract_get(&mut self, id: i64) -> Result<Option<ContractRow>, StoreError>;
    /// Writes what a step changes if the stored version is `c.version - 1`.
    async fn contract_save(&mut self, c: &ContractRow) -> Result<bool, StoreError>;
    async fn contracts(&mut self, f: &ContractFilter) -> Result<Vec<ContractRow>, StoreError>;
    async fn contract_version_insert(
        &mut self,
        contract: i64,
        terms_version: i64,
        terms: &ContractTerms,
        changes: &[FieldChange],
        at: Timestamp,
        by: UserId,
    ) -> Result<(), StoreError>;
    async fn contract_versions(
        &mut self,
        contract: i64,
    ) -> Result<Vec<ContractVersion>, StoreError>;
    async fn contract_file_put(
        &mut self,
        contract: i64,
        file: &VoucherFile,
        at: Timestamp,
        by: UserId,
    ) -> Result<(), StoreError>;
    /// The newest signed copy.
    async fn contract_file(&mut self, contract: i64) -> Result<Option<VoucherFile>, StoreError>;

    async fn supplement_insert(&mut self, s: &SupplementRow) -> Result<i64, StoreError>;
    async fn supplement_get(&mut self, id: i64) -> Result<Option<SupplementRow>, StoreError>;
    /// Writes a step if the stored version is `s.version - 1`; with the
    /// signed copy when signing.
    async fn supplement_save(
        &mut self,
        s: &SupplementRow,
        copy: Option<&VoucherFile>,
    ) -> Result<bool, StoreError>;
    async fn supplements_of(&mut self, contract: i64) -> Result<Vec<SupplementRow>, StoreError>;
    async fn supplement_file(&mut self, id: i64) -> Result<Option<VoucherFile>, StoreError>;

    /// Records a loan unless one of the contract is open: None then.
    async fn loan_insert(
        &mut self,
        contract: i64,
        borrower: UserId,
        purpose: &str,
        due_back: Date,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;
    /// Records the open loan's return; None when none is open.
    async fn loan_return(
        &mut self,
        contract: i64,
        at: Timestamp,
        by: UserId,
    ) -> Result<Option<i64>, StoreError>;
    async fn loans_of(&mut self, contract: i64) -> Result<Vec<LoanRow>, StoreError>;

    /// Units of each product on the orders against the contract that
    /// count, leaving out `except` (an order being changed).
    async fn contract_ordered(
        &mut self,
        contract: i64,
        except: Option<OrderId>,
    ) -> Result<BTreeMap<ProductId, i64>, StoreError>;
    /// Holds the contract's row until the transaction ends, so two orders
    /// against it are checked one after the other (PostgreSQL; SQLite has
    /// one writer).
    async fn contract_lock(&mut self, contract: i64) -> Result<(), StoreError>;
    async fn contract_figures(&mut self, contract: i64) -> Result<ContractFigures, StoreError>;
    async fn contract_orders(&mut self, contract: i64) -> Result<Vec<ContractOrder>, StoreError>;
}
