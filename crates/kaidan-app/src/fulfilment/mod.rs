//! The shipping plan, pick lists, shipments, tracking and proof of delivery
//! (SHP-1..3, DOC-2), with their stock ledger entries (INV-1) and the
//! charge on the customer's account when goods ship (FIN-5, ALC-9).
//!
//! A pick list takes what an order has reserved and nothing else is yet
//! listed for. Confirming the pick moves the found goods to "picked" and
//! releases what was not found, which becomes a backorder with a
//! replenishment request (INV-2): no stock stays stuck on a half-picked list.
//! Shipping takes the picked goods out of stock and charges the order's
//! commitment. The proof of delivery records what the customer accepted and
//! refused; refused goods come back to stock or quarantine and their value
//! is credited back.

mod delivery;
mod documents;
mod pick_lists;
pub mod shipment_list;
mod shipments;

use jiff::Timestamp;
use kaidan_domain::fulfilment::{
    PickLine, PickListStatus, PickOutcome, ShipmentStatus, TrackingStatus,
};
use kaidan_domain::{Permission, ValidationErrors, WarehouseId};
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{DocumentKind, PickListRow, ShipmentRow, StockStep, Tx};

/// A tracking event as reported by the carrier or typed in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingInput {
    /// When it happened (RFC 3339).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub status: TrackingStatus,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub note: String,
}

/// A document found by its number (DOC-2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRef {
    pub kind: DocumentKind,
    pub id: i64,
    pub number: String,
    /// The page that shows it.
    pub href: String,
    /// The API resource.
    pub api: String,
}

fn list_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "pick list",
        id: id.to_string(),
    }
}

fn shipment_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "shipment",
        id: id.to_string(),
    }
}

fn wrong_state(what: &str, number: &str, is: &str, needs: &str) -> AppError {
    ValidationErrors::single(
        "status",
        "wrong_state",
        format!("{what} {number} is {is}; this needs it {needs}"),
    )
    .into()
}

/// Posts a confirmed pick to the ledger: what was found moves to picked,
/// the reservation of what was not is given back (SHP-1, ALC-9).
pub(crate) async fn post_pick(
    tx: &mut Box<dyn Tx>,
    warehouse: WarehouseId,
    outcome: &[PickOutcome],
    source: &str,
    now: Timestamp,
) -> AppResult<()> {
    for o in outcome {
        let (product, found, short) = (o.product_id, o.picked, o.short);
        tx.stock_step(StockStep::Pick, product, warehouse, found, source, now)
            .await?;
        if short > 0 {
            tx.stock_step(StockStep::Release, product, warehouse, short, source, now)
                .await?;
        }
    }
    Ok(())
}

/// Moves the picked goods of every line by `step`: out of the warehouse
/// (ship) or back on its shelf (unpick).
pub(crate) async fn move_picked(
    tx: &mut Box<dyn Tx>,
    step: StockStep,
    warehouse: WarehouseId,
    lines: &[PickLine],
    source: &str,
    now: Timestamp,
) -> AppResult<()> {
    for l in lines {
        let picked = l.picked.unwrap_or(0);
        tx.stock_step(step, l.product_id, warehouse, picked, source, now)
            .await?;
    }
    Ok(())
}

/// The pick list, refused unless it is in the state the step needs.
async fn pick_list_in(
    tx: &mut Box<dyn Tx>,
    id: i64,
    needs: PickListStatus,
) -> AppResult<PickListRow> {
    let list = tx
        .pick_list_get(id)
        .await?
        .ok_or_else(|| list_not_found(id))?;
    if list.status != needs {
        let (is, needs) = (list.status.as_str(), needs.as_str());
        return Err(wrong_state("pick list", &list.number, is, needs));
    }
    Ok(list)
}

/// The shipment, refused unless it is in the state the step needs (any
/// state when `needs` is `None`).
async fn shipment_in(
    tx: &mut Box<dyn Tx>,
    id: i64,
    needs: Option<ShipmentStatus>,
) -> AppResult<ShipmentRow> {
    let s = tx
        .shipment_get(id)
        .await?
        .ok_or_else(|| shipment_not_found(id))?;
    if let Some(needs) = needs
        && s.status != needs
    {
        let (is, needs) = (s.status.as_str(), needs.as_str());
        return Err(wrong_state("shipment", &s.number, is, needs));
    }
    Ok(s)
}

impl App {
    /// A business number from a daily counter: `PK-20261123-0001`.
    pub(crate) async fn document_number(
        &self,
        tx: &mut Box<dyn Tx>,
        prefix: &str,
    ) -> AppResult<String> {
        let day = self.today().strftime("%Y%m%d").to_string();
        let seq = tx.counter_next(&format!("{prefix}:{day}")).await?;
        Ok(format!("{prefix}-{day}-{seq:04}"))
    }

    /// Staff with `permission`, or the portal customer the record belongs to.
    fn may_see(ctx: &Ctx, customer: kaidan_domain::CustomerId) -> AppResult<()> {
        if ctx.actor.can(Permission::ShipmentRead) && ctx.actor.customer_id.is_none() {
            return Ok(());
        }
        ctx.require(Permission::OrderRead)?;
        if ctx.actor.customer_id == Some(customer) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::ShipmentRead))
        }
    }
}
