//! Customer visits in the demo (SAL-2, KPI-5): the south rep's visit plan
//! of each month the history covers, handed in before the month (the
//! first one late) and approved by his manager; a report of each planned
//! visit made — most on the day, one in five after the two days allowed —
//! with the inquiries taken and the things promised, most of them done;
//! the manager reviews most reports. Next month's plan waits for him.

use std::sync::Arc;

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::clock::MovableClock;
use kaidan_app::{App, ListRequest};
use kaidan_domain::master::CustomerData;
use kaidan_domain::visits::{
    ActionInput, PlannedVisitInput, VisitPlanInput, VisitPurpose, VisitReportInput,
};
use kaidan_domain::{CustomerId, Money, Role};
use rust_decimal::Decimal;

use super::demo_login;
use super::history::local;

const PURPOSES: [VisitPurpose; 4] = [
    VisitPurpose::CustomerCare,
    VisitPurpose::Collection,
    VisitPurpose::NewProduct,
    VisitPurpose::MarketResearch,
];

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Six visits in the month starting `first`, on its working weekdays, to
/// the rep's customers in turn, and one prospect.
fn plan_of(first: Date, customers: &[CustomerId], turn: usize) -> VisitPlanInput {
    let mut visits = Vec::new();
    for (i, day) in [3_i8, 7, 11, 15, 19, 24].into_iter().enumerate() {
        let mut d = first.with().day(day).build().unwrap_or(first);
        // Saturdays and Sundays move to the Monday after.
        while d.weekday().to_monday_zero_offset() >= 5 {
            d = d.tomorrow().unwrap_or(d);
        }
        let prospect = i == 4;
        visits.push(PlannedVisitInput {
            customer_id: (!prospect).then(|| customers[(turn + i) % customers.len()]),
            prospect: prospect.then(|| "东莞松山湖新商场".to_string()),
            day: d,
            hours: Decimal::new(if i % 2 == 0 { 15 } else { 20 }, 1),
            purpose: if prospect {
                VisitPurpose::NewCustomer
            } else {
                PURPOSES[i % PURPOSES.len()]
            },
            expense: Money::yuan(if prospect { 300 } else { 120 }),
            gifts: (i == 2).then(|| "秋冬新品样衣两件".to_string()),
        });
    }
    VisitPlanInput {
        note: Some("重点:回款与秋冬新品推广".into()),
        visits,
    }
}

pub(super) async fn history(
    past: &App,
    clock: &Arc<MovableClock>,
    first_day: Date,
    last: Date,
) -> anyhow::Result<()> {
    let rep = demo_login(past, Role::SalesRep.as_str()).await?;
    let manager = demo_login(past, Role::SalesManager.as_str()).await?;
    let customers: Vec<CustomerId> = past
        .list::<CustomerData>(
            &rep,
            &ListRequest {
                limit: Some(200),
                ..ListRequest::default()
            },
        )
        .await?
        .items
        .into_iter()
        .filter(|c| c.data.sales_rep_id == Some(rep.actor.user_id))
        .map(|c| CustomerId(c.id))
        .take(8)
        .collect();
    anyhow::ensure!(!customers.is_empty(), "the demo rep serves customers");
    let mut month = first_day.first_of_month();
    let mut turn = 0;
    while month <= last.first_of_month().checked_add(1.month())? {
        // Handed in on the 26th of the month before; the first month's on
        // the history's first day, late; next month's yesterday.
        let hand_in = if month <= first_day {
            first_day
        } else if month > last {
            last
        } else {
            month.checked_sub(1.month())?.with().day(26).build()?
        };
        clock.set(local(hand_in, 17, 30)?);
        let key = month_key(month);
        let plan = past
            .put_visit_plan(&rep, &key, plan_of(month, &customers, turn))
            .await
            .with_context(|| format!("the demo's visit plan of {key}"))?;
        past.submit_visit_plan(&rep, plan.id).await?;
        let next = month > last.first_of_month();
        if next {
            // Next month's plan waits for the manager.
            break;
        }
        clock.set(local(hand_in.tomorrow()?, 9, 15)?);
        past.approve_visit_plan(&manager, plan.id).await?;
        for v in &plan.visits {
            if v.visit.day > last || v.visit.day < first_day {
                continue;
            }
            let n = usize::try_from(v.visit_no).unwrap_or(0) + turn;
            // One report in five comes three days late.
            let written = if n % 5 == 0 {
                v.visit.day.checked_add(3.days())?
            } else {
                v.visit.day
            };
            if written > last {
                continue;
            }
            clock.set(local(written, 18, 0)?);
            let report = past
                .record_visit_report(
                    &rep,
                    VisitReportInput {
                        plan_id: Some(plan.id),
                        visit_no: Some(v.visit_no),
                        customer_id: v.visit.customer_id,
                        prospect: v.visit.prospect.clone(),
                        visited_on: v.visit.day,
                        purpose: v.visit.purpose,
                        summary: match v.visit.purpose {
                            VisitPurpose::Collection => {
                                "对账无误,客户承诺月底前付清上月货款。".into()
                            }
                            VisitPurpose::NewProduct => {
                                "介绍秋冬新品,店长对羽绒系列兴趣较大。".into()
                            }
                            VisitPurpose::NewCustomer => {
                                "商场招商中,业主希望引进我司品牌,需报送加盟条件。".into()
                            }
                            VisitPurpose::MarketResearch => {
                                "走访商圈,竞品本月折扣力度较大。".into()
                            }
                            _ => "店铺陈列良好,销售稳定,反映部分尺码断货。".into(),
                        },
                        inquiries: i64::try_from(n % 4).unwrap_or(0),
                        actions: vec![ActionInput {
                            what: "回复客户询问的到货时间".into(),
                            due: v.visit.day.checked_add(3.days())?,
                        }],
                    },
                )
                .await?;
            // Most promised things are done, most reports reviewed.
            let done_on = v.visit.day.checked_add(2.days())?;
            if n % 3 != 0 && done_on <= last {
                clock.set(local(done_on, 11, 0)?);
                past.close_visit_action(&rep, report.id, 1, Some("已电话回复".into()))
                    .await?;
            }
            if n % 4 != 1 {
                let review = written.checked_add(1.days())?.min(last);
                clock.set(local(review, 9, 40)?);
                past.review_visit_report(&manager, report.id, None).await?;
            }
        }
        month = month.checked_add(1.month())?;
        turn += 1;
    }
    clock.set(local(last, 18, 30)?);
    Ok(())
}
