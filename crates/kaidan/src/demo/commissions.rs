//! Sales commissions in the demo (SAL-5): the general manager's policy
//! from the history's first month (on invoices; shoes and accessories at
//! their own rates; tiers by target completion) and a change to a policy
//! on what is collected in the middle of last month; the sales manager
//! computes each ended month; the south rep's first month is reviewed and
//! confirmed by finance, last month waits for the review.

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_app::commissions::StatementStep;
use kaidan_domain::Role;
use kaidan_domain::commissions::{CommissionBasis, CommissionPolicyInput, RateInput, TierInput};
use rust_decimal::Decimal;

use super::demo_login;

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn pct(hundredths: i64) -> Decimal {
    Decimal::new(hundredths, 2)
}

pub(super) async fn commissions(app: &App, history_start: Date, today: Date) -> anyhow::Result<()> {
    let gm = demo_login(app, Role::GeneralManager.as_str()).await?;
    let manager = demo_login(app, Role::SalesManager.as_str()).await?;
    let finance = demo_login(app, Role::Finance.as_str()).await?;
    let south = demo_login(app, Role::SalesRep.as_str()).await?;

    let first = history_start.first_of_month();
    let this_month = today.first_of_month();
    let last_month = this_month.checked_sub(1.month())?;
    let tier = |from: i64, factor: i64| TierInput {
        from_completion: pct(from * 100),
        factor: pct(factor * 100),
    };
    app.put_commission_policy(
        &gm,
        CommissionPolicyInput {
            from: first,
            basis: CommissionBasis::Invoiced,
            default_rate: pct(150),
            rates: vec![
                RateInput {
                    category: "鞋类".into(),
                    rate: pct(200),
                },
                RateInput {
                    category: "配饰".into(),
                    rate: pct(300),
                },
            ],
            tiers: vec![tier(0, 60), tier(80, 100), tier(120, 130)],
            note: Some("按开票金额(不含税)计提,按月目标完成率分档".into()),
        },
    )
    .await
    .context("the demo's first commission policy")?;
    if last_month > first {
        app.put_commission_policy(
            &gm,
            CommissionPolicyInput {
                from: last_month.checked_add(15.days())?,
                basis: CommissionBasis::Collected,
                default_rate: pct(200),
                rates: vec![RateInput {
                    category: "配饰".into(),
                    rate: pct(350),
                }],
                tiers: vec![tier(0, 80), tier(100, 100), tier(120, 120)],
                note: Some("改为按回款计提,促进货款回收".into()),
            },
        )
        .await
        .context("the demo's second commission policy")?;
    }

    let mut month = first;
    while month < this_month {
        let m = app
            .compute_commissions(&manager, &month_key(month))
            .await
            .with_context(|| format!("the demo's commissions of {}", month_key(month)))?;
        if month < last_month {
            let south_id = south.actor.user_id;
            for s in m.statements.iter().filter(|s| s.rep_id == south_id) {
                app.move_commission_statement(&manager, s.id, StatementStep::Review, None)
                    .await?;
                app.move_commission_statement(&finance, s.id, StatementStep::Confirm, None)
                    .await?;
            }
        }
        month = month.checked_add(1.month())?;
    }
    Ok(())
}
