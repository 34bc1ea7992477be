//! Reading points: every rep's balance at a day, one rep's statement entry
//! by entry, the champions of a year, a rep's home card.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_domain::points::{AwardStatus, PointsStatement, in_force, ranking, statement};
use kaidan_domain::targets::TargetBasis;
use kaidan_domain::{Money, Permission, UserId};
use serde::Serialize;

use super::entries;
use crate::collection::start_of;
use crate::ports::LedgerRow;
use crate::{App, AppError, AppResult, Ctx};

/// A rep's points at a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsBalance {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    pub balance: i64,
    pub earned: i64,
    pub redeemed: i64,
    pub expired: i64,
    pub expiring_soon: i64,
}

/// A rep's statement with the entries it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepStatement {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    pub statement: PointsStatement,
    /// The ledger's entries up to the day, what each came from.
    pub entries: Vec<LedgerRow>,
}

/// One place of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChampionPlace {
    pub place: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub rep: String,
    pub sales: Money,
}

/// The first places of a month, a quarter or the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChampionPeriod {
    /// `2026-03`, `2026-Q1` or `2026`.
    pub period: String,
    /// `month`, `quarter` or `year`.
    pub span: String,
    /// Whether the period is over (its champion is final).
    pub ended: bool,
    /// The first three places (more when tied).
    pub places: Vec<ChampionPlace>,
}

/// The champions of a year (seed 001 第十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsChampions {
    pub year: i16,
    /// What sales are counted on: the scheme in force at the year's start
    /// (or its first scheme), else orders received.
    pub basis: TargetBasis,
    pub periods: Vec<ChampionPeriod>,
}

/// A home page's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsCard {
    pub balance: Option<PointsBalance>,
    /// Awards waiting for the reader's approval.
    pub waiting_awards: usize,
}

const PLACES_SHOWN: u32 = 3;

fn check_day(at: Date) -> AppResult<Date> {
    if (2000..=2100).contains(&at.year()) {
        Ok(at)
    } else {
        Err(AppError::invalid(
            "at",
            "out_of_range",
            "a day is in the years 2000 to 2100",
        ))
    }
}

fn balance_of(rep: UserId, name: String, s: &PointsStatement) -> PointsBalance {
    PointsBalance {
        rep_id: rep,
        rep: name,
        balance: s.balance,
        earned: s.earned,
        redeemed: s.redeemed,
        expired: s.expired,
        expiring_soon: s.expiring_soon,
    }
}

impl App {
    /// Every rep within reach at `at` (today when not given): the sales
    /// people, and anyone else the ledger names.
    pub async fn points_balances(
        &self,
        ctx: &Ctx,
        at: Option<Date>,
    ) -> AppResult<Vec<PointsBalance>> {
        let reach = self.points_reach(ctx).await?;
        let at = check_day(at.unwrap_or_else(|| self.today()))?;
        let mut tx = self.store.read().await?;
        let mut people: BTreeMap<UserId, String> = self
            .sales_staff(&mut tx)
            .await?
            .into_iter()
            .filter(|(u, _)| reach.as_ref().is_none_or(|r| r.contains(u)))
            .collect();
        let ledger = tx.points_ledger(reach.as_deref()).await?;
        let mut by_rep: BTreeMap<UserId, Vec<LedgerRow>> = BTreeMap::new();
        for row in ledger {
            by_rep.entry(row.rep_id).or_default().push(row);
        }
        for rep in by_rep.keys() {
            if !people.contains_key(rep)
                && let Some(u) = tx.user_get(*rep).await?
            {
                people.insert(*rep, u.display_name);
            }
        }
        let mut out: Vec<PointsBalance> = people
            .into_iter()
            .map(|(rep, name)| {
                let rows = by_rep.get(&rep).map(Vec::as_slice).unwrap_or_default();
                balance_of(rep, name, &statement(&entries(rows), at))
            })
            .collect();
        out.sort_by(|a, b| b.balance.cmp(&a.balance).then(a.rep.cmp(&b.rep)));
        Ok(out)
    }

    /// A rep's balance at `at`, explained entry by entry.
    pub async fn points_statement(
        &self,
        ctx: &Ctx,
        rep: UserId,
        at: Option<Date>,
    ) -> AppResult<RepStatement> {
        let reach = self.points_reach(ctx).await?;
        let at = check_day(at.unwrap_or_else(|| self.today()))?;
        let missing = || AppError::NotFound {
            what: "rep",
            id: rep.to_string(),
        };
        if reach.as_ref().is_some_and(|r| !r.contains(&rep)) {
            return Err(missing());
        }
        let mut tx = self.store.read().await?;
        let user = tx.user_get(rep).await?.ok_or_else(missing)?;
        let mut rows = tx.points_ledger(Some(&[rep])).await?;
        let s = statement(&entries(&rows), at);
        rows.retain(|r| r.on <= at);
        Ok(RepStatement {
            rep_id: rep,
            rep: user.display_name,
            statement: s,
            entries: rows,
        })
    }

