//! Stock counts (INV-3) and inventory accuracy (KPI-4).
//!
//! The warehouse enters what it counted; the system figure is taken when the
//! count is entered and again when it is posted (goods may have moved in
//! between: the posting reconciles against the figure of that moment).
//! Posting needs a cause for every difference and writes one count
//! adjustment per differing line to the stock ledger, in one transaction.

use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::stock_counts::{
    CountLine, CountLineInput, CountStatus, accuracy_bp, count_changes, percent_text, share_bp,
    stock_change, validate_input, validate_posting,
};
use kaidan_domain::{Permission, ProductId, ValidationErrors, WarehouseId};
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::{check_products, check_reference};
use crate::ports::{EntityKind, StockCountRow, Tx};

/// A count as the warehouse enters it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStockCount {
    pub warehouse_id: WarehouseId,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<CountLineInput>,
}

/// Causes given at posting, by product (a count entered without them).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostStockCount {
    #[serde(default)]
    pub causes: Vec<CountLineInput>,
}

/// KPI-4 over a period, two ways (ADR 0008): per order, as the
/// requirement defines it, and per counted line beside it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct InventoryAccuracy {
    /// Orders whose first pick was confirmed in the period.
    pub orders_checked: u64,
    /// Of those, the orders whose stock check was right: no pick line of
    /// the order came back short, so what was reserved could be picked.
    pub orders_right: u64,
    /// Percent with two decimals, as text ("97.50"); null when no order
    /// was picked.
    pub order_accuracy_percent: Option<String>,
    pub lines_counted: usize,
    pub lines_right: usize,
    /// Percent with two decimals, as text ("97.50"); null when nothing was
    /// counted.
    pub accuracy_percent: Option<String>,
}

fn already_posted(id: i64) -> AppError {
    ValidationErrors::single(
        "status",
        "already_posted",
        format!("stock count {id} is already posted"),
    )
    .into()
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "stock count",
        id: id.to_string(),
    }
}

impl App {
    /// The system figures of `lines` in `warehouse`, now.
    async fn reconcile(
        &self,
        tx: &mut Box<dyn Tx>,
        warehouse: WarehouseId,
        lines: &[CountLineInput],
    ) -> AppResult<(Vec<CountLine>, Vec<(ProductId, i64)>)> {
        let products: Vec<ProductId> = lines.iter().map(|l| l.product_id).collect();
        let balances = tx.stock_balances_of(warehouse, &products).await?;
        let figure = |p: ProductId| {
            balances
                .iter()
                .find(|b| b.0 == p)
                .map_or((0, 0), |b| (b.1, b.2))
        };
        let reconciled = lines
            .iter()
            .map(|l| CountLine {
                product_id: l.product_id,
                system: figure(l.product_id).0,
                counted: l.counted,
                cause: l.cause,
                note: l.note.clone(),
            })
            .collect();
        let reserved = products.iter().map(|p| (*p, figure(*p).1)).collect();
        Ok((reconciled, reserved))
    }

