//! Sales contracts in the demo (CON-1, CON-2): contracts of franchisees
//! and business customers at every status — a draft, one waiting for
//! legal, one sent back by legal, one waiting for the general manager,
//! approved, signed, in force, completed and terminated — each step taken
//! by the demo user of its role over the last weeks; orders placed against
//! one in force (shipped, invoiced), supplementary agreements (a change
//! signed, a breach in review, a termination) and loans of the originals
//! (one back, one out and overdue).

use std::sync::Arc;

use anyhow::Context;
use jiff::civil::Date;
use kaidan_app::clock::MovableClock;
use kaidan_app::finance::VoucherUpload as Copy;
use kaidan_app::{App, Ctx};
use kaidan_domain::contracts::{
    BreachBy, ContractLine, ContractTerms, Dispute, Instalment, LoanInput, ReviewStep,
    SupplementContent, SupplementKind,
};
use kaidan_domain::finance::InvoiceInput;
use kaidan_domain::fulfilment::{ShipInput, picked_in_full};
use kaidan_domain::master::{CustomerData, ProductData};
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput, OrderStatus};
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
    Terminated,
}

/// The demo users who take the contracts' steps.
struct Staff {
    rep: Ctx,
    legal: Ctx,
    finance: Ctx,
    gm: Ctx,
    clerk: Ctx,
}

impl Staff {
    /// Legal, finance and the general manager approve, one a day from `day`.
    async fn review_supplement(
        &self,
        past: &App,
        clock: &MovableClock,
        id: i64,
        day: Date,
        upto: ReviewStep,
    ) -> anyhow::Result<()> {
        for (n, (who, step)) in [
            (&self.legal, ReviewStep::Legal),
            (&self.finance, ReviewStep::Finance),
            (&self.gm, ReviewStep::GeneralManager),
        ]
        .into_iter()
        .enumerate()
        {
            if step == upto {
                return Ok(());
            }
            clock.set(local(day, 10 + i8::try_from(n).unwrap_or(0), 0)?);
            past.review_supplement(who, id, step, true, "同意").await?;
        }
        Ok(())
    }
}

