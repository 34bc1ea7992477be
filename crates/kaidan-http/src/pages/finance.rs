//! Finance's work place (FIN-1..5): what is left to invoice and batch
//! invoicing, invoices with their credit notes and fapiao numbers,
//! receipts to verify with their vouchers, and the receivables' ageing
//! with its chart and Excel export.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::finance::{BatchInvoiceInput, InvoiceView, ReceiptView, VoucherUpload};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::finance::{
    AgeingGroup, AgeingReport, CreditLineInput, CreditNoteInput, CreditReason, FapiaoInput,
    InvoiceDocKind, InvoiceInput, MAX_VOUCHER_BYTES, ReceiptInput, ReceiptStatus,
};
use kaidan_domain::master::{CustomerData, PaymentMethod};
use kaidan_domain::{CustomerId, Money, Permission, ValidationErrors};

use super::format::local_time;
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_post, render,
    status_of,
};
use crate::api::finance::{ageing_query, invoice_filter, receipt_filter};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance", get(to_invoice).post(invoice_post))
        .route("/finance/batch", post(batch_post))
        .route("/finance/invoices", get(invoices))
        .route("/finance/invoices/{id}", get(invoice))
        .route("/finance/invoices/{id}/fapiao", post(fapiao_post))
        .route("/finance/invoices/{id}/credit", post(credit_post))
        .route(
            "/finance/receipts",
            get(receipts)
                .post(receipt_post)
                .layer(DefaultBodyLimit::max(MAX_VOUCHER_BYTES + 256 * 1024)),
        )
        .route("/finance/receipts/{id}", get(receipt))
        .route("/finance/receipts/{id}/voucher", get(voucher))
        .route("/finance/receipts/{id}/decide", post(decide_post))
        .route("/finance/ageing", get(ageing))
}

/// A query parameter the list refused, as the page says it.
fn query_error(lang: Lang, e: crate::problem::ApiError) -> PageError {
    PageError::new(
        lang,
        AppError::Invalid(ValidationErrors {
            errors: e.errors.clone(),
        }),
    )
}

/// The tabs of the work place.
pub struct FinTab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub(super) fn fin_tabs(lang: Lang, active: &str) -> Vec<FinTab> {
    [
        ("/finance", lang.pick("待开票", "To invoice")),
        ("/finance/invoices", lang.pick("发票", "Invoices")),
        ("/finance/receipts", lang.pick("收款", "Receipts")),
        ("/finance/bank", lang.pick("银行流水", "Bank statements")),
        ("/finance/ageing", lang.pick("账龄分析", "Ageing")),
        ("/finance/dunning", lang.pick("催款", "Dunning")),
    ]
    .into_iter()
    .map(|(href, label)| FinTab {
        href,
        label,
        active: href == active,
    })
    .collect()
}

/// Customer id → "code name", for the lists.
pub(super) async fn customer_names(s: &AppState, ctx: &Ctx) -> HashMap<i64, String> {
    let mut names = HashMap::new();
    let mut cursor = None;
    loop {
        let req = kaidan_app::ListRequest {
            search: None,
            cursor,
            limit: Some(s.app.config().max_page),
            filters: Vec::new(),
        };
        let Ok(page) = s.app.list::<CustomerData>(ctx, &req).await else {
            return names;
        };
        for r in page.items {
            names.insert(r.id, format!("{} {}", r.data.code, r.data.name));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return names,
        }
    }
}

// ---------------------------------------------------------------- to invoice

pub struct BillRow {
    pub shipment_id: i64,
    pub shipment: String,
    pub order_id: i64,
    pub order: String,
    pub customer: String,
    pub shipped_on: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: String,
    pub amount: String,
    /// The first line of its shipment: the row carries the button.
    pub first: bool,
}

pub struct DraftRow {
    pub customer: String,
    pub shipments: String,
    pub lines: usize,
    pub amount: String,
    pub tax: String,
}

#[derive(Template)]
#[template(path = "finance_to_invoice.html")]
struct ToInvoicePage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    rows: Vec<BillRow>,
    total: String,
    up_to: String,
    preview: Vec<DraftRow>,
    preview_total: String,
    done: String,
    error: Option<String>,
}

