//! Typed ids from the URL path: one extractor, and per kind of id only what
//! differs (the path parameter, how it parses, the refusal's wording, which
//! clients and tests match on).

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use kaidan_domain::{CustomerId, OrderId, ProductId, RegionId, StoreId, UserId, WarehouseId};

use crate::problem::ApiError;

/// A kind of id (or other key) taken from the path.
pub trait IdKind {
    type Id;
    /// The path parameter, also the field a refusal names.
    const PARAM: &'static str = "id";
    /// The id, or the refusal's message.
    fn parse(raw: &str) -> Result<Self::Id, String>;
}

/// The id of kind `K` in the path; a bad one is a 422 naming the parameter.
pub struct PathId<K: IdKind>(pub K::Id);

impl<K: IdKind, S: Send + Sync> FromRequestParts<S> for PathId<K> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == K::PARAM)
            .map_or("", |(_, v)| v);
        K::parse(raw)
            .map(PathId)
            .map_err(|message| ApiError::field(K::PARAM, "invalid", message).into_response())
    }
}

/// Declares id kinds whose refusal reads `'{raw}' is not {what} id`.
macro_rules! id_kinds {
    ($($(#[$m:meta])* $kind:ident: $id:ty = $what:literal by $parse:expr;)*) => {$(
        $(#[$m])*
        pub struct $kind;
        impl IdKind for $kind {
            type Id = $id;
            fn parse(raw: &str) -> Result<$id, String> {
                $parse(raw).ok_or_else(|| format!(concat!("'{}' is not ", $what, " id"), raw))
            }
        }
    )*};
}

/// The domain's own parsing (which trims spaces).
fn typed<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.parse().ok()
}

/// A whole number above 0, untrimmed.
fn positive(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|v| *v > 0)
}

id_kinds! {
    Order: OrderId = "an order" by typed;
    Customer: CustomerId = "a customer" by typed;
    User: UserId = "a user" by typed;
    /// A store of the safety-stock routes.
    Store: StoreId = "a store" by typed;
    /// A master-data record of any kind.
    Record: i64 = "a record" by typed;
    PurchaseOrder: i64 = "a purchase order" by positive;
    Transfer: i64 = "a transfer" by positive;
    /// A store of the transfer routes, which refuse 0 and below.
    TransferStore: StoreId = "a store" by |raw| positive(raw).map(StoreId);
    Region: RegionId = "a region" by |raw| positive(raw).map(RegionId);
    DunningNotice: i64 = "a dunning notice" by positive;
    Subscription: i64 = "a webhook subscription" by positive;
    Delivery: i64 = "a delivery" by positive;
    /// A return or exchange request (AFS-1).
    Return: i64 = "a return" by positive;
    Shipment: i64 = "a shipment" by positive;
    /// A complaint (AFS-2).
    Complaint: i64 = "a complaint" by positive;
    /// A satisfaction survey (AFS-3).
    Survey: i64 = "a survey" by positive;
    /// A sales contract (CON-1).
    Contract: i64 = "a contract" by positive;
    /// A supplementary agreement to a contract (CON-2).
    Supplement: i64 = "a supplementary agreement" by positive;
    /// A visit plan (SAL-2).
    VisitPlanId: i64 = "a visit plan" by positive;
    /// A visit report (SAL-2).
    VisitReportId: i64 = "a visit report" by positive;
    /// Extra points proposed for a rep (SAL-4).
    PointsAwardId: i64 = "a points award" by positive;
    /// An item of the points catalogue (SAL-4).
    PointsItemId: i64 = "a points item" by positive;
    /// An expense claim (SAL-3).
    ExpenseClaimId: i64 = "an expense claim" by positive;
    /// A rep's monthly commission statement (SAL-5).
    CommissionStatementId: i64 = "a commission statement" by positive;
    /// An order clerk's monthly assessment (KPI-6).
    ClerkAssessmentId: i64 = "a clerk assessment" by positive;
    /// A user's saved filter of a list (issue 21).
    SavedFilterId: i64 = "a saved filter" by positive;
}

/// Declares keys whose refusal is the same words whatever was sent.
macro_rules! fixed_refusal {
    ($($(#[$m:meta])* $kind:ident: $id:ty, $param:literal, $refusal:literal;)*) => {$(
        $(#[$m])*
        pub struct $kind;
        impl IdKind for $kind {
            type Id = $id;
            const PARAM: &'static str = $param;
            fn parse(raw: &str) -> Result<$id, String> {
                typed(raw).ok_or_else(|| $refusal.to_string())
            }
        }
    )*};
}

fixed_refusal! {
    ChangeRequest: i64, "id", "is not a change request id";
    /// The year of a sales target plan (SAL-1).
    TargetYear: i16, "year", "is not a year";
    /// A shortage of an order.
    Shortage: i64, "shortage_id", "is not a shortage id";
    /// A line of an order.
    LineNo: u32, "line_no", "must be a line number";
    /// The product of a stock balance.
    StockProduct: ProductId, "product_id", "is not a product id";
    /// The warehouse of a stock balance.
    StockWarehouse: WarehouseId, "warehouse_id", "is not a warehouse id";
    /// A photo of a return.
    ReturnPhoto: i64, "photo_id", "is not a photo id";
}

/// Declares keys named by a domain enum, refused with its own message.
macro_rules! named_values {
    ($($kind:ident: $id:ty, $param:literal;)*) => {$(
        pub struct $kind;
        impl IdKind for $kind {
            type Id = $id;
            const PARAM: &'static str = $param;
            fn parse(raw: &str) -> Result<$id, String> {
                raw.parse().map_err(|e: kaidan_domain::UnknownValue| e.to_string())
            }
        }
    )*};
}

named_values! {
    Season: kaidan_domain::master::Season, "season";
    Role: kaidan_domain::Role, "role";
}
