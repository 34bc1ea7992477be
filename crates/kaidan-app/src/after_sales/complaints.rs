//! Complaints and feedback (AFS-2): recorded from any channel, the
//! 24-hour acknowledgement clock, routing to a department and a person,
//! resolution, the customer's confirmation, the callback (回访), a return
//! raised from a complaint in one step, and the job that flags the ones
//! not acknowledged in time.

use kaidan_domain::after_sales::{
    AckClock, ComplaintChannel, ComplaintDepartment, ComplaintInput, ComplaintLogEntry,
    ComplaintStatus, ComplaintStep, MAX_STEP_NOTE, ReturnInput, ack_clock,
};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::{Permission, UserId, ValidationErrors};
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::check_reference;
use crate::ports::{ComplaintFilter, ComplaintRow, EntityKind, Tx};

/// A complaint with where its 24-hour clock stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintView {
    #[serde(flatten)]
    pub complaint: ComplaintRow,
    pub clock: AckClock,
}

/// One step taken on a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintStepInput {
    pub step: ComplaintStep,
    /// What was said or done: required to acknowledge (what the customer
    /// was told), resolve (the resolution), reopen (why the customer is
    /// not satisfied) and for the callback.
    #[serde(default)]
    pub note: String,
    /// Route to this department (acknowledge, assign).
    #[serde(default)]
    pub department: Option<ComplaintDepartment>,
    /// Give it to this person (acknowledge: default the one acknowledging;
    /// assign).
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

fn complaint_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "complaint",
        id: id.to_string(),
    }
}

impl App {
    fn complaint_view(&self, c: ComplaintRow) -> ComplaintView {
        ComplaintView {
            clock: ack_clock(c.received_at, c.acknowledged_at, self.now()),
            complaint: c,
        }
    }

    /// A complaint the actor may see: staff with `complaint.read`, a
    /// portal user its own customer's.
    async fn complaint_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<ComplaintRow> {
        ctx.require(Permission::ComplaintRead)?;
        let c = tx
            .complaint_get(id)
            .await?
            .ok_or_else(|| complaint_not_found(id))?;
        if ctx.actor.customer_id.is_some_and(|x| x != c.customer_id) {
            return Err(complaint_not_found(id));
        }
        Ok(c)
    }

