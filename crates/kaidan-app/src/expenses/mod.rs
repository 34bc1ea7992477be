//! Sales expenses (SAL-3, ADR 0042): a rep writes his claim of a month
//! against his visit plan, attaches the receipts and submits it (going
//! over his or his team's budget needs a reason); his manager approves or
//! returns it, then finance; finance records the reimbursement. The month
//! with its budgets and the claim with its checks are in `read`.

mod read;

use std::collections::BTreeSet;

use jiff::civil::Date;
use kaidan_domain::expenses::{
    BudgetLine, BudgetSubject, ExpenseClaimInput, ExpenseStatus, MAX_CLAIM_RECEIPTS, check_budgets,
};
use kaidan_domain::visits::{VisitPlanStatus, month_start};
use kaidan_domain::{Permission, ValidationErrors};

pub use read::{ClaimView, ExpenseCard, ExpenseMonth, ExpenseMonthRow, PlanCheck, TeamBudget};

use crate::finance::{VoucherUpload, checked_voucher};
use crate::ports::{ExpenseClaim, ExpensePayment, Tx, VoucherFile};
use crate::users::change;
use crate::visits::{known_customers, month_id, month_key};
use crate::{App, AppError, AppResult, Ctx};

/// The longest reference of a reimbursement (a voucher or transfer number).
pub const MAX_PAYMENT_REFERENCE: usize = 100;

fn no_claim(id: i64) -> AppError {
    AppError::NotFound {
        what: "expense claim",
        id: id.to_string(),
    }
}

fn wrong_status(c: &ExpenseClaim, step: &str, wanted: &[ExpenseStatus]) -> AppError {
    let wanted: Vec<&str> = wanted.iter().map(|s| s.as_str()).collect();
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "expense claim {} is {}; to {step} it, it must be {}",
            c.id,
            c.status,
            wanted.join(" or ")
        ),
    )
}

/// A decision on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimDecision {
    /// The rep's manager approves a submitted claim.
    ManagerApprove,
    /// Finance approves a claim the manager approved.
    FinanceApprove,
    /// The manager (submitted) or finance (approved by the manager) sends
    /// it back to the rep.
    Return(String),
}

impl App {
    /// Whose claims `ctx` reads: None for everyone (`figures.read`:
    /// finance, the general manager), else his teams' members and himself,
    /// or only himself.
    pub(crate) async fn expense_reach(
        &self,
        ctx: &Ctx,
    ) -> AppResult<Option<Vec<kaidan_domain::UserId>>> {
        let a = &ctx.actor;
        if [
            Permission::ExpensesWrite,
            Permission::ExpensesApprove,
            Permission::ExpensesFinance,
            Permission::ExpensesBudget,
        ]
        .iter()
        .any(|p| a.can(*p))
        {
            return match self.figure_scope(ctx).await {
                Ok(scope) => Ok(scope),
                Err(AppError::Forbidden(_)) => Ok(Some(vec![a.user_id])),
                Err(e) => Err(e),
            };
        }
        self.figure_scope(ctx).await
    }

    /// The claim, when `reach` (read before any transaction opens) holds
    /// its rep.
    async fn claim_in_reach(
        reach: &Option<Vec<kaidan_domain::UserId>>,
        tx: &mut Box<dyn Tx>,
        id: i64,
    ) -> AppResult<ExpenseClaim> {
        let c = tx.expense_claim(id).await?.ok_or_else(|| no_claim(id))?;
        if reach.as_ref().is_some_and(|r| !r.contains(&c.rep_id)) {
            return Err(no_claim(id));
        }
        Ok(c)
    }