fn scan(name: &str) -> Copy {
    Copy {
        file_name: format!("{name}-签字盖章.png"),
        content_type: Some("image/png".into()),
        bytes: super::finance::slip_png(),
    }
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
    ctx: &Ctx,
    end: Date,
) -> anyhow::Result<()> {
    let staff = Staff {
        rep: demo_login(past, Role::SalesRep.as_str()).await?,
        legal: demo_login(past, Role::Legal.as_str()).await?,
        finance: demo_login(past, Role::Finance.as_str()).await?,
        gm: demo_login(past, Role::GeneralManager.as_str()).await?,
        clerk: demo_login(past, Role::OrderClerk.as_str()).await?,
    };
    let Staff {
        rep,
        legal,
        finance,
        gm,
        ..
    } = &staff;
    // Products of different styles from the catalogue.
    let page = past
        .list::<ProductData>(rep, &kaidan_app::ListRequest::default())
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
        // The portal's demo franchisee: its contract and what was ordered
        // against it show under 合同 in the portal too.
        ("FR-001", "2027 年度加盟供货合同", Reach::InForce, false),
        ("BZ-001", "员工工装采购合同", Reach::InForce, true),
        ("FR-005", "秋冬新品首单合同", Reach::Signed, false),
        ("BZ-002", "酒店制服采购合同", Reach::Approved, true),
        ("FR-006", "门店开业备货合同", Reach::AtManager, false),
        ("FR-007", "加盟续约供货合同", Reach::SentBack, false),
        ("FR-009", "年货节专供合同", Reach::AtLegal, false),
        ("FR-011", "新店加盟供货合同", Reach::Draft, false),
        ("FR-008", "门店转让前供货合同", Reach::Terminated, false),
    ];
    for (i, (code, title, reach, court)) in plan.into_iter().enumerate() {
        let Ok(customer) = past.id_by_code::<CustomerData>(rep, code).await else {
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
            .draft_contract(rep, &terms(CustomerId(customer), title, lines, court))
            .await
            .with_context(|| format!("the demo contract {title}"))?;
        let id = v.contract.id;
        if reach == Reach::Draft {
            continue;
        }
        clock.set(local(day(1), 9, 30)?);
        past.submit_contract(rep, id).await?;
        if reach == Reach::AtLegal {
            continue;
        }
        clock.set(local(day(1), 15, 0)?);
        if reach == Reach::SentBack {
            past.review_contract(
                legal,
                id,
                ReviewStep::Legal,
                false,
                "违约责任条款需明确卖方逾期交货的违约金上限",
            )
            .await?;
            continue;
        }
        past.review_contract(legal, id, ReviewStep::Legal, true, "条款合规")
            .await?;
        clock.set(local(day(2), 11, 0)?);
        past.review_contract(
            finance,
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
        past.review_contract(gm, id, ReviewStep::GeneralManager, true, "同意")
            .await?;
        if reach == Reach::Approved {
            continue;
        }
        clock.set(local(day(5), 10, 0)?);
        past.sign_contract(rep, id, day(5), &scan(&v.contract.number))
            .await?;
        if reach == Reach::Signed {
            continue;
        }
        clock.set(local(day(6), 9, 0)?);
        past.advance_contract(rep, id).await?;
        match (reach, code) {
            (Reach::Completed, _) => {
                clock.set(local(day(20), 17, 0)?);
                past.advance_contract(rep, id).await?;
                // Finance borrowed the original for the audit and gave it back.
                clock.set(local(day(21), 9, 0)?);
                past.borrow_original(
                    finance,
                    id,
                    &LoanInput {
                        purpose: "年度审计抽查合同原件".into(),
                        due_back: day(25),
                    },
                )
                .await?;
                clock.set(local(day(23), 16, 0)?);
                past.return_original(&staff.clerk, id).await?;
            }
            (Reach::InForce, "FR-001") => orders_against(past, clock, ctx, id, &day).await?,
            (Reach::InForce, _) => {
                supplements(past, clock, &staff, &v.contract.terms, id, &day).await?
            }
            (Reach::Terminated, _) => {
                let end = SupplementContent {
                    kind: SupplementKind::Termination,
                    clauses: "买方门店整体转让,双方协商一致自签订之日起终止本合同,已发货款项按原约定结算。"
                        .into(),
                    terms: None,
                    breach_by: None,
                    penalty: None,
                };
                clock.set(local(day(8), 10, 0)?);
                let s = past.draft_supplement(rep, id, &end).await?;
                past.submit_supplement(rep, s.id).await?;
                staff
                    .review_supplement(past, clock, s.id, day(9), ReviewStep::GeneralManager)
                    .await?;
                clock.set(local(day(10), 15, 0)?);
                past.review_supplement(gm, s.id, ReviewStep::GeneralManager, true, "同意终止")
                    .await?;
                clock.set(local(day(11), 10, 0)?);
                past.sign_supplement(rep, s.id, day(11), &scan(&s.number))
                    .await?;
            }
            _ => {}
        }
    }
    clock.set(local(end, 19, 0)?);
    Ok(())
}

/// Two orders against the contract: the first shipped and invoiced (due
/// from the signing day), the second approved and waiting for stock.
async fn orders_against(
    past: &App,
    clock: &MovableClock,
    ctx: &Ctx,
    id: i64,
    day: &impl Fn(i64) -> Date,
) -> anyhow::Result<()> {
    let contract = past.contract(ctx, id).await?.contract;
    let mut placed = Vec::new();
    for (n, share) in [(7, 4), (12, 6)] {
        clock.set(local(day(n), 10, 30)?);
        let lines = contract
            .terms
            .lines
            .iter()
            .map(|l| OrderLineInput::new(l.product_id, (l.quantity / share).max(1)))
            .collect();
        let input = OrderInput {
            contract_id: Some(id),
            customer_reference: Some(format!("{}-{n}", contract.number)),
            delivery_address: Some("收货地址见合同交货条款".into()),
            ..OrderInput::new(contract.customer_id, Channel::Phone, day(n), lines)
        };
        let view = match past.place_order(ctx, input, true, None).await? {
            kaidan_app::Created::New(v) => v,
            kaidan_app::Created::Replayed { .. } => continue,
        };
        clock.set(local(day(n), 14, 0)?);
        let reviewed = past.review_order(ctx, view.id).await?;
        let approved = super::history::finance_decides(past, ctx, view.id, reviewed).await?;
        if approved.status == OrderStatus::Approved {
            placed.push(view.id);
        }
    }
    let Some(first) = placed.first().copied() else {
        return Ok(());
    };
    clock.set(local(day(8), 15, 0)?);
    let lists = past.create_pick_lists(ctx, &[first]).await?;
    for list in lists {
        if list.lines.iter().all(|l| l.quantity == 0) {
            continue;
        }
        let picked = past
            .confirm_pick(ctx, list.id, &picked_in_full(&list.lines), 3)
            .await?;
        if picked.lines.iter().all(|l| l.picked.unwrap_or(0) == 0) {
            continue;
        }
        clock.set(local(day(8), 17, 0)?);
        past.ship(
            ctx,
            list.id,
            &ShipInput {
                carrier: "德邦物流".into(),
                tracking_no: format!("DB{id:06}{}", list.id),
                eta: day(10),
                packages: None,
            },
        )
        .await?;
        clock.set(local(day(9), 11, 0)?);
        past.issue_invoice(
            ctx,
            &InvoiceInput {
                order_id: Some(first),
                ..InvoiceInput::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// A change signed (more of the first product, 45 collection days) and a
/// breach in review; the original out on loan to legal, overdue.
async fn supplements(
    past: &App,
    clock: &MovableClock,
    staff: &Staff,
    terms: &ContractTerms,
    id: i64,
    day: &impl Fn(i64) -> Date,
) -> anyhow::Result<()> {
    let mut more = terms.clone();
    if let Some(first) = more.lines.first_mut() {
        first.quantity += 200;
    }
    more.collection_days = 45;
    let change = SupplementContent {
        kind: SupplementKind::Change,
        clauses:
            "第一条 第一项产品数量增加200件;第二条 回款期限调整为合同签订后45日;其余条款不变。"
                .into(),
        terms: Some(more),
        breach_by: None,
        penalty: None,
    };
    clock.set(local(day(8), 9, 0)?);
    let (s, number) = staff_draft(past, staff, id, &change).await?;
    staff
        .review_supplement(past, clock, s, day(9), ReviewStep::GeneralManager)
        .await?;
    clock.set(local(day(10), 15, 0)?);
    past.review_supplement(&staff.gm, s, ReviewStep::GeneralManager, true, "同意变更")
        .await?;
    clock.set(local(day(11), 10, 0)?);
    past.sign_supplement(&staff.rep, s, day(11), &scan(&number))
        .await?;
    let breach = SupplementContent {
        kind: SupplementKind::Breach,
        clauses: "卖方第二批货物逾期交付5天,按约定向买方支付违约金,并于下批货物中补足。".into(),
        terms: None,
        breach_by: Some(BreachBy::Seller),
        penalty: Some(Money::yuan(1_800)),
    };
    clock.set(local(day(14), 9, 0)?);
    let (b, _) = staff_draft(past, staff, id, &breach).await?;
    staff
        .review_supplement(past, clock, b, day(15), ReviewStep::Finance)
        .await?;
    clock.set(local(day(16), 9, 30)?);
    past.borrow_original(
        &staff.legal,
        id,
        &LoanInput {
            purpose: "核对违约条款原件".into(),
            due_back: day(19),
        },
    )
    .await?;
    Ok(())
}

/// The rep drafts and submits a supplementary agreement; its id and number.
async fn staff_draft(
    past: &App,
    staff: &Staff,
    id: i64,
    content: &SupplementContent,
) -> anyhow::Result<(i64, String)> {
    let s = past.draft_supplement(&staff.rep, id, content).await?;
    past.submit_supplement(&staff.rep, s.id).await?;
    Ok((s.id, s.number))
}
