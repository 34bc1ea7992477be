//! A plan's completion (SAL-1): what was sold on its basis, folded to its
//! subjects (a team is its members' sum, by today's membership), against
//! the target over a year, quarter, month or week and the time gone; the
//! months missed, how many in a row, and the follow-ups recorded.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_domain::figures::percent;
use kaidan_domain::targets::{
    FollowUpInput, Pace, TargetBasis, TargetLine, TargetPeriod, TargetSpan, TargetStatus,
    TargetSubject, completion_bp, elapsed_bp, gone_part, missed_months, pace, period_target,
};
use kaidan_domain::{Money, Permission, UserId, ValidationErrors};
use serde::Serialize;

use super::quantities::QuantityRow;
use super::{TargetReach, no_plan};
use crate::collection::start_of;
use crate::ports::{EntityKind, FollowUp, MasterData, TargetActual, TargetPlan, Tx};
use crate::users::change;
use crate::{App, AppError, AppResult, Ctx};

/// One subject's target and what was done over a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetRow {
    pub subject: TargetSubject,
    /// The team's code and name, the rep's name, the region's name; empty
    /// for the company.
    pub label: String,
    pub target: Money,
    /// What was due by today: the target of the period's days gone.
    pub due: Money,
    /// due / target as a percent: where the bar's mark is.
    pub due_percent: Option<String>,
    pub actual: Money,
    /// actual / target as a percent ("62.50"); null without a target.
    pub completion_percent: Option<String>,
    pub pace: Pace,
}

/// The plan's completion over one period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetProgress {
    pub year: i16,
    pub basis: TargetBasis,
    /// Only an approved plan's targets count; a draft's are shown as such.
    pub status: TargetStatus,
    pub period: TargetPeriod,
    /// The period's working days gone, today included, as a percent.
    pub elapsed_percent: String,
    pub rows: Vec<TargetRow>,
    /// The quantity targets per product category in reach (ADR 0045).
    pub quantities: Vec<QuantityRow>,
    /// How many closed months were read from their kept sums rather than
    /// from the records (ADR 0046); the same numbers either way.
    pub kept_months: usize,
}

/// One month of one subject.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCell {
    pub month: i8,
    pub target: Money,
    pub actual: Money,
    /// The month is over.
    pub closed: bool,
    /// Missed: how many months in a row it ends (1, 2, …); 0 when not.
    pub missed_in_a_row: u8,
}

/// One subject's year, month by month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetMonthsRow {
    pub subject: TargetSubject,
    pub label: String,
    pub months: Vec<MonthCell>,
    pub target: Money,
    pub actual: Money,
    pub completion_percent: Option<String>,
}

/// The plan's year by month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetMonths {
    pub year: i16,
    pub basis: TargetBasis,
    pub status: TargetStatus,
    pub rows: Vec<TargetMonthsRow>,
}

/// A month a rep or team missed, with what the seed asks and what was done.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetMiss {
    pub subject: TargetSubject,
    pub label: String,
    pub month: i8,
    pub target: Money,
    pub actual: Money,
    pub missed_in_a_row: u8,
    /// `interview_and_plan` after one miss; `warning_or_post_change`
    /// after the second in a row (seed 001 第十一条).
    pub asks: &'static str,
    pub follow_ups: Vec<FollowUp>,
}

/// What was sold, folded to each subject kind.
#[derive(Default)]
struct Sold {
    company: Money,
    reps: BTreeMap<UserId, Money>,
    regions: BTreeMap<i64, Money>,
    teams: BTreeMap<i64, Money>,
}

impl Sold {
    fn of(rows: impl Iterator<Item = TargetActual>, rep_teams: &BTreeMap<UserId, i64>) -> Sold {
        let mut s = Sold::default();
        for r in rows {
            s.company += r.amount;
            if let Some(rep) = r.rep {
                *s.reps.entry(rep).or_default() += r.amount;
                if let Some(t) = rep_teams.get(&rep) {
                    *s.teams.entry(*t).or_default() += r.amount;
                }
            }
            if let Some(g) = r.region {
                *s.regions.entry(g).or_default() += r.amount;
            }
        }
        s
    }

