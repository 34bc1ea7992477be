//! What the order list does besides listing (issue 21): bulk actions on
//! the chosen rows with each row's result, printing them in one PDF, and
//! saving or deleting the user's named filters.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::AppError;
use kaidan_app::orders::bulk::{BulkOrderAction, MAX_BULK_ORDERS};
use kaidan_app::saved_filters::SavedList;
use kaidan_domain::{OrderId, ValidationErrors};

use super::{list_page, query_string, status_label};
use crate::pages::{Chrome, Lang, PageAuth, PageError, PageForm, PageId, PageResult, render};
use crate::print::{PrintFailure, order_document, render_many};
use crate::state::AppState;

/// One row's outcome.
pub struct BulkRow {
    pub id: i64,
    pub number: String,
    pub done: bool,
    pub result: String,
}

#[derive(Template)]
#[template(path = "order_bulk.html")]
struct BulkPage {
    chrome: Chrome,
    title: String,
    action: String,
    rows: Vec<BulkRow>,
    done: usize,
    failed: usize,
    error: Option<String>,
    back: String,
    /// Printing the printable ones, when some could not be printed.
    print_rest: Option<String>,
}

/// The chosen orders of a list form: its `o{id}` check boxes.
fn chosen(form: &HashMap<String, String>) -> Vec<OrderId> {
    let mut ids: Vec<OrderId> = form
        .keys()
        .filter_map(|k| k.strip_prefix('o'))
        .filter_map(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(OrderId)
        .collect();
    ids.sort_unstable_by_key(|id| std::cmp::Reverse(id.get()));
    ids
}

/// The list to go back to: its filter as the form carried it, checked to
/// be a query string (never a URL elsewhere).
fn back_of(form: &HashMap<String, String>) -> String {
    let q = form.get("back").map(String::as_str).unwrap_or_default();
    match serde_urlencoded::from_str::<Vec<(String, String)>>(q) {
        Ok(pairs) => format!("/orders?{}", query_string(&pairs)),
        Err(_) => "/orders".into(),
    }
}

fn action_name(lang: Lang, action: BulkOrderAction) -> &'static str {
    match action {
        BulkOrderAction::Review => lang.pick("审核", "Review"),
        BulkOrderAction::Approve => lang.pick("批准", "Approve"),
        BulkOrderAction::Cancel => lang.pick("取消", "Cancel"),
    }
}

/// POST /orders/bulk: `action` (review, approve, cancel with `reason`, or
/// print) on the checked orders; answers with each order's result.
pub async fn bulk(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let ids = chosen(&form);
    let back = back_of(&form);
    let action_text = form.get("action").map(String::as_str).unwrap_or_default();
    if action_text == "print" {
        if ids.is_empty() || ids.len() > MAX_BULK_ORDERS {
            let msg = lang.pick(
                "请选择 1 到 500 个订单再打印",
                "Choose between 1 and 500 orders to print",
            );
            return Ok(error_page(
                chrome,
                lang.pick("打印", "Print"),
                msg.into(),
                back,
            ));
        }
        let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let url = format!("/orders/print?{}", query_string(&[("ids", list.join(","))]));
        return Ok(Redirect::to(&url).into_response());
    }
    let action = match action_text.parse::<BulkOrderAction>() {
        Ok(a) => a,
        Err(e) => {
            let title = lang.pick("批量操作", "Bulk action");
            return Ok(error_page(chrome, title, e.to_string(), back));
        }
    };
    let reason = form.get("reason").map(String::as_str).unwrap_or_default();
    let outcomes = match s.app.bulk_order_action(&ctx, action, &ids, reason).await {
        Ok(o) => o,
        Err(AppError::Invalid(e)) => {
            let msg = format!("{}: {e}", lang.pick("未执行", "Nothing was done"));
            return Ok(error_page(chrome, action_name(lang, action), msg, back));
        }
        Err(e) => return Err(PageError::new(lang, e)),
    };
    let numbers = numbers_of(&s, &ctx, lang, &ids).await;
    let rows: Vec<BulkRow> = outcomes
        .into_iter()
        .map(|o| {
            let done = o.done(action);
            let result = match &o.result {
                Ok(st) if done => status_label(lang, *st).to_string(),
                Ok(st) => format!(
                    "{}: {}",
                    lang.pick("未批准，现为", "Not approved; now"),
                    status_label(lang, *st)
                ),
                Err(e) => super::detail::action_error(lang, e).1,
            };
            BulkRow {
                id: o.id.get(),
                number: numbers
                    .get(&o.id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", o.id)),
                done,
                result,
            }
        })
        .collect();
    let done = rows.iter().filter(|r| r.done).count();
    Ok(render(
        StatusCode::OK,
        &BulkPage {
            title: format!(
                "{} · {}",
                action_name(lang, action),
                lang.pick("批量结果", "results")
            ),
            action: action_text.to_string(),
            failed: rows.len() - done,
            done,
            rows,
            error: None,
            back,
            print_rest: None,
            chrome,
        },
    ))
}

/// The numbers of the orders (or "待编号"), as far as the reader may see
/// them.
async fn numbers_of(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
    lang: Lang,
    ids: &[OrderId],
) -> HashMap<OrderId, String> {
    match s.app.order_numbers(ctx, ids).await {
        Ok(m) => m
            .into_iter()
            .map(|(id, n)| {
                (
                    id,
                    n.unwrap_or_else(|| lang.pick("待编号", "(no number yet)").into()),
                )
            })
            .collect(),
        Err(_) => HashMap::new(),
    }
}

fn error_page(
    chrome: Chrome,
    action: &str,
    message: String,
    back: String,
) -> axum::response::Response {
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &BulkPage {
            title: action.to_string(),
            action: String::new(),
            rows: Vec::new(),
            done: 0,
            failed: 0,
            error: Some(message),
            back,
            print_rest: None,
            chrome,
        },
    )
}

