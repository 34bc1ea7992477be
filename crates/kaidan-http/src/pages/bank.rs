//! Finance's bank statements (FIN-3, ADR 0023): upload the bank's export
//! (CSV or Excel), see what the import did, and assign the unmatched lines
//! to customers or ignore them with a reason.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use kaidan_app::finance::{BankImportReport, BankLineView};
use kaidan_app::ports::BankLineFilter;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::CustomerId;

use super::finance::{FinTab, customer_names, fin_tabs, wants_xlsx, xlsx};
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, after_post, render,
    status_of,
};
use crate::api::bank::bank_line_filter;
use crate::state::AppState;

/// The largest statement file the page takes (8 MiB).
const MAX_STATEMENT_BYTES: usize = 8 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/finance/bank",
            get(bank)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_STATEMENT_BYTES)),
        )
        .route("/finance/bank/lines/{id}", post(line_post))
}

pub struct LineRow {
    pub id: i64,
    pub date: String,
    pub amount: String,
    pub payer: String,
    pub payer_account: String,
    pub reference: String,
    pub memo: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub customer: String,
    pub receipt_id: Option<i64>,
    pub receipt: String,
    pub note: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "finance_bank.html")]
struct BankPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<FinTab>,
    status: String,
    rows: Vec<LineRow>,
    customers: Vec<(i64, String)>,
    report: Option<BankImportReport>,
    problems: Vec<String>,
    error: Option<String>,
}

fn row(lang: Lang, v: BankLineView) -> LineRow {
    let l = v.line;
    LineRow {
        id: l.id,
        date: l.booking_date.to_string(),
        amount: l.amount.to_string(),
        payer: l.payer.unwrap_or_default(),
        payer_account: l.payer_account.unwrap_or_default(),
        reference: l.reference.unwrap_or_default(),
        memo: l.memo.unwrap_or_default(),
        status: l.status.as_str(),
        status_label: lang.pick(l.status.label_zh(), l.status.as_str()),
        customer: v.customer.unwrap_or_default(),
        receipt_id: l.receipt_id,
        receipt: v.receipt_number.unwrap_or_default(),
        note: l.note.unwrap_or_default(),
        open: l.status == kaidan_domain::finance::BankLineStatus::Unmatched,
    }
}

/// The page's status (unmatched unless asked) and its filter.
fn page_filter(
    lang: Lang,
    q: &BTreeMap<String, String>,
) -> Result<(String, BankLineFilter), PageError> {
    let mut q = q.clone();
    let status = q
        .entry("status".into())
        .or_insert_with(|| "unmatched".into())
        .clone();
    let filter = bank_line_filter(&q).map_err(|e| {
        PageError::new(
            lang,
            AppError::Invalid(kaidan_domain::ValidationErrors {
                errors: e.errors.clone(),
            }),
        )
    })?;
    Ok((status, filter))
}

async fn bank_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    report: Option<BankImportReport>,
    problems: Vec<String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let (status, filter) = page_filter(lang, q)?;
    let lines = s.app.bank_lines(ctx, filter).await.or_page(lang)?;
    let mut customers: Vec<(i64, String)> = customer_names(s, ctx).await.into_iter().collect();
    customers.sort_by(|a, b| a.1.cmp(&b.1));
    let code = if problems.is_empty() {
        status_of(&error)
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &BankPage {
            title: lang
                .pick("财务 · 银行流水", "Finance · Bank statements")
                .into(),
            tabs: fin_tabs(lang, "/finance/bank"),
            status,
            rows: lines.into_iter().map(|v| row(lang, v)).collect(),
            customers,
            report,
            problems,
            error,
            chrome,
        },
    ))
}

/// GET /finance/bank?status=unmatched (default), matched, assigned,
/// ignored or all; `format=xlsx` for the same lines as Excel.
pub async fn bank(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let (excel, q) = wants_xlsx(&q);
    if excel {
        return bank_xlsx(&s, &ctx, chrome.lang, &q).await;
    }
    bank_page(&s, &ctx, chrome, &q, None, Vec::new(), None).await
}

