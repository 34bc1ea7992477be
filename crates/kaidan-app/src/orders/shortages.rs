//! The customer's answer to a shortage (INV-2, ADR 0019), recorded by the
//! clerk while the shortage is open: wait for the line complete, ship what
//! is there, a substitute product (a change request, CHG-1/2) or the short
//! quantity cancelled. One answer per order line: it is set on every
//! unfilled request of the line, and the pick lists follow it.

use kaidan_domain::orders::changes::{Change, ChangeRequest};
use kaidan_domain::orders::{AccountBalance, AccountEntry, EntryKind, OrderEvent, cut_short};
use kaidan_domain::validation::MAX_REASON;
use kaidan_domain::{OrderId, Permission, ProductId, ValidationErrors};
use serde::Deserialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{LineProgressRow, OrderRow, ReplenishmentRow, Tx};

use super::*;

/// What the customer answered about one shortage.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShortageAnswer {
    pub choice: ShortageChoice,
    /// The substitute product; given for a substitution only.
    #[serde(default)]
    pub product_id: Option<ProductId>,
    /// The customer's words: the change request's reason for a
    /// substitution, the timeline note otherwise.
    #[serde(default)]
    pub note: Option<String>,
}

impl ShortageAnswer {
    /// An answer with nothing but the choice.
    pub fn of(choice: ShortageChoice) -> Self {
        ShortageAnswer {
            choice,
            product_id: None,
            note: None,
        }
    }

    /// The substitute (for a substitution) and the note, or every refusal.
    fn validate(&self) -> Result<(Option<ProductId>, String), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let substitution = self.choice == ShortageChoice::Substitution;
        match self.product_id {
            None if substitution => e.add("product_id", "required", "name the substitute product"),
            Some(_) if !substitution => e.add(
                "product_id",
                "not_allowed",
                "a product is named for a substitution only",
            ),
            _ => {}
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        e.into_result((self.product_id, note.unwrap_or_default()))
    }
}

fn refuse(field: &str, code: &'static str, message: String) -> AppError {
    AppError::invalid(field, code, message)
}

impl App {
    /// Records the customer's answer to one shortage of an order and acts
    /// on it (INV-2): `backorder` holds the line back from picking until it
    /// is complete, `partial` lets what is there ship, `substitution`
    /// proposes the substitute as a change request priced from the price
    /// list, `cancel` reduces the line by its short quantity, releases the
    /// commitment of it, closes the line's requests and tells the customer.
    pub async fn choose_for_shortage(
        &self,
        ctx: &Ctx,
        id: OrderId,
        shortage: i64,
        answer: &ShortageAnswer,
    ) -> AppResult<OrderView> {
        ctx.require(Permission::OrderCreate)?;
        let (product, note) = answer.validate()?;
        let mut tx = self.store.write().await?;
        let order = self.load_order(&mut tx, ctx, id).await?;
        let requests = tx.replenishments(Some(id)).await?;
        let request =
            requests
                .iter()
                .find(|r| r.id == shortage)
                .ok_or_else(|| AppError::NotFound {
                    what: "shortage",
                    id: shortage.to_string(),
                })?;
        if request.status == "closed" {
            let msg = "this shortage is already closed".to_string();
            return Err(refuse("shortage", "closed", msg));
        }
        if !order.status.awaits_goods() {
            let number = order.number.clone().unwrap_or_else(|| id.to_string());
            let msg = format!(
                "order {number} is {}; a shortage is answered while the order awaits goods",
                order.status
            );
            return Err(refuse("status", "wrong_state", msg));
        }
        let line_no = request.line_no;
        let line = tx
            .order_lines(id)
            .await?
            .into_iter()
            .find(|l| l.line_no == line_no)
            .ok_or_else(|| refuse("shortage", "no_such_line", format!("no line {line_no}")))?;
        let choice = answer.choice;
        let mut change_id = None;
        match (choice, product) {
            (ShortageChoice::Substitution, Some(product)) => {
                let open = unfilled_of(&requests, line_no);
                let row = self
                    .propose_substitute(&mut tx, ctx, &order, &open, &line, product, &note)
                    .await?;
                change_id = Some(row);
            }
            (ShortageChoice::Cancel, _) => {
                // Its own timeline step: the order moves (a new version,
                // perhaps shipped), and the customer is told of it.
                self.cut_shortage(&mut tx, ctx, &order, shortage, &line, &note)
                    .await?;
                tx.commit().await?;
                return self.view_committed(id).await;
            }
            _ => {}
        }
        tx.replenishment_choose(id, line_no, choice, change_id)
            .await?;
        let data = serde_json::json!({ "shortage_id": shortage, "line_no": line_no,
            "choice": choice, "change_id": change_id });
        self.order_note(&mut tx, ctx, &order, "shortage_choice", &note, data)
            .await?;
        tx.commit().await?;
        self.view_committed(id).await
    }

