//! The order clerks' monthly assessment (KPI-6, ADR 0044): in the first
//! ten working days of a month the supervisor scores each clerk's last
//! month — the computed part read from the records, his four items — and
//! confirms it, a failing month with its rectification plan; the year is
//! read from its confirmed months.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_domain::assessments::{
    AssessmentInput, AssessmentStatus, ComputedPart, Grade, Score, YearSummary, due_day, score,
    year_summary,
};
use kaidan_domain::figures::{Breakdown, Figure, FigurePeriod};
use kaidan_domain::visits::month_start;
use kaidan_domain::{Permission, Role, UserId};
use serde::Serialize;

use crate::collection::start_of;
use crate::ports::{ClerkAssessment, NewAssessment, Tx};
use crate::users::change;
use crate::visits::month_key;
use crate::{App, AppError, AppResult, Ctx};

fn no_assessment(id: i64) -> AppError {
    AppError::NotFound {
        what: "clerk assessment",
        id: id.to_string(),
    }
}

/// A clerk's month: what the records say now, and the assessment written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentRow {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub clerk_id: UserId,
    pub clerk: String,
    /// The records as they are now.
    pub computed: ComputedPart,
    /// The score of the assessment written, or of the records alone with
    /// no items scored yet.
    pub score: Score,
    pub assessment: Option<ClerkAssessment>,
    /// Failing, and last month failed too (连续两个月不合格).
    pub second_failing: bool,
}

/// The clerks' assessments of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentMonth {
    pub month: String,
    /// The tenth working day of the next month.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    /// Whether the month has ended (it is assessed from then on).
    pub ended: bool,
    pub rows: Vec<AssessmentRow>,
}

/// A confirmed month of a clerk's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthScore {
    /// `YYYY-MM`.
    pub month: String,
    pub total_tenths: i64,
    pub grade: Grade,
}

/// A clerk's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentYearRow {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub clerk_id: UserId,
    pub clerk: String,
    pub months: Vec<MonthScore>,
    pub summary: YearSummary,
}

/// The yearly assessment (in January, from the months).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentYear {
    pub year: i16,
    /// Whether the year has ended: its assessment is final from January.
    pub ended: bool,
    pub rows: Vec<AssessmentYearRow>,
}

/// What a home page shows: the supervisor's clerks not yet confirmed for
/// last month and its due day; a clerk his latest confirmed month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentCard {
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    pub open: i64,
    pub own: Option<ClerkAssessment>,
}

fn previous_month(first: Date) -> String {
    month_key(first.checked_sub(1.month()).unwrap_or(first))
}

impl App {
    /// None: every clerk (a supervisor, a reader of the company's
    /// figures); Some: only oneself, confirmed months only.
    fn assessment_reach(&self, ctx: &Ctx) -> AppResult<Option<UserId>> {
        let a = &ctx.actor;
        if a.can(Permission::AssessmentsWrite) || a.can(Permission::FiguresRead) {
            Ok(None)
        } else if a.can(Permission::FiguresReadOwn) {
            Ok(Some(a.user_id))
        } else {
            Err(AppError::Forbidden(Permission::AssessmentsWrite))
        }
    }