    /// Checks what a claim names: its plan is the rep's own approved plan
    /// of the month and holds the visits named; its customers exist.
    async fn check_claim_refs(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        key: &str,
        input: &ExpenseClaimInput,
    ) -> AppResult<()> {
        let mut e = ValidationErrors::new();
        if let Some(pid) = input.plan_id {
            match tx.visit_plan(pid).await? {
                Some(p) if p.rep_id == ctx.actor.user_id && p.month == key => {
                    if p.status != VisitPlanStatus::Approved {
                        e.add(
                            "plan_id",
                            "illegal_transition",
                            format!(
                                "visit plan {pid} is {}; a claim is made against an approved plan",
                                p.status
                            ),
                        );
                    }
                    let planned: BTreeSet<i64> = p.visits.iter().map(|v| v.visit_no).collect();
                    for (i, l) in input.lines.iter().enumerate() {
                        if let Some(n) = l.visit_no
                            && !planned.contains(&n)
                        {
                            e.add(
                                format!("lines[{i}].visit_no"),
                                "unknown_reference",
                                format!("visit plan {pid} has no visit {n}"),
                            );
                        }
                    }
                }
                _ => e.add(
                    "plan_id",
                    "unknown_reference",
                    format!("visit plan {pid} is not your plan of {key}"),
                ),
            }
        }
        let wanted: Vec<i64> = input
            .lines
            .iter()
            .filter_map(|l| l.customer_id.map(|c| c.get()))
            .collect();
        let known = known_customers(tx, &wanted).await?;
        for (i, l) in input.lines.iter().enumerate() {
            if let Some(c) = l.customer_id
                && !known.contains(&c.get())
            {
                e.add(
                    format!("lines[{i}].customer_id"),
                    "unknown_reference",
                    format!("customer {c} does not exist"),
                );
            }
        }
        Ok(e.into_result(())?)
    }

    /// Writes a new claim of one's own, or rewrites one still a draft or
    /// returned (`id`): it is a draft again.
    pub async fn write_expense_claim(
        &self,
        ctx: &Ctx,
        id: Option<i64>,
        input: ExpenseClaimInput,
    ) -> AppResult<ClaimView> {
        ctx.require(Permission::ExpensesWrite)?;
        let first = month_start(&input.month)?;
        let key = month_key(first);
        let me = ctx.actor.user_id;
        let mut tx = self.store.write().await?;
        if let Some(id) = id {
            let c = tx
                .expense_claim(id)
                .await?
                .filter(|c| c.rep_id == me)
                .ok_or_else(|| no_claim(id))?;
            if !c.status.is_editable() {
                return Err(wrong_status(
                    &c,
                    "change",
                    &[ExpenseStatus::Draft, ExpenseStatus::Returned],
                ));
            }
        }
        self.check_claim_refs(&mut tx, ctx, &key, &input).await?;
        let draft = input.validate(first, self.today())?;
        let id = tx
            .expense_claim_write(id, me, &key, &draft, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "expense_claim",
            id,
            "write",
            vec![
                change("month", &key),
                change("total", draft.total().round_to_fen().to_string()),
                change("lines", draft.lines.len().to_string()),
            ],
        )
        .await?;
        let view = self.claim_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Attaches a receipt (PNG, JPEG or PDF, at most 5 MiB) to one's own
    /// claim while it can be changed.
    pub async fn attach_expense_receipt(
        &self,
        ctx: &Ctx,
        id: i64,
        upload: VoucherUpload,
    ) -> AppResult<ClaimView> {
        ctx.require(Permission::ExpensesWrite)?;
        let file: VoucherFile = checked_voucher(&upload).map_err(|mut e| {
            for x in &mut e.errors {
                x.field = x.field.replace("voucher", "receipt");
            }
            e
        })?;
        let mut tx = self.store.write().await?;
        let c = tx
            .expense_claim(id)
            .await?
            .filter(|c| c.rep_id == ctx.actor.user_id)
            .ok_or_else(|| no_claim(id))?;
        if !c.status.is_editable() {
            return Err(wrong_status(
                &c,
                "attach a receipt to",
                &[ExpenseStatus::Draft, ExpenseStatus::Returned],
            ));
        }
        if c.receipts.len() >= MAX_CLAIM_RECEIPTS {
            return Err(AppError::invalid(
                "receipt",
                "too_many",
                format!("a claim has at most {MAX_CLAIM_RECEIPTS} receipts"),
            ));
        }
        let no = tx.expense_receipt_add(id, &file).await?;
        self.audit(
            &mut tx,
            ctx,
            "expense_claim",
            id,
            "receipt",
            vec![change(
                "receipt",
                format!("{no}: {} ({} bytes)", file.file_name, file.bytes.len()),
            )],
        )
        .await?;
        let view = self.claim_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A receipt's file, for whoever reads the claim.
    pub async fn expense_receipt(&self, ctx: &Ctx, id: i64, no: i64) -> AppResult<VoucherFile> {
        let reach = self.expense_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Self::claim_in_reach(&reach, &mut tx, id).await?;
        tx.expense_receipt(id, no)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "expense receipt",
                id: format!("{id}/{no}"),
            })
    }

