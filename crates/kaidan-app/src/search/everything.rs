//! The search box (issue 21): orders, customers, products, shipments and
//! the other documents by number, code, name or reference, each only where
//! the caller may see it.

use kaidan_domain::{Permission, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::HitKind;

/// The longest text the search box takes, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The most hits of one kind a search answers.
pub const MAX_HITS_PER_KIND: u32 = 20;

/// One thing found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub kind: HitKind,
    pub id: i64,
    /// Its number, code or SKU.
    pub key: String,
    /// A name: the customer's, the product's, the supplier's.
    pub detail: String,
    /// Its page.
    pub href: String,
}

/// The typed text, trimmed, checked against its bounds.
pub(crate) fn search_text(field: &str, text: &str) -> AppResult<String> {
    let t = text.trim();
    let mut e = ValidationErrors::new();
    if t.chars().count() > MAX_SEARCH_CHARS {
        e.add(
            field,
            "too_long",
            format!("at most {MAX_SEARCH_CHARS} characters"),
        );
    } else if t.chars().any(char::is_control) {
        e.add(field, "invalid", "may not contain control characters");
    }
    e.into_result(t.to_string()).map_err(Into::into)
}

impl App {
    /// Up to `per_kind` hits of every kind the caller may read whose number
    /// starts with `text` or whose code, name or reference holds it. A
    /// portal user finds only his own customer's orders and shipments.
    pub async fn search_everything(
        &self,
        ctx: &Ctx,
        text: &str,
        per_kind: u32,
    ) -> AppResult<Vec<SearchHit>> {
        let text = search_text("q", text)?;
        if !(1..=MAX_HITS_PER_KIND).contains(&per_kind) {
            return Err(crate::error::AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be within 1..={MAX_HITS_PER_KIND}"),
            ));
        }
        let kinds = readable_kinds(ctx);
        // Nothing but `%` and `_` (never wildcards here) finds nothing.
        if text.chars().all(|c| matches!(c, '%' | '_' | '\\')) || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let mut rows = tx.search_rows(&text, &kinds, per_kind).await?;
        // Orders first, then customers, products and the other documents,
        // whatever order the engine gave the union in.
        rows.sort_by_key(|r| r.kind);
        let own = ctx.actor.customer_id;
        Ok(rows
            .into_iter()
            .filter(|r| own.is_none() || r.customer_id == own)
            .map(|r| SearchHit {
                href: href(r.kind, r.id, own.is_some()),
                kind: r.kind,
                id: r.id,
                key: r.key,
                detail: r.detail,
            })
            .collect())
    }
}

/// The kinds `ctx` may read.
fn readable_kinds(ctx: &Ctx) -> Vec<HitKind> {
    let a = &ctx.actor;
    if a.customer_id.is_some() {
        return if a.can(Permission::OrderRead) {
            vec![HitKind::Order, HitKind::Shipment]
        } else {
            Vec::new()
        };
    }
    HitKind::ALL
        .into_iter()
        .filter(|k| match k {
            HitKind::Order => a.can(Permission::OrderRead),
            HitKind::Customer => a.can(Permission::CustomerRead),
            HitKind::Product => a.can(Permission::ProductRead),
            HitKind::Shipment | HitKind::PickList => a.can(Permission::ShipmentRead),
            HitKind::PurchaseOrder => a.can(Permission::PurchaseRead),
            HitKind::Transfer => crate::transfers::can_read_transfers(a),
            HitKind::Invoice => a.can(Permission::InvoiceRead),
            HitKind::Return => a.can(Permission::ReturnRead),
            HitKind::Complaint => a.can(Permission::ComplaintRead),
            HitKind::Contract => a.can(Permission::ContractRead),
        })
        .collect()
}

fn href(kind: HitKind, id: i64, portal: bool) -> String {
    match kind {
        HitKind::Order if portal => format!("/portal/orders/{id}"),
        HitKind::Order => format!("/orders/{id}"),
        HitKind::Customer => format!("/m/customers/{id}"),
        HitKind::Product => format!("/m/products/{id}"),
        HitKind::Shipment => format!("/shipments/{id}"),
        HitKind::PickList => format!("/pick-lists/{id}"),
        HitKind::PurchaseOrder => format!("/purchase-orders/{id}"),
        HitKind::Transfer => format!("/transfers/{id}"),
        HitKind::Invoice => format!("/finance/invoices/{id}"),
        HitKind::Return => format!("/returns/{id}"),
        HitKind::Complaint => format!("/complaints/{id}"),
        HitKind::Contract => format!("/contracts/{id}"),
    }
}
