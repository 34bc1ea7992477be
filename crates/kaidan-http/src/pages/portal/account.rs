//! The customer's account on the portal (INT-2, FIN-3, FIN-5): funds,
//! credit limit and credit available, a hold, open invoices, its payments
//! with their state, last month's statement to confirm or dispute, and a
//! payment registered with its voucher for finance to verify.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect};
use kaidan_app::AppError;
use kaidan_app::ports::{InvoiceFilter, ReceiptFilter};
use kaidan_domain::finance::{
    ConfirmationInput, ConfirmationStatus, Invoice, Period, Receipt, Statement,
};
use kaidan_domain::orders::AccountBalance;

use super::{PortalAuth, title};
use crate::pages::finance::{csrf_refused, receipt_input, voucher_form};
use crate::pages::{Chrome, OrPage, PageError, PageResult, render, status_of};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal_account.html")]
struct AccountPage {
    chrome: Chrome,
    title: String,
    balance: AccountBalance,
    hold: Option<String>,
    invoices: Vec<Invoice>,
    receipts: Vec<Receipt>,
    statement: Statement,
    today: String,
    today_date: jiff::civil::Date,
    form: std::collections::HashMap<String, String>,
    error: Option<String>,
}

async fn account_page(
    s: &AppState,
    auth: crate::pages::PageAuth,
    form: std::collections::HashMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let ctx = &auth.ctx;
    let Some(customer) = ctx.actor.customer_id else {
        return Err(PageError::new(lang, AppError::Unauthenticated));
    };
    let (balance, _) = s.app.account(ctx, customer).await.or_page(lang)?;
    let hold = s
        .app
        .customer_hold(ctx, customer)
        .await
        .or_page(lang)?
        .current
        .map(|h| h.reason);
    let invoices = s
        .app
        .invoices(
            ctx,
            InvoiceFilter {
                open_only: true,
                limit: 100,
                ..InvoiceFilter::default()
            },
        )
        .await
        .or_page(lang)?;
    let receipts = s
        .app
        .receipts(
            ctx,
            ReceiptFilter {
                limit: 20,
                ..ReceiptFilter::default()
            },
        )
        .await
        .or_page(lang)?;
    let period = Period::of(s.app.today_date()).previous();
    let statement = s.app.statement(ctx, customer, period).await.or_page(lang)?;
    Ok(render(
        status_of(&error),
        &AccountPage {
            title: title(lang, "我的账户", "My account"),
            chrome: auth.chrome,
            balance,
            hold,
            invoices,
            receipts,
            statement,
            today: s.app.today_date().to_string(),
            today_date: s.app.today_date(),
            form,
            error,
        },
    ))
}

/// GET /portal/account
pub async fn account(State(s): State<AppState>, PortalAuth(auth): PortalAuth) -> PageResult {
    account_page(&s, auth, Default::default(), None).await
}

/// POST /portal/payments: a payment with its voucher (multipart form),
/// for the user's own customer whatever the form says; `statement` =
/// confirmed or disputed answers last month's statement instead.
pub async fn pay(
    State(s): State<AppState>,
    PortalAuth(auth): PortalAuth,
    mut multipart: Multipart,
) -> PageResult {
    let lang = auth.chrome.lang;
    let (mut form, voucher) = match voucher_form(lang, &mut multipart).await {
        Ok(v) => v,
        Err((form, msg)) => return account_page(&s, auth, form, Some(msg)).await,
    };
    if form.get("_csrf").map(String::as_str) != Some(auth.chrome.csrf.as_str()) {
        return Ok(csrf_refused());
    }
    let Some(customer) = auth.ctx.actor.customer_id else {
        return Err(PageError::new(lang, AppError::Unauthenticated));
    };
    if let Some(answer) = form.get("statement").cloned() {
        let status = match answer.as_str() {
            "disputed" => ConfirmationStatus::Disputed,
            _ => ConfirmationStatus::Confirmed,
        };
        let period = Period::of(s.app.today_date()).previous();
        let note = form.get("note").cloned().filter(|n| !n.trim().is_empty());
        let outcome = s
            .app
            .confirm_statement(
                &auth.ctx,
                customer,
                period,
                &ConfirmationInput { status, note },
            )
            .await;
        return match outcome {
            Ok(_) => Ok(Redirect::to("/portal/account#statement").into_response()),
            Err(AppError::Invalid(v)) => account_page(&s, auth, form, Some(v.to_string())).await,
            Err(e) => Err(PageError::new(lang, e)),
        };
    }
    form.insert("customer_id".into(), customer.to_string());
    let outcome = match receipt_input(&form) {
        Ok(input) => s.app.register_receipt(&auth.ctx, &input, voucher).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/portal/account?paid=1#payments").into_response()),
        Err(AppError::Invalid(v)) => account_page(&s, auth, form, Some(v.to_string())).await,
        Err(e) => Err(PageError::new(lang, e)),
    }
}
