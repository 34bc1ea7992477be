//! Reading expenses: a claim with its checks against the visit plan and
//! the budgets, and a month's budgets per rep and team with their claims.

use std::collections::BTreeMap;

use jiff::civil::Date;
use kaidan_domain::expenses::{BudgetSubject, BudgetUse};
use kaidan_domain::visits::month_start;
use kaidan_domain::{Money, UserId};
use serde::Serialize;

use super::no_claim;
use crate::ports::{ExpenseClaim, Tx};
use crate::visits::month_key;
use crate::{App, AppResult, Ctx};

/// A planned visit beside what was claimed for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCheck {
    pub visit_no: i64,
    pub whom: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// The expense applied for in the plan.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub planned: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub claimed: Money,
    /// Claimed more than planned.
    pub over: bool,
}

/// A team's budget of the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamBudget {
    pub team_id: i64,
    pub name: String,
    pub budget: BudgetUse,
}

/// A claim with what it is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    pub claim: ExpenseClaim,
    /// The plan's visits the claim names.
    pub plan: Vec<PlanCheck>,
    /// Claimed for no planned visit.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unplanned: Money,
    /// The rep's budget of the month (this claim counted once submitted).
    pub rep_budget: BudgetUse,
    /// His team's, when he is in one.
    pub team: Option<TeamBudget>,
}

/// A rep's or team's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseMonthRow {
    pub subject: BudgetSubject,
    pub label: String,
    pub budget: BudgetUse,
    pub claims: i64,
}

/// A month's budgets and claims within reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseMonth {
    pub month: String,
    /// Teams first, then reps.
    pub rows: Vec<ExpenseMonthRow>,
    pub claims: Vec<ExpenseClaim>,
}

/// What claims spent (approved or paid) and hold (in review).
fn used(claims: &[&ExpenseClaim]) -> (Money, Money) {
    let sum = |f: &dyn Fn(&ExpenseClaim) -> bool| {
        Money::checked_sum(claims.iter().filter(|c| f(c)).map(|c| c.total)).unwrap_or(Money::MAX)
    };
    (
        sum(&|c| c.status.is_spent()),
        sum(&|c| c.status.is_pending()),
    )
}

impl App {
    /// A claim as its page shows it; the caller checked the reach.
    pub(crate) async fn claim_view(&self, tx: &mut Box<dyn Tx>, id: i64) -> AppResult<ClaimView> {
        let claim = tx.expense_claim(id).await?.ok_or_else(|| no_claim(id))?;
        let mut plan = Vec::new();
        if let Some(pid) = claim.plan_id
            && let Some(p) = tx.visit_plan(pid).await?
        {
            for v in &p.visits {
                let claimed = Money::checked_sum(
                    claim
                        .lines
                        .iter()
                        .filter(|l| l.line.visit_no == Some(v.visit_no))
                        .map(|l| l.line.amount),
                )
                .unwrap_or(Money::MAX);
                if claimed.is_zero() {
                    continue;
                }
                plan.push(PlanCheck {
                    visit_no: v.visit_no,
                    whom: v
                        .customer
                        .clone()
                        .or_else(|| v.visit.prospect.clone())
                        .unwrap_or_default(),
                    day: v.visit.day,
                    planned: v.visit.expense,
                    claimed,
                    over: claimed > v.visit.expense,
                });
            }
        }
        let unplanned = Money::checked_sum(
            claim
                .lines
                .iter()
                .filter(|l| l.line.visit_no.is_none())
                .map(|l| l.line.amount),
        )
        .unwrap_or(Money::MAX);
        let budgets: BTreeMap<BudgetSubject, Money> = tx
            .expense_budgets(&claim.month)
            .await?
            .into_iter()
            .map(|b| (b.subject, b.amount))
            .collect();
        let team = tx
            .teams()
            .await?
            .into_iter()
            .find(|t| t.members.iter().any(|m| m.user_id == claim.rep_id));
        let members: Vec<UserId> = team
            .as_ref()
            .map(|t| t.members.iter().map(|m| m.user_id).collect())
            .unwrap_or_else(|| vec![claim.rep_id]);
        let month_claims = tx.expense_claims(&claim.month, Some(&members)).await?;
        let mine: Vec<&ExpenseClaim> = month_claims
            .iter()
            .filter(|c| c.rep_id == claim.rep_id)
            .collect();
        let (spent, pending) = used(&mine);
        let rep_budget = BudgetUse::new(
            budgets
                .get(&BudgetSubject::Rep { id: claim.rep_id })
                .copied(),
            spent,
            pending,
        );
        let team = team.map(|t| {
            let all: Vec<&ExpenseClaim> = month_claims.iter().collect();
            let (spent, pending) = used(&all);
            TeamBudget {
                team_id: t.id,
                budget: BudgetUse::new(
                    budgets.get(&BudgetSubject::Team { id: t.id }).copied(),
                    spent,
                    pending,
                ),
                name: t.name,
            }
        });
        Ok(ClaimView {
            claim,
            plan,
            unplanned,
            rep_budget,
            team,
        })
    }

