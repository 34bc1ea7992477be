//! After-sales in the demo (issue 19): returns at every stage, complaints
//! over the weeks with one overdue and one waiting for the customer, and
//! satisfaction surveys answered over the months by customers of several
//! regions. Each step is taken by the demo user of its role, a few days
//! after the delivery it concerns, on the demo's clock.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kaidan_app::after_sales::{ComplaintStepInput, CompleteReturnInput};
use kaidan_app::clock::MovableClock;
use kaidan_app::ports::ShipmentRow;
use kaidan_app::{App, Ctx};
use kaidan_domain::after_sales::{
    ComplaintChannel, ComplaintDepartment, ComplaintInput, ComplaintStep, Inspection, ReceiveInput,
    Remedy, ReturnInput, ReturnLineInput, ReturnReason, SurveyAnswersInput,
};
use kaidan_domain::fulfilment::ShipmentStatus;
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{Role, WarehouseId};

use super::data::SplitMix64;
use super::demo_login;
use super::history::local;

fn day_of(t: Timestamp) -> Date {
    t.to_zoned(company_time_zone()).date()
}

/// What a return of the demo goes through.
#[derive(Clone, Copy)]
enum Stage {
    Requested,
    Approved,
    Received,
    Rejected,
    Refunded,
    Exchanged,
    Repaired,
}

struct Staff {
    rep: Ctx,
    manager: Ctx,
    warehouse: Ctx,
    finance: Ctx,
}

/// Returns, complaints and surveys over the history; the clock is left at
/// `end` (yesterday evening).
pub(super) async fn history(
    past: &App,
    clock: &Arc<MovableClock>,
    end: Date,
) -> anyhow::Result<()> {
    let staff = Staff {
        rep: demo_login(past, Role::SalesRep.as_str()).await?,
        manager: demo_login(past, Role::SalesManager.as_str()).await?,
        warehouse: demo_login(past, Role::Warehouse.as_str()).await?,
        finance: demo_login(past, Role::Finance.as_str()).await?,
    };
    let mut delivered: Vec<ShipmentRow> = past
        .shipments(&staff.warehouse, None, Some(ShipmentStatus::Delivered))
        .await?
        .into_iter()
        .filter(|s| s.lines.iter().any(|l| l.accepted.unwrap_or(0) > 0))
        .collect();
    delivered.sort_by_key(|s| s.delivered_at);
    anyhow::ensure!(
        delivered.len() >= 20,
        "the demo history delivered {} shipments; after-sales needs 20",
        delivered.len()
    );
    let plan = [
        (Stage::Refunded, ReturnReason::Quality, Remedy::Refund),
        (Stage::Exchanged, ReturnReason::WrongGoods, Remedy::Exchange),
        (Stage::Repaired, ReturnReason::Quality, Remedy::Repair),
        (Stage::Rejected, ReturnReason::ChangedMind, Remedy::Refund),
        (Stage::Received, ReturnReason::TransitDamage, Remedy::Refund),
        (Stage::Approved, ReturnReason::Quality, Remedy::Exchange),
        (Stage::Requested, ReturnReason::WrongGoods, Remedy::Refund),
    ];
    // Spread over the history: the later stages on the later deliveries.
    let step = (delivered.len() / (plan.len() + 8)).max(1);
    for (i, (stage, reason, remedy)) in plan.into_iter().enumerate() {
        let s = &delivered[delivered.len() - 1 - (plan.len() - i) * step];
        one_return(past, clock, &staff, s, stage, reason, remedy, end).await?;
    }
    complaints(past, clock, &staff, &delivered, end).await?;
    surveys(past, clock, &staff, end).await?;
    clock.set(local(end, 19, 0)?);
    Ok(())
}

