//! Sales contracts in the demo (CON-1, CON-2): contracts of franchisees
//! and business customers at every status — a draft, one waiting for
//! legal, one sent back by legal, one waiting for the general manager,
//! approved, signed, in force and completed — each step taken by the demo
//! user of its role over the last weeks.

use std::sync::Arc;

use anyhow::Context;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_app::clock::MovableClock;
use kaidan_app::finance::VoucherUpload;
use kaidan_domain::contracts::{ContractLine, ContractTerms, Dispute, Instalment, ReviewStep};
use kaidan_domain::master::{CustomerData, ProductData};
use kaidan_domain::{CustomerId, Money, ProductId, Role};

use super::demo_login;
use super::history::local;

/// How far a demo contract gets.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Draft,
    SentBack,
    AtLegal,
    AtManager,
    Approved,
    Signed,
    InForce,
    Completed,
}

fn terms(
    customer: CustomerId,
    title: &str,
    lines: Vec<ContractLine>,
    court: bool,
) -> ContractTerms {
    ContractTerms {
        customer_id: customer,
        title: title.into(),
        lines,
        quality_standard: "符合国家标准(GB/T 2660、GB 18401)及双方封存样品".into(),
        payment_terms: "按分期约定付款,银行转账".into(),
        instalments: vec![
            Instalment { due_days: 0, percent: 30 },
            Instalment { due_days: 30, percent: 70 },
        ],
        delivery_terms: "卖方按订单分批送货至买方门店,运费由卖方承担".into(),
        after_sales: "质保期一年,质量问题七天内退换,质保期内免费维修或换货".into(),
        breach_liability: "买方逾期付款的,按逾期金额每日万分之五支付违约金;卖方逾期交货的,按逾期货值每日万分之五支付违约金".into(),
        late_interest_bp: 5,
        dispute: if court { Dispute::Court } else { Dispute::Arbitration },
        dispute_venue: if court { "上海市浦东新区人民法院" } else { "深圳国际仲裁院" }.into(),
        collection_days: 30,
        starts_on: None,
        ends_on: None,
    }
}

/// The demo's contracts, their steps spread over the days before `end`.
pub(super) async fn history(
    past: &App,
    clock: &Arc<MovableClock>,
    end: Date,
) -> anyhow::Result<()> {
    let rep = demo_login(past, Role::SalesRep.as_str()).await?;
    let legal = demo_login(past, Role::Legal.as_str()).await?;
    let finance = demo_login(past, Role::Finance.as_str()).await?;
    let gm = demo_login(past, Role::GeneralManager.as_str()).await?;
    // Products of different styles from the catalogue.
    let page = past
        .list::<ProductData>(&rep, &kaidan_app::ListRequest::default())
        .await?;
    let skus: Vec<ProductId> = page
        .items
        .iter()
        .step_by(9)
        .take(4)
        .map(|r| ProductId(r.id))
        .collect();
    anyhow::ensure!(
        skus.len() >= 2,
        "the demo catalogue has products for its contracts"
    );
    let line = |i: usize, qty: i64, price: i64| ContractLine {
        product_id: skus[i % skus.len()],
        spec: "按订单尺码配比".into(),
        quantity: qty,
        unit_price: Money::yuan(price),
    };
    let plan = [
        ("FR-003", "2027 春夏加盟供货合同", Reach::Completed, false),
        ("FR-004", "2027 年度加盟供货合同", Reach::InForce, false),
        ("BZ-001", "员工工装采购合同", Reach::InForce, true),
        ("FR-005", "秋冬新品首单合同", Reach::Signed, false),
        ("BZ-002", "酒店制服采购合同", Reach::Approved, true),
        ("FR-006", "门店开业备货合同", Reach::AtManager, false),
        ("FR-007", "加盟续约供货合同", Reach::SentBack, false),
        ("FR-009", "年货节专供合同", Reach::AtLegal, false),
        ("FR-011", "新店加盟供货合同", Reach::Draft, false),
    ];
    for (i, (code, title, reach, court)) in plan.into_iter().enumerate() {
        let Ok(customer) = past.id_by_code::<CustomerData>(&rep, code).await else {
            continue;
        };
        let start = end
            .checked_sub(jiff::Span::new().days(30 - 3 * i64::try_from(i).unwrap_or(0)))
            .unwrap_or(end);
        let day = |n: i64| {
            start
                .checked_add(jiff::Span::new().days(n))
                .unwrap_or(end)
                .min(end)
        };
        clock.set(local(day(0), 10, 0)?);
        let lines = vec![
            line(i, 600 + 100 * i64::try_from(i).unwrap_or(0), 85),
            line(i + 1, 300, 120),
        ];
        let v = past
            .draft_contract(&rep, &terms(CustomerId(customer), title, lines, court))
            .await
            .with_context(|| format!("the demo contract {title}"))?;
        let id = v.contract.id;
        if reach == Reach::Draft {
            continue;
        }
        clock.set(local(day(1), 9, 30)?);
        past.submit_contract(&rep, id).await?;
        if reach == Reach::AtLegal {
            continue;
        }
        clock.set(local(day(1), 15, 0)?);
        if reach == Reach::SentBack {
            past.review_contract(
                &legal,
                id,
                ReviewStep::Legal,
                false,
                "违约责任条款需明确卖方逾期交货的违约金上限",
            )
            .await?;
            continue;
        }
        past.review_contract(&legal, id, ReviewStep::Legal, true, "条款合规")
            .await?;
        clock.set(local(day(2), 11, 0)?);
        past.review_contract(
            &finance,
            id,
            ReviewStep::Finance,
            true,
            "分期付款比例与信用额度相符",
        )
        .await?;
        if reach == Reach::AtManager {
            continue;
        }
        clock.set(local(day(3), 16, 0)?);
        past.review_contract(&gm, id, ReviewStep::GeneralManager, true, "同意")
            .await?;
        if reach == Reach::Approved {
            continue;
        }
        clock.set(local(day(5), 10, 0)?);
        let copy = VoucherUpload {
            file_name: format!("{}-签字盖章.png", v.contract.number),
            content_type: Some("image/png".into()),
            bytes: super::finance::slip_png(),
        };
        past.sign_contract(&rep, id, day(5), &copy).await?;
        if reach == Reach::Signed {
            continue;
        }
        clock.set(local(day(6), 9, 0)?);
        past.advance_contract(&rep, id).await?;
        if reach == Reach::Completed {
            clock.set(local(day(20), 17, 0)?);
            past.advance_contract(&rep, id).await?;
        }
    }
    clock.set(local(end, 19, 0)?);
    Ok(())
}
