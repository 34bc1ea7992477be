//! Customer visits (SAL-2, ADR 0040): a rep writes next month's visit plan
//! and submits it before the month begins; his manager approves or returns
//! it; each visit's report follows within two days, its promised things are
//! tracked to done, and the manager reviews it. `month` counts it all per
//! rep (KPI-5: visits and inquiries).

mod month;

use std::collections::BTreeSet;

use kaidan_domain::visits::{
    VisitPlanInput, VisitPlanStatus, VisitReportInput, month_start, report_is_late,
    submitted_in_time,
};
use kaidan_domain::{Permission, UserId, ValidationErrors};

pub use month::{VisitMonth, VisitMonthRow};

use crate::ports::{EntityKind, VisitPlan, VisitReport};
use crate::users::change;
use crate::{App, AppError, AppResult, Ctx};

fn no_plan(id: i64) -> AppError {
    AppError::NotFound {
        what: "visit plan",
        id: id.to_string(),
    }
}

fn no_report(id: i64) -> AppError {
    AppError::NotFound {
        what: "visit report",
        id: id.to_string(),
    }
}

fn wrong_status(id: i64, is: VisitPlanStatus, step: &str, wanted: &[VisitPlanStatus]) -> AppError {
    let wanted: Vec<&str> = wanted.iter().map(|s| s.as_str()).collect();
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "visit plan {id} is {is}; to {step} it, it must be {}",
            wanted.join(" or ")
        ),
    )
}

impl App {
    /// Whose visits `ctx` reads: None for everyone (`figures.read`), else
    /// his teams' members and himself, or only himself.
    pub(crate) async fn visit_reach(&self, ctx: &Ctx) -> AppResult<Option<Vec<UserId>>> {
        if ctx.actor.can(Permission::VisitsWrite) || ctx.actor.can(Permission::VisitsApprove) {
            return match self.figure_scope(ctx).await {
                Ok(scope) => Ok(scope),
                Err(AppError::Forbidden(_)) => Ok(Some(vec![ctx.actor.user_id])),
                Err(e) => Err(e),
            };
        }
        self.figure_scope(ctx).await
    }

    fn sees(reach: &Option<Vec<UserId>>, rep: UserId) -> bool {
        reach.as_ref().is_none_or(|r| r.contains(&rep))
    }

    /// The manager's check: with `permission`, he decides for the reps of
    /// the teams he leads (visit plans and reports, expense claims), never
    /// for himself.
    pub(crate) async fn require_reviewer_of(
        &self,
        ctx: &Ctx,
        rep: UserId,
        permission: Permission,
    ) -> AppResult<()> {
        ctx.require(permission)?;
        if rep == ctx.actor.user_id {
            return Err(AppError::invalid(
                "rep_id",
                "own_record",
                "a rep's plans, reports and claims are reviewed by his manager, not by himself",
            ));
        }
        if ctx.actor.can(Permission::FiguresRead)
            || self.team_reach(ctx.actor.user_id).await?.contains(&rep)
        {
            Ok(())
        } else {
            Err(AppError::invalid(
                "rep_id",
                "not_in_team",
                format!("user {rep} is in no team you lead"),
            ))
        }
    }

