//! Ports of sales contracts (CON-1, CON-2): the contract with its terms,
//! its review and signing; every version of its terms; its signed copy.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::contracts::{ContractStatus, ContractTerms, ReviewRecord, ReviewStep};
use kaidan_domain::{CustomerId, Money, UserId};
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
}