/// The shipped lines not yet invoiced up to `up_to`, as the page and its
/// Excel export show them, and their total.
async fn bill_rows(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    up_to: Date,
) -> Result<(Vec<BillRow>, Money), PageError> {
    let billables = s
        .app
        .to_invoice(ctx, Some(up_to), None, 500)
        .await
        .or_page(lang)?;
    let names = customer_names(s, ctx).await;
    let mut total = Money::ZERO;
    let mut last = None;
    let rows = billables
        .iter()
        .map(|b| {
            let amount = b.unit_price.times(b.quantity).round_to_fen();
            total += amount;
            let first = last != Some(b.shipment_id);
            last = Some(b.shipment_id);
            BillRow {
                shipment_id: b.shipment_id,
                shipment: b.shipment_number.clone(),
                order_id: b.order_id.get(),
                order: b.order_number.clone(),
                customer: names
                    .get(&b.customer_id.get())
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", b.customer_id)),
                shipped_on: b.shipped_on.to_string(),
                sku: b.sku.clone(),
                name: b.product_name.clone(),
                quantity: b.quantity,
                unit_price: b.unit_price.to_string(),
                amount: amount.to_string(),
                first,
            }
        })
        .collect();
    Ok((rows, total))
}

async fn to_invoice_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    up_to: Option<Date>,
    preview: Vec<DraftRow>,
    done: String,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let up_to = up_to.unwrap_or_else(|| s.app.today_date());
    let (rows, total) = bill_rows(s, ctx, lang, up_to).await?;
    let preview_total: Money = preview
        .iter()
        .filter_map(|d| d.amount.parse::<Money>().ok())
        .sum();
    Ok(render(
        status_of(&error),
        &ToInvoicePage {
            title: lang.pick("财务 · 待开票", "Finance · To invoice").into(),
            tabs: fin_tabs(lang, "/finance"),
            rows,
            total: total.to_string(),
            up_to: up_to.to_string(),
            preview,
            preview_total: preview_total.to_string(),
            done,
            error,
            chrome,
        },
    ))
}

/// GET /finance?up_to=&format=xlsx: shipped goods not yet invoiced.
pub async fn to_invoice(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let (excel, q) = wants_xlsx(&q);
    let up_to = q.get("up_to").and_then(|d| d.parse().ok());
    if excel {
        let lang = chrome.lang;
        let up_to = up_to.unwrap_or_else(|| s.app.today_date());
        let (rows, _) = bill_rows(&s, &ctx, lang, up_to).await?;
        let header = [
            ("发货单", "Delivery note"),
            ("订单", "Order"),
            ("客户", "Customer"),
            ("发货日", "Shipped"),
            ("编码", "SKU"),
            ("品名", "Product"),
            ("数量", "Quantity"),
            ("单价", "Unit price"),
            ("金额", "Amount"),
        ]
        .iter()
        .map(|(zh, en)| lang.pick(zh, en).to_string())
        .collect();
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.shipment,
                    r.order,
                    r.customer,
                    r.shipped_on,
                    r.sku,
                    r.name,
                    r.quantity.to_string(),
                    r.unit_price,
                    r.amount,
                ]
            })
            .collect();
        return xlsx(lang, &format!("to-invoice-{up_to}.xlsx"), header, rows);
    }
    let done = q.get("done").cloned().unwrap_or_default();
    to_invoice_page(&s, &ctx, chrome, up_to, Vec::new(), done, None).await
}

/// POST /finance: invoice one shipment.
pub async fn invoice_post(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let input = InvoiceInput {
        shipment_id: form.get("shipment_id").and_then(|v| v.parse().ok()),
        ..InvoiceInput::default()
    };
    let outcome = s.app.issue_invoice(&ctx, &input).await;
    after_post(
        lang,
        outcome,
        |v: InvoiceView| format!("/finance/invoices/{}", v.invoice.id),
        |e| to_invoice_page(&s, &ctx, chrome, None, Vec::new(), String::new(), Some(e)),
    )
    .await
}

