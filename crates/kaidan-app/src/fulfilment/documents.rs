//! Looking up any document by its number (DOC-2) and the choices the
//! warehouse forms offer.

use jiff::civil::Date;
use kaidan_domain::master::WarehouseData;
use kaidan_domain::{OrderId, Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::ports::{DocumentKind, EntityKind};

use super::*;

impl App {
    /// DOC-2: the documents with this number, with where to see them.
    pub async fn lookup_document(&self, ctx: &Ctx, number: &str) -> AppResult<Vec<DocumentRef>> {
        let number = number.trim();
        if number.is_empty() {
            return Err(
                ValidationErrors::single("number", "required", "type a document number").into(),
            );
        }
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for (kind, id) in tx.document_lookup(number).await? {
            let visible = match kind {
                DocumentKind::Order => match tx.order_get(OrderId(id)).await? {
                    Some(o) => {
                        ctx.require(Permission::OrderRead).is_ok()
                            && (ctx.actor.customer_id.is_none()
                                || ctx.actor.customer_id == Some(o.customer_id))
                    }
                    None => false,
                },
                DocumentKind::PickList => {
                    ctx.actor.customer_id.is_none() && ctx.actor.can(Permission::ShipmentRead)
                }
                DocumentKind::Transfer => {
                    ctx.actor.customer_id.is_none()
                        && crate::transfers::can_read_transfers(&ctx.actor)
                }
                DocumentKind::DeliveryNote => match tx.shipment_get(id).await? {
                    Some(s) => Self::may_see(ctx, s.customer_id).is_ok(),
                    None => false,
                },
                DocumentKind::PurchaseOrder => {
                    ctx.actor.customer_id.is_none() && ctx.actor.can(Permission::PurchaseRead)
                }
            };
            if !visible {
                continue;
            }
            let (href, api) = match kind {
                DocumentKind::Order => (format!("/orders/{id}"), format!("/api/v1/orders/{id}")),
                DocumentKind::PickList => (
                    format!("/pick-lists/{id}"),
                    format!("/api/v1/pick-lists/{id}"),
                ),
                DocumentKind::DeliveryNote => (
                    format!("/shipments/{id}"),
                    format!("/api/v1/shipments/{id}"),
                ),
                DocumentKind::PurchaseOrder => (
                    format!("/purchase-orders/{id}"),
                    format!("/api/v1/purchase-orders/{id}"),
                ),
                DocumentKind::Transfer => (
                    format!("/transfers/{id}"),
                    format!("/api/v1/transfers/{id}"),
                ),
            };
            out.push(DocumentRef {
                kind,
                id,
                number: number.to_string(),
                href,
                api,
            });
        }
        if out.is_empty() {
            return Err(AppError::NotFound {
                what: "document",
                id: number.to_string(),
            });
        }
        Ok(out)
    }

    /// Active warehouses `(id, code)`, for choosing where goods go.
    pub async fn warehouse_choices(&self, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
        ctx.require(Permission::WarehouseRead)?;
        let mut tx = self.store.read().await?;
        let q = crate::ports::ListQuery {
            limit: self.config.max_page,
            filters: vec![("active", crate::ports::FilterValue::Bool(true))],
            ..Default::default()
        };
        let mut out = Vec::new();
        for r in tx.master_list(EntityKind::Warehouse, &q).await? {
            let id = r.id;
            out.push((id, typed_record::<WarehouseData>(r)?.data.code));
        }
        Ok(out)
    }

    /// Today in the company's time zone, for date fields.
    pub fn today_date(&self) -> Date {
        self.today()
    }
}
