//! Sales commissions (SAL-5, ADR 0043): the general manager writes the
//! policies; once a month has ended the sales manager computes every
//! rep's statement from the records and reviews those of his team;
//! finance confirms a reviewed statement or sends it back.

mod read;

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_domain::commissions::{
    CommissionBase, CommissionBasis, CommissionPolicyInput, StatementStatus, completion_bp, compute,
};
use kaidan_domain::points::in_force;
use kaidan_domain::targets::{TargetStatus, TargetSubject};
use kaidan_domain::visits::month_start;
use kaidan_domain::{Money, Permission, UserId, ValidationErrors};

pub use read::{CommissionCard, CommissionMonth};

use crate::collection::start_of;
use crate::ports::{
    CommissionPolicy, CommissionStatement, NewCommissionStatement, StatementLineRow, Tx,
};
use crate::users::change;
use crate::visits::{month_id, month_key};
use crate::{App, AppError, AppResult, Ctx};

fn no_statement(id: i64) -> AppError {
    AppError::NotFound {
        what: "commission statement",
        id: id.to_string(),
    }
}

/// The step a statement is moved by: who may take it, from where to where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementStep {
    /// The sales manager has checked it (computed → reviewed).
    Review,
    /// Finance accepts it for payroll (reviewed → confirmed).
    Confirm,
    /// Finance sends it back to be computed again (reviewed → computed).
    Return,
}

impl StatementStep {
    fn rule(self) -> (Permission, StatementStatus, StatementStatus, &'static str) {
        use StatementStatus::*;
        match self {
            StatementStep::Review => (Permission::CommissionsWrite, Computed, Reviewed, "review"),
            StatementStep::Confirm => (
                Permission::CommissionsFinance,
                Reviewed,
                Confirmed,
                "confirm",
            ),
            StatementStep::Return => (Permission::CommissionsFinance, Reviewed, Computed, "return"),
        }
    }
}

/// The policies in force on some day from `first` to before `next`.
fn policies_of_month(
    policies: &[CommissionPolicy],
    first: Date,
    next: Date,
) -> Vec<&CommissionPolicy> {
    let opening = in_force(policies, |p| p.from, first).map(|p| p.from);
    policies
        .iter()
        .filter(|p| Some(p.from) == opening || (p.from > first && p.from < next))
        .collect()
}

impl App {
    /// Whose commissions `ctx` reads: everyone's (`figures.read`), his
    /// teams', or his own.
    pub(crate) async fn commission_reach(&self, ctx: &Ctx) -> AppResult<Option<Vec<UserId>>> {
        self.reach_with(
            ctx,
            &[
                Permission::CommissionsWrite,
                Permission::CommissionsFinance,
                Permission::CommissionsPolicy,
            ],
        )
        .await
    }