    /// Adds another bucket's sales (months summed into a quarter, a year).
    fn add(&mut self, other: &Sold) {
        self.company += other.company;
        for (k, v) in &other.reps {
            *self.reps.entry(*k).or_default() += *v;
        }
        for (k, v) in &other.regions {
            *self.regions.entry(*k).or_default() += *v;
        }
        for (k, v) in &other.teams {
            *self.teams.entry(*k).or_default() += *v;
        }
    }

    fn get(&self, subject: TargetSubject) -> Money {
        let found = match subject {
            TargetSubject::Company => Some(&self.company),
            TargetSubject::Rep { id } => self.reps.get(&id),
            TargetSubject::Team { id } => self.teams.get(&id),
            TargetSubject::Region { id } => self.regions.get(&id),
        };
        found.copied().unwrap_or_default()
    }
}

/// The names of the subjects of a plan.
async fn labels(
    tx: &mut Box<dyn Tx>,
    lines: &[TargetLine],
) -> AppResult<BTreeMap<TargetSubject, String>> {
    let mut out = BTreeMap::new();
    let teams = tx.teams().await?;
    let regions: Vec<i64> = lines
        .iter()
        .filter_map(|l| match l.subject {
            TargetSubject::Region { id } => Some(id),
            _ => None,
        })
        .collect();
    for r in tx.master_get_many(EntityKind::Region, &regions).await? {
        if let MasterData::Region(d) = r.data {
            let name = if d.name_zh.is_empty() {
                d.name
            } else {
                d.name_zh
            };
            out.insert(TargetSubject::Region { id: r.id }, name);
        }
    }
    for t in teams {
        out.insert(
            TargetSubject::Team { id: t.id },
            format!("{} {}", t.code, t.name),
        );
    }
    for l in lines {
        if let TargetSubject::Rep { id } = l.subject
            && let Some(u) = tx.user_get(id).await?
        {
            out.insert(l.subject, u.display_name);
        }
    }
    Ok(out)
}

fn percent_of(actual: Money, target: Money) -> Option<String> {
    completion_bp(actual, target).map(percent)
}

impl App {
    pub(super) async fn rep_teams(&self, tx: &mut Box<dyn Tx>) -> AppResult<BTreeMap<UserId, i64>> {
        let mut out = BTreeMap::new();
        for t in tx.teams().await? {
            for m in t.members {
                out.insert(m.user_id, t.id);
            }
        }
        Ok(out)
    }

    /// What was sold on the plan's basis in each of the days' buckets.
    async fn sold(
        &self,
        tx: &mut Box<dyn Tx>,
        basis: TargetBasis,
        days: &[Date],
    ) -> AppResult<(Vec<TargetActual>, BTreeMap<UserId, i64>, usize)> {
        self.keep_target_months(basis, days).await;
        let bounds: Vec<_> = days.iter().map(|d| (*d, start_of(*d))).collect();
        let rows = tx.target_actuals(basis, &bounds).await?;
        // The months this reading took from kept sums: those its own
        // snapshot sees (on SQLite a reading begun before they were kept
        // reads their records).
        let kept = match (days.first(), days.last()) {
            (Some(first), Some(last)) => {
                let whole = kaidan_domain::figures::closed_months_within(days, self.today());
                tx.target_months_kept(basis, *first, *last)
                    .await?
                    .iter()
                    .filter(|m| whole.contains(m))
                    .count()
            }
            _ => 0,
        };
        Ok((rows, self.rep_teams(tx).await?, kept))
    }

