//! Pick lists, shipments, tracking events and proof of delivery (SHP-1..3),
//! and the lookup of documents by number (DOC-2).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    DeliveryRecord, DocumentKind, FulfilmentTx, PickListRow, PlanLine, ShipmentLineRow,
    ShipmentQuery, ShipmentRow, StoreError, TrackingEventRow,
};
use kaidan_domain::fulfilment::{PickListStatus, ShipmentStatus};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId, WarehouseId};

use crate::error::corrupt;
use crate::pick_lines::PickDoc;
use crate::row::{RowExt, from_micros, line_no, micros};
use crate::status_sets::{
    LINE_WAITS_COMPLETE, LOCK_ACTIVE, ORDER_AWAITING_GOODS, PICK_LIST_COMMITTED,
    PICK_LIST_HELD_QUANTITY,
};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

fn date(text: &str) -> Result<jiff::civil::Date, StoreError> {
    text.parse().map_err(corrupt)
}

fn opt_ts(v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(from_micros).transpose()
}

fn pick_list_from(r: &impl RowExt) -> Result<PickListRow, StoreError> {
    Ok(PickListRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        order_id: OrderId(r.i64("order_id")?),
        order_number: r.opt_text("order_number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        warehouse_id: WarehouseId(r.i64("warehouse_id")?),
        status: r.parsed("status")?,
        packages: r.opt_i64("packages")?,
        created_at: r.ts("created_at")?,
        created_by: UserId(r.i64("created_by")?),
        picked_at: opt_ts(r.opt_i64("picked_at")?)?,
        picked_by: r.opt_i64("picked_by")?.map(UserId),
        lines: Vec::new(),
    })
}

pub(crate) fn shipment_from(r: &impl RowExt) -> Result<ShipmentRow, StoreError> {
    Ok(ShipmentRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        order_id: OrderId(r.i64("order_id")?),
        order_number: r.opt_text("order_number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        pick_list_id: r.i64("pick_list_id")?,
        warehouse_id: WarehouseId(r.i64("warehouse_id")?),
        status: r.parsed("status")?,
        carrier: r.text("carrier")?,
        tracking_no: r.text("tracking_no")?,
        packages: r.i64("packages")?,
        shipped_at: r.ts("shipped_at")?,
        eta: date(&r.text("eta")?)?,
        shipped_by: UserId(r.i64("shipped_by")?),
        delivered_at: opt_ts(r.opt_i64("delivered_at")?)?,
        signed_by: r.opt_text("signed_by")?,
        delivery_note: r.opt_text("delivery_note")?,
        lines: Vec::new(),
        tracking: Vec::new(),
    })
}

const PICK_LIST_COLUMNS: &str = "l.id, l.number, l.order_id, o.number AS order_number, o.customer_id, \
     l.warehouse_id, l.status, l.packages, l.created_at, l.created_by, l.picked_at, l.picked_by";

pub(crate) const SHIPMENT_COLUMNS: &str = "s.id, s.number, s.order_id, o.number AS order_number, o.customer_id, \
     s.pick_list_id, s.warehouse_id, s.status, s.carrier, s.tracking_no, s.packages, s.shipped_at, s.eta, \
     s.shipped_by, s.delivered_at, s.signed_by, s.delivery_note";

impl DbTx {
    async fn shipment_lines(&mut self, id: i64) -> Result<Vec<ShipmentLineRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT line_no, product_id, quantity, unit_price, accepted, refused, reason, disposition, \
                    return_warehouse_id \
             FROM shipment_lines WHERE shipment_id = $1 ORDER BY line_no",
            [id],
            |r| Ok(ShipmentLineRow {
                line_no: line_no(r.i64("line_no")?)?,
                product_id: ProductId(r.i64("product_id")?),
                quantity: r.i64("quantity")?,
                unit_price: Money::from_units(r.i64("unit_price")?),
                accepted: r.opt_i64("accepted")?,
                refused: r.opt_i64("refused")?,
                reason: r.opt_text("reason")?,
                disposition: r.opt_parsed("disposition")?,
                return_warehouse_id: r.opt_i64("return_warehouse_id")?.map(WarehouseId),
            })
        ))
    }

    async fn tracking_of(&mut self, id: i64) -> Result<Vec<TrackingEventRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, shipment_id, at, status, location, note, source, recorded_at, recorded_by \
             FROM tracking_events WHERE shipment_id = $1 ORDER BY at, id",
            [id],
            |r| Ok(TrackingEventRow {
                id: r.i64("id")?,
                shipment_id: r.i64("shipment_id")?,
                at: r.ts("at")?,
                status: r.parsed("status")?,
                location: r.text("location")?,
                note: r.text("note")?,
                source: r.text("source")?,
                recorded_at: r.ts("recorded_at")?,
                recorded_by: UserId(r.i64("recorded_by")?),
            })
        ))
    }
}

