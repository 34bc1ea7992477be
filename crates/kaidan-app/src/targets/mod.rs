//! Sales targets (SAL-1, ADR 0039): the sales department drafts the year's
//! plan and its split, the general manager approves or returns it; its
//! completion, the months missed and their follow-ups are in `progress`.

mod progress;
mod quantities;

use std::collections::{BTreeMap, BTreeSet};

use kaidan_domain::targets::{TargetPlanInput, TargetStatus, TargetSubject};
use kaidan_domain::{Permission, UserId, ValidationErrors};

pub use progress::{
    MonthCell, TargetCard, TargetMiss, TargetMonths, TargetMonthsRow, TargetProgress, TargetRow,
};
pub use quantities::QuantityRow;

use crate::ports::{EntityKind, TargetPlan, TargetPlanSummary, Tx};
use crate::users::change;
use crate::{App, AppError, AppResult, Ctx};

fn no_plan(year: i16) -> AppError {
    AppError::NotFound {
        what: "target plan",
        id: year.to_string(),
    }
}

fn wrong_status(year: i16, is: TargetStatus, step: &str, wanted: &[TargetStatus]) -> AppError {
    let wanted: Vec<&str> = wanted.iter().map(|s| s.as_str()).collect();
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "the {year} target plan is {is}; to {step} it, it must be {}",
            wanted.join(" or ")
        ),
    )
}

impl App {
    /// Who may read targets: a reader of figures (of any scope) or whoever
    /// writes or approves them.
    fn require_target_reader(&self, ctx: &Ctx) -> AppResult<()> {
        let a = &ctx.actor;
        if [
            Permission::FiguresRead,
            Permission::FiguresReadTeam,
            Permission::FiguresReadOwn,
            Permission::TargetsWrite,
            Permission::TargetsApprove,
        ]
        .iter()
        .any(|p| a.can(*p))
        {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::FiguresRead))
        }
    }

    /// Every year's plan.
    pub async fn target_plans(&self, ctx: &Ctx) -> AppResult<Vec<TargetPlanSummary>> {
        self.require_target_reader(ctx)?;
        let mut tx = self.store.read().await?;
        Ok(tx.target_plans().await?)
    }

    /// A year's plan; a rep or a manager sees the lines within his reach.
    pub async fn target_plan(&self, ctx: &Ctx, year: i16) -> AppResult<TargetPlan> {
        self.require_target_reader(ctx)?;
        let reach = self.target_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let mut plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        plan.lines.retain(|l| reach.sees(l.subject));
        plan.quantities.retain(|q| reach.sees(q.subject));
        Ok(plan)
    }

    /// Writes a year's plan as a draft: a new one, or one still a draft or
    /// returned. Every team, rep and region named must exist.
    pub async fn put_target_plan(
        &self,
        ctx: &Ctx,
        year: i16,
        input: TargetPlanInput,
    ) -> AppResult<TargetPlan> {
        ctx.require(Permission::TargetsWrite)?;
        let mut tx = self.store.write().await?;
        if let Some(p) = tx.target_plan(year).await?
            && !p.status.is_editable()
        {
            return Err(wrong_status(
                year,
                p.status,
                "change",
                &[TargetStatus::Draft, TargetStatus::Returned],
            ));
        }
        let teams = tx.teams().await?;
        let mut rep_teams = BTreeMap::new();
        for t in &teams {
            for m in &t.members {
                rep_teams.insert(m.user_id, t.id);
            }
        }
        check_subjects(&mut tx, &input, &teams.iter().map(|t| t.id).collect()).await?;
        let draft = input.validate(year, &rep_teams)?;
        tx.target_plan_write(&draft, ctx.actor.user_id, self.now())
            .await?;
        let company = draft
            .lines
            .iter()
            .find(|l| l.subject == TargetSubject::Company)
            .map(|l| l.annual().to_string())
            .unwrap_or_default();
        self.audit(
            &mut tx,
            ctx,
            "target_plan",
            i64::from(year),
            "write",
            vec![
                change("basis", draft.basis.as_str()),
                change("company", company),
                change("lines", draft.lines.len().to_string()),
            ],
        )
        .await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        tx.commit().await?;
        Ok(plan)
    }

    async fn move_target_plan(
        &self,
        ctx: &Ctx,
        year: i16,
        step: &str,
        from: &[TargetStatus],
        to: TargetStatus,
        reason: Option<String>,
    ) -> AppResult<TargetPlan> {
        let reason = match reason {
            Some(r) => Some(ValidationErrors::reason(&r)?),
            None => None,
        };
        let mut tx = self.store.write().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        if !from.contains(&plan.status)
            || !tx
                .target_plan_move(
                    year,
                    plan.status,
                    to,
                    ctx.actor.user_id,
                    self.now(),
                    reason.as_deref(),
                )
                .await?
        {
            return Err(wrong_status(year, plan.status, step, from));
        }
        let mut changes = vec![change("status", to.as_str())];
        if let Some(r) = &reason {
            changes.push(change("reason", r));
        }
        self.audit(&mut tx, ctx, "target_plan", i64::from(year), step, changes)
            .await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The sales department hands the plan to the general manager.
    pub async fn submit_target_plan(&self, ctx: &Ctx, year: i16) -> AppResult<TargetPlan> {
        ctx.require(Permission::TargetsWrite)?;
        let from = [TargetStatus::Draft, TargetStatus::Returned];
        self.move_target_plan(ctx, year, "submit", &from, TargetStatus::Submitted, None)
            .await
    }

    /// The general manager approves it: from now on its months are the
    /// targets that count.
    pub async fn approve_target_plan(&self, ctx: &Ctx, year: i16) -> AppResult<TargetPlan> {
        ctx.require(Permission::TargetsApprove)?;
        let from = [TargetStatus::Submitted];
        self.move_target_plan(ctx, year, "approve", &from, TargetStatus::Approved, None)
            .await
    }

    /// The general manager sends a submitted plan back, or reopens an
    /// approved one for a revision, with a reason.
    pub async fn return_target_plan(
        &self,
        ctx: &Ctx,
        year: i16,
        reason: String,
    ) -> AppResult<TargetPlan> {
        ctx.require(Permission::TargetsApprove)?;
        let from = [TargetStatus::Submitted, TargetStatus::Approved];
        self.move_target_plan(
            ctx,
            year,
            "return",
            &from,
            TargetStatus::Returned,
            Some(reason),
        )
        .await
    }

    /// Whose targets `ctx` reads: every line with `figures.read` and for
    /// who writes (the sales department drafts the whole split) or
    /// approves them; else a manager's teams and their members, or a
    /// rep's own.
    async fn target_reach(&self, ctx: &Ctx) -> AppResult<TargetReach> {
        let a = &ctx.actor;
        if a.can(Permission::TargetsWrite)
            || a.can(Permission::TargetsApprove)
            || a.can(Permission::FiguresRead)
        {
            return Ok(TargetReach::All);
        }
        let users = self.figure_scope(ctx).await?.unwrap_or_default();
        let mut tx = self.store.read().await?;
        let teams = tx
            .teams()
            .await?
            .into_iter()
            .filter(|t| t.manager_id == Some(a.user_id))
            .map(|t| t.id)
            .collect();
        Ok(TargetReach::Some {
            users: users.into_iter().collect(),
            teams,
        })
    }
}