    /// The plan's completion over the `span` holding `at` (today, or the
    /// plan year's nearest day, when not given).
    pub async fn target_progress(
        &self,
        ctx: &Ctx,
        year: i16,
        span: TargetSpan,
        at: Option<Date>,
    ) -> AppResult<TargetProgress> {
        self.progress_of(ctx, year, span, at, true).await
    }

    /// [`App::target_progress`], with the quantity targets or without (the
    /// home page's cards show the amounts only).
    async fn progress_of(
        &self,
        ctx: &Ctx,
        year: i16,
        span: TargetSpan,
        at: Option<Date>,
        with_quantities: bool,
    ) -> AppResult<TargetProgress> {
        self.require_target_reader(ctx)?;
        let reach = self.target_reach(ctx).await?;
        let period = TargetPeriod::of(
            span,
            year,
            at.unwrap_or_else(|| day_in_year(self.today(), year)),
        )?;
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.read().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        let (sold, kept) = self.period_sold(&mut tx, &plan, &period).await?;
        let names = labels(&mut tx, &plan.lines).await?;
        let mut progress = self.progress_from(&plan, &reach, period, &sold, &names, &calendar);
        if with_quantities {
            progress.quantities = self
                .quantity_rows(&mut tx, &plan, &reach, &period, &names, &calendar)
                .await?;
        }
        progress.kept_months = kept;
        Ok(progress)
    }

    /// What was sold on the plan's basis over a period.
    async fn period_sold(
        &self,
        tx: &mut Box<dyn Tx>,
        plan: &TargetPlan,
        period: &TargetPeriod,
    ) -> AppResult<(Sold, usize)> {
        let end = period
            .to
            .tomorrow()
            .map_err(|e| AppError::invalid("at", "out_of_range", e.to_string()))?;
        let (rows, rep_teams, kept) = self.sold(tx, plan.basis, &[period.from, end]).await?;
        Ok((Sold::of(rows.into_iter(), &rep_teams), kept))
    }

    fn progress_from(
        &self,
        plan: &TargetPlan,
        reach: &TargetReach,
        period: TargetPeriod,
        sold: &Sold,
        names: &BTreeMap<TargetSubject, String>,
        calendar: &kaidan_domain::calendar::BusinessCalendar,
    ) -> TargetProgress {
        let today = self.today();
        let working = |d: Date| calendar.is_working_day(d);
        let gone = elapsed_bp(&period, today, &working);
        let over = today > period.to;
        let rows = plan
            .lines
            .iter()
            .filter(|l| reach.sees(l.subject))
            .map(|l| {
                let target = period_target(l, &period, &working);
                let due = gone_part(&period, today)
                    .map_or(Money::ZERO, |p| period_target(l, &p, &working));
                let actual = sold.get(l.subject);
                TargetRow {
                    subject: l.subject,
                    label: names.get(&l.subject).cloned().unwrap_or_default(),
                    target,
                    due,
                    due_percent: percent_of(due, target),
                    actual,
                    completion_percent: percent_of(actual, target),
                    pace: pace(actual, target, due, over),
                }
            })
            .collect();
        TargetProgress {
            year: plan.year,
            basis: plan.basis,
            status: plan.status,
            period,
            elapsed_percent: percent(gone),
            rows,
            quantities: Vec::new(),
            kept_months: 0,
        }
    }