    /// The rep submits his claim to his manager: with a receipt at least,
    /// and a reason when it takes him or his team over the month's budget.
    pub async fn submit_expense_claim(
        &self,
        ctx: &Ctx,
        id: i64,
        over_budget_reason: Option<String>,
    ) -> AppResult<ClaimView> {
        ctx.require(Permission::ExpensesWrite)?;
        let reason = match over_budget_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(r) => Some(ValidationErrors::single_text(
                "over_budget_reason",
                r,
                kaidan_domain::validation::MAX_REASON,
            )?),
            None => None,
        };
        let mut tx = self.store.write().await?;
        let c = tx
            .expense_claim(id)
            .await?
            .filter(|c| c.rep_id == ctx.actor.user_id)
            .ok_or_else(|| no_claim(id))?;
        if !c.status.is_editable() {
            return Err(wrong_status(
                &c,
                "submit",
                &[ExpenseStatus::Draft, ExpenseStatus::Returned],
            ));
        }
        if c.receipts.is_empty() {
            return Err(AppError::invalid(
                "receipts",
                "required",
                "attach the receipts (发票、小票) before submitting the claim",
            ));
        }
        let view = self.claim_view(&mut tx, id).await?;
        let mut over = Vec::new();
        if view.rep_budget.exceeded_by(c.total) {
            over.push(format!(
                "your budget of {} has {} left",
                view.rep_budget
                    .budget
                    .map(|b| b.round_to_fen().to_string())
                    .unwrap_or_default(),
                view.rep_budget
                    .remaining
                    .map(|b| b.round_to_fen().to_string())
                    .unwrap_or_default()
            ));
        }
        if let Some(t) = &view.team
            && t.budget.exceeded_by(c.total)
        {
            over.push(format!(
                "the team {}'s budget of {} has {} left",
                t.name,
                t.budget
                    .budget
                    .map(|b| b.round_to_fen().to_string())
                    .unwrap_or_default(),
                t.budget
                    .remaining
                    .map(|b| b.round_to_fen().to_string())
                    .unwrap_or_default()
            ));
        }
        if !over.is_empty() && reason.is_none() {
            return Err(AppError::invalid(
                "over_budget_reason",
                "over_budget",
                format!(
                    "the claim of {} goes over the month's budget ({}); say why in over_budget_reason",
                    c.total.round_to_fen(),
                    over.join("; ")
                ),
            ));
        }
        let kept = if over.is_empty() { None } else { reason };
        if !tx
            .expense_claim_move(
                id,
                c.status,
                ExpenseStatus::Submitted,
                ctx.actor.user_id,
                self.now(),
                kept.as_deref(),
            )
            .await?
        {
            return Err(wrong_status(
                &c,
                "submit",
                &[ExpenseStatus::Draft, ExpenseStatus::Returned],
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "expense_claim",
            id,
            "submit",
            vec![change("status", "submitted")],
        )
        .await?;
        let view = self.claim_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Approves the claim at the step it is at: the manager's when
    /// submitted, finance's when the manager approved it.
    pub async fn approve_expense_claim(&self, ctx: &Ctx, id: i64) -> AppResult<ClaimView> {
        let reach = self.expense_reach(ctx).await?;
        let status = {
            let mut tx = self.store.read().await?;
            Self::claim_in_reach(&reach, &mut tx, id).await?.status
        };
        let decision = if status == ExpenseStatus::ManagerApproved {
            ClaimDecision::FinanceApprove
        } else {
            ClaimDecision::ManagerApprove
        };
        self.decide_expense_claim(ctx, id, decision).await
    }

    /// The manager's or finance's decision: whoever decides is read from
    /// the step the claim is at; nobody decides his own claim.
    pub async fn decide_expense_claim(
        &self,
        ctx: &Ctx,
        id: i64,
        decision: ClaimDecision,
    ) -> AppResult<ClaimView> {
        let reason = match &decision {
            ClaimDecision::Return(r) => Some(ValidationErrors::reason(r)?),
            _ => None,
        };
        let reach = self.expense_reach(ctx).await?;
        let c = {
            let mut tx = self.store.read().await?;
            Self::claim_in_reach(&reach, &mut tx, id).await?
        };
        use ExpenseStatus::*;
        let (step, wanted, to): (&str, &[ExpenseStatus], ExpenseStatus) = match decision {
            ClaimDecision::ManagerApprove => ("approve", &[Submitted], ManagerApproved),
            ClaimDecision::FinanceApprove => ("approve", &[ManagerApproved], Approved),
            ClaimDecision::Return(_) => ("return", &[Submitted, ManagerApproved], Returned),
        };
        if !wanted.contains(&c.status) {
            return Err(wrong_status(&c, step, wanted));
        }
        if c.status == Submitted {
            self.require_reviewer_of(ctx, c.rep_id, Permission::ExpensesApprove)
                .await?;
        } else {
            ctx.require(Permission::ExpensesFinance)?;
            if c.rep_id == ctx.actor.user_id {
                return Err(AppError::invalid(
                    "id",
                    "own_record",
                    "nobody approves his own claim",
                ));
            }
        }
        let mut tx = self.store.write().await?;
        if !tx
            .expense_claim_move(
                id,
                c.status,
                to,
                ctx.actor.user_id,
                self.now(),
                reason.as_deref(),
            )
            .await?
        {
            return Err(wrong_status(&c, step, wanted));
        }
        let mut changes = vec![change("status", to.as_str())];
        if let Some(r) = &reason {
            changes.push(change("reason", r));
        }
        self.audit(&mut tx, ctx, "expense_claim", id, to.as_str(), changes)
            .await?;
        let view = self.claim_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Finance records the reimbursement of an approved claim: the day
    /// paid (not after today) and the voucher or transfer number.
    pub async fn pay_expense_claim(
        &self,
        ctx: &Ctx,
        id: i64,
        paid_on: Date,
        reference: String,
    ) -> AppResult<ClaimView> {
        ctx.require(Permission::ExpensesFinance)?;
        let mut e = ValidationErrors::new();
        let reference = e.text("reference", &reference, MAX_PAYMENT_REFERENCE);
        if paid_on > self.today() {
            e.add("paid_on", "in_future", format!("{paid_on} is after today"));
        }
        e.into_result(())?;
        let reach = self.expense_reach(ctx).await?;
        let mut tx = self.store.write().await?;
        let c = Self::claim_in_reach(&reach, &mut tx, id).await?;
        let payment = ExpensePayment { paid_on, reference };
        if c.status != ExpenseStatus::Approved
            || !tx
                .expense_claim_pay(id, &payment, ctx.actor.user_id, self.now())
                .await?
        {
            return Err(wrong_status(&c, "reimburse", &[ExpenseStatus::Approved]));
        }
        self.audit(
            &mut tx,
            ctx,
            "expense_claim",
            id,
            "reimbursed",
            vec![
                change("paid_on", paid_on.to_string()),
                change("reference", &payment.reference),
            ],
        )
        .await?;
        let view = self.claim_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Sets budgets of a month (`YYYY-MM`); each rep and team named must
    /// exist.
    pub async fn put_expense_budgets(
        &self,
        ctx: &Ctx,
        month: &str,
        lines: Vec<BudgetLine>,
    ) -> AppResult<Vec<BudgetLine>> {
        ctx.require(Permission::ExpensesBudget)?;
        let key = month_key(month_start(month)?);
        check_budgets(&lines)?;
        let mut tx = self.store.write().await?;
        let teams: BTreeSet<i64> = tx.teams().await?.into_iter().map(|t| t.id).collect();
        let mut e = ValidationErrors::new();
        for (i, l) in lines.iter().enumerate() {
            let known = match l.subject {
                BudgetSubject::Team { id } => teams.contains(&id),
                BudgetSubject::Rep { id } => tx
                    .user_get(id)
                    .await?
                    .is_some_and(|u| u.customer_id.is_none()),
            };
            if !known {
                e.add(
                    format!("lines[{i}].subject"),
                    "unknown_reference",
                    format!("no {} {}", l.subject.kind(), l.subject.id()),
                );
            }
        }
        e.into_result(())?;
        tx.expense_budgets_put(&key, &lines, ctx.actor.user_id, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "expense_budget",
            month_id(month_start(&key)?),
            "write",
            vec![
                change("month", &key),
                change("lines", lines.len().to_string()),
            ],
        )
        .await?;
        let out = tx.expense_budgets(&key).await?;
        tx.commit().await?;
        Ok(out)
    }
}
