//! Reading the audit trail (SEC-2): the whole trail of one master record
//! for auditors, and a page of the history of an order, a customer's
//! account and a product's stock in a warehouse for whoever may see that
//! order, account or stock (ADR 0018).

use kaidan_domain::audit::stock_field;
use kaidan_domain::{CustomerId, OrderId, Permission, ProductId, ValidationErrors, WarehouseId};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::must_exist;
use crate::ports::{AuditEntry, AuditQuery, EntityKind, Tx};

/// Which page of a history to read: the `cursor` handed out with the page
/// before (none for the newest), and how many rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryRequest {
    pub cursor: Option<i64>,
    /// 50 when not given; at most the configured largest page.
    pub limit: Option<u32>,
}

/// One page of a record's history, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; null on the last one.
    pub next_cursor: Option<String>,
}

const DEFAULT_PAGE: u32 = 50;

impl App {
    /// Newest first.
    pub async fn audit_of(&self, ctx: &Ctx, entity: &str, id: i64) -> AppResult<Vec<AuditEntry>> {
        ctx.require(Permission::AuditRead)?;
        let mut tx = self.store.read().await?;
        let mut entries = tx.audit_of(entity, id).await?;
        redact_entries(ctx, &mut entries);
        Ok(entries)
    }

    /// The history of an order (SEC-2): its creation, every change of its
    /// status, number and lines (line by line) and its change requests.
    /// Whoever may see the order may see its history; a portal user only
    /// that of its own customer's orders.
    pub async fn order_history(
        &self,
        ctx: &Ctx,
        id: OrderId,
        page: HistoryRequest,
    ) -> AppResult<HistoryPage> {
        ctx.require(Permission::OrderRead)?;
        let limit = self.history_limit(page)?;
        let mut tx = self.store.read().await?;
        self.load_order(&mut tx, ctx, id).await?;
        history_page(ctx, &mut tx, "order", id.get(), None, page.cursor, limit).await
    }

    /// The history of a customer's funds and credit account (SEC-2,
    /// FIN-5): every entry posted, by whom and why. Whoever may see the
    /// account may see its history.
    pub async fn account_history(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        page: HistoryRequest,
    ) -> AppResult<HistoryPage> {
        Self::may_read_account(ctx, customer)?;
        let limit = self.history_limit(page)?;
        let mut tx = self.store.read().await?;
        must_exist(&mut tx, EntityKind::Customer, customer.get(), "customer").await?;
        history_page(
            ctx,
            &mut tx,
            "account",
            customer.get(),
            None,
            page.cursor,
            limit,
        )
        .await
    }

    /// The history of a product's stock in one warehouse (SEC-2, INV-1,
    /// INV-3): receipts and stock-count adjustments, each with the figure
    /// before and after. Whoever may read stock may read it.
    pub async fn stock_history(
        &self,
        ctx: &Ctx,
        product: ProductId,
        warehouse: WarehouseId,
        page: HistoryRequest,
    ) -> AppResult<HistoryPage> {
        ctx.require(Permission::StockRead)?;
        let limit = self.history_limit(page)?;
        let mut tx = self.store.read().await?;
        must_exist(&mut tx, EntityKind::Product, product.get(), "product").await?;
        must_exist(&mut tx, EntityKind::Warehouse, warehouse.get(), "warehouse").await?;
        let prefix = Some(stock_field(warehouse));
        history_page(
            ctx,
            &mut tx,
            "product",
            product.get(),
            prefix,
            page.cursor,
            limit,
        )
        .await
    }

    /// The page size asked for, checked against its bounds.
    fn history_limit(&self, page: HistoryRequest) -> AppResult<u32> {
        let max = self.config.max_page;
        let limit = page.limit.unwrap_or(DEFAULT_PAGE.min(max));
        if limit == 0 || limit > max {
            return Err(ValidationErrors::single(
                "limit",
                "out_of_range",
                format!("must be between 1 and {max}"),
            )
            .into());
        }
        if page.cursor.is_some_and(|c| c <= 0) {
            return Err(ValidationErrors::single(
                "cursor",
                "invalid",
                "is not a cursor returned by this history",
            )
            .into());
        }
        Ok(limit)
    }
}

/// Reads one row beyond the page to know whether an older page exists.
async fn history_page(
    ctx: &Ctx,
    tx: &mut Box<dyn Tx>,
    entity: &'static str,
    entity_id: i64,
    field_prefix: Option<String>,
    before: Option<i64>,
    limit: u32,
) -> AppResult<HistoryPage> {
    let mut items = tx
        .audit_page(&AuditQuery {
            entity,
            entity_id,
            field_prefix,
            before,
            limit: limit + 1,
        })
        .await?;
    let next_cursor = crate::master::cut_page(&mut items, limit).map(|e| e.id.to_string());
    redact_entries(ctx, &mut items);
    Ok(HistoryPage { items, next_cursor })
}

/// Blanks the audited values this reader may not see (SEC-4, ADR 0026).
fn redact_entries(ctx: &Ctx, entries: &mut [AuditEntry]) {
    let vis = ctx.visibility();
    for e in entries {
        if let Some(record) = crate::confidential::audited_record(&e.entity) {
            vis.redact_changes(record, &mut e.changes);
        }
    }
}
