//! The answer to a bulk action on a list's chosen rows (issue 21): each
//! row with its result, or why nothing was done. Shared by the lists that
//! act in bulk.

use askama::Template;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use kaidan_app::AppError;
use kaidan_print::PrintDocument;

use super::orders::query_string;
use super::{Chrome, PageError, PageResult, render};
use crate::print::{PrintFailure, render_many};
use crate::state::AppState;

/// The list the rows belong to: where a row's page is and what printing
/// the printable ones is called.
pub struct BulkList {
    /// The list's path; a row's page is `{path}/{id}`.
    pub path: &'static str,
    pub print_rest_zh: &'static str,
    pub print_rest_en: &'static str,
}

pub const ORDERS: &BulkList = &BulkList {
    path: "/orders",
    print_rest_zh: "打印可打印的订单",
    print_rest_en: "Print the printable orders",
};

pub const SHIPMENTS: &BulkList = &BulkList {
    path: "/shipments",
    print_rest_zh: "打印可打印的发货单",
    print_rest_en: "Print the printable delivery notes",
};

/// One row's outcome.
pub struct BulkRow {
    pub id: i64,
    pub number: String,
    pub done: bool,
    pub result: String,
}

#[derive(Template)]
#[template(path = "order_bulk.html")]
pub struct BulkPage {
    pub chrome: Chrome,
    pub title: String,
    pub action: String,
    pub rows: Vec<BulkRow>,
    pub done: usize,
    pub failed: usize,
    pub error: Option<String>,
    pub back: String,
    /// Printing the printable ones, when some could not be printed.
    pub print_rest: Option<String>,
    pub list: &'static BulkList,
}

/// Nothing was done: the message says why.
pub fn error_page(
    list: &'static BulkList,
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
            list,
            chrome,
        },
    )
}

/// The chosen documents of a list (`ids`, laid out by `doc_of`) printed in
/// one PDF named `file`; when some cannot be printed, the page naming each
/// with its reason and offering the rest.
pub async fn print_chosen<F, Fut>(
    s: &AppState,
    chrome: Chrome,
    list: &'static BulkList,
    ids: &[i64],
    file: String,
    doc_of: F,
) -> PageResult
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = Result<PrintDocument, PrintFailure>>,
{
    let lang = chrome.lang;
    let not_configured =
        |e: kaidan_print::PrintError| PageError::new(lang, AppError::NotConfigured(e.to_string()));
    let mut docs = Vec::with_capacity(ids.len());
    let mut printable = Vec::new();
    let mut rows = Vec::new();
    for id in ids {
        match doc_of(*id).await {
            Ok(doc) => {
                rows.push(BulkRow {
                    id: *id,
                    number: doc.number.clone(),
                    done: true,
                    result: lang.pick("可打印", "Printable").into(),
                });
                printable.push(id.to_string());
                docs.push(doc);
            }
            Err(PrintFailure::App(e)) => rows.push(BulkRow {
                id: *id,
                number: format!("#{id}"),
                done: false,
                result: super::orders::action_error(lang, &e).1,
            }),
            Err(PrintFailure::Print(e)) => return Err(not_configured(e)),
        }
    }
    if printable.len() == ids.len() {
        return match render_many(s, docs, file).await {
            Ok(pdf) => Ok(pdf.into_response()),
            Err(PrintFailure::Print(e)) => Err(not_configured(e)),
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
            back: list.path.into(),
            print_rest: (!printable.is_empty()).then(|| {
                format!(
                    "{}/print?{}",
                    list.path,
                    query_string(&[("ids", printable.join(","))])
                )
            }),
            list,
            chrome,
        },
    ))
}