    /// The year's page in one reading of the records: the completion over
    /// the `span` holding `at` (summed from the months when it is made of
    /// whole months of the plan's year), the months, and the misses.
    pub async fn target_year(
        &self,
        ctx: &Ctx,
        year: i16,
        span: TargetSpan,
        at: Option<Date>,
    ) -> AppResult<(TargetProgress, TargetMonths, Vec<TargetMiss>)> {
        self.require_target_reader(ctx)?;
        let reach = self.target_reach(ctx).await?;
        let period = TargetPeriod::of(
            span,
            year,
            at.unwrap_or_else(|| day_in_year(self.today(), year)),
        )?;
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.read().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        let (monthly, mut kept) = self.monthly_sold(&mut tx, &plan).await?;
        let names = labels(&mut tx, &plan.lines).await?;
        let whole_months = period.from.year() == year
            && period.to.year() == year
            && period.from.day() == 1
            && period.to == period.to.last_of_month();
        let sold = if whole_months {
            let mut s = Sold::default();
            let (a, b) = (
                usize::try_from(period.from.month() - 1).unwrap_or(0),
                usize::try_from(period.to.month()).unwrap_or(0),
            );
            for m in monthly.get(a..b).unwrap_or_default() {
                s.add(m);
            }
            s
        } else {
            let (s, k) = self.period_sold(&mut tx, &plan, &period).await?;
            kept = k;
            s
        };
        let mut progress = self.progress_from(&plan, &reach, period, &sold, &names, &calendar);
        progress.quantities = self
            .quantity_rows(&mut tx, &plan, &reach, &period, &names, &calendar)
            .await?;
        progress.kept_months = kept;
        let months = self.months_from(&plan, &reach, &monthly, &names);
        let misses = if plan.status == TargetStatus::Approved {
            misses_from(&months, &tx.target_follow_ups(year).await?)
        } else {
            Vec::new()
        };
        Ok((progress, months, misses))
    }

    /// The plan's year month by month, each subject in reach.
    pub async fn target_months(&self, ctx: &Ctx, year: i16) -> AppResult<TargetMonths> {
        self.require_target_reader(ctx)?;
        let reach = self.target_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        self.months_of(&mut tx, &plan, &reach).await
    }

    async fn months_of(
        &self,
        tx: &mut Box<dyn Tx>,
        plan: &TargetPlan,
        reach: &TargetReach,
    ) -> AppResult<TargetMonths> {
        let (sold, _) = self.monthly_sold(tx, plan).await?;
        let names = labels(tx, &plan.lines).await?;
        Ok(self.months_from(plan, reach, &sold, &names))
    }

    /// What was sold on the plan's basis in each month of its year.
    async fn monthly_sold(
        &self,
        tx: &mut Box<dyn Tx>,
        plan: &TargetPlan,
    ) -> AppResult<(Vec<Sold>, usize)> {
        let year = plan.year;
        let mut days = Vec::with_capacity(13);
        for m in 1..=12 {
            days.push(month_start(year, m)?);
        }
        days.push(
            month_start(year, 12)?
                .checked_add(1.month())
                .map_err(|e| AppError::invalid("year", "out_of_range", e.to_string()))?,
        );
        let (rows, rep_teams, kept) = self.sold(tx, plan.basis, &days).await?;
        let mut by_month: Vec<Vec<TargetActual>> = vec![Vec::new(); 12];
        for r in rows {
            if let Some(b) = by_month.get_mut(r.bucket) {
                b.push(r);
            }
        }
        Ok((
            by_month
                .into_iter()
                .map(|rows| Sold::of(rows.into_iter(), &rep_teams))
                .collect(),
            kept,
        ))
    }

    fn months_from(
        &self,
        plan: &TargetPlan,
        reach: &TargetReach,
        sold: &[Sold],
        names: &BTreeMap<TargetSubject, String>,
    ) -> TargetMonths {
        let year = plan.year;
        let today = self.today();
        let closed_before: i8 = match today.year().cmp(&year) {
            std::cmp::Ordering::Greater => 13,
            std::cmp::Ordering::Less => 1,
            std::cmp::Ordering::Equal => today.month(),
        };
        let rows = plan
            .lines
            .iter()
            .filter(|l| reach.sees(l.subject))
            .map(|l| {
                let actuals: [Money; 12] =
                    std::array::from_fn(|i| sold.get(i).map_or(Money::ZERO, |s| s.get(l.subject)));
                let misses = missed_months(&l.months, &actuals, closed_before);
                let months = (1..=12_i8)
                    .zip(l.months.iter().zip(actuals.iter()))
                    .map(|(m, (t, a))| MonthCell {
                        month: m,
                        target: *t,
                        actual: *a,
                        closed: m < closed_before,
                        missed_in_a_row: misses
                            .iter()
                            .find(|(x, _)| *x == m)
                            .map_or(0, |(_, n)| *n),
                    })
                    .collect();
                let (target, actual) = (l.annual(), actuals.iter().copied().sum());
                TargetMonthsRow {
                    subject: l.subject,
                    label: names.get(&l.subject).cloned().unwrap_or_default(),
                    months,
                    target,
                    actual,
                    completion_percent: percent_of(actual, target),
                }
            })
            .collect();
        TargetMonths {
            year,
            basis: plan.basis,
            status: plan.status,
            rows,
        }
    }

