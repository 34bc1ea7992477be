//! The print buttons' targets (DOC-1): the order confirmation and the
//! delivery note as inline PDFs, for the page's session; a refusal is the
//! usual error page, a server without a CJK font a page saying so.

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use kaidan_domain::OrderId;

use super::{Lang, MessagePage, PageAuth, PageError, PageId, PageResult, bare_chrome, render};
use crate::print::{
    Pdf, PrintFailure, contract_pdf, dunning_pdf, invoice_pdf, order_pdf, shipment_pdf,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/pdf", get(order))
        .route("/shipments/{id}/pdf", get(shipment))
        .route("/finance/invoices/{id}/pdf", get(invoice))
        .route("/finance/dunning/{id}/pdf", get(dunning))
        .route("/contracts/{id}/pdf", get(contract))
}

/// GET /contracts/{id}/pdf: 销售合同.
async fn contract(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    answer(auth.chrome.lang, contract_pdf(&s, &auth.ctx, id).await)
}

/// GET /orders/{id}/pdf: 订单确认书.
async fn order(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    answer(
        auth.chrome.lang,
        order_pdf(&s, &auth.ctx, OrderId(id)).await,
    )
}

/// GET /shipments/{id}/pdf: 发货单.
async fn shipment(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    answer(auth.chrome.lang, shipment_pdf(&s, &auth.ctx, id).await)
}

/// GET /finance/invoices/{id}/pdf: 销售发票 or 红字发票.
async fn invoice(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    answer(auth.chrome.lang, invoice_pdf(&s, &auth.ctx, id).await)
}

/// GET /finance/dunning/{id}/pdf: 催款函.
async fn dunning(State(s): State<AppState>, auth: PageAuth, PageId(id): PageId) -> PageResult {
    answer(auth.chrome.lang, dunning_pdf(&s, &auth.ctx, id).await)
}

fn answer(lang: Lang, r: Result<Pdf, PrintFailure>) -> PageResult {
    match r {
        Ok(pdf) => Ok(pdf.into_response()),
        Err(PrintFailure::App(e)) => Err(PageError::new(lang, e)),
        Err(PrintFailure::Print(e)) => Ok(render(
            // The status and the log line of the API's answer; the message
            // says what to install or configure.
            crate::print::print_problem(&e).status,
            &MessagePage {
                chrome: bare_chrome(lang),
                title: lang.pick("无法打印", "Cannot print").to_string(),
                message: e.to_string(),
            },
        )),
    }
}
