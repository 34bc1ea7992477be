//! Raising a return request, deciding it, withdrawing it, and reading
//! returns (AFS-1; seed 001 第十五条: no return without the sales
//! manager's approval).

use jiff::civil::Date;
use kaidan_domain::after_sales::{
    MAX_RETURN_PHOTOS, ReturnInput, ReturnStatus, ReturnStep, Returnable, check_return,
};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::ShipmentStatus;
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{Money, Permission, ProductId, ValidationErrors};
use serde::Serialize;

use super::{next_status, return_in};
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::VoucherUpload;
use crate::ports::{ReturnFilter, ReturnRow, ShipmentRow, Tx, VoucherFile};

/// What a delivered shipment still allows to come back, for the request
/// form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnableView {
    pub shipment_id: i64,
    pub shipment_number: String,
    pub order_number: Option<String>,
    pub customer_id: kaidan_domain::CustomerId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub delivered_on: Date,
    pub lines: Vec<ReturnableLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnableLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub product_name: String,
    pub delivered: i64,
    pub claimed: i64,
    /// Delivered less already asked back.
    pub left: i64,
    pub unit_price: Money,
    /// The last day any reason is accepted.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub return_until: Date,
    /// The last day a fault is exchanged or repaired.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub warranty_until: Date,
}