    /// The months a rep or team of an approved plan missed, with what
    /// was done about each.
    pub async fn target_misses(&self, ctx: &Ctx, year: i16) -> AppResult<Vec<TargetMiss>> {
        self.require_target_reader(ctx)?;
        let reach = self.target_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        if plan.status != TargetStatus::Approved {
            return Ok(Vec::new());
        }
        let months = self.months_of(&mut tx, &plan, &reach).await?;
        let follow_ups = tx.target_follow_ups(year).await?;
        Ok(misses_from(&months, &follow_ups))
    }

    /// Records what was done about a missed month of an approved plan.
    pub async fn record_target_follow_up(
        &self,
        ctx: &Ctx,
        year: i16,
        input: FollowUpInput,
    ) -> AppResult<FollowUp> {
        ctx.require(Permission::TargetsWrite)?;
        let mut tx = self.store.write().await?;
        let plan = tx.target_plan(year).await?.ok_or_else(|| no_plan(year))?;
        if plan.status != TargetStatus::Approved {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!(
                    "the {year} target plan is {}; a miss is followed up on an approved plan",
                    plan.status
                ),
            ));
        }
        if !plan.lines.iter().any(|l| l.subject == input.subject) {
            return Err(ValidationErrors::single(
                "subject",
                "unknown_reference",
                format!("{} has no target in the {year} plan", input.subject),
            )
            .into());
        }
        let months = self.months_of(&mut tx, &plan, &TargetReach::All).await?;
        let streak = months
            .rows
            .iter()
            .find(|r| r.subject == input.subject)
            .and_then(|r| r.months.iter().find(|c| c.month == input.month))
            .map_or(0, |c| c.missed_in_a_row);
        let input = input.validate(streak)?;
        let id = tx
            .target_follow_up_insert(year, &input, ctx.actor.user_id, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "target_plan",
            i64::from(year),
            "follow_up",
            vec![
                change("subject", input.subject.to_string()),
                change("month", input.month.to_string()),
                change("kind", input.kind.as_str()),
                change("note", &input.note),
            ],
        )
        .await?;
        let saved = tx
            .target_follow_ups(year)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| no_plan(year))?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// The months missed in the rows of the year, newest first, with what was
/// done about each.
fn misses_from(months: &TargetMonths, follow_ups: &[FollowUp]) -> Vec<TargetMiss> {
    let mut out = Vec::new();
    for row in &months.rows {
        if !matches!(
            row.subject,
            TargetSubject::Rep { .. } | TargetSubject::Team { .. }
        ) {
            continue;
        }
        for c in row.months.iter().filter(|c| c.missed_in_a_row > 0) {
            out.push(TargetMiss {
                subject: row.subject,
                label: row.label.clone(),
                month: c.month,
                target: c.target,
                actual: c.actual,
                missed_in_a_row: c.missed_in_a_row,
                asks: if c.missed_in_a_row >= 2 {
                    "warning_or_post_change"
                } else {
                    "interview_and_plan"
                },
                follow_ups: follow_ups
                    .iter()
                    .filter(|f| f.subject == row.subject && f.month == c.month)
                    .cloned()
                    .collect(),
            });
        }
    }
    out.sort_by_key(|m| (std::cmp::Reverse(m.month), m.subject));
    out
}