/// POST /finance/batch: preview, then commit, everything shipped up to a day.
pub async fn batch_post(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let Some(up_to) = form.get("up_to").and_then(|d| d.parse::<Date>().ok()) else {
        let e = lang.pick("请选择日期", "choose a day").to_string();
        return to_invoice_page(&s, &ctx, chrome, None, Vec::new(), String::new(), Some(e)).await;
    };
    let commit = form.get("commit").is_some_and(|v| v == "1");
    let input = BatchInvoiceInput {
        up_to,
        customer_id: None,
        commit,
    };
    match s.app.batch_invoice(&ctx, &input).await {
        Ok(r) if commit => Ok(Redirect::to(&format!(
            "/finance?done={}",
            super::url_encode(&format!("{} / {}", r.count, r.amount))
        ))
        .into_response()),
        Ok(r) => {
            let preview = r
                .invoices
                .iter()
                .map(|d| DraftRow {
                    customer: d.customer_name.clone(),
                    shipments: d.shipments.join(", "),
                    lines: d.lines,
                    amount: d.amount.to_string(),
                    tax: d.tax.to_string(),
                })
                .collect();
            to_invoice_page(&s, &ctx, chrome, Some(up_to), preview, String::new(), None).await
        }
        Err(AppError::Invalid(v)) => {
            let e = v.to_string();
            to_invoice_page(
                &s,
                &ctx,
                chrome,
                Some(up_to),
                Vec::new(),
                String::new(),
                Some(e),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

// ------------------------------------------------------------------ invoices

pub struct InvoiceRow {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub customer: String,
    pub date: String,
    pub due: String,
    pub overdue: bool,
    pub amount: String,
    pub open: String,
    pub fapiao: String,
}

#[derive(Template)]
#[template(path = "finance_invoices.html")]
struct InvoicesPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    rows: Vec<InvoiceRow>,
    open_only: bool,
    next: Option<i64>,
}

fn kind_label(lang: Lang, k: InvoiceDocKind) -> &'static str {
    match k {
        InvoiceDocKind::Invoice => lang.pick("发票", "Invoice"),
        InvoiceDocKind::CreditNote => lang.pick("红字发票", "Credit note"),
    }
}

/// GET /finance/invoices?open=1
pub async fn invoices(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (excel, q) = wants_xlsx(&q);
    let filter = invoice_filter(&q).map_err(|e| query_error(lang, e))?;
    let open_only = filter.open_only;
    let list = s.app.invoices(&ctx, filter.clone()).await.or_page(lang)?;
    let names = customer_names(&s, &ctx).await;
    if excel {
        let header = [
            ("编号", "Number"),
            ("类型", "Kind"),
            ("客户", "Customer"),
            ("开票日期", "Date"),
            ("到期日", "Due"),
            ("金额", "Amount"),
            ("税额", "Tax"),
            ("红字", "Credited"),
            ("已收", "Paid"),
            ("未收", "Open"),
            ("发票号码", "Fapiao"),
        ]
        .iter()
        .map(|(zh, en)| lang.pick(zh, en).to_string())
        .collect();
        let rows = list
            .iter()
            .map(|i| {
                vec![
                    i.number.clone(),
                    kind_label(lang, i.kind).to_string(),
                    names
                        .get(&i.customer_id.get())
                        .cloned()
                        .unwrap_or_else(|| i.buyer.name.clone()),
                    i.invoice_date.to_string(),
                    i.due_date.to_string(),
                    i.amount.to_string(),
                    i.tax.to_string(),
                    i.credited.to_string(),
                    i.paid.to_string(),
                    i.open().to_string(),
                    i.fapiao_number.clone().unwrap_or_default(),
                ]
            })
            .collect();
        return xlsx(lang, "invoices.xlsx", header, rows);
    }
    let today = s.app.today_date();
    let next = (list.len() as u32 >= filter.limit)
        .then(|| list.last().map(|i| i.id))
        .flatten();
    let rows = list
        .iter()
        .map(|i| InvoiceRow {
            id: i.id,
            number: i.number.clone(),
            kind: kind_label(lang, i.kind),
            customer: names
                .get(&i.customer_id.get())
                .cloned()
                .unwrap_or_else(|| i.buyer.name.clone()),
            date: i.invoice_date.to_string(),
            due: i.due_date.to_string(),
            overdue: i.open().is_positive() && i.due_date < today,
            amount: i.amount.to_string(),
            open: i.open().to_string(),
            fapiao: i.fapiao_number.clone().unwrap_or_default(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &InvoicesPage {
            title: lang.pick("财务 · 发票", "Finance · Invoices").into(),
            tabs: fin_tabs(lang, "/finance/invoices"),
            rows,
            open_only,
            next,
            chrome,
        },
    ))
}

pub struct LineRow {
    pub line_no: u32,
    pub order_id: i64,
    pub order: String,
    pub shipment: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: String,
    pub rate: String,
    pub amount: String,
    pub tax: String,
}

pub struct MatchLine {
    pub receipt_id: i64,
    pub receipt: String,
    pub invoice_id: i64,
    pub invoice: String,
    pub amount: String,
    pub on: String,
    pub by: String,
    pub undone: String,
}

#[derive(Template)]
#[template(path = "finance_invoice.html")]
struct InvoicePage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    id: i64,
    customer_id: i64,
    customer_label: String,
    is_invoice: bool,
    fields: Vec<(&'static str, String)>,
    lines: Vec<LineRow>,
    amount: String,
    tax: String,
    net: String,
    open: String,
    paid: bool,
    matches: Vec<MatchLine>,
    related: Vec<InvoiceRow>,
    can_write: bool,
    needs_fapiao: bool,
    error: Option<String>,
}

fn match_lines(rows: &[kaidan_app::ports::MatchRow]) -> Vec<MatchLine> {
    rows.iter()
        .map(|m| MatchLine {
            receipt_id: m.receipt_id,
            receipt: m.receipt_number.clone(),
            invoice_id: m.invoice_id,
            invoice: m.invoice_number.clone(),
            amount: m.amount.to_string(),
            on: m.matched_on.to_string(),
            by: m.matched_by_name.clone(),
            undone: m.undone_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect()
}

async fn invoice_page(s: &AppState, auth: PageAuth, id: i64, error: Option<String>) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let v = s.app.invoice(&ctx, id).await.or_page(lang)?;
    let i = &v.invoice;
    let mut fields = vec![
        (
            lang.pick("类型", "Kind"),
            kind_label(lang, i.kind).to_string(),
        ),
        (
            lang.pick("客户", "Customer"),
            format!("{} {}", v.customer_code, i.buyer.name),
        ),
        (
            lang.pick("纳税人识别号", "Taxpayer number"),
            i.buyer.tax_number.clone().unwrap_or_default(),
        ),
        (
            lang.pick("开户行及账号", "Bank"),
            i.buyer.bank.clone().unwrap_or_default(),
        ),
        (
            lang.pick("发票种类", "Fapiao kind"),
            lang.pick(i.fapiao_kind.label_zh(), i.fapiao_kind.as_str())
                .to_string(),
        ),
        (
            lang.pick("开票日期", "Invoice date"),
            i.invoice_date.to_string(),
        ),
        (lang.pick("到期日", "Due"), i.due_date.to_string()),
        (
            lang.pick("发票号码", "Fapiao number"),
            format!(
                "{} {}",
                i.fapiao_number.clone().unwrap_or_default(),
                i.fapiao_code.clone().unwrap_or_default()
            ),
        ),
        (
            lang.pick("开票人", "Issued by"),
            format!("#{} · {}", i.created_by, local_time(i.created_at)),
        ),
    ];
    if let Some(r) = i.credit_reason {
        fields.push((
            lang.pick("红字原因", "Credit reason"),
            format!(
                "{} · {}",
                lang.pick(r.label_zh(), r.as_str()),
                i.note.clone().unwrap_or_default()
            ),
        ));
    }
    let lines = i
        .lines
        .iter()
        .map(|l| LineRow {
            line_no: l.line_no,
            order_id: l.order_id.get(),
            order: l.order_number.clone(),
            shipment: l.shipment_number.clone(),
            sku: l.sku.clone(),
            name: l.product_name.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price.to_string(),
            rate: format!("{}%", l.tax_rate.basis_points() as f64 / 100.0),
            amount: l.amount.to_string(),
            tax: l.tax.to_string(),
        })
        .collect();
    let today = s.app.today_date();
    let related = v
        .related
        .iter()
        .map(|r| InvoiceRow {
            id: r.id,
            number: r.number.clone(),
            kind: kind_label(lang, r.kind),
            customer: String::new(),
            date: r.invoice_date.to_string(),
            due: r.due_date.to_string(),
            overdue: r.open().is_positive() && r.due_date < today,
            amount: r.amount.to_string(),
            open: r.open().to_string(),
            fapiao: r
                .credit_reason
                .map(|c| lang.pick(c.label_zh(), c.as_str()).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let is_invoice = i.kind == InvoiceDocKind::Invoice;
    Ok(render(
        status_of(&error),
        &InvoicePage {
            title: format!("{} {}", kind_label(lang, i.kind), i.number),
            tabs: fin_tabs(lang, "/finance/invoices"),
            id,
            customer_id: i.customer_id.get(),
            customer_label: format!("{} {}", v.customer_code, i.buyer.name),
            is_invoice,
            fields,
            lines,
            amount: i.amount.to_string(),
            tax: i.tax.to_string(),
            net: i.net.to_string(),
            open: v.open.to_string(),
            paid: is_invoice && i.is_settled(),
            matches: match_lines(&v.matches),
            related,
            can_write: ctx.actor.can(Permission::InvoiceWrite),
            needs_fapiao: is_invoice
                && i.fapiao_number.is_none()
                && i.fapiao_kind != kaidan_domain::finance::FapiaoKind::NoFapiao,
            error,
            chrome,
        },
    ))
}

/// GET /finance/invoices/{id}
pub async fn invoice(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    invoice_page(&s, auth, id, None).await
}

/// POST /finance/invoices/{id}/fapiao
pub async fn fapiao_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let input = FapiaoInput {
        number: form.get("number").cloned().unwrap_or_default(),
        code: form.get("code").cloned(),
    };
    let outcome = s.app.record_fapiao(&auth.ctx, id, &input).await;
    super::after_step(
        &s,
        auth,
        id,
        outcome,
        move |_| format!("/finance/invoices/{id}"),
        invoice_page,
    )
    .await
}

/// POST /finance/invoices/{id}/credit: quantities (return) or amounts
/// (price correction) per line, the reason and the note.
pub async fn credit_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let reason = match form.get("reason").map(String::as_str) {
        Some("price_correction") => CreditReason::PriceCorrection,
        _ => CreditReason::Return,
    };
    let mut lines = Vec::new();
    let mut bad = ValidationErrors::new();
    let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with("credit_")).collect();
    keys.sort();
    for k in keys {
        let raw = form[k].trim();
        if raw.is_empty() {
            continue;
        }
        let Ok(line_no) = k["credit_".len()..].parse::<u32>() else {
            continue;
        };
        let line = match reason {
            CreditReason::PriceCorrection => raw
                .parse::<Money>()
                .map(|a| CreditLineInput {
                    line_no,
                    quantity: None,
                    amount: Some(a),
                })
                .map_err(|e| e.to_string()),
            _ => raw
                .parse::<i64>()
                .map(|q| CreditLineInput {
                    line_no,
                    quantity: Some(q),
                    amount: None,
                })
                .map_err(|e| e.to_string()),
        };
        match line {
            Ok(l) => lines.push(l),
            Err(e) => bad.add(
                format!("line {line_no}"),
                "invalid",
                format!("'{raw}': {e}"),
            ),
        }
    }
    if !bad.is_empty() {
        return invoice_page(&s, auth, id, Some(bad.to_string())).await;
    }
    let input = CreditNoteInput {
        reason,
        note: form.get("note").cloned().unwrap_or_default(),
        lines,
    };
    let _ = lang;
    let outcome = s.app.credit_invoice(&auth.ctx, id, &input).await;
    super::after_step(
        &s,
        auth,
        id,
        outcome,
        |v: InvoiceView| format!("/finance/invoices/{}", v.invoice.id),
        invoice_page,
    )
    .await
}

// ------------------------------------------------------------------ receipts

pub struct ReceiptRow {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub payer: String,
    pub method: &'static str,
    pub amount: String,
    pub received_on: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub voucher: bool,
    pub by: String,
}

fn method_label(lang: Lang, m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => lang.pick("现金", "Cash"),
        PaymentMethod::BankTransfer => lang.pick("银行转账", "Bank transfer"),
        PaymentMethod::PosCard => lang.pick("POS刷卡", "POS card"),
    }
}

fn status_label(lang: Lang, st: ReceiptStatus) -> &'static str {
    lang.pick(st.label_zh(), st.as_str())
}

#[derive(Template)]
#[template(path = "finance_receipts.html")]
struct ReceiptsPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    rows: Vec<ReceiptRow>,
    status: String,
    customers: Vec<(i64, String)>,
    selected_customer: String,
    form: HashMap<String, String>,
    today: String,
    can_register: bool,
    error: Option<String>,
}

async fn receipts_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    form: HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let (excel, mut q) = wants_xlsx(q);
    let status = q
        .entry("status".into())
        .or_insert_with(|| "registered".into())
        .clone();
    if status == "all" {
        q.remove("status");
    }
    let filter = receipt_filter(&q).map_err(|e| query_error(lang, e))?;
    let list = s.app.receipts(ctx, filter).await.or_page(lang)?;
    let names = customer_names(s, ctx).await;
    if excel {
        let header = [
            ("编号", "Number"),
            ("客户", "Customer"),
            ("付款人", "Payer"),
            ("方式", "Method"),
            ("金额", "Amount"),
            ("已核销", "Applied"),
            ("付款日期", "Paid on"),
            ("银行流水号", "Bank reference"),
            ("状态", "Status"),
            ("登记人", "Registered by"),
        ]
        .iter()
        .map(|(zh, en)| lang.pick(zh, en).to_string())
        .collect();
        let rows = list
            .iter()
            .map(|r| {
                vec![
                    r.number.clone(),
                    names.get(&r.customer_id.get()).cloned().unwrap_or_default(),
                    r.payer.clone(),
                    method_label(lang, r.method).to_string(),
                    r.amount.to_string(),
                    r.applied.to_string(),
                    r.received_on.to_string(),
                    r.bank_reference.clone().unwrap_or_default(),
                    status_label(lang, r.status).to_string(),
                    r.registered_by_name.clone(),
                ]
            })
            .collect();
        return xlsx(lang, "receipts.xlsx", header, rows);
    }
    let rows = list
        .iter()
        .map(|r| ReceiptRow {
            id: r.id,
            number: r.number.clone(),
            customer: names.get(&r.customer_id.get()).cloned().unwrap_or_default(),
            payer: r.payer.clone(),
            method: method_label(lang, r.method),
            amount: r.amount.to_string(),
            received_on: r.received_on.to_string(),
            status: r.status.as_str(),
            status_label: status_label(lang, r.status),
            voucher: r.voucher.is_some(),
            by: r.registered_by_name.clone(),
        })
        .collect();
    let mut customers: Vec<(i64, String)> = names.into_iter().collect();
    customers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(render(
        status_of(&error),
        &ReceiptsPage {
            title: lang.pick("财务 · 收款", "Finance · Receipts").into(),
            tabs: fin_tabs(lang, "/finance/receipts"),
            rows,
            status,
            customers,
            selected_customer: form.get("customer_id").cloned().unwrap_or_default(),
            form,
            today: s.app.today_date().to_string(),
            can_register: ctx.actor.can(Permission::ReceiptRegister),
            error,
            chrome,
        },
    ))
}