/// The statement lines the page shows, as Excel.
async fn bank_xlsx(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    q: &BTreeMap<String, String>,
) -> PageResult {
    let (status, filter) = page_filter(lang, q)?;
    let lines = s.app.bank_lines(ctx, filter).await.or_page(lang)?;
    let header = [
        ("交易日期", "Date"),
        ("金额", "Amount"),
        ("对方户名", "Payer"),
        ("对方账号", "Account"),
        ("流水号", "Reference"),
        ("摘要/附言", "Memo"),
        ("状态", "Status"),
        ("客户", "Customer"),
        ("收款单", "Receipt"),
        ("备注", "Note"),
    ]
    .iter()
    .map(|(zh, en)| lang.pick(zh, en).to_string())
    .collect();
    let rows = lines
        .into_iter()
        .map(|v| {
            let r = row(lang, v);
            vec![
                r.date,
                r.amount,
                r.payer,
                r.payer_account,
                r.reference,
                r.memo,
                r.status_label.to_string(),
                r.customer,
                r.receipt,
                r.note,
            ]
        })
        .collect();
    xlsx(lang, &format!("bank-lines-{status}.xlsx"), header, rows)
}

/// POST /finance/bank: a statement file (multipart field `file`); the page
/// again with the import's report, or with every problem of the file.
pub async fn upload(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    mut multipart: Multipart,
) -> PageResult {
    let lang = chrome.lang;
    let none = BTreeMap::new();
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) if f.name() == Some("file") => {
                let name = f.file_name().unwrap_or_default().to_string();
                match f.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(e) => {
                        let msg = format!("{}: {e}", lang.pick("上传失败", "upload failed"));
                        return bank_page(&s, &ctx, chrome, &none, None, Vec::new(), Some(msg))
                            .await;
                    }
                }
            }
            Ok(Some(f)) if f.name() == Some("_csrf") => csrf = f.text().await.unwrap_or_default(),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                let msg = format!("{}: {e}", lang.pick("上传失败", "upload failed"));
                return bank_page(&s, &ctx, chrome, &none, None, Vec::new(), Some(msg)).await;
            }
        }
    }
    if csrf != chrome.csrf {
        return Ok((
            StatusCode::FORBIDDEN,
            "CSRF token mismatch; reload the page",
        )
            .into_response());
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        let msg = lang.pick(
            "请选择银行流水文件 (.csv 或 .xlsx)",
            "choose the statement file (.csv or .xlsx)",
        );
        return bank_page(&s, &ctx, chrome, &none, None, Vec::new(), Some(msg.into())).await;
    };
    let table = kaidan_io::read_table(&name, &bytes).map_err(AppError::from);
    match s.app.import_bank_statement(&ctx, table).await {
        Ok(report) => bank_page(&s, &ctx, chrome, &none, Some(report), Vec::new(), None).await,
        Err(AppError::ImportRejected(rows)) => {
            let problems = rows.iter().map(ToString::to_string).collect();
            let msg = lang.pick(
                "文件有错误,未导入任何内容",
                "the file has problems; nothing was imported",
            );
            bank_page(&s, &ctx, chrome, &none, None, problems, Some(msg.into())).await
        }
        Err(e @ (AppError::Invalid(_) | AppError::File(_))) => {
            bank_page(
                &s,
                &ctx,
                chrome,
                &none,
                None,
                Vec::new(),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /finance/bank/lines/{id}: `action` assign (with `customer_id`) or
/// ignore (with `reason`).
pub async fn line_post(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let outcome = match form.get("action").map(String::as_str) {
        Some("assign") => match form
            .get("customer_id")
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            Some(c) => s.app.assign_bank_line(&ctx, id, CustomerId(c)).await,
            None => Err(AppError::invalid(
                "customer_id",
                "required",
                "choose the customer",
            )),
        },
        Some("ignore") => {
            let reason = form.get("reason").cloned().unwrap_or_default();
            s.app.ignore_bank_line(&ctx, id, &reason).await
        }
        _ => Err(AppError::invalid("action", "invalid", "assign or ignore")),
    };
    let none = BTreeMap::new();
    after_post(
        lang,
        outcome,
        |_| "/finance/bank".to_string(),
        |e| bank_page(&s, &ctx, chrome, &none, None, Vec::new(), Some(e)),
    )
    .await
}