impl App {
    /// The delivered shipment a return is raised against, within the
    /// actor's reach, with the day it was delivered and its lines.
    async fn returnable_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        shipment: i64,
    ) -> AppResult<(ShipmentRow, Date, Vec<Returnable>)> {
        let unknown = || {
            ValidationErrors::single(
                "shipment_id",
                "unknown_reference",
                format!("no shipment with id {shipment}"),
            )
        };
        let s = tx.shipment_get(shipment).await?.ok_or_else(unknown)?;
        if ctx.actor.customer_id.is_some_and(|c| c != s.customer_id) {
            return Err(unknown().into());
        }
        let delivered_at = match (s.status, s.delivered_at) {
            (ShipmentStatus::Delivered, Some(at)) => at,
            _ => {
                return Err(AppError::invalid(
                    "shipment_id",
                    "not_delivered",
                    format!(
                        "shipment {} is {}; goods come back only after delivery",
                        s.number, s.status
                    ),
                ));
            }
        };
        let delivered_on = delivered_at.to_zoned(company_time_zone()).date();
        let lines = tx
            .returnable_lines(shipment)
            .await?
            .into_iter()
            .map(|l| Returnable {
                line_no: l.line_no,
                product_id: l.product_id,
                product_name: l.product_name,
                delivered: l.accepted.unwrap_or(0),
                claimed: l.return_claimed,
                unit_price: l.unit_price,
                policy: self.config.after_sales.policy_for(&l.category),
            })
            .collect();
        Ok((s, delivered_on, lines))
    }

    /// What of a delivered shipment may still come back, and until when.
    pub async fn returnable(&self, ctx: &Ctx, shipment: i64) -> AppResult<ReturnableView> {
        ctx.require(Permission::ReturnRequest)?;
        let mut tx = self.store.read().await?;
        let (s, delivered_on, lines) = self.returnable_in(&mut tx, ctx, shipment).await?;
        let until = |days: u32| {
            delivered_on
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .unwrap_or(Date::MAX)
        };
        Ok(ReturnableView {
            shipment_id: s.id,
            shipment_number: s.number,
            order_number: s.order_number,
            customer_id: s.customer_id,
            delivered_on,
            lines: lines
                .into_iter()
                .map(|l| ReturnableLine {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    product_name: l.product_name,
                    delivered: l.delivered,
                    claimed: l.claimed,
                    left: (l.delivered - l.claimed).max(0),
                    unit_price: l.unit_price,
                    return_until: until(l.policy.return_days),
                    warranty_until: until(l.policy.warranty_days),
                })
                .collect(),
        })
    }

    /// AFS-1: a return or exchange request against a delivered shipment,
    /// with its photos. Never more than was delivered and not yet asked
    /// back, also when two requests for the same line arrive at once.
    pub async fn request_return(
        &self,
        ctx: &Ctx,
        input: &ReturnInput,
        photos: &[VoucherUpload],
    ) -> AppResult<ReturnRow> {
        let mut tx = self.store.write().await?;
        let id = self.request_return_in(&mut tx, ctx, input, photos).await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Checks and records a return request in the caller's transaction;
    /// its id.
    pub(crate) async fn request_return_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        input: &ReturnInput,
        photos: &[VoucherUpload],
    ) -> AppResult<i64> {
        ctx.require(Permission::ReturnRequest)?;
        let mut e = ValidationErrors::new();
        if photos.len() > MAX_RETURN_PHOTOS {
            e.add(
                "photos",
                "too_many",
                format!("{} photos; at most {MAX_RETURN_PHOTOS}", photos.len()),
            );
        }
        let mut files: Vec<VoucherFile> = Vec::new();
        for (i, p) in photos.iter().enumerate() {
            match crate::finance::checked_voucher(p) {
                Ok(f) => files.push(f),
                Err(x) => e.nest(&format!("photos[{i}]"), x),
            }
        }
        let (s, delivered_on, returnable) = self.returnable_in(tx, ctx, input.shipment_id).await?;
        let checked = check_return(input, delivered_on, self.today(), &returnable);
        let (description, lines) = match checked {
            Ok(v) => e.into_result(v)?,
            Err(x) => {
                e.merge(x);
                return Err(e.into());
            }
        };
        for (i, l) in lines.iter().enumerate() {
            if !tx.return_claim_add(s.id, l.line_no, l.quantity).await? {
                // Another request took the units since they were read.
                return Err(AppError::invalid(
                    &format!("lines[{i}].quantity"),
                    "above_delivered",
                    format!(
                        "{} of {} is more than may still come back; another request was made for this line just now",
                        l.quantity, l.product_name
                    ),
                ));
            }
        }
        let now = self.now();
        let number = self.document_number(tx, "TH").await?;
        let mut row = ReturnRow {
            id: 0,
            number,
            rma: None,
            customer_id: s.customer_id,
            customer_name: String::new(),
            order_id: s.order_id,
            order_number: s.order_number.clone(),
            shipment_id: s.id,
            shipment_number: s.number.clone(),
            status: ReturnStatus::Requested,
            reason: input.reason,
            remedy: input.remedy,
            description,
            lines,
            requested_by: ctx.actor.user_id,
            requested_by_name: ctx.actor.username.clone(),
            requested_at: now,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            received_by: None,
            received_at: None,
            receive_note: None,
            quarantine_warehouse_id: None,
            completed_by: None,
            completed_at: None,
            outcome: None,
            replacement_order_id: None,
            version: 1,
            photos: Vec::new(),
        };
        row.id = tx.return_insert(&row).await?;
        for f in &files {
            tx.return_photo_add(row.id, f, now, ctx.actor.user_id)
                .await?;
        }
        let summary = format!(
            "{} {} {} ({})",
            row.number,
            row.remedy.label_zh(),
            row.lines
                .iter()
                .map(|l| format!("{}×{}", l.product_name, l.quantity))
                .collect::<Vec<_>>()
                .join(", "),
            row.reason.label_zh()
        );
        self.return_recorded(tx, ctx, &row, "request", "return.requested", &summary)
            .await?;
        Ok(row.id)
    }

    /// The audit row, the order timeline's entry and the outbox event of a
    /// return's step.
    pub(super) async fn return_recorded(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        r: &ReturnRow,
        action: &str,
        topic: &str,
        note: &str,
    ) -> AppResult<()> {
        self.audit(
            tx,
            ctx,
            "return",
            r.id,
            action,
            vec![FieldChange {
                field: "status".into(),
                before: None,
                after: Some(format!("{} {note}", r.status)),
            }],
        )
        .await?;
        let payload = serde_json::json!({
            "return_id": r.id, "number": r.number, "rma": r.rma, "status": r.status,
            "customer_id": r.customer_id, "order_id": r.order_id, "shipment_id": r.shipment_id,
            "reason": r.reason, "remedy": r.remedy, "value": r.value(),
            "replacement_order_id": r.replacement_order_id, "outcome": r.outcome,
        });
        if let Some(order) = tx.order_get(r.order_id).await? {
            self.order_note(
                tx,
                ctx,
                &order,
                &format!("return_{action}"),
                note,
                payload.clone(),
            )
            .await?;
        }
        self.publish(tx, topic, "return", r.id, payload).await
    }

    /// The sales manager approves (an RMA number; the warehouse expects
    /// the goods) or rejects (a reason is required; the units are free to
    /// ask back again).
    pub async fn decide_return(
        &self,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        note: &str,
    ) -> AppResult<ReturnRow> {
        ctx.require(Permission::ReturnApprove)?;
        let note = if approve {
            let mut e = ValidationErrors::new();
            let n = e.optional_text("note", Some(note), kaidan_domain::validation::MAX_REASON);
            e.into_result(n)?
        } else {
            Some(ValidationErrors::reason(note)?)
        };
        let mut tx = self.store.write().await?;
        let mut r = return_in(&mut tx, ctx, id).await?;
        let step = if approve {
            ReturnStep::Approve
        } else {
            ReturnStep::Reject
        };
        r.status = next_status(&r, step)?;
        r.decided_by = Some(ctx.actor.user_id);
        r.decided_at = Some(self.now());
        r.decision_note = note.clone();
        let topic = if approve {
            r.rma = Some(self.document_number(&mut tx, "RMA").await?);
            "return.approved"
        } else {
            self.release_claims(&mut tx, &r).await?;
            "return.rejected"
        };
        self.return_save(&mut tx, &mut r).await?;
        let summary = match (&r.rma, approve) {
            (Some(rma), true) => format!("{} 批准 {rma} {}", r.number, note.unwrap_or_default()),
            _ => format!("{} 驳回: {}", r.number, note.unwrap_or_default()),
        };
        self.return_recorded(&mut tx, ctx, &r, step.as_str(), topic, summary.trim())
            .await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The requester (or a sales manager) withdraws a request not yet
    /// decided; its units are free to ask back again.
    pub async fn cancel_return(&self, ctx: &Ctx, id: i64) -> AppResult<ReturnRow> {
        ctx.require(Permission::ReturnRequest)?;
        let mut tx = self.store.write().await?;
        let mut r = return_in(&mut tx, ctx, id).await?;
        let own = r.requested_by == ctx.actor.user_id
            || ctx.actor.customer_id.is_some_and(|c| c == r.customer_id);
        if !own && !ctx.actor.can(Permission::ReturnApprove) {
            return Err(AppError::Forbidden(Permission::ReturnApprove));
        }
        r.status = next_status(&r, ReturnStep::Cancel)?;
        self.release_claims(&mut tx, &r).await?;
        self.return_save(&mut tx, &mut r).await?;
        let note = format!("{} 撤销", r.number);
        self.return_recorded(&mut tx, ctx, &r, "cancel", "return.cancelled", &note)
            .await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn release_claims(&self, tx: &mut Box<dyn Tx>, r: &ReturnRow) -> AppResult<()> {
        for l in &r.lines {
            if !tx
                .return_claim_add(r.shipment_id, l.line_no, -l.quantity)
                .await?
            {
                // The line's counter holds at least this request's units
                // (added when it was raised): a lower one means the
                // counter and the requests disagree.
                return Err(AppError::Store(crate::ports::StoreError::Conflict));
            }
        }
        Ok(())
    }

    /// Saves a step under the version read; a step taken by somebody else
    /// in between refuses this one.
    pub(super) async fn return_save(
        &self,
        tx: &mut Box<dyn Tx>,
        r: &mut ReturnRow,
    ) -> AppResult<()> {
        r.version += 1;
        AppError::unless_saved(tx.return_save(r).await?, "return", r.id, r.version)
    }

    /// One return with its photos.
    pub async fn return_request(&self, ctx: &Ctx, id: i64) -> AppResult<ReturnRow> {
        let mut tx = self.store.read().await?;
        return_in(&mut tx, ctx, id).await
    }

    /// Returns, newest first; a portal user's own only.
    pub async fn returns(&self, ctx: &Ctx, mut f: ReturnFilter) -> AppResult<Vec<ReturnRow>> {
        ctx.require(Permission::ReturnRead)?;
        if let Some(c) = ctx.actor.customer_id {
            f.customer = Some(c);
        }
        f.limit = f.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.returns(&f).await?)
    }

    /// Adds a photo to a return not yet closed (at most
    /// [`MAX_RETURN_PHOTOS`]).
    pub async fn add_return_photo(
        &self,
        ctx: &Ctx,
        id: i64,
        upload: &VoucherUpload,
    ) -> AppResult<ReturnRow> {
        ctx.require(Permission::ReturnRequest)?;
        let file = crate::finance::checked_voucher(upload)?;
        let mut tx = self.store.write().await?;
        let r = return_in(&mut tx, ctx, id).await?;
        if !matches!(r.status, ReturnStatus::Requested | ReturnStatus::Approved) {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!(
                    "return {} is {}; photos are added while it is requested or approved",
                    r.number, r.status
                ),
            ));
        }
        if r.photos.len() >= MAX_RETURN_PHOTOS {
            return Err(AppError::invalid(
                "photos",
                "too_many",
                format!("return {} has {MAX_RETURN_PHOTOS} photos already", r.number),
            ));
        }
        let now = self.now();
        tx.return_photo_add(id, &file, now, ctx.actor.user_id)
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "return",
            id,
            "photo",
            vec![FieldChange {
                field: "photos".into(),
                before: None,
                after: Some(file.file_name.clone()),
            }],
        )
        .await?;
        let view = return_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A photo of a return.
    pub async fn return_photo(&self, ctx: &Ctx, id: i64, photo: i64) -> AppResult<VoucherFile> {
        let mut tx = self.store.read().await?;
        return_in(&mut tx, ctx, id).await?;
        tx.return_photo(id, photo)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "photo of return",
                id: format!("{id}/{photo}"),
            })
    }
}