    /// A change request that moves the line's short quantity to `product`
    /// (CHG-1/2); its impact carries the price difference. Refused while an
    /// earlier substitute of the line is still being decided.
    #[allow(clippy::too_many_arguments)]
    async fn propose_substitute(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        order: &OrderRow,
        open: &[&ReplenishmentRow],
        line: &LineProgressRow,
        product: ProductId,
        note: &str,
    ) -> AppResult<i64> {
        let line_no = line.line_no;
        for earlier in open.iter().filter_map(|r| r.change_id) {
            if tx
                .change_get(earlier)
                .await?
                .is_some_and(|c| c.status == "pending")
            {
                let msg = format!(
                    "change request {earlier} already proposes a substitute for line {line_no}; decide it first"
                );
                return Err(refuse("choice", "pending_change", msg));
            }
        }
        if line.backordered <= 0 {
            let msg = format!("nothing of line {line_no} is short any more");
            return Err(refuse("choice", "nothing_short", msg));
        }
        let reason = if note.is_empty() {
            format!(
                "缺货替代 / substitute for {} short units of line {line_no}",
                line.backordered
            )
        } else {
            note.to_string()
        };
        let request = ChangeRequest {
            cause: Default::default(),
            reason,
            changes: vec![Change::Substitute {
                line_no,
                product_id: product,
                quantity: line.backordered,
            }],
        };
        Ok(self.change_in(tx, ctx, order, request).await?.id)
    }

    /// The short quantity is not wanted: the line becomes what is reserved
    /// and shipped of it (a new order version), its requests close, the
    /// commitment of the cut value is released, and the customer is told
    /// (`order.shortage_cancelled` in the outbox).
    async fn cut_shortage(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        shortage: i64,
        line: &LineProgressRow,
        note: &str,
    ) -> AppResult<()> {
        let (id, line_no, short) = (before.id, line.line_no, line.backordered);
        let (document, cut_value) = cut_short(&before.document, line_no, short)?;
        let now = self.now();
        // The closed requests keep the answer that closed them.
        tx.replenishment_choose(id, line_no, ShortageChoice::Cancel, None)
            .await?;
        tx.replenishment_close_line(id, line_no, now).await?;
        let mut after = before.clone();
        after.document = document;
        after.order_version = before.order_version + 1;
        after.updated_at = now;
        // What is left to ship decides the status: cutting the last short
        // units of a partly shipped order completes it.
        let left: i64 = tx
            .order_lines(id)
            .await?
            .iter()
            .map(|l| {
                let quantity = if l.line_no == line_no {
                    l.quantity - short
                } else {
                    l.quantity
                };
                quantity - l.shipped
            })
            .sum();
        if left == 0 {
            after.status = advance(before.status, OrderEvent::ShipRest)?;
        }
        self.save(tx, ctx, before, &after).await?;
        tx.order_line_progress(id, &[(line_no, line.reserved, 0)])
            .await?;
        let reason = if note.is_empty() {
            format!("缺货取消 / {short} short units of line {line_no} cancelled")
        } else {
            note.to_string()
        };
        tx.order_version_insert(
            id,
            after.order_version,
            &after.document,
            &reason,
            now,
            ctx.actor.user_id,
        )
        .await?;
        let balance = AccountBalance::from_entries(
            tx.account_entries(before.customer_id)
                .await?
                .iter()
                .map(|(_, e)| e),
        );
        let released = cut_value.min(balance.committed_for(Some(id)));
        if released.is_positive() {
            tx.account_append(
                before.customer_id,
                &AccountEntry::new(EntryKind::Release, released, Some(id)),
                now,
                ctx.actor.user_id,
            )
            .await?;
        }
        let data = serde_json::json!({ "customer_id": before.customer_id, "shortage_id": shortage,
            "choice": ShortageChoice::Cancel, "line_no": line_no,
            "cancelled": short, "released": released, "version": after.order_version,
            "amount": after.document.totals.amount });
        self.order_moved(tx, ctx, before, &after, "shortage_cancelled", &reason, data)
            .await
    }
}

/// The line's requests that are not filled or closed yet.
fn unfilled_of(requests: &[ReplenishmentRow], line_no: u32) -> Vec<&ReplenishmentRow> {
    requests
        .iter()
        .filter(|r| r.line_no == line_no && r.status != "closed")
        .collect()
}