#[async_trait]
impl FulfilmentTx for DbTx {
    async fn shipping_plan(&mut self, order: Option<OrderId>) -> Result<Vec<PlanLine>, StoreError> {
        let filter = if order.is_some() {
            "AND o.id = $1"
        } else {
            "AND $1 = $1"
        };
        // What open and picked lists hold of each order line: an open list
        // holds its listed quantity, a picked one what was picked. Whose
        // work comes first (ORD-8; `WorkKey` in the domain): important
        // orders, then the earlier ship deadline, receipt and order id.
        let sql = format!(
            "SELECT o.id AS order_id, o.number AS order_number, o.customer_id, c.name AS customer_name, \
                    o.status, o.ship_due_at, o.priority, l.line_no, l.product_id, p.sku, p.name AS product_name, \
                    l.quantity, l.reserved, l.backordered, l.shipped, \
                    CAST(COALESCE((SELECT SUM({held}) \
                                   FROM pick_list_lines pll JOIN pick_lists pl ON pl.id = pll.pick_list_id \
                                   WHERE pl.order_id = o.id AND pll.line_no = l.line_no \
                                     AND pl.status IN ({committed})), 0) AS BIGINT) AS on_lists, \
                    CAST(COALESCE((SELECT SUM(k.quantity) FROM allocation_locks k \
                                   WHERE k.order_id = o.id AND k.line_no = l.line_no AND k.status = {active}), 0) AS BIGINT) AS locked, \
                    CAST(CASE WHEN {waits} THEN 1 ELSE 0 END AS BIGINT) AS waiting \
             FROM orders o JOIN order_lines l ON l.order_id = o.id \
                  JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = l.product_id \
             WHERE o.status IN ({awaiting}) AND (l.reserved > 0 OR l.backordered > 0) {filter} \
             ORDER BY o.priority DESC, o.ship_due_at, o.received_at, o.id, l.line_no",
            held = *PICK_LIST_HELD_QUANTITY,
            committed = *PICK_LIST_COMMITTED,
            active = *LOCK_ACTIVE,
            awaiting = *ORDER_AWAITING_GOODS,
            waits = *LINE_WAITS_COMPLETE,
        );
        Ok(fetch_all!(
            self,
            &sql,
            [order.map_or(0, |o| o.get())],
            |r| Ok(PlanLine {
                order_id: OrderId(r.i64("order_id")?),
                order_number: r.opt_text("order_number")?,
                customer_id: CustomerId(r.i64("customer_id")?),
                customer_name: r.text("customer_name")?,
                status: r.parsed("status")?,
                ship_due_at: r.ts("ship_due_at")?,
                priority: r.bool("priority")?,
                line_no: line_no(r.i64("line_no")?)?,
                product_id: ProductId(r.i64("product_id")?),
                sku: r.text("sku")?,
                product_name: r.text("product_name")?,
                quantity: r.i64("quantity")?,
                reserved: r.i64("reserved")?,
                on_lists: r.i64("on_lists")?,
                locked: r.i64("locked")?,
                backordered: r.i64("backordered")?,
                shipped: r.i64("shipped")?,
                waiting: r.i64("waiting")? != 0,
            })
        ))
    }