fn month_start(year: i16, month: i8) -> AppResult<Date> {
    Date::new(year, month, 1).map_err(|e| AppError::invalid("year", "out_of_range", e.to_string()))
}

/// `today` when it lies in `year`, else the year's day nearest to it.
fn day_in_year(today: Date, year: i16) -> Date {
    match today.year().cmp(&year) {
        std::cmp::Ordering::Equal => today,
        std::cmp::Ordering::Greater => Date::new(year, 12, 31).unwrap_or(today),
        std::cmp::Ordering::Less => Date::new(year, 1, 1).unwrap_or(today),
    }
}

/// A line of a home page: one subject over one span.
#[derive(Debug, Clone, Serialize)]
pub struct TargetCard {
    pub year: i16,
    pub span: TargetSpan,
    pub row: TargetRow,
}

impl App {
    /// The home page's targets of this year's approved plan: the company's
    /// for a reader of the company's figures, the teams one leads, one's
    /// own; this month's and this year's. Empty without an approved plan.
    pub async fn target_cards(&self, ctx: &Ctx) -> AppResult<Vec<TargetCard>> {
        if self.require_target_reader(ctx).is_err() {
            return Ok(Vec::new());
        }
        let year = self.today().year();
        let reach = self.target_reach(ctx).await?;
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.read().await?;
        let Some(plan) = tx
            .target_plan(year)
            .await?
            .filter(|p| p.status == TargetStatus::Approved)
        else {
            return Ok(Vec::new());
        };
        let led: Vec<i64> = tx
            .teams()
            .await?
            .into_iter()
            .filter(|t| t.manager_id == Some(ctx.actor.user_id))
            .map(|t| t.id)
            .collect();
        let mine = |s: TargetSubject| match s {
            TargetSubject::Company => ctx.actor.can(Permission::FiguresRead),
            TargetSubject::Team { id } => led.contains(&id),
            TargetSubject::Rep { id } => id == ctx.actor.user_id,
            TargetSubject::Region { .. } => false,
        };
        // A reader without a line of his own (a clerk) reads no progress.
        if !plan.lines.iter().any(|l| mine(l.subject)) {
            return Ok(Vec::new());
        }
        // The year is read once, cut at the month's bounds: the month is
        // one of its buckets, the year all of them.
        let day = day_in_year(self.today(), year);
        let month = TargetPeriod::of(TargetSpan::Month, year, day)?;
        let whole = TargetPeriod::of(TargetSpan::Year, year, day)?;
        let after = |d: Date| {
            d.tomorrow()
                .map_err(|e| AppError::invalid("at", "out_of_range", e.to_string()))
        };
        let mut days = vec![whole.from, month.from, after(month.to)?, after(whole.to)?];
        days.dedup();
        let in_month = days.iter().position(|d| *d == month.from).unwrap_or(0);
        let (rows, rep_teams, _) = self.sold(&mut tx, plan.basis, &days).await?;
        let sold_month = Sold::of(
            rows.iter().filter(|r| r.bucket == in_month).copied(),
            &rep_teams,
        );
        let sold_year = Sold::of(rows.into_iter(), &rep_teams);
        let names = labels(&mut tx, &plan.lines).await?;
        drop(tx);
        let mut out = Vec::new();
        for (span, period, sold) in [
            (TargetSpan::Month, month, &sold_month),
            (TargetSpan::Year, whole, &sold_year),
        ] {
            let p = self.progress_from(&plan, &reach, period, sold, &names, &calendar);
            for row in p.rows.into_iter().filter(|r| mine(r.subject)) {
                out.push(TargetCard { year, span, row });
            }
        }
        Ok(out)
    }
}