    /// Enters a count (INV-3): checked, compared with the system figure,
    /// kept open until it is posted.
    pub async fn create_stock_count(
        &self,
        ctx: &Ctx,
        input: NewStockCount,
    ) -> AppResult<StockCountRow> {
        ctx.require(Permission::StockCount)?;
        validate_input(&input.lines)?;
        let mut tx = self.store.write().await?;
        let mut e = ValidationErrors::new();
        let warehouse = input.warehouse_id.get();
        check_reference(
            &mut tx,
            &mut e,
            "warehouse_id",
            EntityKind::Warehouse,
            warehouse,
        )
        .await?;
        // An unknown warehouse alone is reported: its lines cannot be judged.
        e.into_result(())?;
        let mut e = ValidationErrors::new();
        let products: Vec<_> = input.lines.iter().map(|l| l.product_id).collect();
        check_products(&mut tx, &mut e, "lines", &products).await?;
        e.into_result(())?;
        let (lines, _) = self
            .reconcile(&mut tx, input.warehouse_id, &input.lines)
            .await?;
        let mut row = StockCountRow {
            id: 0,
            warehouse_id: input.warehouse_id,
            status: CountStatus::Open,
            note: input.note,
            counted_at: self.now(),
            counted_by: ctx.actor.user_id,
            posted_at: None,
            posted_by: None,
            lines,
        };
        row.id = tx.count_insert(&row).await?;
        self.audit(
            &mut tx,
            ctx,
            "stock_count",
            row.id,
            "create",
            count_changes(&row.lines),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn stock_count(&self, ctx: &Ctx, id: i64) -> AppResult<StockCountRow> {
        ctx.require(Permission::StockRead)?;
        let mut tx = self.store.read().await?;
        tx.count_get(id).await?.ok_or_else(|| not_found(id))
    }

    /// Posts a count: reconciles against the system figure of now, needs a
    /// cause for every difference (from the count or from `post.causes`),
    /// and writes the count adjustments to the ledger. All or nothing.
    pub async fn post_stock_count(
        &self,
        ctx: &Ctx,
        id: i64,
        post: PostStockCount,
    ) -> AppResult<StockCountRow> {
        ctx.require(Permission::StockCount)?;
        let mut tx = self.store.write().await?;
        let mut row = tx.count_get(id).await?.ok_or_else(|| not_found(id))?;
        if row.status != CountStatus::Open {
            return Err(already_posted(id));
        }
        let inputs: Vec<CountLineInput> = row
            .lines
            .iter()
            .map(|l| {
                let given = post.causes.iter().find(|c| c.product_id == l.product_id);
                CountLineInput {
                    product_id: l.product_id,
                    counted: l.counted,
                    cause: given.and_then(|c| c.cause).or(l.cause),
                    note: given.and_then(|c| c.note.clone()).or(l.note.clone()),
                }
            })
            .collect();
        validate_input(&inputs)?;
        let (lines, reserved) = self.reconcile(&mut tx, row.warehouse_id, &inputs).await?;
        validate_posting(&lines, |p| {
            reserved.iter().find(|r| r.0 == p).map_or(0, |r| r.1)
        })?;
        let now = self.now();
        let source = format!("stock count {id}");
        for l in &lines {
            tx.stock_adjust(
                l.product_id,
                row.warehouse_id,
                l.difference(),
                "count_adjustment",
                &source,
                now,
            )
            .await?;
        }
        row.lines = lines;
        row.status = CountStatus::Posted;
        row.posted_at = Some(now);
        row.posted_by = Some(ctx.actor.user_id);
        if !tx.count_post(&row).await? {
            // Posted by someone else meanwhile (PostgreSQL); this
            // transaction's adjustments are rolled back with it.
            return Err(already_posted(id));
        }
        // The count's own row carries every line (expected → counted, at
        // the figure of posting); each product whose stock moved gets a
        // row in its stock history too, as a receipt does (SEC-2).
        self.audit(
            &mut tx,
            ctx,
            "stock_count",
            id,
            "post",
            count_changes(&row.lines),
        )
        .await?;
        for l in &row.lines {
            if let Some(change) = stock_change(row.warehouse_id, l) {
                self.audit(
                    &mut tx,
                    ctx,
                    "product",
                    l.product_id.get(),
                    "stock_count",
                    vec![change],
                )
                .await?;
            }
        }
        let differences: Vec<_> = row
            .lines
            .iter()
            .filter(|l| l.difference() != 0)
            .map(|l| serde_json::json!({"product_id": l.product_id, "difference": l.difference(), "cause": l.cause}))
            .collect();
        self.publish(
            &mut tx,
            "stock.counted",
            "stock_count",
            id,
            serde_json::json!({"id": id, "warehouse_id": row.warehouse_id, "differences": differences}),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Inventory accuracy (KPI-4) of the counts posted from `from` to `to`,
    /// both days included, in the company's time zone.
    pub async fn inventory_accuracy(
        &self,
        ctx: &Ctx,
        from: Date,
        to: Date,
    ) -> AppResult<InventoryAccuracy> {
        ctx.require(Permission::StockRead)?;
        if to < from {
            return Err(
                ValidationErrors::single("to", "before_from", "must not be before from").into(),
            );
        }
        let tz = company_time_zone();
        let start = |d: Date| -> AppResult<Timestamp> {
            d.to_zoned(tz.clone())
                .map(|z| z.timestamp())
                .map_err(|e| ValidationErrors::single("from", "invalid", e.to_string()).into())
        };
        let end = to
            .tomorrow()
            .map_err(|e| ValidationErrors::single("to", "invalid", e.to_string()))?;
        let mut tx = self.store.read().await?;
        let (from, to) = (start(from)?, start(end)?);
        let lines = tx.count_lines_posted(from, to).await?;
        let right = lines.iter().filter(|l| l.difference() == 0).count();
        let (checked, checked_right) = tx.order_pick_checks(from, to).await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let (checked, checked_right) = (count(checked), count(checked_right));
        Ok(InventoryAccuracy {
            orders_checked: checked,
            orders_right: checked_right,
            order_accuracy_percent: share_bp(checked_right, checked).map(percent_text),
            lines_counted: lines.len(),
            lines_right: right,
            accuracy_percent: accuracy_bp(&lines).map(percent_text),
        })
    }
}