    /// The champions of each month, quarter and the year, on the basis of
    /// the scheme in force at the year's start. They are announced to all
    /// (seed 001 第九条: 积分使用情况由公司定期公布).
    pub async fn points_champions(&self, ctx: &Ctx, year: i16) -> AppResult<PointsChampions> {
        self.points_reach(ctx).await?;
        let start = Date::new(year, 1, 1)
            .ok()
            .filter(|_| (2000..=2100).contains(&year))
            .ok_or_else(|| AppError::invalid("year", "out_of_range", "a year is 2000 to 2100"))?;
        let mut tx = self.store.read().await?;
        let schemes = tx.points_schemes().await?;
        let basis = in_force(&schemes, |s| s.from, start)
            .or(schemes.first())
            .map_or(TargetBasis::Ordered, |s| s.basis);
        let mut bounds = Vec::with_capacity(13);
        for m in 0..=12i8 {
            let d = start
                .checked_add(i64::from(m).months())
                .map_err(|_| AppError::invalid("year", "out_of_range", "a year is 2000 to 2100"))?;
            bounds.push((d, start_of(d)));
        }
        let days: Vec<Date> = bounds.iter().map(|(d, _)| *d).collect();
        self.keep_target_months(basis, &days).await;
        let rows = tx.target_actuals(basis, &bounds).await?;
        let names: BTreeMap<UserId, String> = tx
            .user_list()
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        drop(tx);
        // Sales per rep in each month.
        let mut months: Vec<BTreeMap<UserId, Money>> = vec![BTreeMap::new(); 12];
        for r in rows {
            if let (Some(rep), Some(m)) = (r.rep, months.get_mut(r.bucket)) {
                let s = m.entry(rep).or_insert(Money::ZERO);
                *s = s.checked_add(r.amount).unwrap_or(Money::MAX);
            }
        }
        let today = self.today();
        let places = |sums: BTreeMap<UserId, Money>| -> Vec<ChampionPlace> {
            let v: Vec<(UserId, Money)> = sums.into_iter().collect();
            ranking(&v)
                .into_iter()
                .take_while(|(p, _, _)| *p <= PLACES_SHOWN)
                .map(|(place, rep, sales)| ChampionPlace {
                    place,
                    rep_id: rep,
                    rep: names.get(&rep).cloned().unwrap_or_else(|| rep.to_string()),
                    sales,
                })
                .collect()
        };
        let sum_of = |range: std::ops::Range<usize>| {
            let mut out: BTreeMap<UserId, Money> = BTreeMap::new();
            for m in &months[range] {
                for (rep, a) in m {
                    let s = out.entry(*rep).or_insert(Money::ZERO);
                    *s = s.checked_add(*a).unwrap_or(Money::MAX);
                }
            }
            out
        };
        let mut periods = Vec::new();
        for m in 0..12usize {
            periods.push(ChampionPeriod {
                period: format!("{year}-{:02}", m + 1),
                span: "month".into(),
                ended: bounds[m + 1].0 <= today,
                places: places(months[m].clone()),
            });
        }
        for q in 0..4usize {
            periods.push(ChampionPeriod {
                period: format!("{year}-Q{}", q + 1),
                span: "quarter".into(),
                ended: bounds[q * 3 + 3].0 <= today,
                places: places(sum_of(q * 3..q * 3 + 3)),
            });
        }
        periods.push(ChampionPeriod {
            period: year.to_string(),
            span: "year".into(),
            ended: bounds[12].0 <= today,
            places: places(sum_of(0..12)),
        });
        Ok(PointsChampions {
            year,
            basis,
            periods,
        })
    }

    /// The home page's points: one's own balance (for whoever redeems) and
    /// the awards waiting for one's approval.
    pub async fn points_card(&self, ctx: &Ctx) -> AppResult<Option<PointsCard>> {
        let a = &ctx.actor;
        if !a.can(Permission::PointsRedeem) && !a.can(Permission::PointsApprove) {
            return Ok(None);
        }
        let balance = if a.can(Permission::PointsRedeem) {
            let s = self.points_statement(ctx, a.user_id, None).await?;
            Some(balance_of(a.user_id, s.rep, &s.statement))
        } else {
            None
        };
        let waiting_awards = if a.can(Permission::PointsApprove) {
            self.points_awards(ctx, Some(AwardStatus::Proposed))
                .await?
                .into_iter()
                .filter(|w| w.proposed_by_id != a.user_id && w.rep_id != a.user_id)
                .count()
        } else {
            0
        };
        Ok(Some(PointsCard {
            balance,
            waiting_awards,
        }))
    }
}
