//! A customer's funds and credit account (FIN-5): the balance and the
//! ledger, and its history tab (SEC-2): every entry posted, by whom.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use kaidan_app::Ctx;
use kaidan_domain::CustomerId;
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::EntryKind;

use super::format::shown;
use super::history::{HistoryTab, Tab, request, rows};
use super::{Chrome, Lang, OrPage, PageAuth, PageId, PageResult, render};
use crate::state::AppState;
use kaidan_domain::field_rules::Field;

fn tabs(lang: Lang, id: i64, history: bool) -> Vec<Tab> {
    vec![
        Tab {
            href: format!("/customers/{id}/account"),
            label: lang.t("account"),
            active: !history,
            id: "account",
        },
        Tab {
            href: format!("/customers/{id}/account/history"),
            label: lang.t("history_tab"),
            active: history,
            id: "history",
        },
    ]
}

fn kind_label(lang: Lang, k: EntryKind) -> &'static str {
    match k {
        EntryKind::Deposit => lang.pick("收款", "Deposit"),
        EntryKind::Commitment => lang.pick("订单占用", "Commitment"),
        EntryKind::Release => lang.pick("释放占用", "Release"),
        EntryKind::Charge => lang.pick("发货扣款", "Charge"),
        EntryKind::Adjustment => lang.pick("调整", "Adjustment"),
        EntryKind::CreditLimit => lang.pick("信用额度", "Credit limit"),
    }
}

/// "code name" of the customer, or `#id` for who may not read customers.
async fn title(s: &AppState, ctx: &Ctx, lang: Lang, id: i64) -> String {
    let who = match s.app.get::<CustomerData>(ctx, id).await {
        Ok(r) => format!("{} {}", r.data.code, r.data.name),
        Err(_) => format!("#{id}"),
    };
    format!("{who} · {}", lang.t("account"))
}

pub struct EntryRow {
    pub kind: &'static str,
    pub amount: String,
    pub order_id: Option<i64>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    title: String,
    tabs: Vec<Tab>,
    balance: Vec<(&'static str, String)>,
    entries: Vec<EntryRow>,
    /// Open invoices (FIN-1) and the latest receipts (FIN-3), for whoever
    /// may read them.
    invoices: Vec<(i64, String, String, String, String, bool)>,
    receipts: Vec<(i64, String, String, String, &'static str)>,
    open_total: String,
}

/// GET /customers/{id}/account
pub async fn account(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let lang = chrome.lang;
    let (b, entries) = s.app.account(&ctx, CustomerId(id)).await.or_page(lang)?;
    let vis = ctx.visibility();
    let balance = vec![
        (lang.pick("资金", "Funds"), b.funds.to_string()),
        (lang.pick("订单占用", "Committed"), b.committed.to_string()),
        (
            lang.pick("信用额度", "Credit limit"),
            shown(&vis, Field::AccountCreditLimit, b.credit_limit),
        ),
        (
            lang.pick("已用信用", "Credit used"),
            b.credit_used.to_string(),
        ),
        (
            lang.pick("可用合计", "Available"),
            shown(&vis, Field::AccountTotalAvailable, b.total_available),
        ),
    ];
    let entries = entries
        .iter()
        .rev()
        .map(|e| EntryRow {
            kind: kind_label(lang, e.kind),
            amount: if e.kind == EntryKind::CreditLimit {
                shown(&vis, Field::AccountCreditLimitEntry, e.amount)
            } else {
                e.amount.to_string()
            },
            order_id: e.order_id.map(|o| o.get()),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let title = title(&s, &ctx, lang, id).await;
    let today = s.app.today_date();
    let mut open_total = kaidan_domain::Money::ZERO;
    let invoices: Vec<(i64, String, String, String, String, bool)> = s
        .app
        .invoices(
            &ctx,
            kaidan_app::ports::InvoiceFilter {
                customer: Some(CustomerId(id)),
                open_only: true,
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let overdue = i.due_date < today;
            open_total += i.open();
            (
                i.id,
                i.number.clone(),
                i.due_date.to_string(),
                i.amount.to_string(),
                i.open().to_string(),
                overdue,
            )
        })
        .collect();
    let receipts = s
        .app
        .receipts(
            &ctx,
            kaidan_app::ports::ReceiptFilter {
                customer: Some(CustomerId(id)),
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.number.clone(),
                r.received_on.to_string(),
                r.amount.to_string(),
                lang.pick(r.status.label_zh(), r.status.as_str()),
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            title,
            tabs: tabs(lang, id, false),
            balance,
            entries,
            invoices,
            receipts,
            open_total: open_total.to_string(),
            chrome,
        },
    ))
}

/// GET /customers/{id}/account/history
pub async fn history(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let req = request(&p);
    let page = s
        .app
        .account_history(&ctx, CustomerId(id), req)
        .await
        .or_page(lang)?;
    let title = title(&s, &ctx, lang, id).await;
    Ok(render(
        StatusCode::OK,
        &HistoryTab::new(
            chrome,
            title,
            tabs(lang, id, true),
            rows(page.items, |_| None),
            page.next_cursor,
            req.cursor.is_none(),
        ),
    ))
}