/// GET /orders/print?ids=3,2,1: the order confirmations in one PDF. When
/// some cannot be printed, a page names them and offers the rest.
pub async fn print_many(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let text = p.get("ids").map(String::as_str).unwrap_or_default();
    let ids: Result<Vec<OrderId>, _> = text
        .split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().parse::<i64>().map(OrderId))
        .collect();
    let ids = match ids {
        Ok(ids) if !ids.is_empty() && ids.len() <= MAX_BULK_ORDERS => ids,
        _ => {
            let e = ValidationErrors::single(
                "ids",
                "invalid",
                format!("1 to {MAX_BULK_ORDERS} order ids separated by commas"),
            );
            return Err(PageError::new(lang, e.into()));
        }
    };
    let mut docs = Vec::with_capacity(ids.len());
    let mut printable = Vec::new();
    let mut rows = Vec::new();
    for id in &ids {
        match order_document(&s, &ctx, *id).await {
            Ok(doc) => {
                rows.push(BulkRow {
                    id: id.get(),
                    number: doc.number.clone(),
                    done: true,
                    result: lang.pick("可打印", "Printable").into(),
                });
                printable.push(id.to_string());
                docs.push(doc);
            }
            Err(PrintFailure::App(e)) => rows.push(BulkRow {
                id: id.get(),
                number: format!("#{id}"),
                done: false,
                result: super::detail::action_error(lang, &e).1,
            }),
            Err(PrintFailure::Print(e)) => {
                return Err(PageError::new(lang, AppError::NotConfigured(e.to_string())));
            }
        }
    }
    if printable.len() == ids.len() {
        let file = format!("orders-{}", ids.len());
        return match render_many(&s, docs, file).await {
            Ok(pdf) => Ok(pdf.into_response()),
            Err(PrintFailure::Print(e)) => {
                Err(PageError::new(lang, AppError::NotConfigured(e.to_string())))
            }
            Err(PrintFailure::App(e)) => Err(PageError::new(lang, e)),
        };
    }
    let done = printable.len();
    Ok(render(
        StatusCode::OK,
        &BulkPage {
            title: lang.pick("打印", "Print").into(),
            action: "print".into(),
            failed: rows.len() - done,
            done,
            rows,
            error: None,
            back: "/orders".into(),
            print_rest: (!printable.is_empty()).then(|| {
                format!(
                    "/orders/print?{}",
                    query_string(&[("ids", printable.join(","))])
                )
            }),
            chrome,
        },
    ))
}

/// POST /orders/filters: saves the list's current filter (`query`) under
/// `name` for the user.
pub async fn save_filter(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let query = form.get("query").map(String::as_str).unwrap_or_default();
    let params: BTreeMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
    let name = form.get("name").map(String::as_str).unwrap_or_default();
    match s
        .app
        .save_filter(&ctx, SavedList::Orders, name, &params)
        .await
    {
        Ok(f) => Ok(Redirect::to(&format!("/orders?{}", query_string(&f.params))).into_response()),
        Err(AppError::Invalid(e)) => {
            let msg = format!(
                "{}: {e}",
                lang.pick("筛选未保存", "The filter was not saved")
            );
            list_page(&s, &ctx, chrome, &params, Some(msg)).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /orders/filters/{id}/delete
pub async fn delete_filter(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, _form): PageForm,
) -> PageResult {
    match s.app.delete_saved_filter(&ctx, id).await {
        Ok(()) => Ok(Redirect::to("/orders").into_response()),
        Err(e) => Err(PageError::new(chrome.lang, e)),
    }
}