    /// The plans of `month` (`YYYY-MM`) within reach.
    pub async fn visit_plans(&self, ctx: &Ctx, month: &str) -> AppResult<Vec<VisitPlan>> {
        let first = month_start(month)?;
        let reach = self.visit_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.visit_plans(&month_key(first), reach.as_deref()).await?)
    }

    pub async fn visit_plan(&self, ctx: &Ctx, id: i64) -> AppResult<VisitPlan> {
        let reach = self.visit_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let plan = tx.visit_plan(id).await?.ok_or_else(|| no_plan(id))?;
        if !Self::sees(&reach, plan.rep_id) {
            return Err(no_plan(id));
        }
        Ok(plan)
    }

    /// Writes one's own plan of `month` as a draft: a new one, or one
    /// still a draft or returned. Every customer named must exist.
    pub async fn put_visit_plan(
        &self,
        ctx: &Ctx,
        month: &str,
        input: VisitPlanInput,
    ) -> AppResult<VisitPlan> {
        ctx.require(Permission::VisitsWrite)?;
        let first = month_start(month)?;
        let key = month_key(first);
        let me = ctx.actor.user_id;
        let mut tx = self.store.write().await?;
        if let Some(id) = tx.visit_plan_of(me, &key).await?
            && let Some(p) = tx.visit_plan(id).await?
            && !p.status.is_editable()
        {
            return Err(wrong_status(
                id,
                p.status,
                "change",
                &[VisitPlanStatus::Draft, VisitPlanStatus::Returned],
            ));
        }
        let wanted: Vec<i64> = input
            .visits
            .iter()
            .filter_map(|v| v.customer_id.map(|c| c.get()))
            .collect();
        let known = known_customers(&mut tx, &wanted).await?;
        let mut e = ValidationErrors::new();
        for (i, v) in input.visits.iter().enumerate() {
            if let Some(c) = v.customer_id
                && !known.contains(&c.get())
            {
                e.add(
                    format!("visits[{i}].customer_id"),
                    "unknown_reference",
                    format!("customer {c} does not exist"),
                );
            }
        }
        e.into_result(())?;
        let (note, visits) = input.validate(first)?;
        let id = tx
            .visit_plan_write(me, &key, note.as_deref(), &visits, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "visit_plan",
            id,
            "write",
            vec![
                change("month", &key),
                change("visits", visits.len().to_string()),
            ],
        )
        .await?;
        let plan = tx.visit_plan(id).await?.ok_or_else(|| no_plan(id))?;
        tx.commit().await?;
        Ok(plan)
    }

    async fn move_visit_plan(
        &self,
        ctx: &Ctx,
        id: i64,
        step: &str,
        from: &[VisitPlanStatus],
        to: VisitPlanStatus,
        reason: Option<String>,
    ) -> AppResult<VisitPlan> {
        let reason = match reason {
            Some(r) => Some(ValidationErrors::reason(&r)?),
            None => None,
        };
        let plan = {
            let mut tx = self.store.read().await?;
            tx.visit_plan(id).await?.ok_or_else(|| no_plan(id))?
        };
        if to == VisitPlanStatus::Submitted {
            if plan.rep_id != ctx.actor.user_id {
                return Err(no_plan(id));
            }
        } else {
            self.require_reviewer_of(ctx, plan.rep_id, Permission::VisitsApprove)
                .await?;
        }
        // The move is conditional on the status read: a step taken by
        // someone else meanwhile makes it fail, not repeat.
        let mut tx = self.store.write().await?;
        let in_time = (to == VisitPlanStatus::Submitted)
            .then(|| month_start(&plan.month).map(|first| submitted_in_time(first, self.today())))
            .transpose()?;
        if !from.contains(&plan.status)
            || !tx
                .visit_plan_move(
                    id,
                    plan.status,
                    to,
                    ctx.actor.user_id,
                    self.now(),
                    reason.as_deref(),
                    in_time,
                )
                .await?
        {
            return Err(wrong_status(id, plan.status, step, from));
        }
        let mut changes = vec![change("status", to.as_str())];
        if let Some(r) = &reason {
            changes.push(change("reason", r));
        }
        if let Some(t) = in_time {
            changes.push(change("in_time", t.to_string()));
        }
        self.audit(&mut tx, ctx, "visit_plan", id, step, changes)
            .await?;
        let plan = tx.visit_plan(id).await?.ok_or_else(|| no_plan(id))?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The rep hands his plan to his manager; whether it came before its
    /// month is recorded.
    pub async fn submit_visit_plan(&self, ctx: &Ctx, id: i64) -> AppResult<VisitPlan> {
        ctx.require(Permission::VisitsWrite)?;
        let from = [VisitPlanStatus::Draft, VisitPlanStatus::Returned];
        self.move_visit_plan(ctx, id, "submit", &from, VisitPlanStatus::Submitted, None)
            .await
    }

    /// The rep's manager approves it.
    pub async fn approve_visit_plan(&self, ctx: &Ctx, id: i64) -> AppResult<VisitPlan> {
        let from = [VisitPlanStatus::Submitted];
        self.move_visit_plan(ctx, id, "approve", &from, VisitPlanStatus::Approved, None)
            .await
    }

    /// The rep's manager returns it with a reason.
    pub async fn return_visit_plan(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: String,
    ) -> AppResult<VisitPlan> {
        let from = [VisitPlanStatus::Submitted];
        self.move_visit_plan(
            ctx,
            id,
            "return",
            &from,
            VisitPlanStatus::Returned,
            Some(reason),
        )
        .await
    }

    /// One's own report of a visit made; late after the second day.
    pub async fn record_visit_report(
        &self,
        ctx: &Ctx,
        input: VisitReportInput,
    ) -> AppResult<VisitReport> {
        ctx.require(Permission::VisitsWrite)?;
        let today = self.today();
        let input = input.validate(today)?;
        let me = ctx.actor.user_id;
        let mut tx = self.store.write().await?;
        if let Some(c) = input.customer_id
            && tx
                .master_get(EntityKind::Customer, c.get())
                .await?
                .is_none()
        {
            return Err(AppError::invalid(
                "customer_id",
                "unknown_reference",
                format!("customer {c} does not exist"),
            ));
        }
        if let (Some(plan_id), Some(no)) = (input.plan_id, input.visit_no) {
            let plan = tx
                .visit_plan(plan_id)
                .await?
                .filter(|p| p.rep_id == me)
                .ok_or_else(|| {
                    AppError::invalid(
                        "plan_id",
                        "unknown_reference",
                        format!("plan {plan_id} is not one of yours"),
                    )
                })?;
            // Only an approved plan's visits are reported: a draft's may
            // still be rewritten, and its visit numbers with it.
            if plan.status != VisitPlanStatus::Approved {
                return Err(AppError::invalid(
                    "plan_id",
                    "illegal_transition",
                    format!(
                        "plan {plan_id} is {}; its visits are reported once it is approved",
                        plan.status
                    ),
                ));
            }
            let v = plan
                .visits
                .iter()
                .find(|v| v.visit_no == no)
                .ok_or_else(|| {
                    AppError::invalid(
                        "visit_no",
                        "unknown_reference",
                        format!("plan {plan_id} has no visit {no}"),
                    )
                })?;
            if v.reported {
                return Err(AppError::invalid(
                    "visit_no",
                    "duplicate",
                    format!("visit {no} of plan {plan_id} was reported already"),
                ));
            }
            if v.visit.customer_id != input.customer_id || v.visit.prospect != input.prospect {
                return Err(AppError::invalid(
                    "visit_no",
                    "mismatch",
                    format!("visit {no} of plan {plan_id} is of another customer"),
                ));
            }
        }
        let late = report_is_late(input.visited_on, today);
        let id = tx.visit_report_insert(me, &input, late, self.now()).await?;
        self.audit(
            &mut tx,
            ctx,
            "visit_report",
            id,
            "create",
            vec![
                change("visited_on", input.visited_on.to_string()),
                change("late", late.to_string()),
            ],
        )
        .await?;
        let r = tx.visit_report(id).await?.ok_or_else(|| no_report(id))?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn visit_report(&self, ctx: &Ctx, id: i64) -> AppResult<VisitReport> {
        let reach = self.visit_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let r = tx.visit_report(id).await?.ok_or_else(|| no_report(id))?;
        if !Self::sees(&reach, r.rep_id) {
            return Err(no_report(id));
        }
        Ok(r)
    }

    /// The reports of the visits of `month` within reach.
    pub async fn visit_reports(&self, ctx: &Ctx, month: &str) -> AppResult<Vec<VisitReport>> {
        let first = month_start(month)?;
        let reach = self.visit_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx
            .visit_reports(first, first.last_of_month(), reach.as_deref())
            .await?)
    }

    /// The manager reviews a report of one of his reps (呈主管审核).
    pub async fn review_visit_report(
        &self,
        ctx: &Ctx,
        id: i64,
        note: Option<String>,
    ) -> AppResult<VisitReport> {
        let r = self.visit_report(ctx, id).await?;
        self.require_reviewer_of(ctx, r.rep_id, Permission::VisitsApprove)
            .await?;
        let note = optional_note(note)?;
        let mut tx = self.store.write().await?;
        if !tx
            .visit_report_review(id, ctx.actor.user_id, self.now(), note.as_deref())
            .await?
        {
            return Err(AppError::invalid(
                "id",
                "illegal_transition",
                format!("visit report {id} was reviewed already"),
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "visit_report",
            id,
            "review",
            vec![change("note", note.unwrap_or_default())],
        )
        .await?;
        let r = tx.visit_report(id).await?.ok_or_else(|| no_report(id))?;
        tx.commit().await?;
        Ok(r)
    }

    /// A thing promised at a visit is done: by the rep, or his manager.
    pub async fn close_visit_action(
        &self,
        ctx: &Ctx,
        report: i64,
        action_no: i64,
        note: Option<String>,
    ) -> AppResult<VisitReport> {
        let r = self.visit_report(ctx, report).await?;
        if r.rep_id == ctx.actor.user_id {
            ctx.require(Permission::VisitsWrite)?;
        } else {
            self.require_reviewer_of(ctx, r.rep_id, Permission::VisitsApprove)
                .await?;
        }
        let note = optional_note(note)?;
        let mut tx = self.store.write().await?;
        if !tx
            .visit_action_done(
                report,
                action_no,
                ctx.actor.user_id,
                self.now(),
                note.as_deref(),
            )
            .await?
        {
            return Err(AppError::invalid(
                "action_no",
                "illegal_transition",
                format!("report {report} has no open follow-up {action_no}"),
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "visit_report",
            report,
            "action_done",
            vec![change("action_no", action_no.to_string())],
        )
        .await?;
        let r = tx
            .visit_report(report)
            .await?
            .ok_or_else(|| no_report(report))?;
        tx.commit().await?;
        Ok(r)
    }
}

/// A reviewer's or closer's note: optional, trimmed, at most 500
/// characters.
fn optional_note(note: Option<String>) -> Result<Option<String>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let note = e.optional_text(
        "note",
        note.as_deref(),
        kaidan_domain::validation::MAX_REASON,
    );
    e.into_result(note)
}

/// `YYYY-MM` of the month starting `first`.
/// Of the customers named, those that exist.
pub(crate) async fn known_customers(
    tx: &mut Box<dyn crate::ports::Tx>,
    wanted: &[i64],
) -> AppResult<BTreeSet<i64>> {
    Ok(tx
        .master_get_many(EntityKind::Customer, wanted)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// A month as a number for the audit trail's entity id: 202612.
pub(crate) fn month_id(first: jiff::civil::Date) -> i64 {
    i64::from(first.year()) * 100 + i64::from(first.month())
}

pub(crate) fn month_key(first: jiff::civil::Date) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}
