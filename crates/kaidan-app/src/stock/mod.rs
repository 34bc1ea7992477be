//! Stock balances and receipts (INV-1; the full ledger grows with the stock
//! issue).

mod bounds;
mod safety_stock;

pub(crate) use bounds::on_hand_as_quantity;

use kaidan_domain::audit::{FieldChange, stock_field};
use kaidan_domain::{Permission, ProductId, Quantity, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::check_reference;
use crate::master::{ListRequest, Page};
use crate::ports::{EntityKind, StockBalance};

impl App {
    pub async fn stock_list(&self, ctx: &Ctx, req: &ListRequest) -> AppResult<Page<StockBalance>> {
        ctx.require(Permission::StockRead)?;
        // A stock cursor is "product-warehouse", the key of the last row.
        let mut plain = req.clone();
        let mut second = None;
        if let Some((p, w)) = req.cursor.as_deref().and_then(|c| c.split_once('-')) {
            plain.cursor = Some(p.to_string());
            second = Some(w.parse::<i64>().map_err(|_| {
                ValidationErrors::single(
                    "cursor",
                    "invalid",
                    "is not a cursor returned by this list",
                )
            })?);
        }
        let mut q = plain.to_query(EntityKind::Region, self.config.max_page)?;
        q.after_second = second.or(q.after.map(|_| i64::MAX));
        let limit = q.limit;
        q.limit = limit + 1;
        let mut tx = self.store.read().await?;
        let mut items = tx.stock_list(&q).await?;
        let next_cursor = crate::master::cut_page(&mut items, limit)
            .map(|b| format!("{}-{}", b.product_id, b.warehouse_id));
        Ok(Page { items, next_cursor })
    }

    /// INV-1 check: the ledger's sums per product and warehouse
    /// `(product, warehouse, on hand, reserved)`, and for picked goods
    /// `(product, warehouse, ledger sum, balance)`. Operators compare them
    /// with the balances; the tests do after every step.
    #[allow(clippy::type_complexity)]
    pub async fn stock_ledger_check(
        &self,
        ctx: &Ctx,
    ) -> AppResult<(
        Vec<(ProductId, WarehouseId, i64, i64)>,
        Vec<(ProductId, WarehouseId, i64, i64)>,
    )> {
        ctx.require(Permission::StockRead)?;
        let mut tx = self.store.read().await?;
        Ok((tx.stock_ledger_sums().await?, tx.stock_picked_sums().await?))
    }

    /// Receives goods into a warehouse: a ledger entry and the balance.
    pub async fn receive_stock(
        &self,
        ctx: &Ctx,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
    ) -> AppResult<()> {
        ctx.require(Permission::WarehouseWrite)?;
        let mut e = ValidationErrors::new();
        let qty = match Quantity::positive(quantity) {
            Ok(q) => q,
            Err(err) => {
                e.add("quantity", "invalid", err.to_string());
                Quantity::ZERO
            }
        };
        let source = e.text("source", source, 200);
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        let mut e = ValidationErrors::new();
        check_reference(
            &mut tx,
            &mut e,
            "product_id",
            EntityKind::Product,
            product.get(),
        )
        .await?;
        let warehouse_id = warehouse.get();
        check_reference(
            &mut tx,
            &mut e,
            "warehouse_id",
            EntityKind::Warehouse,
            warehouse_id,
        )
        .await?;
        e.into_result(())?;
        self.audit(
            &mut tx,
            ctx,
            "product",
            product.get(),
            "stock_receipt",
            vec![FieldChange {
                field: format!("{}.on_hand", stock_field(warehouse)),
                before: None,
                after: Some(format!("+{qty} ({source})")),
            }],
        )
        .await?;
        // Posts, publishes stock.received and fills backorders by promise
        // date (INV-2), the same way a purchase receipt does (PUR-3).
        self.post_receipt(&mut tx, ctx, product, warehouse, qty, &source)
            .await
            .map_err(|e| on_hand_as_quantity(e, "quantity"))?;
        self.allocate_after_receipt(&mut tx, ctx, warehouse).await?;
        tx.commit().await?;
        Ok(())
    }
}
