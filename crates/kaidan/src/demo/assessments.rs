//! The clerks' monthly assessment in the demo (KPI-6): the general
//! manager scores both order clerks for every ended month of the history
//! and confirms them — a failing month with its rectification plan — and
//! leaves last month's second clerk as a draft, due within this month's
//! first ten working days.

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_domain::Role;
use kaidan_domain::assessments::{AssessmentInput, Grade};

use super::demo_login;

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub(super) async fn assessments(app: &App, history_start: Date, today: Date) -> anyhow::Result<()> {
    let gm = demo_login(app, Role::GeneralManager.as_str()).await?;
    let this_month = today.first_of_month();
    let last_month = this_month.checked_sub(1.month())?;
    let mut month = history_start.first_of_month();
    while month < this_month {
        let key = month_key(month);
        let m = app.assessment_month(&gm, &key).await?;
        for (i, row) in m.rows.iter().enumerate() {
            // The first clerk is steady; the second is weaker on documents.
            let items = if i == 0 {
                AssessmentInput {
                    discipline: 9,
                    cooperation: 9,
                    documents: 8,
                    service: 9,
                    remark: Some("订单录入细致,客户回复及时".into()),
                    plan: None,
                }
            } else {
                AssessmentInput {
                    discipline: 8,
                    cooperation: 7,
                    documents: 6,
                    service: 8,
                    remark: Some("单据归档不及时,需加强".into()),
                    plan: Some("每日下班前完成单据归档,主管每周抽查".into()),
                }
            };
            let a = app
                .write_assessment(&gm, &key, row.clerk_id, items)
                .await
                .with_context(|| format!("the demo's assessment of {} for {key}", row.clerk))?;
            let waits = month == last_month && i > 0;
            if !waits && (a.grade != Grade::Failing || a.items.plan.is_some()) {
                app.confirm_assessment(&gm, a.id).await?;
            }
        }
        month = month.checked_add(1.month())?;
    }
    Ok(())
}