    /// The active order clerks, by name.
    async fn order_clerks(&self, tx: &mut Box<dyn Tx>) -> AppResult<Vec<(UserId, String)>> {
        let mut out: Vec<(UserId, String)> = tx
            .user_list()
            .await?
            .into_iter()
            .filter(|u| u.active && u.customer_id.is_none() && u.roles.contains(&Role::OrderClerk))
            .map(|u| (u.id, u.display_name))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// Each clerk's month as the records say it: KPI-1 and KPI-2 by the
    /// clerk who entered the order, and the complaints they drew.
    async fn computed_parts(
        &self,
        tx: &mut Box<dyn Tx>,
        first: Date,
    ) -> AppResult<BTreeMap<UserId, ComputedPart>> {
        let period = FigurePeriod::new(first, first.last_of_month())?;
        let mut out: BTreeMap<UserId, ComputedPart> = BTreeMap::new();
        for figure in [Figure::Accuracy, Figure::OnTime] {
            let q = self.figure_query(figure, period, Breakdown::Clerk, None)?;
            for g in tx.figure_groups(&q).await? {
                let Ok(id) = g.key.parse::<i64>() else {
                    continue;
                };
                let c = out.entry(UserId(id)).or_default();
                if figure == Figure::Accuracy {
                    (c.orders, c.accurate) = (g.tally.counted, g.tally.hits);
                } else {
                    (c.timed, c.on_time) = (g.tally.counted, g.tally.hits);
                }
            }
        }
        let next = period.end_exclusive();
        for (clerk, n) in tx.clerk_complaints(start_of(first), start_of(next)).await? {
            out.entry(clerk).or_default().complaints = n;
        }
        Ok(out)
    }

    /// Every clerk's month (`YYYY-MM`): the records now, the assessment
    /// written, and the flag of a second failing month.
    pub async fn assessment_month(&self, ctx: &Ctx, month: &str) -> AppResult<AssessmentMonth> {
        let first = month_start(month)?;
        let key = month_key(first);
        let reach = self.assessment_reach(ctx)?;
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.read().await?;
        let clerks = self.order_clerks(&mut tx).await?;
        let parts = self.computed_parts(&mut tx, first).await?;
        let written = tx.clerk_assessments(&key, reach).await?;
        let before = tx.clerk_assessments(&previous_month(first), reach).await?;
        let mut rows = Vec::new();
        let mut names: BTreeMap<UserId, String> = clerks.into_iter().collect();
        for a in &written {
            names.entry(a.clerk_id).or_insert_with(|| a.clerk.clone());
        }
        for (clerk_id, clerk) in names {
            if reach.is_some_and(|r| r != clerk_id) {
                continue;
            }
            let assessment = written
                .iter()
                .find(|a| a.clerk_id == clerk_id)
                .filter(|a| reach.is_none() || a.status == AssessmentStatus::Confirmed)
                .cloned();
            let computed = parts.get(&clerk_id).copied().unwrap_or_default();
            let score = match &assessment {
                Some(a) => score(&a.computed, &a.items),
                None => score(&computed, &AssessmentInput::unscored()),
            };
            let second_failing = assessment
                .as_ref()
                .is_some_and(|a| a.grade == Grade::Failing)
                && before.iter().any(|b| {
                    b.clerk_id == clerk_id
                        && b.status == AssessmentStatus::Confirmed
                        && b.grade == Grade::Failing
                });
            rows.push(AssessmentRow {
                clerk_id,
                clerk,
                computed,
                score,
                assessment,
                second_failing,
            });
        }
        Ok(AssessmentMonth {
            due_on: due_day(&calendar, first),
            ended: first.last_of_month() < self.today(),
            month: key,
            rows,
        })
    }

    pub async fn clerk_assessment(&self, ctx: &Ctx, id: i64) -> AppResult<ClerkAssessment> {
        let reach = self.assessment_reach(ctx)?;
        let mut tx = self.store.read().await?;
        let a = tx
            .clerk_assessment(id)
            .await?
            .ok_or_else(|| no_assessment(id))?;
        if reach.is_some_and(|r| r != a.clerk_id || a.status != AssessmentStatus::Confirmed) {
            return Err(no_assessment(id));
        }
        Ok(a)
    }

    /// The supervisor writes a clerk's ended month (a draft until
    /// confirmed): the computed part is read from the records now.
    pub async fn write_assessment(
        &self,
        ctx: &Ctx,
        month: &str,
        clerk: UserId,
        input: AssessmentInput,
    ) -> AppResult<ClerkAssessment> {
        ctx.require(Permission::AssessmentsWrite)?;
        let items = input.validate()?;
        let first = month_start(month)?;
        let key = month_key(first);
        if first.last_of_month() >= self.today() {
            return Err(AppError::invalid(
                "month",
                "not_ended",
                format!("{key} is assessed once it has ended"),
            ));
        }
        if clerk == ctx.actor.user_id {
            return Err(AppError::invalid(
                "clerk_id",
                "own_record",
                "a clerk is assessed by his supervisor, not by himself",
            ));
        }
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.write().await?;
        if !self
            .order_clerks(&mut tx)
            .await?
            .iter()
            .any(|(u, _)| *u == clerk)
        {
            return Err(AppError::invalid(
                "clerk_id",
                "unknown_reference",
                format!("user {clerk} is no active order clerk"),
            ));
        }
        let computed = self
            .computed_parts(&mut tx, first)
            .await?
            .get(&clerk)
            .copied()
            .unwrap_or_default();
        let s = score(&computed, &items);
        let new = NewAssessment {
            clerk,
            month: key.clone(),
            computed,
            items,
            total_tenths: s.total_tenths,
            grade: s.grade,
            due_on: due_day(&calendar, first),
        };
        let Some(id) = tx
            .clerk_assessment_put(&new, ctx.actor.user_id, self.now())
            .await?
        else {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!("the assessment of {key} was confirmed; it no longer changes"),
            ));
        };
        self.audit(
            &mut tx,
            ctx,
            "clerk_assessment",
            id,
            "write",
            vec![
                change("month", &key),
                change("total_tenths", s.total_tenths.to_string()),
                change("grade", s.grade.as_str()),
            ],
        )
        .await?;
        let a = tx
            .clerk_assessment(id)
            .await?
            .ok_or_else(|| no_assessment(id))?;
        tx.commit().await?;
        Ok(a)
    }

    /// Confirms a draft; a failing month needs its rectification plan.
    pub async fn confirm_assessment(&self, ctx: &Ctx, id: i64) -> AppResult<ClerkAssessment> {
        ctx.require(Permission::AssessmentsWrite)?;
        let mut tx = self.store.write().await?;
        let a = tx
            .clerk_assessment(id)
            .await?
            .ok_or_else(|| no_assessment(id))?;
        if a.clerk_id == ctx.actor.user_id {
            return Err(AppError::invalid(
                "id",
                "own_record",
                "a clerk's assessment is confirmed by his supervisor",
            ));
        }
        if a.grade == Grade::Failing && a.items.plan.is_none() {
            return Err(AppError::invalid(
                "plan",
                "required",
                "a failing month (60 or less) is confirmed with its rectification plan (整改计划)",
            ));
        }
        if !tx.clerk_assessment_confirm(id, self.now()).await? {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!("assessment {id} is {}; only a draft is confirmed", a.status),
            ));
        }
        self.audit(
            &mut tx,
            ctx,
            "clerk_assessment",
            id,
            "confirm",
            vec![change("grade", a.grade.as_str())],
        )
        .await?;
        let a = tx
            .clerk_assessment(id)
            .await?
            .ok_or_else(|| no_assessment(id))?;
        tx.commit().await?;
        Ok(a)
    }

    /// The year of every clerk within reach, from the confirmed months.
    pub async fn assessment_year(&self, ctx: &Ctx, year: i16) -> AppResult<AssessmentYear> {
        let reach = self.assessment_reach(ctx)?;
        let mut tx = self.store.read().await?;
        let all = tx.clerk_assessments(&format!("{year:04}"), reach).await?;
        let mut by: BTreeMap<(String, UserId), Vec<MonthScore>> = BTreeMap::new();
        for a in all
            .into_iter()
            .filter(|a| a.status == AssessmentStatus::Confirmed)
        {
            by.entry((a.clerk, a.clerk_id))
                .or_default()
                .push(MonthScore {
                    month: a.month,
                    total_tenths: a.total_tenths,
                    grade: a.grade,
                });
        }
        let rows = by
            .into_iter()
            .map(|((clerk, clerk_id), months)| {
                let nums: Vec<(i8, i64)> = months
                    .iter()
                    .filter_map(|m| {
                        let n = m.month.get(5..7)?.parse().ok()?;
                        Some((n, m.total_tenths))
                    })
                    .collect();
                AssessmentYearRow {
                    clerk_id,
                    clerk,
                    summary: year_summary(&nums),
                    months,
                }
            })
            .collect();
        Ok(AssessmentYear {
            year,
            ended: self.today().year() > year,
            rows,
        })
    }

    /// None for one who is neither a supervisor nor a clerk.
    pub async fn assessment_card(&self, ctx: &Ctx) -> AppResult<Option<AssessmentCard>> {
        let a = &ctx.actor;
        let supervises = a.can(Permission::AssessmentsWrite);
        if !supervises && !a.roles.contains(&Role::OrderClerk) {
            return Ok(None);
        }
        let last = self
            .today()
            .first_of_month()
            .checked_sub(1.month())
            .map_err(|_| AppError::invalid("month", "invalid", "no last month"))?;
        let key = month_key(last);
        let calendar = self.business_calendar().await?;
        // The clerks and last month's assessments only: the card reads no
        // figures (the home page stays light).
        let mut tx = self.store.read().await?;
        let confirmed: Vec<UserId> = tx
            .clerk_assessments(&key, None)
            .await?
            .into_iter()
            .filter(|x| x.status == AssessmentStatus::Confirmed)
            .map(|x| x.clerk_id)
            .collect();
        let open = if supervises {
            self.order_clerks(&mut tx)
                .await?
                .iter()
                .filter(|(u, _)| *u != a.user_id && !confirmed.contains(u))
                .count()
        } else {
            0
        };
        let own = tx
            .clerk_assessments(&format!("{:04}", last.year()), Some(a.user_id))
            .await?
            .into_iter()
            .rev()
            .find(|x| x.status == AssessmentStatus::Confirmed);
        Ok(Some(AssessmentCard {
            month: key,
            due_on: due_day(&calendar, last),
            open: i64::try_from(open).unwrap_or(i64::MAX),
            own,
        }))
    }
}
