//! What the order list does besides listing (issue 21): bulk actions on
//! the chosen rows with each row's result, printing them in one PDF, and
//! saving or deleting the user's named filters.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::AppError;
use kaidan_app::orders::bulk::{BulkOrderAction, MAX_BULK_ORDERS};
use kaidan_app::saved_filters::SavedList;
use kaidan_domain::{OrderId, ValidationErrors};

use super::{list_page, query_string, status_label};
use crate::pages::bulk_results::{BulkPage, BulkRow, ORDERS, error_page, print_chosen};
use crate::pages::list_filters;
use crate::pages::{Lang, PageAuth, PageError, PageForm, PageId, PageResult, render};
use crate::print::order_document;
use crate::state::AppState;

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
                ORDERS,
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
            return Ok(error_page(ORDERS, chrome, title, e.to_string(), back));
        }
    };
    let reason = form.get("reason").map(String::as_str).unwrap_or_default();
    let outcomes = match s.app.bulk_order_action(&ctx, action, &ids, reason).await {
        Ok(o) => o,
        Err(AppError::Invalid(e)) => {
            let msg = format!("{}: {e}", lang.pick("未执行", "Nothing was done"));
            return Ok(error_page(
                ORDERS,
                chrome,
                action_name(lang, action),
                msg,
                back,
            ));
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
            list: ORDERS,
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
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let file = format!("orders-{}", ids.len());
    print_chosen(&s, chrome, ORDERS, &ids, file, |id| {
        order_document(&s, &ctx, OrderId(id))
    })
    .await
}

/// POST /orders/filters: saves the list's current filter (`query`) under
/// `name` for the user.
pub async fn save_filter(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    match list_filters::save(&s, &ctx, lang, &form, SavedList::Orders, "/orders").await? {
        Ok(done) => Ok(done),
        Err(r) => list_page(&s, &ctx, chrome, &r.params, Some(r.message)).await,
    }
}

/// POST /orders/filters/{id}/delete
pub async fn delete_filter(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, _form): PageForm,
) -> PageResult {
    list_filters::delete(&s, &ctx, chrome.lang, id, "/orders").await
}
