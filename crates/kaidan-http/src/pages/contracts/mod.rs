//! Sales contracts (销售合同, CON-1, CON-2): the archive with its search,
//! a draft written from the company's template (the terms of seed 001
//! filled in, to be adapted), and one contract with its versions, its
//! review by legal, finance and the general manager, its signing, what
//! was ordered against it, its supplementary agreements and the loans of
//! its original (the steps of those two in `steps.rs`).

mod steps;

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::contracts::ContractView;
use kaidan_app::finance::VoucherUpload;
use kaidan_app::ports::{ContractFilter, ContractRow};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::contracts::{
    ContractLine, ContractStatus, ContractTerms, Dispute, Instalment, ReviewStep,
};
use kaidan_domain::finance::MAX_VOUCHER_BYTES;
use kaidan_domain::master::ProductData;
use kaidan_domain::{CustomerId, Money, Permission, ProductId, ValidationErrors};

use super::finance::{csrf_refused, customer_names, voucher_form};
use super::format::{local_time, product_labels};
use super::history::{HistoryRow, history};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageForm, PageId, PageResult, after_post, after_step, render,
    status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(list_page).post(draft))
        .route("/contracts/new", get(new_page))
        .route("/contracts/{id}", get(contract_page))
        .route("/contracts/{id}/terms", post(revise))
        .route("/contracts/{id}/submit", post(submit))
        .route("/contracts/{id}/review", post(review))
        .route(
            "/contracts/{id}/sign",
            post(sign).layer(DefaultBodyLimit::max(MAX_VOUCHER_BYTES + 256 * 1024)),
        )
        .route("/contracts/{id}/advance", post(advance))
        .route("/contracts/{id}/signed-copy", get(copy))
        .merge(steps::routes())
}

fn status_label(lang: Lang, s: ContractStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            ContractStatus::Draft => "Draft",
            ContractStatus::InReview => "In review",
            ContractStatus::Approved => "Approved",
            ContractStatus::Signed => "Signed",
            ContractStatus::InForce => "In force",
            ContractStatus::Completed => "Completed",
            ContractStatus::Terminated => "Terminated",
        },
    }
}

fn step_label(lang: Lang, s: ReviewStep) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            ReviewStep::Legal => "Legal review",
            ReviewStep::Finance => "Finance review",
            ReviewStep::GeneralManager => "General manager",
        },
    }
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    /// (contract, status label, signed on)
    items: Vec<(ContractRow, &'static str, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    q: BTreeMap<String, String>,
    can_draft: bool,
    error: Option<String>,
}

impl ListPage {
    fn get(&self, k: &str) -> &str {
        self.q.get(k).map(String::as_str).unwrap_or_default()
    }
}

/// GET /contracts?q=&status=&customer_id=&signed_from=&signed_to=&min_amount=&max_amount=
async fn list_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let raw = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut bad = Vec::new();
    let mut parse = |k: &str, ok: bool| {
        if !ok {
            bad.push(format!(
                "{k}: '{}' is not valid here",
                raw(k).unwrap_or_default()
            ));
        }
    };
    let status = raw("status").map(str::parse::<ContractStatus>);
    let customer = raw("customer_id").map(str::parse::<i64>);
    let from = raw("signed_from").map(str::parse::<Date>);
    let to = raw("signed_to").map(str::parse::<Date>);
    let min = raw("min_amount").map(str::parse::<Money>);
    let max = raw("max_amount").map(str::parse::<Money>);
    parse("status", status.as_ref().is_none_or(Result::is_ok));
    parse("customer_id", customer.as_ref().is_none_or(Result::is_ok));
    parse("signed_from", from.as_ref().is_none_or(Result::is_ok));
    parse("signed_to", to.as_ref().is_none_or(Result::is_ok));
    parse("min_amount", min.as_ref().is_none_or(Result::is_ok));
    parse("max_amount", max.as_ref().is_none_or(Result::is_ok));
    let rows = if bad.is_empty() {
        let f = ContractFilter {
            customer: customer.and_then(Result::ok).map(CustomerId),
            status: status.and_then(Result::ok),
            text: raw("q").map(str::to_string),
            signed_from: from.and_then(Result::ok),
            signed_to: to.and_then(Result::ok),
            min_amount: min.and_then(Result::ok),
            max_amount: max.and_then(Result::ok),
            before: None,
            limit: 200,
        };
        s.app.contracts(&ctx, f).await.or_page(lang)?
    } else {
        Vec::new()
    };
    let error = (!bad.is_empty()).then(|| bad.join("; "));
    Ok(render(
        status_of(&error),
        &ListPage {
            title: lang.pick("销售合同", "Sales contracts").into(),
            items: rows
                .into_iter()
                .map(|c| {
                    let (st, on) = (
                        status_label(lang, c.status),
                        c.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                    );
                    (c, st, on)
                })
                .collect(),
            statuses: ContractStatus::ALL
                .iter()
                .map(|x| (x.as_str(), status_label(lang, *x)))
                .collect(),
            q,
            can_draft: ctx.actor.can(Permission::ContractDraft),
            error,
            chrome,
        },
    ))
}

