//! One order: header, lines, progress, timeline, joint decisions, shortages
//! and the review actions the visitor may take (ORD-4..8).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::orders::{DeadlineKind, DeadlineRecord, Department, OrderEvent, OrderStatus};
use kaidan_domain::{OrderId, Permission, Role};

use super::super::format::{Status, local_time, shown};
use super::super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, not_found_page, render,
};
use super::history::{may_see_account, order_tabs};
use super::{Due, customer_names, stage_label, status_label};
use crate::pages::history::Tab;
use crate::state::AppState;
use kaidan_app::orders::deadlines::DeadlineFacts;
use kaidan_domain::field_rules::Field;

pub struct LineView {
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
    pub tax: String,
    pub reference_price: String,
    pub deviates: bool,
    pub approved_by: String,
    pub needs_approval: bool,
    pub reserved: i64,
    pub backordered: i64,
    pub shipped: i64,
    /// Reserved share of the quantity, in percent, for the progress bar.
    pub percent: i64,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub step: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

pub struct JointView {
    pub department: String,
    pub decision: String,
    pub approved: bool,
    pub who: String,
    pub at: String,
    pub note: String,
}

pub struct DeptAction {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "order_detail.html")]
pub struct DetailPage {
    pub chrome: Chrome,
    pub title: String,
    pub id: i64,
    pub number: String,
    pub status: Status,
    /// Allocated or picking (ORD-7), from the same definition as the list
    /// and the API.
    pub stage: Option<Status>,
    /// The order, its history, the customer's account (SEC-2).
    pub tabs: Vec<Tab>,
    pub customer: String,
    pub fields: Vec<(&'static str, String)>,
    /// The contract the order is placed against (CON-2): its id and number
    /// (the id alone for a reader who may not see contracts).
    pub contract: Option<(i64, String)>,
    pub priority: bool,
    pub special: bool,
    pub review: Due,
    pub ship: Due,
    /// The recorded outcome of each decided deadline (ORD-6), "" while open.
    pub review_done: String,
    pub ship_done: String,
    pub lines: Vec<LineView>,
    /// The reader sees the prices the order confirmation prints.
    pub can_print: bool,
    pub total_quantity: String,
    pub total_amount: String,
    pub total_tax: String,
    pub total_net: String,
    pub timeline: Vec<EventView>,
    pub joint: Vec<JointView>,
    pub shortages: super::shortages::ShortageSection,
    /// Delivery notes: (id, number, carrier, tracking number, ETA, status,
    /// delivered).
    pub shipments: Vec<(i64, String, String, String, String, &'static str, bool)>,
    /// May raise a return against a delivered shipment (AFS-1).
    pub can_return: bool,
    pub error: Option<String>,
    pub can_review: bool,
    pub can_approve_price: bool,
    pub finance_action: Option<(&'static str, &'static str)>,
    pub joint_actions: Vec<DeptAction>,
    pub can_reject: bool,
    pub can_cancel: bool,
}

pub(crate) fn step_label(lang: Lang, kind: &str) -> String {
    let (zh, en) = match kind {
        "created" => ("接收订单", "Received"),
        "in_review" => ("开始审核", "Review started"),
        "reviewed" => ("审核完成", "Reviewed"),
        "price_approval_needed" => ("待批准价格", "Price approval needed"),
        "price_approved" => ("批准价格", "Price approved"),
        "credit_hold" => ("信用冻结", "Credit hold"),
        "credit_released" => ("解除信用冻结", "Credit hold released"),
        "finance_passed" => ("财务通过", "Finance passed"),
        "joint_review" => ("进入会审", "Joint review"),
        "joint_decision" => ("会审意见", "Joint review decision"),
        "approved" => ("批准并编号", "Approved and numbered"),
        "rejected" => ("退回", "Rejected"),
        "cancelled" => ("取消", "Cancelled"),
        "pick_list" => ("生成拣货单", "Pick list made"),
        "picked" => ("拣货包装", "Picked and packed"),
        "shipped" => ("发运", "Shipped"),
        "tracking" => ("物流轨迹", "Tracking"),
        "delivered" => ("签收", "Delivered"),
        "return_request" => ("退换货申请", "Return requested"),
        "return_approve" => ("退换货批准", "Return approved"),
        "return_reject" => ("退换货驳回", "Return rejected"),
        "return_cancel" => ("退换货撤销", "Return withdrawn"),
        "return_receive" => ("退货收货检验", "Return received"),
        "return_complete" => ("退换货完结", "Return closed"),
        "backorder_filled" => ("到货补足缺货", "Backorder filled"),
        "shortage_choice" => ("缺货处理方式", "Shortage choice"),
        "shortage_cancelled" => ("取消缺货数量", "Short quantity cancelled"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

/// A decided deadline in words: when the work was done and, if late, by
/// how many minutes (ORD-6). Empty while the deadline is open.
fn record_text(lang: Lang, records: &[DeadlineRecord], kind: DeadlineKind) -> String {
    let Some(r) = records.iter().find(|r| r.kind == kind) else {
        return String::new();
    };
    let done = format!(
        "{} {}",
        lang.pick("完成于", "Completed"),
        local_time(r.completed_at)
    );
    if r.met {
        done
    } else {
        format!(
            "{done} · {} {} {}",
            lang.pick("超时", "late by"),
            r.late_minutes,
            lang.pick("分钟", "min")
        )
    }
}

fn dept_label(lang: Lang, d: Department) -> &'static str {
    lang.pick(
        d.label_zh(),
        match d {
            Department::Sales => "Sales",
            Department::Finance => "Finance",
            Department::Warehouse => "Warehouse/production",
            Department::Logistics => "Logistics",
        },
    )
}

pub(super) async fn page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    view: OrderView,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let mut view = view;
    view.redact_timeline(ctx);
    let names = customer_names(s, ctx, &[view.customer_id])
        .await
        .or_page(lang)?;
    let watch = s.app.deadline_watch().await.or_page(lang)?;
    let d = &view.content;
    let parse = |t: &str| t.parse::<jiff::Timestamp>().ok();
    let (review_state, ship_state) = match (
        parse(&view.received_at),
        parse(&view.review_due_at),
        parse(&view.ship_due_at),
    ) {
        (Some(received_at), Some(review_due_at), Some(ship_due_at)) => {
            let states = watch.states(&DeadlineFacts {
                status: view.status,
                received_at,
                review_due_at,
                ship_due_at,
                review_met: view.review_met,
                ship_met: view
                    .deadlines
                    .iter()
                    .find(|r| r.kind == DeadlineKind::Ship)
                    .map(|r| r.met),
            });
            (states.review, states.ship)
        }
        _ => (None, None),
    };
    let show_time = |t: &str| parse(t).map(local_time).unwrap_or_else(|| t.to_string());
    let progress: HashMap<u32, _> = view.progress.iter().map(|p| (p.line_no, p)).collect();
    let open_review = matches!(view.status, OrderStatus::Submitted | OrderStatus::InReview);
    let vis = ctx.visibility();
    let lines = d
        .lines
        .iter()
        .map(|l| {
            let p = progress.get(&l.line_no);
            let qty = l.quantity.to_string().parse::<i64>().unwrap_or(0);
            let reserved = p.map(|p| p.reserved).unwrap_or(0);
            LineView {
                line_no: l.line_no,
                sku: l.sku.clone(),
                name: l.name.clone(),
                spec: l.spec.clone(),
                unit: l.unit.clone(),
                quantity: l.quantity.to_string(),
                unit_price: shown(&vis, Field::OrderUnitPrice, l.unit_price),
                amount: shown(&vis, Field::OrderLineAmount, l.amount),
                tax: shown(&vis, Field::OrderLineTax, l.tax),
                reference_price: shown(&vis, Field::OrderReferencePrice, l.reference_price),
                deviates: l.deviates,
                approved_by: l
                    .price_approval
                    .as_ref()
                    .map(|a| {
                        format!(
                            "{} {}",
                            lang.pick(a.role.label_zh(), a.role.as_str()),
                            local_time(a.at)
                        )
                    })
                    .unwrap_or_default(),
                needs_approval: l.needs_price_approval() && open_review,
                reserved,
                backordered: p.map(|p| p.backordered).unwrap_or(0),
                shipped: p.map(|p| p.shipped).unwrap_or(0),
                percent: if qty > 0 {
                    (reserved * 100 / qty).clamp(0, 100)
                } else {
                    0
                },
            }
        })
        .collect();
    let status_text = |s: Option<OrderStatus>| s.map(|s| status_label(lang, s)).unwrap_or("");
    let timeline = view
        .timeline
        .iter()
        .map(|e| EventView {
            at: local_time(e.at),
            who: e.actor_name.clone(),
            step: step_label(lang, &e.kind),
            from: status_text(e.from_status).to_string(),
            to: status_text(e.to_status).to_string(),
            note: e.note.clone(),
        })
        .collect();
    let joint = view
        .joint_decisions
        .iter()
        .map(|j| JointView {
            department: dept_label(lang, j.department).to_string(),
            decision: if j.approved {
                lang.pick("同意", "Approved")
            } else {
                lang.pick("驳回", "Rejected")
            }
            .to_string(),
            approved: j.approved,
            who: j.actor_name.clone(),
            at: local_time(j.at),
            note: j.note.clone(),
        })
        .collect();
    let shortages = super::shortages::section(s, ctx, lang, &view)
        .await
        .or_page(lang)?;
    let actor = &ctx.actor;
    let admin = actor.has_role(Role::Admin);
    let finance_action = if actor.can(Permission::OrderFinanceReview) {
        match view.status {
            OrderStatus::FinanceReview => Some(("pass", lang.pick("财务通过", "Finance pass"))),
            OrderStatus::CreditHold => {
                Some(("release", lang.pick("解除信用冻结", "Release credit hold")))
            }
            _ => None,
        }
    } else {
        None
    };
    let decided: Vec<Department> = view.joint_decisions.iter().map(|j| j.department).collect();
    let joint_actions =
        if view.status == OrderStatus::JointReview && actor.can(Permission::OrderJointReview) {
            Department::ALL
                .iter()
                .filter(|d| !decided.contains(d) && (admin || actor.has_role(d.role())))
                .map(|d| DeptAction {
                    code: d.as_str(),
                    label: dept_label(lang, *d),
                })
                .collect()
        } else {
            Vec::new()
        };
    let mut fields = vec![
        (lang.pick("渠道", "Channel"), {
            let c = d.channel;
            lang.pick(c.label_zh(), c.as_str()).to_string()
        }),
        (
            lang.pick("订单日期", "Order date"),
            d.order_date.to_string(),
        ),
        (
            lang.pick("要求交货日期", "Requested delivery"),
            d.requested_delivery_date
                .map(|x| x.to_string())
                .unwrap_or_else(|| lang.pick("尽快", "As soon as possible").into()),
        ),
        (
            lang.pick("交货地址", "Delivery address"),
            d.delivery_address.clone(),
        ),
        (
            lang.pick("客户单号", "Customer reference"),
            d.customer_reference.clone().unwrap_or_default(),
        ),
        (
            lang.pick("联系人", "Contact"),
            [d.contact_name.clone(), d.contact_phone.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            lang.pick("付款方式/条件", "Payment method/terms"),
            format!(
                "{} / {}",
                super::entry::method_label(lang, d.payment_method),
                super::entry::terms_label(lang, d.payment_terms)
            ),
        ),
        (
            lang.pick("接收时间", "Received"),
            show_time(&view.received_at),
        ),
        (lang.pick("开票/回款", "Billing"), {
            let b = view.billing;
            lang.pick(b.label_zh(), b.as_str()).to_string()
        }),
    ];
    if let Some(n) = &d.notes {
        fields.push((lang.pick("备注", "Notes"), n.clone()));
    }
    let contract = match d.contract_id {
        Some(k) => Some(match s.app.contract(ctx, k).await {
            Ok(v) => (k, v.contract.number),
            Err(_) => (k, format!("#{k}")),
        }),
        None => None,
    };
    let number = view
        .number
        .clone()
        .unwrap_or_else(|| lang.pick("待编号", "(no number yet)").to_string());
    Ok(render(
        status,
        &DetailPage {
            title: format!("{} {}", lang.pick("订单", "Order"), number),
            id: view.id.get(),
            number,
            status: Status::new(view.status.as_str(), status_label(lang, view.status)),
            stage: view
                .stage
                .map(|st| Status::new(st.as_str(), stage_label(lang, st))),
            tabs: order_tabs(lang, &view, may_see_account(ctx, &view), false),
            customer: super::customer_label(&names, view.customer_id),
            fields,
            contract,
            priority: d.priority,
            special: d.special,
            review: Due::new(lang, show_time(&view.review_due_at), review_state),
            ship: Due::new(lang, show_time(&view.ship_due_at), ship_state),
            review_done: record_text(lang, &view.deadlines, DeadlineKind::Review),
            ship_done: record_text(lang, &view.deadlines, DeadlineKind::Ship),
            lines,
            can_print: crate::print::may_print_order(&vis),
            total_quantity: d.totals.quantity.to_string(),
            total_amount: shown(&vis, Field::OrderTotalAmount, d.totals.amount),
            total_tax: shown(&vis, Field::OrderTotalTax, d.totals.tax),
            total_net: shown(&vis, Field::OrderTotalNet, d.totals.net),
            timeline,
            joint,
            shortages,
            shipments: view
                .shipments
                .iter()
                .map(|x| {
                    let status = match x.status {
                        kaidan_domain::fulfilment::ShipmentStatus::Shipped => {
                            lang.pick("在途", "In transit")
                        }
                        kaidan_domain::fulfilment::ShipmentStatus::Delivered => {
                            lang.pick("已签收", "Delivered")
                        }
                    };
                    (
                        x.id,
                        x.number.clone(),
                        x.carrier.clone(),
                        x.tracking_no.clone(),
                        x.eta.to_string(),
                        status,
                        x.status == kaidan_domain::fulfilment::ShipmentStatus::Delivered,
                    )
                })
                .collect(),
            can_return: actor.can(Permission::ReturnRequest),
            error,
            can_review: actor.can(Permission::OrderReview) && open_review,
            can_approve_price: actor.can(Permission::OrderApprovePrice),
            finance_action,
            joint_actions,
            can_reject: actor.can(Permission::OrderReview)
                && view.status.apply(OrderEvent::Reject).is_ok(),
            can_cancel: actor.can(Permission::OrderCancel)
                && view.status.apply(OrderEvent::Cancel).is_ok(),
            chrome,
        },
    ))
}

/// GET /orders/{id}
pub async fn show(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let view = s.app.order(&ctx, OrderId(id)).await.or_page(chrome.lang)?;
    page(&s, &ctx, chrome, view, StatusCode::OK, None).await
}

pub(in crate::pages) fn action_error(lang: Lang, e: &AppError) -> (StatusCode, String) {
    match e {
        AppError::Invalid(v) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}: {v}", lang.pick("无法执行", "Not possible")),
        ),
        AppError::Forbidden(p) => (
            StatusCode::FORBIDDEN,
            format!("{}: {}", lang.t("forbidden"), p.as_str()),
        ),
        AppError::VersionConflict { .. } => (StatusCode::CONFLICT, lang.t("conflict").into()),
        other => (StatusCode::CONFLICT, other.to_string()),
    }
}

/// POST /orders/{id}/{action}: review, approve-price, finance, joint,
/// reject, cancel. Success goes back to the order; a refusal is shown on it.
pub async fn act(
    State(s): State<AppState>,
    PageId(id): PageId,
    Path((_, action)): Path<(String, String)>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let id = OrderId(id);
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let invalid = |field: &str, msg: &str| {
        Err(AppError::Invalid(kaidan_domain::ValidationErrors::single(
            field.to_string(),
            "required",
            msg.to_string(),
        )))
    };
    let result: Result<OrderView, AppError> = match action.as_str() {
        "review" => s.app.review_order(&ctx, id).await,
        "approve-price" => match field("line_no").parse::<u32>() {
            Ok(n) => s.app.approve_price(&ctx, id, n).await,
            Err(_) => invalid("line_no", "which line?"),
        },
        "finance" => {
            let decision = match field("decision").as_str() {
                "release" => FinanceDecision::Release,
                _ => FinanceDecision::Pass,
            };
            s.app.finance_review(&ctx, id, decision).await
        }
        "joint" => match field("department").parse::<Department>() {
            Ok(d) => {
                let approve = field("decision") != "reject";
                s.app
                    .joint_decide(&ctx, id, d, approve, &field("note"))
                    .await
            }
            Err(_) => invalid("department", "which department?"),
        },
        "reject" | "cancel" => {
            let reason = field("reason");
            if reason.is_empty() {
                invalid("reason", lang.pick("请填写原因", "a reason is needed"))
            } else if action == "reject" {
                s.app.reject_order(&ctx, id, &reason).await
            } else {
                s.app.cancel_order(&ctx, id, &reason).await
            }
        }
        _ => return Ok(not_found_page()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{}", id.get())).into_response()),
        Err(e @ AppError::NotFound { .. }) => Err(PageError::new(lang, e)),
        Err(e) => {
            let (status, msg) = action_error(lang, &e);
            match s.app.order(&ctx, id).await {
                Ok(view) => page(&s, &ctx, chrome, view, status, Some(msg)).await,
                Err(_) => Err(PageError::new(lang, e)),
            }
        }
    }
}