/// GET /finance/receipts?status=registered (default: those to verify)
pub async fn receipts(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    receipts_page(&s, &ctx, chrome, &q, HashMap::new(), None).await
}

/// POST /finance/receipts: a new receipt with its voucher (multipart form).
pub async fn receipt_post(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    mut multipart: Multipart,
) -> PageResult {
    let lang = chrome.lang;
    let (form, voucher) = match voucher_form(lang, &mut multipart).await {
        Ok(v) => v,
        Err((form, msg)) => {
            return receipts_page(&s, &ctx, chrome, &BTreeMap::new(), form, Some(msg)).await;
        }
    };
    if form.get("_csrf").map(String::as_str) != Some(chrome.csrf.as_str()) {
        return Ok(csrf_refused());
    }
    let none = BTreeMap::new();
    let parsed = receipt_input(&form);
    let outcome = match parsed {
        Ok(input) => s.app.register_receipt(&ctx, &input, voucher).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    after_post(
        lang,
        outcome,
        |v: ReceiptView| format!("/finance/receipts/{}", v.receipt.id),
        |e| receipts_page(&s, &ctx, chrome, &none, form.clone(), Some(e)),
    )
    .await
}

/// The fields of a multipart form with its `voucher` file, if one was
/// chosen; a broken upload gives back the fields read so far and why.
pub(super) async fn voucher_form(
    lang: Lang,
    multipart: &mut Multipart,
) -> Result<(HashMap<String, String>, Option<VoucherUpload>), (HashMap<String, String>, String)> {
    let (form, mut files) = files_form(lang, multipart, "voucher").await?;
    Ok((form, files.pop()))
}

/// The fields of a multipart form and the files chosen in its `file`
/// inputs (those left empty are skipped); a broken upload gives back the
/// fields read so far and why.
pub(super) async fn files_form(
    lang: Lang,
    multipart: &mut Multipart,
    file: &str,
) -> Result<(HashMap<String, String>, Vec<VoucherUpload>), (HashMap<String, String>, String)> {
    let mut form: HashMap<String, String> = HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let msg = format!("{}: {e}", lang.pick("上传失败", "upload failed"));
                return Err((form, msg));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == file {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let content_type = field.content_type().map(str::to_string);
            match field.bytes().await {
                Ok(b) if !b.is_empty() => files.push(VoucherUpload {
                    file_name,
                    content_type,
                    bytes: b.to_vec(),
                }),
                Ok(_) => {}
                Err(e) => return Err((form, format!("{file}: {e}"))),
            }
        } else if let Ok(text) = field.text().await {
            form.insert(name, text);
        }
    }
    Ok((form, files))
}

