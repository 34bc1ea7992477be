//! Port of the reps' customer files (客户档案, SAL-2): what the rep wrote,
//! and what the ledger says of the customer beside it.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::visits::CustomerFileInput;
use kaidan_domain::{Money, UserId};
use serde::Serialize;

use super::*;

/// A file as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerFileRecord {
    #[serde(flatten)]
    pub file: CustomerFileInput,
    pub written_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub written_at: Timestamp,
}

/// A customer of the list with his file's headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerFileRow {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub rep_id: Option<UserId>,
    pub rep: Option<String>,
    /// None until the rep opens the file.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub first_contact: Option<Date>,
    pub contact: Option<String>,
    pub birthday: Option<String>,
    /// The last order received.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_order: Option<Timestamp>,
}

/// A payment received (verified).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub amount: Money,
    pub method: String,
}

/// An invoice still open: when its money is due (货款缴纳日期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueLine {
    pub invoice_id: i64,
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    pub open: Money,
}

/// What the customer bought of a product category (产品类别名称).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryLine {
    pub category: String,
    pub amount: Money,
    pub orders: i64,
}

#[async_trait]
pub trait CustomerFilesTx: Send {
    async fn customer_file(
        &mut self,
        customer: i64,
    ) -> Result<Option<CustomerFileRecord>, StoreError>;
    async fn customer_file_put(
        &mut self,
        customer: i64,
        file: &CustomerFileInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The customers of some reps (or all), by code, with their files.
    async fn customer_files(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<CustomerFileRow>, StoreError>;
    /// The last `limit` verified payments, the newest first.
    async fn customer_payments(
        &mut self,
        customer: i64,
        limit: i64,
    ) -> Result<Vec<PaymentLine>, StoreError>;
    /// The open invoices, the earliest due first.
    async fn customer_dues(&mut self, customer: i64) -> Result<Vec<DueLine>, StoreError>;
    /// What the customer's orders received since `since` (sold) came to,
    /// by product category.
    async fn customer_categories(
        &mut self,
        customer: i64,
        since: Timestamp,
    ) -> Result<Vec<CategoryLine>, StoreError>;
}
