//! Purchase orders, replenishment requests and arrival notices (PUR-1..3,
//! INV-2). The jobs table is in `jobs.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    ArrivalNoticeRow, BackorderedLine, NoticeContent, PurchaseLineRow, PurchaseOrderRow,
    PurchasingTx, ReplenishmentView, StoreError,
};
use kaidan_domain::purchasing::{NoticeKind, PurchaseStatus, ReplenishmentStatus};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, line_no, micros, placeholders};
use crate::status_sets::{PURCHASE_AWAITING_ARRIVAL, REPLENISHMENT_UNFILLED};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

fn date(r: &impl RowExt, col: &str) -> Result<Date, StoreError> {
    r.parsed(col)
}

const PO_COLUMNS: &str = "id, number, supplier, warehouse_id, status, expected_arrival, note, sent_at, \
     confirm_due_at, confirmed_at, overdue_flagged_at, closed_at, created_by, version, updated_at";

fn po_from(r: &impl RowExt) -> Result<PurchaseOrderRow, StoreError> {
    Ok(PurchaseOrderRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        supplier: r.text("supplier")?,
        warehouse_id: WarehouseId(r.i64("warehouse_id")?),
        status: r.parsed("status")?,
        expected_arrival: date(r, "expected_arrival")?,
        note: r.text("note")?,
        sent_at: r.ts("sent_at")?,
        confirm_due_at: r.ts("confirm_due_at")?,
        confirmed_at: r.opt_i64("confirmed_at")?.map(from_micros).transpose()?,
        overdue_flagged_at: r
            .opt_i64("overdue_flagged_at")?
            .map(from_micros)
            .transpose()?,
        closed_at: r.opt_i64("closed_at")?.map(from_micros).transpose()?,
        overdue: false,
        created_by: UserId(r.i64("created_by")?),
        version: r.i64("version")?,
        updated_at: r.ts("updated_at")?,
        lines: Vec::new(),
    })
}

const REPL_SELECT: &str = "SELECT r.id, r.order_id, o.number, r.line_no, r.product_id, p.sku, p.name, \
     r.quantity, r.choice, r.status, r.purchase_order_id, r.created_at, r.closed_at \
     FROM replenishment_requests r JOIN orders o ON o.id = r.order_id \
     JOIN products p ON p.id = r.product_id";

fn repl_from(r: &impl RowExt) -> Result<ReplenishmentView, StoreError> {
    Ok(ReplenishmentView {
        id: r.i64("id")?,
        order_id: OrderId(r.i64("order_id")?),
        order_number: r.opt_text("number")?,
        line_no: line_no(r.i64("line_no")?)?,
        product_id: ProductId(r.i64("product_id")?),
        sku: r.text("sku")?,
        product_name: r.text("name")?,
        quantity: r.i64("quantity")?,
        choice: r.parsed("choice")?,
        status: r.parsed("status")?,
        purchase_order_id: r.opt_i64("purchase_order_id")?,
        created_at: r.ts("created_at")?,
        closed_at: r.opt_i64("closed_at")?.map(from_micros).transpose()?,
    })
}

impl DbTx {
    /// Fills in the lines (with product sku and name, and the requests each
    /// covers) of the given purchase orders.
    async fn purchase_fill_lines(
        &mut self,
        pos: &mut [PurchaseOrderRow],
    ) -> Result<(), StoreError> {
        if pos.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = pos.iter().map(|p| p.id).collect();
        let list = placeholders(1, ids.len());
        let sql = format!(
            "SELECT l.purchase_order_id, l.line_no, l.product_id, p.sku, p.name, l.quantity, l.received \
             FROM purchase_order_lines l JOIN products p ON p.id = l.product_id \
             WHERE l.purchase_order_id IN ({list}) ORDER BY l.purchase_order_id, l.line_no"
        );
        let id_vals: Vec<Val> = ids.iter().map(|id| Val::I(*id)).collect();
        let lines: Vec<(i64, PurchaseLineRow)> = fetch_all!(self, &sql, id_vals, |r| {
            Ok((
                r.i64("purchase_order_id")?,
                PurchaseLineRow {
                    line_no: line_no(r.i64("line_no")?)?,
                    product_id: ProductId(r.i64("product_id")?),
                    sku: r.text("sku")?,
                    name: r.text("name")?,
                    quantity: r.i64("quantity")?,
                    received: r.i64("received")?,
                    replenishment_ids: Vec::new(),
                },
            ))
        });
        let sql = format!(
            "SELECT id, purchase_order_id, purchase_line_no FROM replenishment_requests \
             WHERE purchase_order_id IN ({list}) ORDER BY id"
        );
        let covered: Vec<(i64, i64, Option<i64>)> =
            fetch_as!(self, query_as.fetch_all, &sql, id_vals);
        let mut by_po: HashMap<i64, Vec<PurchaseLineRow>> = HashMap::new();
        for (po, mut line) in lines {
            line.replenishment_ids = covered
                .iter()
                .filter(|(_, p, l)| *p == po && *l == Some(i64::from(line.line_no)))
                .map(|(id, _, _)| *id)
                .collect();
            by_po.entry(po).or_default().push(line);
        }
        for po in pos.iter_mut() {
            po.lines = by_po.remove(&po.id).unwrap_or_default();
        }
        Ok(())
    }
}