/// A multipart form post whose `_csrf` is not the session's.
pub(super) fn csrf_refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "CSRF token mismatch; reload the page",
    )
        .into_response()
}

/// The receipt form's fields, each refused by name when unreadable.
pub(super) fn receipt_input(
    form: &HashMap<String, String>,
) -> Result<ReceiptInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let customer = get("customer_id").parse::<i64>().map(CustomerId);
    if customer.is_err() {
        e.add("customer_id", "required", "choose the customer");
    }
    let amount = get("amount").parse::<Money>();
    if amount.is_err() {
        e.add("amount", "invalid", "an amount in yuan, e.g. 1200.50");
    }
    let received_on = get("received_on").parse::<Date>();
    if received_on.is_err() {
        e.add("received_on", "invalid", "a day, e.g. 2026-12-01");
    }
    let method = get("method").parse::<PaymentMethod>();
    if method.is_err() {
        e.add("method", "invalid", "cash, bank_transfer or pos_card");
    }
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    match (customer, amount, received_on, method) {
        (Ok(customer_id), Ok(amount), Ok(received_on), Ok(method)) if e.is_empty() => {
            Ok(ReceiptInput {
                customer_id,
                payer: get("payer"),
                method,
                amount,
                received_on,
                bank_reference: opt("bank_reference"),
                note: opt("note"),
            })
        }
        _ => Err(e),
    }
}