    pub async fn expense_claim(&self, ctx: &Ctx, id: i64) -> AppResult<ClaimView> {
        let reach = self.expense_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Self::claim_in_reach(&reach, &mut tx, id).await?;
        self.claim_view(&mut tx, id).await
    }

    /// A month's budgets per team and rep within reach, with what was spent
    /// and is in review, and the claims.
    pub async fn expense_month(&self, ctx: &Ctx, month: &str) -> AppResult<ExpenseMonth> {
        let key = month_key(month_start(month)?);
        let reach = self.expense_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let claims = tx.expense_claims(&key, reach.as_deref()).await?;
        let budgets: BTreeMap<BudgetSubject, Money> = tx
            .expense_budgets(&key)
            .await?
            .into_iter()
            .map(|b| (b.subject, b.amount))
            .collect();
        let teams = tx.teams().await?;
        let people = self.sales_staff(&mut tx).await?;
        let sees = |u: UserId| reach.as_ref().is_none_or(|r| r.contains(&u));
        let mut rows = Vec::new();
        for t in &teams {
            let members: Vec<UserId> = t.members.iter().map(|m| m.user_id).collect();
            if !members.iter().any(|m| sees(*m)) {
                continue;
            }
            let of: Vec<&ExpenseClaim> = claims
                .iter()
                .filter(|c| members.contains(&c.rep_id))
                .collect();
            let (spent, pending) = used(&of);
            let subject = BudgetSubject::Team { id: t.id };
            rows.push(ExpenseMonthRow {
                subject,
                label: t.name.clone(),
                budget: BudgetUse::new(budgets.get(&subject).copied(), spent, pending),
                claims: i64::try_from(of.len()).unwrap_or(i64::MAX),
            });
        }
        for (u, name) in people.into_iter().filter(|(u, _)| sees(*u)) {
            let of: Vec<&ExpenseClaim> = claims.iter().filter(|c| c.rep_id == u).collect();
            let (spent, pending) = used(&of);
            let subject = BudgetSubject::Rep { id: u };
            rows.push(ExpenseMonthRow {
                subject,
                label: name,
                budget: BudgetUse::new(budgets.get(&subject).copied(), spent, pending),
                claims: i64::try_from(of.len()).unwrap_or(i64::MAX),
            });
        }
        Ok(ExpenseMonth {
            month: key,
            rows,
            claims,
        })
    }
}

/// A home page's expenses: one's own month, and the claims waiting for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpenseCard {
    /// One's own budget of this month, for whoever claims.
    pub mine: Option<BudgetUse>,
    /// Claims waiting for the reader's step, and their total.
    pub waiting: Option<(i64, Money)>,
    /// Approved claims finance is to pay.
    pub to_pay: Option<(i64, Money)>,
}

impl App {
    pub async fn expense_card(&self, ctx: &Ctx) -> AppResult<ExpenseCard> {
        use kaidan_domain::Permission;
        use kaidan_domain::expenses::ExpenseStatus;
        let a = &ctx.actor;
        let today = self.today();
        let mine = if a.can(Permission::ExpensesWrite) {
            let m = self
                .expense_month(ctx, &month_key(today.first_of_month()))
                .await?;
            m.rows
                .into_iter()
                .find(|r| r.subject == BudgetSubject::Rep { id: a.user_id })
                .map(|r| r.budget)
        } else {
            None
        };
        // Others' claims: nobody decides his own.
        let reach = self.expense_reach(ctx).await?.map(|r| {
            r.into_iter()
                .filter(|u| *u != a.user_id)
                .collect::<Vec<_>>()
        });
        let counts = if a.can(Permission::ExpensesApprove) || a.can(Permission::ExpensesFinance) {
            let mut tx = self.store.read().await?;
            tx.expense_claim_counts(reach.as_deref()).await?
        } else {
            Vec::new()
        };
        let of = |s: ExpenseStatus| {
            counts
                .iter()
                .find(|c| c.0 == s)
                .map_or((0, Money::ZERO), |c| (c.1, c.2))
        };
        let waiting = if a.can(Permission::ExpensesFinance) {
            Some(of(ExpenseStatus::ManagerApproved))
        } else if a.can(Permission::ExpensesApprove) {
            Some(of(ExpenseStatus::Submitted))
        } else {
            None
        };
        let to_pay = a
            .can(Permission::ExpensesFinance)
            .then(|| of(ExpenseStatus::Approved));
        Ok(ExpenseCard {
            mine,
            waiting,
            to_pay,
        })
    }
}