    /// AFS-2: records a complaint from any channel; its 24-hour clock runs
    /// from when it was received. A portal user records its own, by the
    /// portal.
    pub async fn record_complaint(
        &self,
        ctx: &Ctx,
        input: &ComplaintInput,
    ) -> AppResult<ComplaintView> {
        ctx.require(Permission::ComplaintCreate)?;
        let now = self.now();
        let mut input = input.clone();
        if let Some(c) = ctx.actor.customer_id {
            input.customer_id = c;
            input.channel = ComplaintChannel::Portal;
            input.owner_id = None;
            input.received_at = None;
        }
        let checked = input.check(now);
        let mut e = ValidationErrors::new();
        let mut tx = self.store.write().await?;
        check_reference(
            &mut tx,
            &mut e,
            "customer_id",
            EntityKind::Customer,
            input.customer_id.get(),
        )
        .await?;
        self.check_links(&mut tx, &mut e, &input).await?;
        if let Some(u) = input.owner_id
            && tx.user_get(u).await?.is_none()
        {
            e.add(
                "owner_id",
                "unknown_reference",
                format!("no user with id {u}"),
            );
        }
        let (subject, detail, received_at) = match checked {
            Ok(v) => e.into_result(v)?,
            Err(x) => {
                e.merge(x);
                return Err(e.into());
            }
        };
        let number = self.document_number(&mut tx, "TS").await?;
        let mut row = ComplaintRow {
            id: 0,
            number,
            customer_id: input.customer_id,
            customer_name: String::new(),
            channel: input.channel,
            department: input.department,
            subject,
            detail,
            status: ComplaintStatus::Open,
            received_at,
            acknowledged_at: None,
            owner_id: input.owner_id,
            owner_name: None,
            order_id: input.order_id,
            order_number: None,
            shipment_id: input.shipment_id,
            return_id: input.return_id,
            resolution: None,
            resolved_at: None,
            confirmed_at: None,
            callback_at: None,
            callback_note: None,
            overdue_flagged_at: None,
            log: vec![ComplaintLogEntry {
                at: now,
                by: ctx.actor.username.clone(),
                step: "received".into(),
                note: format!(
                    "{} · {}",
                    input.channel.label_zh(),
                    input.department.label_zh()
                ),
            }],
            created_by: ctx.actor.user_id,
            version: 1,
        };
        row.id = tx.complaint_insert(&row).await?;
        self.complaint_recorded(
            &mut tx,
            ctx,
            &row,
            "record",
            "complaint.received",
            &row.subject.clone(),
        )
        .await?;
        let c = self.complaint_in(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(self.complaint_view(c))
    }

    /// The order, shipment and return a complaint names exist and are the
    /// customer's.
    async fn check_links(
        &self,
        tx: &mut Box<dyn Tx>,
        e: &mut ValidationErrors,
        input: &ComplaintInput,
    ) -> AppResult<()> {
        // Whose each named record is; a record of another customer is as
        // unknown as one that does not exist.
        let order = match input.order_id {
            Some(o) => Some((o.get(), tx.order_get(o).await?.map(|x| x.customer_id))),
            None => None,
        };
        let shipment = match input.shipment_id {
            Some(s) => Some((s, tx.shipment_get(s).await?.map(|x| x.customer_id))),
            None => None,
        };
        let ret = match input.return_id {
            Some(r) => Some((r, tx.return_get(r).await?.map(|x| x.customer_id))),
            None => None,
        };
        for (field, what, named) in [
            ("order_id", "order", order),
            ("shipment_id", "shipment", shipment),
            ("return_id", "return", ret),
        ] {
            if let Some((id, owner)) = named
                && owner != Some(input.customer_id)
            {
                e.add(
                    field,
                    "unknown_reference",
                    format!("the customer has no {what} {id}"),
                );
            }
        }
        Ok(())
    }

    /// The audit row, the order timeline's entry (when it names an order)
    /// and the outbox event of a complaint's step.
    async fn complaint_recorded(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        c: &ComplaintRow,
        action: &str,
        topic: &str,
        note: &str,
    ) -> AppResult<()> {
        self.audit(
            tx,
            ctx,
            "complaint",
            c.id,
            action,
            vec![FieldChange {
                field: "status".into(),
                before: None,
                after: Some(format!("{} {note}", c.status)),
            }],
        )
        .await?;
        let payload = serde_json::json!({
            "complaint_id": c.id, "number": c.number, "status": c.status, "customer_id": c.customer_id,
            "department": c.department, "owner_id": c.owner_id, "order_id": c.order_id,
            "shipment_id": c.shipment_id, "return_id": c.return_id, "subject": c.subject,
        });
        if let Some(o) = c.order_id
            && let Some(order) = tx.order_get(o).await?
        {
            let text = format!("{} {}: {note}", c.number, c.status.label_zh());
            self.order_note(
                tx,
                ctx,
                &order,
                &format!("complaint_{action}"),
                &text,
                payload.clone(),
            )
            .await?;
        }
        self.publish(tx, topic, "complaint", c.id, payload).await
    }

    /// AFS-2: one step on a complaint: acknowledge, assign (route),
    /// resolve, the customer's confirmation or reopening, the callback.
    pub async fn complaint_step(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ComplaintStepInput,
    ) -> AppResult<ComplaintView> {
        let customer_may = matches!(input.step, ComplaintStep::Confirm | ComplaintStep::Reopen);
        if !(customer_may && ctx.actor.customer_id.is_some()) {
            ctx.require(Permission::ComplaintHandle)?;
        }
        let mut e = ValidationErrors::new();
        let note = match input.step {
            ComplaintStep::Acknowledge
            | ComplaintStep::Resolve
            | ComplaintStep::Reopen
            | ComplaintStep::Callback => e.text("note", &input.note, MAX_STEP_NOTE),
            _ => e
                .optional_text("note", Some(&input.note), MAX_STEP_NOTE)
                .unwrap_or_default(),
        };
        if ctx.actor.customer_id.is_some()
            && (input.department.is_some() || input.owner_id.is_some())
        {
            e.add(
                "owner_id",
                "forbidden",
                "a customer does not route complaints",
            );
        }
        let mut tx = self.store.write().await?;
        if let Some(u) = input.owner_id
            && tx.user_get(u).await?.is_none()
        {
            e.add(
                "owner_id",
                "unknown_reference",
                format!("no user with id {u}"),
            );
        }
        e.into_result(())?;
        let mut c = self.complaint_in(&mut tx, ctx, id).await?;
        let next = c.status.after(input.step).ok_or_else(|| {
            AppError::invalid(
                "step",
                "illegal_transition",
                format!(
                    "complaint {} is {} ({}); it cannot be {}d now",
                    c.number,
                    c.status,
                    c.status.label_zh(),
                    input.step
                ),
            )
        })?;
        let now = self.now();
        let (action, topic) = match input.step {
            ComplaintStep::Acknowledge => {
                c.acknowledged_at = Some(now);
                // The system (demo loader, scripts) is nobody to own it.
                let me = (ctx.actor.user_id.get() > 0).then_some(ctx.actor.user_id);
                c.owner_id = input.owner_id.or(c.owner_id).or(me);
                ("acknowledge", "complaint.acknowledged")
            }
            ComplaintStep::Assign => {
                if input.department.is_none() && input.owner_id.is_none() {
                    return Err(AppError::invalid(
                        "department",
                        "required",
                        "name the department or the person it goes to",
                    ));
                }
                ("assign", "complaint.assigned")
            }
            ComplaintStep::Resolve => {
                c.resolution = Some(note.clone());
                c.resolved_at = Some(now);
                ("resolve", "complaint.resolved")
            }
            ComplaintStep::Confirm => {
                c.confirmed_at = Some(now);
                ("confirm", "complaint.closed")
            }
            ComplaintStep::Reopen => {
                c.resolved_at = None;
                ("reopen", "complaint.reopened")
            }
            ComplaintStep::Callback => {
                c.callback_at = Some(now);
                c.callback_note = Some(note.clone());
                ("callback", "complaint.callback")
            }
        };
        if let Some(d) = input.department {
            c.department = d;
        }
        if input.step == ComplaintStep::Assign
            && let Some(u) = input.owner_id
        {
            c.owner_id = Some(u);
        }
        c.status = next;
        let routed = match (input.department, input.owner_id) {
            (Some(d), _) => format!("{} ", d.label_zh()),
            _ => String::new(),
        };
        c.log.push(ComplaintLogEntry {
            at: now,
            by: ctx.actor.username.clone(),
            step: action.into(),
            note: format!("{routed}{note}").trim().to_string(),
        });
        self.complaint_save(&mut tx, &mut c).await?;
        self.complaint_recorded(&mut tx, ctx, &c, action, topic, &note)
            .await?;
        let c = self.complaint_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(self.complaint_view(c))
    }

    async fn complaint_save(&self, tx: &mut Box<dyn Tx>, c: &mut ComplaintRow) -> AppResult<()> {
        c.version += 1;
        AppError::unless_saved(tx.complaint_save(c).await?, "complaint", c.id, c.version)
    }

    /// AFS-1, AFS-2: a complaint that turns into a return raises it in one
    /// step, linked both ways (the return's shipment must be the
    /// complaint's customer's).
    pub async fn complaint_to_return(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ReturnInput,
        photos: &[crate::finance::VoucherUpload],
    ) -> AppResult<ComplaintView> {
        ctx.require(Permission::ComplaintHandle)?;
        let mut tx = self.store.write().await?;
        let mut c = self.complaint_in(&mut tx, ctx, id).await?;
        if c.status == ComplaintStatus::Closed || c.return_id.is_some() {
            return Err(AppError::invalid(
                "return_id",
                "illegal_transition",
                format!("complaint {} is closed or has its return already", c.number),
            ));
        }
        if tx
            .shipment_get(input.shipment_id)
            .await?
            .is_none_or(|s| s.customer_id != c.customer_id)
        {
            return Err(AppError::invalid(
                "shipment_id",
                "unknown_reference",
                format!(
                    "the customer of complaint {} has no shipment {}",
                    c.number, input.shipment_id
                ),
            ));
        }
        let r = self.request_return_in(&mut tx, ctx, input, photos).await?;
        let number = tx
            .return_get(r)
            .await?
            .map(|x| x.number)
            .unwrap_or_default();
        c.return_id = Some(r);
        c.log.push(ComplaintLogEntry {
            at: self.now(),
            by: ctx.actor.username.clone(),
            step: "return".into(),
            note: number.clone(),
        });
        self.complaint_save(&mut tx, &mut c).await?;
        self.complaint_recorded(
            &mut tx,
            ctx,
            &c,
            "return",
            "complaint.return_raised",
            &number,
        )
        .await?;
        let c = self.complaint_in(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(self.complaint_view(c))
    }

    pub async fn complaint(&self, ctx: &Ctx, id: i64) -> AppResult<ComplaintView> {
        let mut tx = self.store.read().await?;
        let c = self.complaint_in(&mut tx, ctx, id).await?;
        Ok(self.complaint_view(c))
    }

    /// Complaints, newest first; a portal user's own only.
    pub async fn complaints(
        &self,
        ctx: &Ctx,
        mut f: ComplaintFilter,
    ) -> AppResult<Vec<ComplaintView>> {
        ctx.require(Permission::ComplaintRead)?;
        if let Some(c) = ctx.actor.customer_id {
            f.customer = Some(c);
        }
        f.limit = f.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        let rows = tx.complaints(&f).await?;
        Ok(rows.into_iter().map(|c| self.complaint_view(c)).collect())
    }

    /// The `complaint_overdue` job: each complaint past its 24 hours and
    /// not acknowledged is flagged once, with a `complaint.overdue` event
    /// (a webhook can page the department).
    pub(crate) async fn flag_overdue_complaints_in(
        &self,
        tx: &mut Box<dyn Tx>,
    ) -> AppResult<usize> {
        let ids = tx.complaints_flag_overdue(self.now()).await?;
        for id in &ids {
            if let Some(c) = tx.complaint_get(*id).await? {
                let payload = serde_json::json!({
                    "complaint_id": c.id, "number": c.number, "customer_id": c.customer_id,
                    "department": c.department, "owner_id": c.owner_id,
                    "received_at": c.received_at.to_string(),
                });
                self.publish(tx, "complaint.overdue", "complaint", c.id, payload)
                    .await?;
            }
        }
        Ok(ids.len())
    }
}