#[derive(Template)]
#[template(path = "finance_receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    id: i64,
    status: &'static str,
    status_label: &'static str,
    fields: Vec<(&'static str, String)>,
    voucher: Option<(String, bool)>,
    matches: Vec<MatchLine>,
    can_verify: bool,
    error: Option<String>,
}

async fn receipt_page(s: &AppState, auth: PageAuth, id: i64, error: Option<String>) -> PageResult {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let v = s.app.receipt(&ctx, id).await.or_page(lang)?;
    let r = &v.receipt;
    let fields = vec![
        (
            lang.pick("客户", "Customer"),
            format!("{} {}", v.customer_code, v.customer_name),
        ),
        (lang.pick("付款人", "Payer"), r.payer.clone()),
        (
            lang.pick("方式", "Method"),
            method_label(lang, r.method).to_string(),
        ),
        (lang.pick("金额(元)", "Amount (CNY)"), r.amount.to_string()),
        (lang.pick("已核销", "Applied"), r.applied.to_string()),
        (
            lang.pick("未核销(资金)", "Unapplied (funds)"),
            v.unapplied.to_string(),
        ),
        (lang.pick("付款日期", "Paid on"), r.received_on.to_string()),
        (
            lang.pick("银行流水号", "Bank reference"),
            r.bank_reference.clone().unwrap_or_default(),
        ),
        (
            lang.pick("备注", "Note"),
            r.note.clone().unwrap_or_default(),
        ),
        (
            lang.pick("登记", "Registered"),
            format!("{} · {}", r.registered_by_name, local_time(r.registered_at)),
        ),
        (
            lang.pick("处理", "Decided"),
            format!(
                "{} {} {}",
                r.decided_by_name.clone().unwrap_or_default(),
                r.decided_at.map(local_time).unwrap_or_default(),
                r.decision_note.clone().unwrap_or_default()
            ),
        ),
    ];
    let voucher = r.voucher.as_ref().map(|x| {
        (
            format!("{} ({} KB)", x.file_name, x.size / 1024),
            x.content_type.as_str().starts_with("image/"),
        )
    });
    Ok(render(
        status_of(&error),
        &ReceiptPage {
            title: format!("{} {}", lang.pick("收款", "Receipt"), r.number),
            tabs: fin_tabs(lang, "/finance/receipts"),
            id,
            status: r.status.as_str(),
            status_label: status_label(lang, r.status),
            fields,
            voucher,
            matches: match_lines(&v.matches),
            can_verify: ctx.actor.can(Permission::ReceiptVerify),
            error,
            chrome,
        },
    ))
}