/// The lines a reader sees.
#[derive(Debug, Clone)]
pub(crate) enum TargetReach {
    All,
    Some {
        users: BTreeSet<UserId>,
        teams: BTreeSet<i64>,
    },
}

impl TargetReach {
    pub(crate) fn sees(&self, s: TargetSubject) -> bool {
        match (self, s) {
            (TargetReach::All, _) => true,
            (TargetReach::Some { users, .. }, TargetSubject::Rep { id }) => users.contains(&id),
            (TargetReach::Some { teams, .. }, TargetSubject::Team { id }) => teams.contains(&id),
            (TargetReach::Some { .. }, _) => false,
        }
    }
}

/// Every team, rep and region a plan names exists; a rep is a staff user.
async fn check_subjects(
    tx: &mut Box<dyn Tx>,
    input: &TargetPlanInput,
    teams: &BTreeSet<i64>,
) -> AppResult<()> {
    let mut e = ValidationErrors::new();
    let regions: Vec<i64> = input
        .lines
        .iter()
        .filter_map(|l| match l.subject {
            TargetSubject::Region { id } => Some(id),
            _ => None,
        })
        .collect();
    let known_regions: BTreeSet<i64> = tx
        .master_get_many(EntityKind::Region, &regions)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for (i, l) in input.lines.iter().enumerate() {
        let field = format!("lines[{i}].subject");
        match l.subject {
            TargetSubject::Company => {}
            TargetSubject::Team { id } if !teams.contains(&id) => {
                e.add(
                    field,
                    "unknown_reference",
                    format!("team {id} does not exist"),
                );
            }
            TargetSubject::Region { id } if !known_regions.contains(&id) => {
                e.add(
                    field,
                    "unknown_reference",
                    format!("region {id} does not exist"),
                );
            }
            TargetSubject::Rep { id } => {
                let user = tx.user_get(id).await?;
                if user.is_none_or(|u| u.customer_id.is_some()) {
                    e.add(
                        field,
                        "unknown_reference",
                        format!("user {id} is not a staff user"),
                    );
                }
            }
            _ => {}
        }
    }
    e.into_result(()).map_err(AppError::from)
}

/// Regions read a page at a time for the plan's form.
const REGION_PAGE: u32 = 500;

/// The choices of a plan's form.
impl App {
    /// The teams a plan may split to.
    pub async fn teams_for_targets(&self, ctx: &Ctx) -> AppResult<Vec<crate::ports::TeamRow>> {
        ctx.require(Permission::TargetsWrite)?;
        let mut tx = self.store.read().await?;
        Ok(tx.teams().await?)
    }

    /// The active staff users with a sales role (rep or manager), by name.
    pub async fn sales_people(&self, ctx: &Ctx) -> AppResult<Vec<(UserId, String)>> {
        ctx.require(Permission::TargetsWrite)?;
        let mut tx = self.store.read().await?;
        self.sales_staff(&mut tx).await
    }

    /// Every region, by code, with its Chinese name where it has one.
    pub async fn region_names(&self, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
        ctx.require(Permission::TargetsWrite)?;
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = tx
                .master_list(
                    EntityKind::Region,
                    &crate::ports::ListQuery {
                        after,
                        limit: REGION_PAGE,
                        ..Default::default()
                    },
                )
                .await?;
            let full = page.len() >= usize::try_from(REGION_PAGE).unwrap_or(usize::MAX);
            after = page.last().map(|r| r.id);
            for r in page {
                if let crate::ports::MasterData::Region(d) = r.data {
                    let name = if d.name_zh.is_empty() {
                        d.name
                    } else {
                        d.name_zh
                    };
                    out.push((r.id, format!("{} {name}", d.code)));
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }
}