    /// Every policy, the oldest first; a rep reads them too (he is paid by
    /// them).
    pub async fn commission_policies(&self, ctx: &Ctx) -> AppResult<Vec<CommissionPolicy>> {
        self.commission_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.commission_policies().await?)
    }

    /// Writes a policy from its day on, replacing one of the same day. A
    /// month with a reviewed statement keeps the policies it was computed
    /// with: a policy begins after the last such month.
    pub async fn put_commission_policy(
        &self,
        ctx: &Ctx,
        input: CommissionPolicyInput,
    ) -> AppResult<CommissionPolicy> {
        ctx.require(Permission::CommissionsPolicy)?;
        let draft = input.validate()?;
        let mut tx = self.store.write().await?;
        if let Some(settled) = tx.commission_settled_month().await?
            && month_key(draft.from) <= settled
        {
            return Err(AppError::invalid(
                "from",
                "already_settled",
                format!(
                    "the commissions of {settled} were reviewed; a new policy begins after that month"
                ),
            ));
        }
        tx.commission_policy_put(&draft, ctx.actor.user_id, self.now())
            .await?;
        let rates: Vec<String> = draft
            .rates
            .iter()
            .map(|(c, r)| format!("{c}={r}"))
            .collect();
        let tiers: Vec<String> = draft
            .tiers
            .iter()
            .map(|t| format!("{}:{}", t.from_bp, t.factor_bp))
            .collect();
        self.audit(
            &mut tx,
            ctx,
            "commission_policy",
            i64::from(draft.from.year()) * 10_000
                + i64::from(draft.from.month()) * 100
                + i64::from(draft.from.day()),
            "write",
            vec![
                change("from", draft.from.to_string()),
                change("basis", draft.basis.as_str()),
                change("default_rate_bp", draft.default_rate_bp.to_string()),
                change("rates", rates.join(", ")),
                change("tiers", tiers.join(", ")),
            ],
        )
        .await?;
        let p = tx
            .commission_policies()
            .await?
            .into_iter()
            .find(|p| p.from == draft.from)
            .ok_or_else(|| AppError::invalid("from", "missing", "the policy was not written"))?;
        tx.commit().await?;
        Ok(p)
    }

    /// Computes the statements of an ended month (`YYYY-MM`) for every rep
    /// whose customers bought in it, who has a target or a statement of it
    /// already: each day under the
    /// policy in force that day, scaled by the tier his completion of the
    /// approved target reaches. A statement already reviewed is kept; one
    /// still computed is computed again.
    pub async fn compute_commissions(&self, ctx: &Ctx, month: &str) -> AppResult<CommissionMonth> {
        ctx.require(Permission::CommissionsWrite)?;
        let first = month_start(month)?;
        let key = month_key(first);
        let next = first
            .checked_add(1.month())
            .map_err(|_| AppError::invalid("month", "invalid", "the month has no next month"))?;
        if next > self.today() {
            return Err(AppError::invalid(
                "month",
                "not_ended",
                format!("the commissions of {key} are computed once it has ended, from {next}"),
            ));
        }
        let mut tx = self.store.write().await?;
        let all = tx.commission_policies().await?;
        let policies = policies_of_month(&all, first, next);
        if policies.is_empty() {
            return Err(AppError::invalid(
                "month",
                "no_policy",
                format!(
                    "no commission policy is in force in {key}; the general manager writes one first"
                ),
            ));
        }
        let drafts: Vec<_> = policies.iter().map(|p| p.draft()).collect();
        let opening_basis = policies[0].basis;
        let bases = month_bases(&mut tx, &drafts, opening_basis, first, next).await?;
        let (targets, actuals) = month_targets(&mut tx, first, next).await?;
        let mut reps: BTreeSet<UserId> = bases.keys().copied().collect();
        reps.extend(targets.keys().copied());
        // A statement computed before is computed again even when its rep
        // has nothing left in the month (a credit note, a match undone).
        reps.extend(
            tx.commission_statements(Some(&key), None)
                .await?
                .iter()
                .map(|s| s.rep_id),
        );
        let me = ctx.actor.user_id;
        let mut written = 0i64;
        for rep in reps {
            let target = targets.get(&rep).copied();
            let actual = target.map(|_| actuals.get(&rep).copied().unwrap_or(Money::ZERO));
            let completion = target.zip(actual).and_then(|(t, a)| completion_bp(a, t));
            let sum = compute(
                &drafts,
                bases.get(&rep).map_or(&[], Vec::as_slice),
                completion,
            )?;
            let lines = sum
                .lines
                .into_iter()
                .map(|line| StatementLineRow {
                    basis: line
                        .policy_from
                        .and_then(|f| drafts.iter().find(|d| d.from == f))
                        .map(|d| d.basis),
                    line,
                })
                .collect();
            let s = NewCommissionStatement {
                rep,
                month: key.clone(),
                target,
                actual,
                completion_bp: completion,
                base: sum.base,
                commission: sum.commission,
                lines,
            };
            if tx
                .commission_statement_put(&s, me, self.now())
                .await?
                .is_some()
            {
                written += 1;
            }
        }
        self.audit(
            &mut tx,
            ctx,
            "commission_month",
            month_id(first),
            "compute",
            vec![
                change("month", &key),
                change("statements", written.to_string()),
            ],
        )
        .await?;
        tx.commit().await?;
        self.commission_month(ctx, &key).await
    }

    /// The sales manager reviews a computed statement of a rep he leads;
    /// finance confirms a reviewed one or sends it back with a reason.
    /// Nobody moves his own statement.
    pub async fn move_commission_statement(
        &self,
        ctx: &Ctx,
        id: i64,
        step: StatementStep,
        reason: Option<String>,
    ) -> AppResult<CommissionStatement> {
        let (permission, from, to, verb) = step.rule();
        let reason = match step {
            StatementStep::Return => {
                Some(ValidationErrors::reason(reason.as_deref().unwrap_or(""))?)
            }
            _ => None,
        };
        let rep = self.commission_statement(ctx, id).await?.head.rep_id;
        if step == StatementStep::Review {
            self.require_reviewer_of(ctx, rep, permission).await?;
        } else {
            ctx.require(permission)?;
            if rep == ctx.actor.user_id {
                return Err(AppError::invalid(
                    "id",
                    "own_record",
                    "a statement is confirmed by someone other than whom it pays",
                ));
            }
        }
        let mut tx = self.store.write().await?;
        let s = tx
            .commission_statement(id)
            .await?
            .ok_or_else(|| no_statement(id))?;
        if s.head.status != from
            || !tx
                .commission_statement_move(
                    id,
                    from,
                    to,
                    ctx.actor.user_id,
                    self.now(),
                    reason.as_deref(),
                )
                .await?
        {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!(
                    "commission statement {id} is {}; to {verb} it, it must be {from}",
                    s.head.status
                ),
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "commission_statement",
            id,
            verb,
            vec![
                change("status", to.as_str()),
                change("commission", s.head.commission.to_string()),
            ],
        )
        .await?;
        let out = tx
            .commission_statement(id)
            .await?
            .ok_or_else(|| no_statement(id))?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Each rep's bases of the month: a day counts on the basis of the policy
/// in force that day (days before any policy on the opening one's).
async fn month_bases(
    tx: &mut Box<dyn Tx>,
    drafts: &[kaidan_domain::commissions::CommissionPolicyDraft],
    opening: CommissionBasis,
    first: Date,
    next: Date,
) -> AppResult<BTreeMap<UserId, Vec<CommissionBase>>> {
    let used: BTreeSet<&str> = drafts.iter().map(|d| d.basis.as_str()).collect();
    let mut out: BTreeMap<UserId, Vec<CommissionBase>> = BTreeMap::new();
    for basis in [CommissionBasis::Invoiced, CommissionBasis::Collected] {
        if !used.contains(basis.as_str()) {
            continue;
        }
        for (rep, b) in tx.commission_bases(basis, first, next).await? {
            let day_basis = in_force(drafts, |d| d.from, b.day).map_or(opening, |d| d.basis);
            if day_basis == basis {
                out.entry(rep).or_default().push(b);
            }
        }
    }
    Ok(out)
}

/// Each rep's approved target of the month and what he reached of it on
/// the targets' basis, as the targets page reads it.
async fn month_targets(
    tx: &mut Box<dyn Tx>,
    first: Date,
    next: Date,
) -> AppResult<(BTreeMap<UserId, Money>, BTreeMap<UserId, Money>)> {
    let mut targets = BTreeMap::new();
    let mut actuals = BTreeMap::new();
    let Some(plan) = tx
        .target_plan(first.year())
        .await?
        .filter(|p| p.status == TargetStatus::Approved)
    else {
        return Ok((targets, actuals));
    };
    let m = usize::try_from(first.month() - 1).unwrap_or(0);
    for l in &plan.lines {
        if let TargetSubject::Rep { id } = l.subject
            && let Some(t) = l.months.get(m).filter(|t| t.is_positive())
        {
            targets.insert(id, *t);
        }
    }
    for r in tx
        .target_actuals(
            plan.basis,
            &[(first, start_of(first)), (next, start_of(next))],
        )
        .await?
    {
        if let Some(rep) = r.rep {
            let a: &mut Money = actuals.entry(rep).or_insert(Money::ZERO);
            *a = a.checked_add(r.amount).unwrap_or(Money::MAX);
        }
    }
    Ok((targets, actuals))
}