/// Sets the clock to `days` working-ish days after `from` at `hour`, never
/// past `end`.
fn at(clock: &MovableClock, from: Timestamp, days: i64, hour: i8, end: Date) -> anyhow::Result<()> {
    let day = day_of(from)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(end)
        .min(end);
    clock.set(local(day, hour, 0)?);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn one_return(
    past: &App,
    clock: &MovableClock,
    staff: &Staff,
    s: &ShipmentRow,
    stage: Stage,
    reason: ReturnReason,
    remedy: Remedy,
    end: Date,
) -> anyhow::Result<()> {
    let delivered = s.delivered_at.context("a delivered shipment")?;
    let line = s
        .lines
        .iter()
        .find(|l| l.accepted.unwrap_or(0) > 0)
        .context("a delivered line")?;
    let qty = line.accepted.unwrap_or(1).min(2);
    at(clock, delivered, 1, 10, end)?;
    let input = ReturnInput {
        shipment_id: s.id,
        reason,
        remedy,
        description: match reason {
            ReturnReason::Quality => "开线、脱胶,门店拍照反馈".into(),
            ReturnReason::WrongGoods => "发错颜色,订单为黑色".into(),
            ReturnReason::TransitDamage => "外箱破损,签收后开箱发现污损".into(),
            _ => "门店销售不佳,申请退回".into(),
        },
        lines: vec![ReturnLineInput {
            line_no: line.line_no,
            quantity: qty,
        }],
    };
    let photo = super::finance::slip_png();
    let photos = [kaidan_app::finance::VoucherUpload {
        file_name: "现场照片.png".into(),
        content_type: Some("image/png".into()),
        bytes: photo,
    }];
    let r = past
        .request_return(&staff.rep, &input, &photos)
        .await
        .context("a demo return request")?;
    if matches!(stage, Stage::Requested) {
        return Ok(());
    }
    at(clock, delivered, 2, 9, end)?;
    if matches!(stage, Stage::Rejected) {
        past.decide_return(
            &staff.manager,
            r.id,
            false,
            "超过七天无理由退货期,且非质量问题",
        )
        .await?;
        return Ok(());
    }
    past.decide_return(&staff.manager, r.id, true, "同意,请按RMA号寄回")
        .await?;
    if matches!(stage, Stage::Approved) {
        return Ok(());
    }
    at(clock, delivered, 4, 14, end)?;
    let inspection = match (remedy, reason) {
        (Remedy::Repair, _) => BTreeMap::new(),
        (_, ReturnReason::Quality | ReturnReason::TransitDamage) if qty > 1 => BTreeMap::from([(
            line.line_no,
            Inspection {
                restock: 0,
                quarantine: 0,
                scrap: qty,
            },
        )]),
        _ => BTreeMap::from([(
            line.line_no,
            Inspection {
                restock: qty,
                quarantine: 0,
                scrap: 0,
            },
        )]),
    };
    past.receive_return(
        &staff.warehouse,
        r.id,
        &ReceiveInput {
            lines: inspection,
            quarantine_warehouse_id: None::<WarehouseId>,
            note: "已收到退货,包装完好".into(),
        },
    )
    .await
    .context("a demo return received")?;
    if matches!(stage, Stage::Received) {
        return Ok(());
    }
    at(clock, delivered, 5, 11, end)?;
    let (who, note) = match stage {
        Stage::Refunded => (&staff.finance, "已红冲原发票"),
        Stage::Exchanged => (&staff.manager, "换货已下单"),
        _ => (&staff.warehouse, "更换拉链后顺丰寄回"),
    };
    past.complete_return(who, r.id, &CompleteReturnInput { note: note.into() })
        .await
        .context("a demo return closed")?;
    Ok(())
}

async fn complaints(
    past: &App,
    clock: &MovableClock,
    staff: &Staff,
    delivered: &[ShipmentRow],
    end: Date,
) -> anyhow::Result<()> {
    let subjects = [
        (
            ComplaintDepartment::Logistics,
            ComplaintChannel::Phone,
            "快递员未送货上门",
        ),
        (
            ComplaintDepartment::Quality,
            ComplaintChannel::Visit,
            "T恤洗后缩水",
        ),
        (
            ComplaintDepartment::Finance,
            ComplaintChannel::Email,
            "发票抬头有误",
        ),
        (
            ComplaintDepartment::Warehouse,
            ComplaintChannel::Phone,
            "少发两件",
        ),
        (
            ComplaintDepartment::Sales,
            ComplaintChannel::Portal,
            "订货价格与价目表不符",
        ),
        (
            ComplaintDepartment::Logistics,
            ComplaintChannel::Phone,
            "到货比承诺晚三天",
        ),
        (
            ComplaintDepartment::Quality,
            ComplaintChannel::Email,
            "鞋底开胶",
        ),
        (
            ComplaintDepartment::Warehouse,
            ComplaintChannel::Phone,
            "外箱标签错误",
        ),
    ];
    let n = subjects.len();
    let step = (delivered.len() / (n + 2)).max(1);
    for (i, (department, channel, subject)) in subjects.into_iter().enumerate() {
        let s = &delivered[i * step];
        let delivered_at = s.delivered_at.context("a delivered shipment")?;
        at(clock, delivered_at, 1, 15, end)?;
        let last = i + 1 == n;
        let c = past
            .record_complaint(
                &staff.rep,
                &ComplaintInput {
                    customer_id: s.customer_id,
                    channel,
                    department,
                    subject: subject.into(),
                    detail: "门店店长来电反映".into(),
                    order_id: Some(s.order_id),
                    shipment_id: Some(s.id),
                    return_id: None,
                    owner_id: None,
                    received_at: None,
                },
            )
            .await
            .context("a demo complaint")?;
        let id = c.complaint.id;
        let handler = match department {
            ComplaintDepartment::Finance => &staff.finance,
            ComplaintDepartment::Warehouse | ComplaintDepartment::Logistics => &staff.warehouse,
            _ => &staff.manager,
        };
        let step_of = |step: ComplaintStep, note: &str| ComplaintStepInput {
            step,
            note: note.into(),
            department: None,
            owner_id: None,
        };
        // The second one is answered late (after 30 hours).
        at(
            clock,
            delivered_at,
            if i == 1 { 2 } else { 1 },
            if i == 1 { 22 } else { 17 },
            end,
        )?;
        past.complaint_step(
            handler,
            id,
            &step_of(ComplaintStep::Acknowledge, "已致电客户,正在核查"),
        )
        .await?;
        if i + 2 == n {
            // Still being worked on.
            continue;
        }
        at(clock, delivered_at, 3, 10, end)?;
        past.complaint_step(
            handler,
            id,
            &step_of(ComplaintStep::Resolve, "已补发/更正,并向客户致歉"),
        )
        .await?;
        if last {
            // Waits for the customer's word.
            continue;
        }
        at(clock, delivered_at, 4, 10, end)?;
        past.complaint_step(
            &staff.rep,
            id,
            &step_of(ComplaintStep::Confirm, "客户电话确认满意"),
        )
        .await?;
        at(clock, delivered_at, 6, 16, end)?;
        past.complaint_step(
            &staff.rep,
            id,
            &step_of(ComplaintStep::Callback, "回访:问题已解决,客户满意"),
        )
        .await?;
    }
    Ok(())
}

/// Today's complaints: one received yesterday morning and still not
/// acknowledged (overdue by now), one this morning.
pub(super) async fn complaints_today(app: &App) -> anyhow::Result<()> {
    let rep = demo_login(app, Role::SalesRep.as_str()).await?;
    let shipments = app
        .shipments(
            &demo_login(app, Role::Warehouse.as_str()).await?,
            None,
            Some(ShipmentStatus::Delivered),
        )
        .await?;
    let s = shipments.last().context("a delivered shipment")?;
    let now = app.now();
    for (hours_ago, subject, dept) in [
        (30, "门店反映整批货品有异味", ComplaintDepartment::Quality),
        (2, "希望增加周末送货", ComplaintDepartment::Logistics),
    ] {
        app.record_complaint(
            &rep,
            &ComplaintInput {
                customer_id: s.customer_id,
                channel: ComplaintChannel::Phone,
                department: dept,
                subject: subject.into(),
                detail: String::new(),
                order_id: Some(s.order_id),
                shipment_id: None,
                return_id: None,
                owner_id: None,
                received_at: Some(now - SignedDuration::from_hours(hours_ago)),
            },
        )
        .await
        .context("today's demo complaint")?;
    }
    // What `kaidan serve`'s job would do within minutes.
    app.run_job_now(&Ctx::system(), "complaint_overdue", "demo")
        .await
        .context("flagging the demo's overdue complaint")?;
    Ok(())
}

/// Surveys: each delivered order's survey goes out three days after its
/// delivery (the job, day by day) and most are answered within days; the
/// sales manager sends November's survey to two regions.
async fn surveys(past: &App, clock: &MovableClock, staff: &Staff, end: Date) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(0x5u64 << 40 | 19);
    let first = end
        .checked_sub(jiff::Span::new().weeks(super::history::WEEKS))
        .context("the first survey day")?;
    let mut day = first;
    while day <= end {
        clock.set(local(day, 6, 0)?);
        past.run_job_now(&Ctx::system(), "survey_send", "demo")
            .await?;
        day = day.tomorrow().context("the next day")?;
    }
    // November's (or the month's) survey of two regions, two weeks in.
    let mid = first
        .checked_add(jiff::Span::new().weeks(2))
        .unwrap_or(end)
        .min(end);
    clock.set(local(mid, 9, 0)?);
    let period = mid.strftime("%Y-%m").to_string();
    for code in ["SZ", "SH", "BJ"] {
        let region = past
            .id_by_code::<kaidan_domain::master::RegionData>(&staff.manager, code)
            .await?;
        match past
            .send_period_survey(&staff.manager, kaidan_domain::RegionId(region), &period)
            .await
        {
            // A region without franchisees of its own has nobody to ask.
            Ok(_) | Err(kaidan_app::AppError::Invalid(_)) => {}
            Err(e) => return Err(e).context("a demo period survey"),
        }
    }
    let mut sent = past.surveys(&staff.manager, None).await?;
    sent.reverse();
    for s in &sent {
        // One in five is never answered.
        if rng.range(0, 5) == 0 {
            continue;
        }
        let answered = day_of(s.sent_at)
            .checked_add(jiff::Span::new().days(rng.range(0, 4)))
            .unwrap_or(end)
            .min(end);
        clock.set(local(answered, 20, 0)?);
        // Some customers are unhappy with the season, whatever they are
        // asked; most are satisfied.
        let unhappy = s.customer_id.get() % 5 == 2;
        let answers = answers_for(&mut rng, &s.questions, unhappy);
        // The links went out with the events; the demo's customers answer
        // the rep's call (回访) instead.
        past.record_survey_answers(&staff.rep, s.id, &answers)
            .await
            .context("a demo survey answered")?;
    }
    Ok(())
}

fn answers_for(
    rng: &mut SplitMix64,
    questions: &[kaidan_domain::after_sales::SurveyQuestion],
    unhappy: bool,
) -> SurveyAnswersInput {
    let base = if unhappy { 2 } else { 4 };
    SurveyAnswersInput {
        answers: questions
            .iter()
            .map(|q| {
                let v = match q.kind {
                    kaidan_domain::after_sales::QuestionKind::Score => {
                        (base + rng.range(0, 2)).clamp(1, 5).to_string()
                    }
                    kaidan_domain::after_sales::QuestionKind::Text => {
                        const WORDS: [&str; 4] = ["", "送货及时", "希望多些新款", "客服态度很好"];
                        let i = usize::try_from(rng.range(0, 3)).unwrap_or(0);
                        WORDS.get(i).copied().unwrap_or_default().to_string()
                    }
                };
                (q.key.clone(), v)
            })
            .collect(),
    }
}
