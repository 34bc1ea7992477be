//! Sales targets in the demo (SAL-1): the sales manager writes this year's
//! plan from the month after the demo's history begins, split to two teams
//! (the south team with its rep, the north team with the second rep) and
//! to the regions, counted on the ordered amount; the general manager
//! approves it. Each rep's month is set from his last thirty days' sales:
//! the south rep's a little above (he misses last month and is
//! interviewed), the north rep's a little below (he meets it).

use std::collections::BTreeMap;

use anyhow::Context;
use jiff::civil::Date;
use kaidan_app::{App, Ctx};
use kaidan_domain::figures::{Breakdown, Figure, FigurePeriod};
use kaidan_domain::targets::{
    FollowUpInput, FollowUpKind, QuantityTargetInput, TargetBasis, TargetLineInput,
    TargetPlanInput, TargetSubject,
};
use kaidan_domain::teams::TeamInput;
use kaidan_domain::{Money, Quantity, Role, UserId};

use super::demo_login;

/// A rep's monthly target as a share of his last thirty days, in percent.
const SOUTH_STRETCH: i64 = 115;
const NORTH_STRETCH: i64 = 90;

/// What was sold in the last thirty days, by the breakdown's keys, in fen.
async fn last_thirty_days(
    app: &App,
    ctx: &Ctx,
    today: Date,
    by: Breakdown,
) -> anyhow::Result<BTreeMap<String, i64>> {
    let from = today
        .checked_sub(jiff::Span::new().days(30))
        .context("thirty days ago")?;
    let to = today.yesterday().context("yesterday")?;
    let period = FigurePeriod::new(from, to)?;
    let r = app.figure(ctx, Figure::Sales, period, Some(by)).await?;
    Ok(r.table
        .groups
        .into_iter()
        .filter(|g| !g.key.is_empty())
        .map(|g| (g.key, g.tally.amount.units() / 100))
        .collect())
}

fn yuan_fen(fen: i64) -> Money {
    Money::from_units(fen * 100)
}

/// A month's amount in the plan's months from `first` (1-based) on.
fn months_from(first: i8, fen: i64) -> Vec<Money> {
    (1..=12)
        .map(|m| {
            if m >= first {
                yuan_fen(fen)
            } else {
                Money::ZERO
            }
        })
        .collect()
}

/// Units a month of the company's quantity targets (ADR 0045): apparel
/// and shoes, the lines the demo's customers order most.
const APPAREL_UNITS: i64 = 1_100;
const SHOE_UNITS: i64 = 300;

/// A quantity target of `units` a month of `category` from month `first`.
fn units_from(first: i8, category: &str, units: i64) -> QuantityTargetInput {
    let months: Vec<Quantity> = (1..=12)
        .map(|m| Quantity::new(if m >= first { units } else { 0 }).unwrap_or(Quantity::ZERO))
        .collect();
    QuantityTargetInput {
        category: category.into(),
        annual: Quantity::new(months.iter().map(|q| q.get()).sum()).unwrap_or(Quantity::ZERO),
        months: Some(months),
    }
}

pub(super) async fn plan(app: &App, history_start: Date, today: Date) -> anyhow::Result<()> {
    let manager = demo_login(app, Role::SalesManager.as_str()).await?;
    let gm = demo_login(app, Role::GeneralManager.as_str()).await?;
    let admin = demo_login(app, Role::Admin.as_str()).await?;
    let users = app.list_users(&admin).await?;
    let id = |name: &str| -> anyhow::Result<UserId> {
        users
            .iter()
            .find(|u| u.username == name)
            .map(|u| u.id)
            .with_context(|| format!("the demo user {name}"))
    };
    let (south_rep, north_rep) = (id(Role::SalesRep.as_str())?, id(super::data::SECOND_REP.0)?);
    let teams = app.teams(&admin).await?;
    let south = teams
        .iter()
        .find(|t| t.code == "SALES-S1")
        .context("the demo's south team")?
        .id;
    let north = app
        .create_team(
            &admin,
            TeamInput {
                code: "SALES-N1".into(),
                name: "华北及直营销售组".into(),
                // Led for now by nobody: the south manager's figures stay
                // his own team's.
                manager_id: None,
            },
        )
        .await
        .context("the demo's north team")?
        .id;
    app.set_user_team(&admin, north_rep, Some(north)).await?;

    // The plan starts with the first month the history covers in full.
    let year = today.year();
    let first: i8 = if history_start.year() < year {
        1
    } else {
        (history_start.month() + 1).min(12)
    };
    let by_rep = last_thirty_days(app, &admin, today, Breakdown::Rep).await?;
    let sold = |u: UserId| by_rep.get(&u.get().to_string()).copied().unwrap_or(0);
    // Whole yuan a month, so the splits below stay in whole fen.
    let south_month = (sold(south_rep) * SOUTH_STRETCH / 100 / 100).max(1) * 100;
    let north_month = (sold(north_rep) * NORTH_STRETCH / 100 / 100).max(1) * 100;
    let company_month = south_month + north_month;
    let line = |subject, fen| {
        let months = months_from(first, fen);
        TargetLineInput {
            subject,
            annual: months.iter().copied().sum(),
            months: Some(months),
            quantities: Vec::new(),
        }
    };
    let mut company = line(TargetSubject::Company, company_month);
    company.quantities = vec![
        units_from(first, "服装", APPAREL_UNITS),
        units_from(first, "鞋类", SHOE_UNITS),
    ];
    let mut south_line = line(TargetSubject::Rep { id: south_rep }, south_month);
    south_line.quantities = vec![units_from(first, "服装", APPAREL_UNITS / 2)];
    let mut lines = vec![
        company,
        line(TargetSubject::Team { id: south }, south_month),
        line(TargetSubject::Team { id: north }, north_month),
        south_line,
        line(TargetSubject::Rep { id: north_rep }, north_month),
    ];
    // The regions share the company's month as they sold; the last one
    // takes what the shares' rounding leaves.
    let by_region = last_thirty_days(app, &admin, today, Breakdown::Region).await?;
    let total: i64 = by_region.values().sum::<i64>().max(1);
    let mut left = company_month;
    let regions: Vec<(i64, i64)> = by_region
        .iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, *v)))
        .collect();
    for (i, (region, fen)) in regions.iter().enumerate() {
        let share = if i + 1 == regions.len() {
            left
        } else {
            company_month * fen / total
        };
        left -= share;
        lines.push(line(TargetSubject::Region { id: *region }, share));
    }
    let input = TargetPlanInput {
        basis: TargetBasis::Ordered,
        note: Some(format!(
            "{year}年度销售目标:自{first}月起按月考核,按订单金额计算完成。"
        )),
        lines,
    };
    let y = year;
    app.put_target_plan(&manager, y, input)
        .await
        .context("the demo's target plan")?;
    app.submit_target_plan(&manager, y).await?;
    app.approve_target_plan(&gm, y).await?;
    // The south rep's last month, missed: the manager's interview.
    for miss in app.target_misses(&manager, y).await? {
        if miss.subject == (TargetSubject::Rep { id: south_rep }) && miss.follow_ups.is_empty() {
            let kind = if miss.missed_in_a_row >= 2 {
                FollowUpKind::Warning
            } else {
                FollowUpKind::Interview
            };
            app.record_target_follow_up(
                &manager,
                y,
                FollowUpInput {
                    subject: miss.subject,
                    month: miss.month,
                    kind,
                    note: "已约谈,业务员提交改进计划:加密重点加盟商拜访,补足差额。".into(),
                },
            )
            .await?;
            break;
        }
    }
    Ok(())
}
