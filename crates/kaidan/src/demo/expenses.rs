//! Sales expenses in the demo (SAL-3): the general manager's budgets of
//! each month of the history (the south rep and his team); at each month's
//! end the south rep claims his planned visits' travel and entertainment
//! and a few samples, with a receipt, submitted to his manager; the
//! manager and then finance approve it and finance pays it in the days
//! after. This month's claim waits for the manager.

use std::sync::Arc;

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_app::clock::MovableClock;
use kaidan_app::expenses::ClaimDecision;
use kaidan_app::finance::VoucherUpload;
use kaidan_domain::expenses::{
    BudgetLine, BudgetSubject, ExpenseCategory, ExpenseClaimInput, ExpenseLineInput,
};
use kaidan_domain::visits::VisitPlanStatus;
use kaidan_domain::{Money, Role};

use super::demo_login;
use super::history::local;

/// A 1×1 PNG: the photo of a receipt.
const RECEIPT: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub(super) async fn history(
    past: &App,
    clock: &Arc<MovableClock>,
    first_day: Date,
    last: Date,
) -> anyhow::Result<()> {
    let rep = demo_login(past, Role::SalesRep.as_str()).await?;
    let manager = demo_login(past, Role::SalesManager.as_str()).await?;
    let gm = demo_login(past, Role::GeneralManager.as_str()).await?;
    let finance = demo_login(past, Role::Finance.as_str()).await?;
    let admin = demo_login(past, Role::Admin.as_str()).await?;
    let team = past
        .teams(&admin)
        .await?
        .into_iter()
        .find(|t| t.code == "SALES-S1")
        .context("the demo's south team")?
        .id;
    let mut month = first_day.first_of_month();
    while month <= last {
        let key = month_key(month);
        clock.set(local(month.max(first_day), 9, 0)?);
        past.put_expense_budgets(
            &gm,
            &key,
            vec![
                BudgetLine {
                    subject: BudgetSubject::Rep {
                        id: rep.actor.user_id,
                    },
                    amount: Money::yuan(1500),
                },
                BudgetLine {
                    subject: BudgetSubject::Team { id: team },
                    amount: Money::yuan(2500),
                },
            ],
        )
        .await
        .with_context(|| format!("the demo's budgets of {key}"))?;
        let claim_day = month.last_of_month().min(last);
        let plan = past
            .visit_plans(&rep, &key)
            .await?
            .into_iter()
            .find(|p| p.rep_id == rep.actor.user_id && p.status == VisitPlanStatus::Approved);
        let mut lines = Vec::new();
        if let Some(p) = &plan {
            for v in p
                .visits
                .iter()
                .filter(|v| v.visit.day >= first_day && v.visit.day <= claim_day)
            {
                // Travel a little under what was asked for; entertainment
                // at every other visit, which takes some over the plan.
                let travel = Money::from_units(v.visit.expense.units() / 100 * 60);
                lines.push(ExpenseLineInput {
                    spent_on: v.visit.day,
                    category: ExpenseCategory::Travel,
                    amount: travel,
                    customer_id: v.visit.customer_id,
                    visit_no: Some(v.visit_no),
                    description: "往返车费".into(),
                });
                if v.visit_no % 2 == 0 {
                    lines.push(ExpenseLineInput {
                        spent_on: v.visit.day,
                        category: ExpenseCategory::Entertainment,
                        amount: Money::yuan(88),
                        customer_id: v.visit.customer_id,
                        visit_no: Some(v.visit_no),
                        description: "工作餐".into(),
                    });
                }
            }
        }
        lines.push(ExpenseLineInput {
            spent_on: claim_day.max(first_day),
            category: ExpenseCategory::Samples,
            amount: Money::yuan(65),
            customer_id: None,
            visit_no: None,
            description: "新品样衣快递费".into(),
        });
        clock.set(local(claim_day, 18, 30)?);
        let claim = past
            .write_expense_claim(
                &rep,
                None,
                ExpenseClaimInput {
                    month: key.clone(),
                    plan_id: plan.as_ref().map(|p| p.id).filter(|_| lines.len() > 1),
                    note: Some(format!("{key} 拜访费用")),
                    lines,
                },
            )
            .await
            .with_context(|| format!("the demo's expense claim of {key}"))?;
        let id = claim.claim.id;
        past.attach_expense_receipt(
            &rep,
            id,
            VoucherUpload {
                file_name: format!("receipts-{key}.png"),
                content_type: Some("image/png".into()),
                bytes: RECEIPT.to_vec(),
            },
        )
        .await?;
        past.submit_expense_claim(&rep, id, Some("月底客户答谢".into()))
            .await?;
        // The manager, finance and the payment on the days after, within
        // the history.
        let steps: [(i64, u8); 3] = [(1, 0), (2, 1), (3, 2)];
        for (days, step) in steps {
            let day = claim_day.checked_add(days.days())?;
            if day > last {
                break;
            }
            clock.set(local(day, 10, 0)?);
            match step {
                0 => {
                    past.decide_expense_claim(&manager, id, ClaimDecision::ManagerApprove)
                        .await?
                }
                1 => {
                    past.decide_expense_claim(&finance, id, ClaimDecision::FinanceApprove)
                        .await?
                }
                _ => {
                    past.pay_expense_claim(
                        &finance,
                        id,
                        day,
                        format!("记-{}-{id:03}", key.replace('-', "")),
                    )
                    .await?
                }
            };
        }
        month = month.checked_add(1.month())?;
    }
    Ok(())
}