/// The terms form's fields, as entered or as a contract holds them.
#[derive(Debug, Clone, Default)]
struct TermsForm(HashMap<String, String>);

impl TermsForm {
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or_default()
    }

    /// The company's template (seed 001's clauses), to be adapted.
    fn template(lang: Lang) -> Self {
        let mut m = HashMap::new();
        let mut put = |k: &str, zh: &'static str, en: &'static str| {
            m.insert(k.to_string(), lang.pick(zh, en).to_string());
        };
        put(
            "quality_standard",
            "符合国家标准及双方确认的样品",
            "National standards and the samples both parties confirmed",
        );
        put(
            "payment_terms",
            "合同签订后30日内付清货款",
            "Paid in full within 30 days of signing",
        );
        put(
            "delivery_terms",
            "卖方负责送货至买方指定地点,运费由卖方承担",
            "The seller delivers to the place the buyer names, at its cost",
        );
        put(
            "after_sales",
            "质保期一年,质量问题免费换货或维修",
            "One year of warranty: faulty goods exchanged or repaired free",
        );
        put(
            "breach_liability",
            "买方逾期付款的,按逾期金额每日万分之五支付违约金;卖方逾期交货的,按逾期货值每日万分之五支付违约金",
            "Late payment or late delivery: 0.05 % of the amount a day",
        );
        put(
            "dispute_venue",
            "深圳国际仲裁院",
            "Shenzhen Court of International Arbitration",
        );
        m.insert("dispute".into(), "arbitration".into());
        m.insert("late_interest_bp".into(), "5".into());
        m.insert("collection_days".into(), "30".into());
        m.insert("instalments".into(), "0 30\n30 70".into());
        TermsForm(m)
    }

    fn of(t: &ContractTerms, skus: &HashMap<i64, String>) -> Self {
        let mut m = HashMap::new();
        m.insert("customer_id".into(), t.customer_id.to_string());
        m.insert("title".into(), t.title.clone());
        m.insert(
            "lines".into(),
            t.lines
                .iter()
                .map(|l| {
                    let sku = skus
                        .get(&l.product_id.get())
                        .cloned()
                        .unwrap_or_else(|| l.product_id.to_string());
                    format!("{sku} {} {} {}", l.quantity, l.unit_price, l.spec)
                        .trim()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for (k, v) in [
            ("quality_standard", &t.quality_standard),
            ("payment_terms", &t.payment_terms),
            ("delivery_terms", &t.delivery_terms),
            ("after_sales", &t.after_sales),
            ("breach_liability", &t.breach_liability),
            ("dispute_venue", &t.dispute_venue),
        ] {
            m.insert(k.into(), v.clone());
        }
        m.insert("dispute".into(), t.dispute.to_string());
        m.insert("late_interest_bp".into(), t.late_interest_bp.to_string());
        m.insert("collection_days".into(), t.collection_days.to_string());
        m.insert(
            "instalments".into(),
            t.instalments
                .iter()
                .map(|i| format!("{} {}", i.due_days, i.percent))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for (k, d) in [("starts_on", t.starts_on), ("ends_on", t.ends_on)] {
            m.insert(k.into(), d.map(|d| d.to_string()).unwrap_or_default());
        }
        TermsForm(m)
    }
}

/// The terms from the form: lines are `SKU quantity unit-price [spec]`,
/// instalments `days-after-signing percent`, one a row; each problem named
/// by its field (and row).
async fn terms_of(s: &AppState, ctx: &Ctx, f: &TermsForm) -> Result<ContractTerms, AppError> {
    let mut e = ValidationErrors::new();
    let customer = f.get("customer_id").trim().parse::<i64>().map(CustomerId);
    if customer.is_err() {
        e.add("customer_id", "required", "choose the customer");
    }
    let mut lines = Vec::new();
    for (i, row) in f
        .get("lines")
        .lines()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
    {
        let mut parts = row.split_whitespace();
        let (sku, qty, price) = (parts.next().unwrap_or_default(), parts.next(), parts.next());
        let spec = parts.collect::<Vec<_>>().join(" ");
        let field = format!("lines[{i}]");
        let (Some(qty), Some(price)) = (
            qty.and_then(|q| q.parse::<i64>().ok()),
            price.and_then(|p| p.parse::<Money>().ok()),
        ) else {
            e.add(
                field,
                "invalid",
                format!("'{row}': write SKU, quantity, unit price and, if any, the specification"),
            );
            continue;
        };
        match s.app.id_by_code::<ProductData>(ctx, sku).await {
            Ok(id) => lines.push(ContractLine {
                product_id: ProductId(id),
                spec,
                quantity: qty,
                unit_price: price,
            }),
            Err(AppError::NotFound { .. }) => e.add(
                field,
                "unknown_reference",
                format!("no product with SKU '{sku}'"),
            ),
            Err(other) => return Err(other),
        }
    }
    let mut instalments = Vec::new();
    for (i, row) in f
        .get("instalments")
        .lines()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
    {
        let mut parts = row.split_whitespace().map(str::parse::<u32>);
        match (parts.next(), parts.next()) {
            (Some(Ok(due_days)), Some(Ok(percent))) => {
                instalments.push(Instalment { due_days, percent })
            }
            _ => e.add(
                format!("instalments[{i}]"),
                "invalid",
                format!("'{row}': write the days after signing and the percent"),
            ),
        }
    }
    let number = |k: &str, e: &mut ValidationErrors| -> u32 {
        f.get(k).trim().parse().unwrap_or_else(|_| {
            e.add(k, "invalid", "a whole number");
            0
        })
    };
    let late = number("late_interest_bp", &mut e);
    let days = number("collection_days", &mut e);
    let dispute = f.get("dispute").parse::<Dispute>();
    if let Err(x) = &dispute {
        e.add("dispute", "invalid", x.to_string());
    }
    let mut day = |k: &str| -> Option<Date> {
        let v = f.get(k).trim();
        if v.is_empty() {
            return None;
        }
        v.parse()
            .map_err(|_| e.add(k, "invalid", format!("'{v}' is not a day")))
            .ok()
    };
    let (starts_on, ends_on) = (day("starts_on"), day("ends_on"));
    match (customer, dispute) {
        (Ok(customer_id), Ok(dispute)) if e.is_empty() => Ok(ContractTerms {
            customer_id,
            title: f.get("title").into(),
            lines,
            quality_standard: f.get("quality_standard").into(),
            payment_terms: f.get("payment_terms").into(),
            instalments,
            delivery_terms: f.get("delivery_terms").into(),
            after_sales: f.get("after_sales").into(),
            breach_liability: f.get("breach_liability").into(),
            late_interest_bp: late,
            dispute,
            dispute_venue: f.get("dispute_venue").into(),
            collection_days: days,
            starts_on,
            ends_on,
        }),
        _ => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "contract_new.html")]
struct NewPage {
    title: String,
    chrome: Chrome,
    form: TermsForm,
    customers: Vec<(i64, String)>,
    action: String,
    /// The form drafts a change agreement (its clauses asked too).
    change: bool,
    error: Option<String>,
}

async fn new_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    form: TermsForm,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let mut customers: Vec<(i64, String)> = customer_names(s, ctx).await.into_iter().collect();
    customers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(render(
        status_of(&error),
        &NewPage {
            title: lang.pick("起草销售合同", "Draft a sales contract").into(),
            form,
            customers,
            action: "/contracts".into(),
            change: false,
            error,
            chrome,
        },
    ))
}

/// GET /contracts/new: the template, filled in.
async fn new_page(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let form = TermsForm::template(chrome.lang);
    new_view(&s, &ctx, chrome, form, None).await
}

/// POST /contracts: the draft; on to its page.
async fn draft(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let form = TermsForm(form);
    let outcome = match terms_of(&s, &ctx, &form).await {
        Ok(t) => s.app.draft_contract(&ctx, &t).await,
        Err(e) => Err(e),
    };
    after_post(
        chrome.lang,
        outcome,
        |v: ContractView| format!("/contracts/{}", v.contract.id),
        |e| new_view(&s, &ctx, chrome, form.clone(), Some(e)),
    )
    .await
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage {
    title: String,
    chrome: Chrome,
    v: ContractView,
    status: &'static str,
    awaiting: String,
    /// (sku, name, spec, quantity, unit price, amount)
    lines: Vec<(String, String, String, i64, Money, Money)>,
    /// (step, approved, comment, who, when, version)
    reviews: Vec<(&'static str, bool, String, String, String, i64)>,
    /// (version, when, who, changes as "field: before → after")
    versions: Vec<(i64, String, String, Vec<String>)>,
    can_edit: bool,
    can_submit: bool,
    /// The step this actor may take now.
    review_step: Option<(&'static str, &'static str)>,
    can_sign: bool,
    advance: Option<&'static str>,
    form: TermsForm,
    customers: Vec<(i64, String)>,
    action: String,
    /// The terms form drafts a change agreement, not a new version.
    change: bool,
    today: String,
    /// (sku, agreed, ordered, shipped, remaining)
    progress: Vec<(String, i64, i64, i64, i64)>,
    /// The order entry prefilled with this contract, while in force.
    order_link: Option<String>,
    supplements: Vec<steps::SupplementLine>,
    can_supplement: bool,
    /// (borrower, purpose, due back, lent at, returned at, overdue)
    loans: Vec<(String, String, String, String, String, bool)>,
    can_borrow: bool,
    can_return: bool,
    history: Option<Vec<HistoryRow>>,
    error: Option<String>,
}

async fn contract_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let v = s.app.contract(&ctx, id).await.or_page(lang)?;
    let c = &v.contract;
    let ids: Vec<ProductId> = c.terms.lines.iter().map(|l| l.product_id).collect();
    let skus: HashMap<i64, (String, String)> = product_labels(s, &ctx, &ids)
        .await
        .or_page(lang)?
        .into_iter()
        .map(|(k, v)| (k.get(), v))
        .collect();
    let can = |p| ctx.actor.can(p);
    let draft = c.status == ContractStatus::Draft;
    let review_step = c
        .awaiting
        .filter(|st| can(st.permission()) && c.drafted_by != ctx.actor.user_id)
        .map(|st| (st.as_str(), step_label(lang, st)));
    let customers = if draft && can(Permission::ContractDraft) {
        let mut c: Vec<(i64, String)> = customer_names(s, &ctx).await.into_iter().collect();
        c.sort_by(|a, b| a.1.cmp(&b.1));
        c
    } else {
        Vec::new()
    };
    let sku_only: HashMap<i64, String> =
        skus.iter().map(|(k, (sku, _))| (*k, sku.clone())).collect();
    let history = history(s, &ctx, "contract", id).await.or_page(lang)?;
    let live = matches!(c.status, ContractStatus::Signed | ContractStatus::InForce);
    let can_supplement = live && can(Permission::ContractDraft);
    let customers = if can_supplement {
        vec![(c.customer_id.get(), c.customer_name.clone())]
    } else {
        customers
    };
    let today = s.app.today_date();
    let on_loan = v.loans.first().is_some_and(|l| l.returned_at.is_none());
    // A change agreement sent back to draft is rewritten in the terms form.
    let draft_change = v
        .supplements
        .iter()
        .rev()
        .find(|x| {
            can_supplement
                && x.status == kaidan_domain::contracts::SupplementStatus::Draft
                && x.content.kind == kaidan_domain::contracts::SupplementKind::Change
        })
        .and_then(|x| {
            x.content
                .terms
                .clone()
                .map(|t| (x.id, t, x.content.clauses.clone()))
        });
    Ok(render(
        status_of(&error),
        &ContractPage {
            title: format!("{} {}", lang.pick("销售合同", "Sales contract"), c.number),
            status: status_label(lang, c.status),
            awaiting: c
                .awaiting
                .map(|a| step_label(lang, a).to_string())
                .unwrap_or_default(),
            lines: c
                .terms
                .lines
                .iter()
                .map(|l| {
                    let (sku, name) = skus.get(&l.product_id.get()).cloned().unwrap_or_default();
                    (
                        sku,
                        name,
                        l.spec.clone(),
                        l.quantity,
                        l.unit_price,
                        l.unit_price.times(l.quantity),
                    )
                })
                .collect(),
            reviews: c
                .reviews
                .iter()
                .map(|r| {
                    (
                        step_label(lang, r.step),
                        r.approved,
                        r.comment.clone(),
                        r.by_name.clone(),
                        local_time(r.at),
                        r.version,
                    )
                })
                .collect(),
            versions: v
                .versions
                .iter()
                .map(|x| {
                    let changes = x
                        .changes
                        .iter()
                        .map(|ch| {
                            format!(
                                "{}: {} → {}",
                                ch.field,
                                ch.before.as_deref().unwrap_or("—"),
                                ch.after.as_deref().unwrap_or("—")
                            )
                        })
                        .collect();
                    (
                        x.terms_version,
                        local_time(x.at),
                        x.by_name.clone(),
                        changes,
                    )
                })
                .collect(),
            can_edit: draft && can(Permission::ContractDraft),
            can_submit: draft && can(Permission::ContractDraft),
            review_step,
            can_sign: c.status == ContractStatus::Approved && can(Permission::ContractSign),
            advance: match c.status {
                ContractStatus::Signed if can(Permission::ContractSign) => {
                    Some(lang.pick("生效", "Put in force"))
                }
                ContractStatus::InForce if can(Permission::ContractSign) => {
                    Some(lang.pick("履行完毕", "Completed"))
                }
                _ => None,
            },
            form: match &draft_change {
                Some((_, t, clauses)) => {
                    let mut f = TermsForm::of(t, &sku_only);
                    f.0.insert("clauses".into(), clauses.clone());
                    f
                }
                None => TermsForm::of(&c.terms, &sku_only),
            },
            customers,
            action: match (&draft_change, can_supplement) {
                (Some((sid, _, _)), _) => format!("/supplements/{sid}/revise"),
                (None, true) => format!("/contracts/{id}/supplements"),
                (None, false) => format!("/contracts/{id}/terms"),
            },
            change: can_supplement,
            today: today.to_string(),
            progress: v
                .progress
                .lines
                .iter()
                .map(|l| {
                    (
                        sku_only
                            .get(&l.product_id.get())
                            .cloned()
                            .unwrap_or_else(|| format!("#{}", l.product_id)),
                        l.quantity,
                        l.ordered,
                        l.shipped,
                        l.remaining,
                    )
                })
                .collect(),
            order_link: (c.status == ContractStatus::InForce && can(Permission::OrderCreate))
                .then(|| format!("/orders/new?customer_id={}&contract_id={id}", c.customer_id)),
            supplements: steps::lines(lang, &ctx, &v.supplements),
            can_supplement,
            loans: v
                .loans
                .iter()
                .map(|l| {
                    (
                        l.borrower_name.clone(),
                        l.purpose.clone(),
                        l.due_back.to_string(),
                        local_time(l.lent_at),
                        l.returned_at
                            .map(|t| {
                                format!(
                                    "{} {}",
                                    local_time(t),
                                    l.received_by_name.clone().unwrap_or_default()
                                )
                            })
                            .unwrap_or_default(),
                        l.returned_at.is_none() && l.due_back < today,
                    )
                })
                .collect(),
            can_borrow: c.signed_on.is_some() && !on_loan,
            can_return: on_loan && can(Permission::ContractArchive),
            history,
            v,
            error,
            chrome,
        },
    ))
}

/// GET /contracts/{id}
async fn contract_page(
    State(s): State<AppState>,
    auth: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    contract_view(&s, auth, id, None).await
}

fn back(id: i64) -> impl FnOnce(ContractView) -> String {
    move |_| format!("/contracts/{id}")
}

/// POST /contracts/{id}/terms: a new version of a draft.
async fn revise(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let outcome = match terms_of(&s, &auth.ctx, &TermsForm(form)).await {
        Ok(t) => s.app.revise_contract(&auth.ctx, id, &t).await,
        Err(e) => Err(e),
    };
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// POST /contracts/{id}/submit
async fn submit(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _f): PageForm,
) -> PageResult {
    let outcome = s.app.submit_contract(&auth.ctx, id).await;
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// POST /contracts/{id}/review: `step`, `decision` (approve | return), `comment`.
async fn review(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let outcome = match review_form(&form) {
        Ok((step, approve, comment)) => {
            s.app
                .review_contract(&auth.ctx, id, step, approve, &comment)
                .await
        }
        Err(e) => Err(e),
    };
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// A review form's `step`, `decision` (approve | return) and `comment`.
fn review_form(form: &HashMap<String, String>) -> Result<(ReviewStep, bool, String), AppError> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let step = get("step")
        .parse::<ReviewStep>()
        .map_err(|e| AppError::invalid("step", "invalid", e.to_string()))?;
    Ok((step, get("decision") == "approve", get("comment")))
}

/// What a signing form (multipart: `signed_on` and the scanned copy)
/// brings: the day and the copy, or why not.
enum Signing {
    Ready(Date, VoucherUpload),
    /// The step's error: no day, no copy.
    Refused(AppError),
    /// The upload could not be read: the page again with this message.
    Unreadable(String),
    /// A stale or forged form.
    Stale,
}

async fn signing_form(chrome: &Chrome, multipart: &mut Multipart) -> Signing {
    let (form, copy) = match voucher_form(chrome.lang, multipart).await {
        Ok(v) => v,
        Err((_, msg)) => return Signing::Unreadable(msg),
    };
    if form.get("_csrf").map(String::as_str) != Some(chrome.csrf.as_str()) {
        return Signing::Stale;
    }
    let day = form
        .get("signed_on")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    match (day.parse::<Date>(), copy) {
        (Ok(d), Some(copy)) => Signing::Ready(d, copy),
        (Err(_), _) => Signing::Refused(AppError::invalid(
            "signed_on",
            "invalid",
            format!("'{day}' is not a day"),
        )),
        (_, None) => Signing::Refused(AppError::invalid(
            "signed_copy",
            "required",
            "attach the scanned signed copy",
        )),
    }
}

/// POST /contracts/{id}/sign: `signed_on` and the scanned copy (multipart).
async fn sign(
    State(s): State<AppState>,
    PageId(id): PageId,
    auth: PageAuth,
    mut multipart: Multipart,
) -> PageResult {
    let outcome = match signing_form(&auth.chrome, &mut multipart).await {
        Signing::Ready(d, copy) => s.app.sign_contract(&auth.ctx, id, d, &copy).await,
        Signing::Refused(e) => Err(e),
        Signing::Unreadable(msg) => return contract_view(&s, auth, id, Some(msg)).await,
        Signing::Stale => return Ok(csrf_refused()),
    };
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// POST /contracts/{id}/advance: in force, then completed.
async fn advance(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _f): PageForm,
) -> PageResult {
    let outcome = s.app.advance_contract(&auth.ctx, id).await;
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// GET /contracts/{id}/signed-copy
async fn copy(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let file = s.app.contract_copy(&ctx, id).await.or_page(chrome.lang)?;
    Ok(crate::api::finance::file_response(file))
}
