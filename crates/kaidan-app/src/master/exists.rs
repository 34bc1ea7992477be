//! Checks that the master records a use case names exist, so each use case
//! says which record it needs and the message is worded once.

use kaidan_domain::{ProductId, ValidationErrors};

use crate::error::{AppError, AppResult};
use crate::master::entity::MasterEntity;
use crate::master::typed_record;
use crate::ports::{EntityKind, Record, Tx};

/// A stored record of type `T`, or not found.
pub(crate) async fn get_record<T: MasterEntity>(
    tx: &mut Box<dyn Tx>,
    id: i64,
) -> AppResult<Record<T>> {
    match tx.master_get(T::KIND, id).await? {
        Some(rec) => typed_record(rec),
        None => Err(AppError::NotFound {
            what: T::WHAT,
            id: id.to_string(),
        }),
    }
}

/// Not found (the record named in the path) unless the record exists.
pub(crate) async fn must_exist(
    tx: &mut Box<dyn Tx>,
    kind: EntityKind,
    id: i64,
    what: &'static str,
) -> AppResult<()> {
    match tx.master_get(kind, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound {
            what,
            id: id.to_string(),
        }),
    }
}

/// Adds an `unknown_reference` error at `field` unless the record a body
/// points to exists.
pub(crate) async fn check_reference(
    tx: &mut Box<dyn Tx>,
    e: &mut ValidationErrors,
    field: impl Into<String>,
    kind: EntityKind,
    id: i64,
) -> AppResult<()> {
    if tx.master_get(kind, id).await?.is_none() {
        e.add(
            field,
            "unknown_reference",
            format!("no {} with id {id}", kind.as_str()),
        );
    }
    Ok(())
}

/// Adds an `unknown_reference` error at `{prefix}[i].product_id` for each
/// listed product that does not exist, in one read.
pub(crate) async fn check_products(
    tx: &mut Box<dyn Tx>,
    e: &mut ValidationErrors,
    prefix: &str,
    products: &[ProductId],
) -> AppResult<()> {
    let ids: Vec<i64> = products.iter().map(|p| p.get()).collect();
    let known = tx.master_get_many(EntityKind::Product, &ids).await?;
    for (i, p) in products.iter().enumerate() {
        if !known.iter().any(|r| r.id == p.get()) {
            e.add(
                format!("{prefix}[{i}].product_id"),
                "unknown_reference",
                format!("no product with id {p}"),
            );
        }
    }
    Ok(())
}