#[async_trait]
impl PurchasingTx for DbTx {
    async fn purchase_insert(&mut self, x: &PurchaseOrderRow) -> Result<i64, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO purchase_orders (number, supplier, warehouse_id, status, expected_arrival, note, \
             sent_at, confirm_due_at, created_by, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10) RETURNING id",
            [
                &x.number,
                &x.supplier,
                x.warehouse_id.get(),
                x.status.as_str(),
                x.expected_arrival.to_string(),
                &x.note,
                micros(x.sent_at),
                micros(x.confirm_due_at),
                x.created_by.get(),
                micros(x.updated_at),
            ]
        );
        self.insert_lines(
            ("purchase_order_lines", "purchase_order_id", "received"),
            id,
            x.lines
                .iter()
                .map(|l| (l.line_no, l.product_id, l.quantity, Some(l.received))),
        )
        .await?;
        Ok(id)
    }

    async fn purchase_get(&mut self, id: i64) -> Result<Option<PurchaseOrderRow>, StoreError> {
        let sql = format!("SELECT {PO_COLUMNS} FROM purchase_orders WHERE id = $1");
        let mut found: Vec<_> = fetch_opt!(self, &sql, [id], po_from).into_iter().collect();
        self.purchase_fill_lines(&mut found).await?;
        Ok(found.pop())
    }

    async fn purchase_by_number(&mut self, number: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT id FROM purchase_orders WHERE number = $1",
            [number]
        ))
    }

    async fn purchase_list(
        &mut self,
        status: Option<PurchaseStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PurchaseOrderRow>, StoreError> {
        let sql = format!(
            "SELECT {PO_COLUMNS} FROM purchase_orders WHERE ($1 = '' OR status = $1) AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        );
        let mut rows = fetch_all!(
            self,
            &sql,
            [
                status.map_or("", PurchaseStatus::as_str),
                before.unwrap_or(i64::MAX),
                i64::from(limit),
            ],
            po_from
        );
        self.purchase_fill_lines(&mut rows).await?;
        Ok(rows)
    }

    async fn purchase_save(
        &mut self,
        x: &PurchaseOrderRow,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "UPDATE purchase_orders SET status = $1, expected_arrival = $2, confirmed_at = $3, \
             overdue_flagged_at = $4, closed_at = $5, updated_at = $6, version = version + 1 \
             WHERE id = $7 AND version = $8",
            [
                x.status.as_str(),
                x.expected_arrival.to_string(),
                x.confirmed_at.map(micros),
                x.overdue_flagged_at.map(micros),
                x.closed_at.map(micros),
                micros(x.updated_at),
                x.id,
                expected_version,
            ]
        );
        if affected != 1 {
            return Ok(false);
        }
        for l in &x.lines {
            exec!(
                self,
                "UPDATE purchase_order_lines SET received = $1 \
                 WHERE purchase_order_id = $2 AND line_no = $3 AND received <> $1",
                [l.received, x.id, i64::from(l.line_no)]
            );
        }
        Ok(true)
    }

    async fn purchase_overdue_unflagged(&mut self, now: Timestamp) -> Result<Vec<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT id FROM purchase_orders WHERE status = 'sent' AND confirm_due_at < $1 \
             AND overdue_flagged_at IS NULL ORDER BY id",
            [micros(now)]
        ))
    }

    async fn purchase_needing_notice(
        &mut self,
        kind: NoticeKind,
        horizon: Date,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT p.id FROM purchase_orders p \
             WHERE p.status IN ({awaiting}) AND p.expected_arrival <= $1 \
             AND NOT EXISTS (SELECT 1 FROM arrival_notices n WHERE n.purchase_order_id = p.id AND n.kind = $2) \
             ORDER BY p.expected_arrival, p.id",
            awaiting = *PURCHASE_AWAITING_ARRIVAL,
        );
        Ok(fetch_as!(
            self,
            query_scalar.fetch_all,
            &sql,
            [horizon.to_string(), kind.as_str()]
        ))
    }

    async fn replenishment_list(
        &mut self,
        status: Option<ReplenishmentStatus>,
    ) -> Result<Vec<ReplenishmentView>, StoreError> {
        let sql = format!("{REPL_SELECT} WHERE ($1 = '' OR r.status = $1) ORDER BY r.id");
        Ok(fetch_all!(
            self,
            &sql,
            [status.map_or("", ReplenishmentStatus::as_str)],
            repl_from
        ))
    }

    async fn replenishment_get_many(
        &mut self,
        ids: &[i64],
    ) -> Result<Vec<ReplenishmentView>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{REPL_SELECT} WHERE r.id IN ({}) ORDER BY r.id",
            placeholders(1, ids.len())
        );
        let vals: Vec<Val> = ids.iter().map(|id| Val::I(*id)).collect();
        Ok(fetch_all!(self, &sql, vals, repl_from))
    }

    async fn replenishment_order(
        &mut self,
        id: i64,
        po: i64,
        line: u32,
    ) -> Result<bool, StoreError> {
        Ok(exec!(
            self,
            "UPDATE replenishment_requests SET status = 'ordered', purchase_order_id = $1, \
             purchase_line_no = $2 WHERE id = $3 AND status = 'open'",
            [po, i64::from(line), id]
        ) == 1)
    }

    async fn replenishment_reopen(&mut self, po: i64) -> Result<u64, StoreError> {
        Ok(exec!(
            self,
            "UPDATE replenishment_requests SET status = 'open', purchase_order_id = NULL, \
             purchase_line_no = NULL WHERE purchase_order_id = $1 AND status = 'ordered'",
            [po]
        ))
    }

    async fn replenishment_close_line(
        &mut self,
        order: OrderId,
        line: u32,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE replenishment_requests SET status = 'closed', closed_at = $1 \
             WHERE order_id = $2 AND line_no = $3 AND status IN ({unfilled})",
            unfilled = *REPLENISHMENT_UNFILLED,
        );
        Ok(exec!(
            self,
            &sql,
            [micros(at), order.get(), i64::from(line)]
        ))
    }

    async fn backordered_lines(
        &mut self,
        product: ProductId,
    ) -> Result<Vec<BackorderedLine>, StoreError> {
        // The order of service (INV-2, ORD-8; `FillKey` in the domain):
        // promised date, important first, received earlier, order id.
        // PostgreSQL locks the lines in that order, so two receipts of the
        // same product fill them one after the other.
        let lock = if matches!(self, DbTx::Pg(_)) {
            " FOR UPDATE OF l"
        } else {
            ""
        };
        let sql = format!(
            "SELECT l.order_id, o.number, l.line_no, o.customer_id, o.status, l.reserved, l.backordered, \
             l.unit_price, o.ship_due_at, o.received_at, c.kind AS customer_kind \
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id \
             WHERE l.product_id = $1 AND l.backordered > 0 \
             ORDER BY o.promised_date, o.priority DESC, o.received_at, o.id, l.line_no{lock}"
        );
        Ok(fetch_all!(self, &sql, [product.get()], |r| Ok(
            BackorderedLine {
                order_id: OrderId(r.i64("order_id")?),
                number: r.opt_text("number")?,
                line_no: line_no(r.i64("line_no")?)?,
                customer_id: CustomerId(r.i64("customer_id")?),
                status: r.parsed("status")?,
                reserved: r.i64("reserved")?,
                backordered: r.i64("backordered")?,
                unit_price: Money::from_units(r.i64("unit_price")?),
                ship_due_at: r.ts("ship_due_at")?,
                received_at: r.ts("received_at")?,
                franchisee: r.text("customer_kind")? == "franchisee",
            }
        )))
    }

    async fn notice_insert(&mut self, n: &ArrivalNoticeRow) -> Result<Option<i64>, StoreError> {
        let content = serde_json::to_string(&n.content).map_err(corrupt)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_optional,
            "INSERT INTO arrival_notices (purchase_order_id, kind, notice_date, expected_arrival, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (purchase_order_id, kind) DO NOTHING RETURNING id",
            [
                n.purchase_order_id,
                n.kind.as_str(),
                n.notice_date.to_string(),
                n.expected_arrival.to_string(),
                &content,
                micros(n.created_at),
            ]
        ))
    }

    async fn notice_list(
        &mut self,
        purchase_order: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ArrivalNoticeRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT n.id, n.purchase_order_id, p.number, p.supplier, n.kind, n.notice_date, n.expected_arrival, \
             n.content, n.created_at FROM arrival_notices n JOIN purchase_orders p ON p.id = n.purchase_order_id \
             WHERE ($1 = 0 OR n.purchase_order_id = $1) ORDER BY n.id DESC LIMIT $2",
            [purchase_order.unwrap_or(0), i64::from(limit)],
            |r| {
                let content: NoticeContent =
                    serde_json::from_str(&r.text("content")?).map_err(corrupt)?;
                Ok(ArrivalNoticeRow {
                    id: r.i64("id")?,
                    purchase_order_id: r.i64("purchase_order_id")?,
                    purchase_order_number: r.text("number")?,
                    supplier: r.text("supplier")?,
                    kind: r.parsed("kind")?,
                    notice_date: date(r, "notice_date")?,
                    expected_arrival: date(r, "expected_arrival")?,
                    content,
                    created_at: r.ts("created_at")?,
                })
            }
        ))
    }
}