/// GET /finance/receipts/{id}
pub async fn receipt(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    receipt_page(&s, auth, id, None).await
}

/// GET /finance/receipts/{id}/voucher: the uploaded file.
pub async fn voucher(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let file = s.app.receipt_voucher(&ctx, id).await.or_page(chrome.lang)?;
    Ok((
        [(header::CONTENT_TYPE, file.content_type.as_str())],
        file.bytes,
    )
        .into_response())
}

/// POST /finance/receipts/{id}/decide: verify, reject or reverse.
pub async fn decide_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let reason = form.get("reason").cloned().unwrap_or_default();
    let app = &s.app;
    let ctx = &auth.ctx;
    let outcome = match form.get("decision").map(String::as_str) {
        Some("verify") => app.verify_receipt(ctx, id).await,
        Some("reject") => app.reject_receipt(ctx, id, &reason).await,
        Some("reverse") => app.reverse_receipt(ctx, id, &reason).await,
        _ => Err(AppError::invalid(
            "decision",
            "invalid",
            "verify, reject or reverse",
        )),
    };
    super::after_step(
        &s,
        auth,
        id,
        outcome,
        move |_| format!("/finance/receipts/{id}"),
        receipt_page,
    )
    .await
}

// -------------------------------------------------------------------- ageing

pub struct AgeRow {
    pub label: String,
    pub cells: Vec<String>,
    pub total: String,
    pub invoices: u32,
}

/// One bar of the chart: its label, height in pixels and amount.
pub struct Bar {
    pub label: String,
    pub x: u32,
    pub height: u32,
    pub y: u32,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "finance_ageing.html")]
struct AgeingPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    as_of: String,
    group: &'static str,
    groups: Vec<(&'static str, &'static str)>,
    columns: Vec<String>,
    rows: Vec<AgeRow>,
    totals: AgeRow,
    bars: Vec<Bar>,
    export: String,
}