    async fn order_pick_checks(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(i64, i64), StoreError> {
        // One row per order picked: when its first pick was confirmed and
        // whether any confirmed pick line came back short. Lists called off
        // unpicked have no picked_at and do not count. An order whose first
        // pick falls in the window has a pick in it, so only those orders
        // are read (through pick_lists_picked), never every list ever
        // picked (issue 21: the stock page read them all, 0.5 s at 1M lines).
        let (checked, right): (i64, i64) = fetch_as!(
            self,
            query_as.fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN c.short = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM (SELECT pl.order_id, MIN(pl.picked_at) AS first_pick, \
                          MAX(CASE WHEN pll.picked < pll.quantity THEN 1 ELSE 0 END) AS short \
                   FROM pick_lists pl JOIN pick_list_lines pll ON pll.pick_list_id = pl.id \
                   WHERE pl.picked_at IS NOT NULL AND pll.picked IS NOT NULL \
                     AND pl.order_id IN (SELECT w.order_id FROM pick_lists w \
                                         WHERE w.picked_at >= $1 AND w.picked_at < $2) \
                   GROUP BY pl.order_id) c \
             WHERE c.first_pick >= $1 AND c.first_pick < $2",
            [micros(from), micros(to)]
        );
        Ok((checked, right))
    }

    async fn pick_list_insert(&mut self, x: &PickListRow) -> Result<i64, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO pick_lists (number, order_id, warehouse_id, status, packages, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            [
                &x.number,
                x.order_id.get(),
                x.warehouse_id.get(),
                x.status.as_str(),
                x.packages,
                micros(x.created_at),
                x.created_by.get(),
            ]
        );
        self.insert_lines(
            ("pick_list_lines", "pick_list_id", "picked"),
            id,
            x.lines
                .iter()
                .map(|l| (l.line_no, l.product_id, l.quantity, l.picked)),
        )
        .await?;
        Ok(id)
    }

    async fn pick_list_get(&mut self, id: i64) -> Result<Option<PickListRow>, StoreError> {
        let sql = format!(
            "SELECT {PICK_LIST_COLUMNS} FROM pick_lists l JOIN orders o ON o.id = l.order_id WHERE l.id = $1"
        );
        let Some(mut head) = fetch_opt!(self, &sql, [id], pick_list_from) else {
            return Ok(None);
        };
        head.lines = self.pick_lines_of(PickDoc::PickList, id).await?;
        Ok(Some(head))
    }

    async fn pick_lists(
        &mut self,
        status: Option<PickListStatus>,
        order: Option<OrderId>,
        limit: u32,
    ) -> Result<Vec<PickListRow>, StoreError> {
        let sql = format!(
            "SELECT {PICK_LIST_COLUMNS} FROM pick_lists l JOIN orders o ON o.id = l.order_id \
             WHERE ($1 = '' OR l.status = $1) AND ($2 = 0 OR l.order_id = $2) ORDER BY l.id DESC LIMIT $3"
        );
        let mut lists = fetch_all!(
            self,
            &sql,
            [
                status.map_or("", |s| s.as_str()),
                order.map_or(0, |o| o.get()),
                i64::from(limit.max(1)),
            ],
            pick_list_from
        );
        for l in &mut lists {
            l.lines = self.pick_lines_of(PickDoc::PickList, l.id).await?;
        }
        Ok(lists)
    }

