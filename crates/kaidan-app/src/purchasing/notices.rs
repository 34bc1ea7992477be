//! Replenishment requests, arrival notices and the scheduled work that
//! raises them (PUR-2, INV-2): overdue confirmations, receiving notices and
//! the funds notice to franchisees.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::master::{CustomerData, CustomerKind};
use kaidan_domain::orders::{AccountBalance, AccountEntry, EntryKind};
use kaidan_domain::purchasing::{
    Backorder, FundsTask, NoticeKind, ReceivingLine, ReplenishmentStatus, confirmation_overdue,
    funds_needed, funds_shortfall, notice_date,
};
use kaidan_domain::{Permission, ProductId};

use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::typed_record;
use crate::ports::{
    ArrivalNoticeRow, EntityKind, NoticeContent, PurchaseOrderRow, ReplenishmentView, Tx,
};

impl App {
    /// Replenishment requests (INV-2), all or of one status.
    pub async fn replenishment_requests(
        &self,
        ctx: &Ctx,
        status: Option<ReplenishmentStatus>,
    ) -> AppResult<Vec<ReplenishmentView>> {
        ctx.require(Permission::PurchaseRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.replenishment_list(status).await?)
    }

    /// Arrival notices (PUR-2), newest first.
    pub async fn arrival_notices(
        &self,
        ctx: &Ctx,
        purchase_order: Option<i64>,
        limit: Option<u32>,
    ) -> AppResult<Vec<ArrivalNoticeRow>> {
        ctx.require(Permission::PurchaseRead)?;
        let limit = limit.unwrap_or(100).clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.notice_list(purchase_order, limit).await?)
    }

    /// Flags unconfirmed purchase orders past their due time, once each
    /// (PUR-1). Returns how many were flagged.
    pub(crate) async fn flag_overdue_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut flagged = 0;
        for id in tx.purchase_overdue_unflagged(now).await? {
            let before = self.load_purchase(tx, id).await?;
            if !confirmation_overdue(before.status, before.confirm_due_at, now)
                || before.overdue_flagged_at.is_some()
            {
                continue;
            }
            let mut after = before.clone();
            after.overdue_flagged_at = Some(now);
            after.updated_at = now;
            if !tx.purchase_save(&after, before.version).await? {
                continue;
            }
            self.audit(
                tx,
                ctx,
                "purchase_order",
                id,
                "confirmation_overdue",
                vec![FieldChange {
                    field: "overdue_flagged_at".into(),
                    before: None,
                    after: Some(now.to_string()),
                }],
            )
            .await?;
            self.publish(
                tx,
                "po.confirmation_overdue",
                "purchase_order",
                id,
                serde_json::json!({"id": id, "number": after.number, "supplier": after.supplier,
                    "confirm_due_at": after.confirm_due_at.to_string()}),
            )
            .await?;
            flagged += 1;
        }
        Ok(flagged)
    }

    /// Raises the arrival notices that are due (PUR-2), each once per
    /// purchase order and kind; a purchase order created late gets its
    /// notices at the next run. Returns how many were raised.
    pub(crate) async fn raise_notices_in(&self, tx: &mut Box<dyn Tx>) -> AppResult<usize> {
        let today = self.today();
        let mut raised = 0;
        for kind in NoticeKind::ALL {
            let horizon = kaidan_domain::purchasing::notice_horizon(*kind, today);
            for id in tx.purchase_needing_notice(*kind, horizon).await? {
                let po = self.load_purchase(tx, id).await?;
                let content = match kind {
                    NoticeKind::Funds => NoticeContent {
                        funds: self.funds_tasks(tx, &po).await?,
                        receiving: Vec::new(),
                    },
                    NoticeKind::Receiving => NoticeContent {
                        funds: Vec::new(),
                        receiving: po
                            .lines
                            .iter()
                            .filter(|l| l.quantity > l.received)
                            .map(|l| ReceivingLine {
                                line_no: l.line_no,
                                product_id: l.product_id,
                                sku: l.sku.clone(),
                                name: l.name.clone(),
                                quantity: l.quantity - l.received,
                            })
                            .collect(),
                    },
                };
                let notice = ArrivalNoticeRow {
                    id: 0,
                    purchase_order_id: id,
                    purchase_order_number: po.number.clone(),
                    supplier: po.supplier.clone(),
                    kind: *kind,
                    notice_date: notice_date(*kind, po.expected_arrival),
                    expected_arrival: po.expected_arrival,
                    content,
                    created_at: self.now(),
                };
                let Some(notice_id) = tx.notice_insert(&notice).await? else {
                    continue;
                };
                let audience = match kind {
                    NoticeKind::Funds => "channel_business",
                    NoticeKind::Receiving => "warehouse",
                };
                self.publish(
                    tx,
                    "arrival.notice",
                    "purchase_order",
                    id,
                    serde_json::json!({"id": notice_id, "purchase_order_id": id, "number": po.number,
                        "kind": kind, "audience": audience, "notice_date": notice.notice_date.to_string(),
                        "expected_arrival": po.expected_arrival.to_string(), "content": notice.content}),
                )
                .await?;
                raised += 1;
            }
        }
        Ok(raised)
    }

    /// The franchisees to ask for funds before `po` arrives: what the
    /// arrival is expected to fill of their backorders (promise order), what
    /// they have available, and the shortfall.
    async fn funds_tasks(
        &self,
        tx: &mut Box<dyn Tx>,
        po: &PurchaseOrderRow,
    ) -> AppResult<Vec<FundsTask>> {
        let arriving: Vec<(ProductId, i64)> = po
            .lines
            .iter()
            .map(|l| (l.product_id, l.quantity - l.received))
            .filter(|(_, q)| *q > 0)
            .collect();
        let mut products: Vec<ProductId> = arriving.iter().map(|a| a.0).collect();
        products.sort();
        products.dedup();
        let mut backorders = Vec::new();
        for p in products {
            for l in tx.backordered_lines(p).await? {
                if l.status.awaits_goods() {
                    backorders.push(Backorder {
                        order_id: l.order_id,
                        customer_id: l.customer_id,
                        product_id: p,
                        backordered: l.backordered,
                        unit_price: l.unit_price,
                    });
                }
            }
        }
        let needs = funds_needed(&arriving, &backorders);
        let ids: Vec<i64> = needs.iter().map(|n| n.0.get()).collect();
        let customers = tx.master_get_many(EntityKind::Customer, &ids).await?;
        let open_lines = tx.alloc_open_lines().await?;
        let mut tasks = Vec::new();
        for (customer, orders, needed) in needs {
            let Some(rec) = customers.iter().find(|c| c.id == customer.get()) else {
                continue;
            };
            let data = typed_record::<CustomerData>(rec.clone())?.data;
            if data.kind != CustomerKind::Franchisee {
                continue;
            }
            // As the account page reads it: the ledger, with the credit
            // limit of the master record unless the ledger sets one.
            let entries = tx.account_entries(customer).await?;
            let mut balance = AccountBalance::from_entries(entries.iter().map(|(_, e)| e));
            if !entries
                .iter()
                .any(|(_, e)| e.kind == EntryKind::CreditLimit)
            {
                balance.apply(&AccountEntry::new(
                    EntryKind::CreditLimit,
                    data.credit_limit,
                    None,
                ));
            }
            // What the allocation run would see for this franchisee's
            // waiting lines: its order commitments are set aside (ADR 0010).
            let waiting: kaidan_domain::Money = open_lines
                .iter()
                .filter(|l| l.customer_id == customer)
                .map(|l| l.unit_price.times(l.backordered))
                .sum();
            let available = balance.available_for_waiting(waiting);
            tasks.push(FundsTask {
                customer_id: customer,
                customer_code: data.code,
                customer_name: data.name,
                order_ids: orders,
                needed,
                available,
                shortfall: funds_shortfall(needed, available),
            });
        }
        Ok(tasks)
    }
}