fn column_label(lang: Lang, c: &str) -> String {
    if c == "not_due" {
        lang.pick("未到期", "Not due").to_string()
    } else {
        format!("{c} {}", lang.pick("天", "days"))
    }
}

fn group_label(lang: Lang, g: AgeingGroup) -> &'static str {
    match g {
        AgeingGroup::Customer => lang.pick("按客户", "By customer"),
        AgeingGroup::SalesRep => lang.pick("按销售代表", "By sales rep"),
        AgeingGroup::Region => lang.pick("按区域", "By region"),
        AgeingGroup::CustomerKind => lang.pick("按客户类型", "By customer kind"),
    }
}

/// GET /finance/ageing?as_of=&group=&format=xlsx
pub async fn ageing(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (as_of, group) = ageing_query(&q).map_err(|e| query_error(lang, e))?;
    let report = s.app.ageing(&ctx, as_of, group).await.or_page(lang)?;
    if q.get("format").is_some_and(|f| f == "xlsx") {
        return ageing_xlsx(lang, &report);
    }
    let columns: Vec<String> = report
        .columns
        .iter()
        .map(|c| column_label(lang, c))
        .collect();
    let row = |r: &kaidan_domain::finance::AgeingRow| AgeRow {
        label: r.label.clone(),
        cells: r.buckets.iter().map(|m| m.to_string()).collect(),
        total: r.total.to_string(),
        invoices: r.invoices,
    };
    let max = report
        .totals
        .buckets
        .iter()
        .copied()
        .max()
        .unwrap_or(Money::ZERO);
    let bars = report
        .totals
        .buckets
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = if max.is_positive() {
                (m.decimal() * rust_decimal::Decimal::from(160) / max.decimal())
                    .round()
                    .try_into()
                    .unwrap_or(0u32)
            } else {
                0
            };
            Bar {
                label: columns.get(i).cloned().unwrap_or_default(),
                x: 20 + 110 * u32::try_from(i).unwrap_or(0),
                height,
                y: 180 - height,
                amount: m.to_string(),
            }
        })
        .collect();
    let as_of_s = report.as_of.to_string();
    Ok(render(
        StatusCode::OK,
        &AgeingPage {
            title: lang
                .pick("财务 · 账龄分析", "Finance · Receivables ageing")
                .into(),
            tabs: fin_tabs(lang, "/finance/ageing"),
            export: format!(
                "/finance/ageing?as_of={as_of_s}&group={}&format=xlsx",
                group.as_str()
            ),
            as_of: as_of_s,
            group: group.as_str(),
            groups: AgeingGroup::ALL
                .iter()
                .map(|g| (g.as_str(), group_label(lang, *g)))
                .collect(),
            columns,
            rows: report.rows.iter().map(row).collect(),
            totals: row(&report.totals),
            bars,
            chrome,
        },
    ))
}

/// The ageing report as an Excel file, the amounts as numbers.
fn ageing_xlsx(lang: Lang, report: &AgeingReport) -> PageResult {
    let mut header = vec![lang.pick("分组", "Group").to_string()];
    header.extend(report.columns.iter().map(|c| column_label(lang, c)));
    header.push(lang.pick("合计", "Total").into());
    header.push(lang.pick("发票数", "Invoices").into());
    let rows = report
        .rows
        .iter()
        .chain(std::iter::once(&report.totals))
        .map(|r| {
            let mut cells = vec![r.label.clone()];
            cells.extend(r.buckets.iter().map(|m| m.to_string()));
            cells.push(r.total.to_string());
            cells.push(r.invoices.to_string());
            cells
        })
        .collect();
    xlsx(lang, &format!("ageing-{}.xlsx", report.as_of), header, rows)
}

/// A list as the Excel file users expect next to it: a header row, then
/// the rows, amounts as the page shows them.
pub(super) fn xlsx(
    lang: Lang,
    file: &str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
) -> PageResult {
    let mut table = kaidan_io::Table::new(file.to_string(), header);
    for (i, cells) in rows.into_iter().enumerate() {
        table.rows.push(kaidan_io::Row { line: i + 2, cells });
    }
    let bytes = kaidan_io::write_table(&table, kaidan_io::Format::Xlsx)
        .map_err(|e| PageError::new(lang, AppError::File(Box::new(e))))?;
    Ok(crate::api::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file,
    ))
}

/// Whether a list is asked for as Excel (`?format=xlsx`), and the query
/// without that parameter for the list's own filters.
pub(super) fn wants_xlsx(q: &BTreeMap<String, String>) -> (bool, BTreeMap<String, String>) {
    let mut rest = q.clone();
    let format = rest.remove("format");
    (format.as_deref() == Some("xlsx"), rest)
}