    async fn pick_list_confirm(
        &mut self,
        id: i64,
        status: PickListStatus,
        packages: i64,
        picked: &[(u32, i64)],
        at: Timestamp,
        by: UserId,
    ) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "UPDATE pick_lists SET status = $1, packages = $2, picked_at = $3, picked_by = $4 \
             WHERE id = $5 AND status = 'open'",
            [status.as_str(), packages, micros(at), by.get(), id]
        );
        if affected != 1 {
            return Ok(false);
        }
        self.pick_lines_picked(PickDoc::PickList, id, picked)
            .await?;
        Ok(true)
    }

    async fn pick_list_status(
        &mut self,
        id: i64,
        from: PickListStatus,
        to: PickListStatus,
    ) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "UPDATE pick_lists SET status = $1 WHERE id = $2 AND status = $3",
            [to.as_str(), id, from.as_str()]
        );
        Ok(affected == 1)
    }

    async fn shipment_insert(&mut self, s: &ShipmentRow) -> Result<i64, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO shipments (number, order_id, pick_list_id, warehouse_id, status, carrier, tracking_no, \
                                    packages, shipped_at, eta, shipped_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            [
                &s.number,
                s.order_id.get(),
                s.pick_list_id,
                s.warehouse_id.get(),
                s.status.as_str(),
                &s.carrier,
                &s.tracking_no,
                s.packages,
                micros(s.shipped_at),
                s.eta.to_string(),
                s.shipped_by.get(),
            ]
        );
        self.insert_lines(
            ("shipment_lines", "shipment_id", "unit_price"),
            id,
            s.lines.iter().map(|l| {
                let price = Some(l.unit_price.units());
                (l.line_no, l.product_id, l.quantity, price)
            }),
        )
        .await?;
        Ok(id)
    }

    async fn shipment_get(&mut self, id: i64) -> Result<Option<ShipmentRow>, StoreError> {
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = $1"
        );
        let Some(mut head) = fetch_opt!(self, &sql, [id], shipment_from) else {
            return Ok(None);
        };
        head.lines = self.shipment_lines(id).await?;
        head.tracking = self.tracking_of(id).await?;
        Ok(Some(head))
    }

    async fn shipments(
        &mut self,
        order: Option<OrderId>,
        status: Option<ShipmentStatus>,
        limit: u32,
    ) -> Result<Vec<ShipmentRow>, StoreError> {
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s JOIN orders o ON o.id = s.order_id \
             WHERE ($1 = '' OR s.status = $1) AND ($2 = 0 OR s.order_id = $2) ORDER BY s.id DESC LIMIT $3"
        );
        let mut list = fetch_all!(
            self,
            &sql,
            [
                status.map_or("", |s| s.as_str()),
                order.map_or(0, |o| o.get()),
                i64::from(limit.max(1)),
            ],
            shipment_from
        );
        for s in &mut list {
            s.lines = self.shipment_lines(s.id).await?;
        }
        Ok(list)
    }

    async fn shipment_list(&mut self, q: &ShipmentQuery) -> Result<Vec<ShipmentRow>, StoreError> {
        self.shipment_page(q).await
    }

    async fn shipment_count(&mut self, q: &ShipmentQuery) -> Result<u64, StoreError> {
        self.shipment_matches(q).await
    }

    async fn shipment_by_tracking(&mut self, tracking_no: &str) -> Result<Vec<i64>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT id FROM shipments WHERE tracking_no = $1 ORDER BY id",
            [tracking_no]
        ))
    }

    async fn shipment_deliver(&mut self, id: i64, r: &DeliveryRecord) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "UPDATE shipments SET status = 'delivered', delivered_at = $1, signed_by = $2, delivery_note = $3, \
                    recorded_by = $4 WHERE id = $5 AND status = 'shipped'",
            [
                micros(r.delivered_at),
                &r.signed_by,
                r.note.as_deref(),
                r.recorded_by.get(),
                id,
            ]
        );
        if affected != 1 {
            return Ok(false);
        }
        for (l, to) in &r.lines {
            exec!(
                self,
                "UPDATE shipment_lines SET accepted = $1, refused = $2, reason = $3, disposition = $4, \
                        return_warehouse_id = $5 WHERE shipment_id = $6 AND line_no = $7",
                [
                    l.accepted,
                    l.refused,
                    l.reason.as_deref(),
                    l.disposition.map(|d| d.as_str()),
                    to.map(|w| w.get()),
                    id,
                    i64::from(l.line_no),
                ]
            );
        }
        Ok(true)
    }

    async fn tracking_insert(&mut self, e: &TrackingEventRow) -> Result<bool, StoreError> {
        let affected = exec!(
            self,
            "INSERT INTO tracking_events (shipment_id, at, status, location, note, source, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (shipment_id, at, status) DO NOTHING",
            [
                e.shipment_id,
                micros(e.at),
                e.status.as_str(),
                &e.location,
                &e.note,
                &e.source,
                micros(e.recorded_at),
                e.recorded_by.get(),
            ]
        );
        Ok(affected == 1)
    }

    async fn document_lookup(
        &mut self,
        number: &str,
    ) -> Result<Vec<(DocumentKind, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT 'order', id FROM orders WHERE number = $1 \
             UNION ALL SELECT 'pick_list', id FROM pick_lists WHERE number = $1 \
             UNION ALL SELECT 'delivery_note', id FROM shipments WHERE number = $1 \
             UNION ALL SELECT 'purchase_order', id FROM purchase_orders WHERE number = $1 \
             UNION ALL SELECT 'transfer', id FROM transfers WHERE number = $1",
            [number]
        );
        rows.into_iter()
            .map(|(kind, id)| {
                let kind = match kind.as_str() {
                    "order" => DocumentKind::Order,
                    "pick_list" => DocumentKind::PickList,
                    "delivery_note" => DocumentKind::DeliveryNote,
                    "transfer" => DocumentKind::Transfer,
                    _ => DocumentKind::PurchaseOrder,
                };
                Ok((kind, id))
            })
            .collect()
    }
}
